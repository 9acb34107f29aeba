package slackfake

import (
	"fmt"
	"slices"
)

// Inputs that dispatch (an input block with dispatch_action true) send block_actions
// while the person is still filling in the modal; and Slack keeps what a person
// entered in an input across views.update as long as the new view has an input with
// the same block_id and action_id ("Preserving input entry", views.update). The
// emulator remembers what was entered in a view through DispatchInput for that reason:
// an app that wants a new initial value to show must change the action_id.

// dispatchTextKinds are the text inputs whose dispatch_action sends their value on Enter.
var dispatchTextKinds = []string{"plain_text_input", "number_input", "email_text_input", "url_text_input"}

// DispatchInput has a person type in into the input block in.BlockID of the modal on
// top of their stack (or their Home tab), after entering others, and press Enter. The
// block must dispatch (dispatch_action true, its element's dispatch_action_config
// triggering on Enter, the default): Slack then sends block_actions with the view's
// state and the element's action; otherwise Slack sends nothing and this fails.
// What was entered stays in the view for later submissions and updates.
func (s *Server) DispatchInput(t Transport, userID, viewID string, in Input, others ...Input) (Ack, error) {
	s.mu.Lock()
	v, err := s.visibleView(userID, viewID)
	if err != nil {
		s.mu.Unlock()
		return Ack{}, err
	}
	blocks, _ := v.spec["blocks"].([]any)
	var target *element
	for _, e := range elementsOf(blocks) {
		if e.block["type"] == "input" && e.blockID() == in.BlockID {
			target = &e
			break
		}
	}
	switch {
	case target == nil:
		err = fmt.Errorf("%w: no input block %s in view %s", ErrInvalidInput, in.BlockID, v.id)
	case target.block["dispatch_action"] != true:
		err = fmt.Errorf("%w: input block %s does not dispatch actions (dispatch_action), so Enter sends nothing", ErrInvalidInput, in.BlockID)
	case !slices.Contains(dispatchTextKinds, target.kind()):
		err = fmt.Errorf("%w: the emulator dispatches only text inputs, not %s", ErrInvalidInput, target.kind())
	case !triggersOnEnter(target.el):
		err = fmt.Errorf("%w: block %s's dispatch_action_config does not trigger on Enter", ErrInvalidInput, in.BlockID)
	}
	var values map[string]any
	if err == nil {
		values, err = s.stateValues(v, s.withEntered(v, append(slices.Clone(others), in)), false)
	}
	if err != nil {
		s.mu.Unlock()
		return Ack{}, err
	}
	if v.entered == nil {
		v.entered = map[string]Input{}
	}
	for _, e := range elementsOf(blocks) {
		for _, x := range append(slices.Clone(others), in) {
			if e.block["type"] == "input" && e.blockID() == x.BlockID {
				x.ActionID = e.actionID()
				v.entered[x.BlockID] = x
			}
		}
	}
	now := s.now()
	action := map[string]any{
		"type": target.kind(), "block_id": target.blockID(), "action_id": target.actionID(),
		"value": in.Value, "action_ts": fmt.Sprintf("%d.%06d", now.Unix(), now.Nanosecond()/1000),
	}
	payload := s.viewActionPayload(v, userID, values, action)
	s.mu.Unlock()
	return deliverInteraction(t, payload)
}

func triggersOnEnter(el map[string]any) bool {
	cfg := mapOf(el["dispatch_action_config"])
	on := listOf(cfg["trigger_actions_on"])
	return len(on) == 0 || slices.Contains(on, any("on_enter_pressed"))
}

// withEntered is inputs after what the person entered earlier in the view: given
// inputs win. Call with s.mu held.
func (s *Server) withEntered(v *viewRecord, inputs []Input) []Input {
	var out []Input
	for id, x := range v.entered {
		if !slices.ContainsFunc(inputs, func(in Input) bool { return in.BlockID == id }) {
			out = append(out, x)
		}
	}
	return append(out, inputs...)
}

// keepEntered drops what was entered in inputs the new view no longer has with the same
// block_id and action_id, as Slack does on views.update. Call with s.mu held.
func keepEntered(v *viewRecord) {
	blocks, _ := v.spec["blocks"].([]any)
	for id, x := range v.entered {
		if !slices.ContainsFunc(elementsOf(blocks), func(e element) bool {
			return e.block["type"] == "input" && e.blockID() == id && e.actionID() == x.ActionID
		}) {
			delete(v.entered, id)
		}
	}
}
