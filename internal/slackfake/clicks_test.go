package slackfake_test

import (
	"errors"
	"testing"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/internal/slackfake"
)

func TestClickButton(t *testing.T) {
	f, api := newFake(t)
	workspace(t, f)
	f.AddUser("U3", "carol")
	a, tr := newApp(t)
	ch := must[*slack.Channel](t)(api.CreateConversation(slack.CreateConversationParams{ChannelName: "ref", IsPrivate: true}))
	must[*slack.Channel](t)(api.InviteUsersToConversation(ch.ID, "U1"))
	approve := slack.NewButtonBlockElement("approve", "ref-42", plain("Approve"))
	_, ts, err := api.PostMessage(ch.ID, slack.MsgOptionText("Z123456", false),
		slack.MsgOptionBlocks(section("Z123456"), slack.NewActionBlock("decide", approve)))
	if err != nil {
		t.Fatal(err)
	}

	if _, err := f.ClickButton(tr, "U1", ch.ID, ts, "approve"); err != nil {
		t.Fatal(err)
	}
	ic := a.lastInteraction(t)
	if ic.Type != slack.InteractionTypeBlockActions || ic.User.ID != "U1" || ic.Channel.ID != ch.ID ||
		ic.Container.Type != "message" || ic.Container.MessageTs != ts || ic.Container.ChannelID != ch.ID ||
		ic.Message.Timestamp != ts || ic.TriggerID == "" || ic.ResponseURL == "" || ic.APIAppID != f.AppID() || ic.Team.ID != f.TeamID() {
		t.Errorf("got %+v", ic)
	}
	if acts := ic.ActionCallback.BlockActions; len(acts) != 1 || acts[0].ActionID != "approve" || acts[0].BlockID != "decide" ||
		acts[0].Value != "ref-42" || acts[0].Type != "button" || acts[0].ActionTs == "" {
		t.Errorf("got actions %+v", acts)
	}
	if len(ic.Message.Blocks.BlockSet) != 2 {
		t.Errorf("got %d message blocks; want the message's 2", len(ic.Message.Blocks.BlockSet))
	}

	// The app replaces the message through the response_url.
	if status := respond(t, ic.ResponseURL, `{"replace_original":true,"text":"Approved by alice"}`); status != 200 {
		t.Fatalf("replace_original: got %d", status)
	}
	if m := f.Messages(ch.ID)[0]; m.Text != "Approved by alice" || m.Updates != 1 || len(m.Blocks.BlockSet) != 0 {
		t.Errorf("after replace_original: got %+v", m)
	}

	// Now the button is gone: a person cannot click it.
	if _, err := f.ClickButton(tr, "U1", ch.ID, ts, "approve"); !errors.Is(err, slackfake.ErrNoSuchAction) {
		t.Errorf("clicking a removed button: got %v; want ErrNoSuchAction", err)
	}
	if _, err := f.ClickButton(tr, "U1", ch.ID, "1.000001", "approve"); !errors.Is(err, slackfake.ErrNoSuchMessage) {
		t.Errorf("no message: got %v", err)
	}
	if _, err := f.ClickButton(tr, "U3", ch.ID, ts, "approve"); !errors.Is(err, slackfake.ErrNotInChannel) {
		t.Errorf("outsider in a private channel: got %v", err)
	}

	deny := func(v string) slack.BlockElement { return slack.NewButtonBlockElement("deny", v, plain("Deny")) }
	_, ts2, _ := api.PostMessage(ch.ID, slack.MsgOptionBlocks(slack.NewActionBlock("r1", deny("1")), slack.NewActionBlock("r2", deny("2"))))
	if _, err := f.ClickButton(tr, "U1", ch.ID, ts2, "deny"); !errors.Is(err, slackfake.ErrAmbiguousAction) {
		t.Errorf("two deny buttons: got %v; want ErrAmbiguousAction", err)
	}
	if _, err := f.ClickButtonInBlock(tr, "U1", ch.ID, ts2, "r2", "deny"); err != nil {
		t.Fatal(err)
	}
	if got := a.lastInteraction(t).ActionCallback.BlockActions[0].Value; got != "2" {
		t.Errorf("got value %q; want 2", got)
	}
}

func TestClickEphemeralButton(t *testing.T) {
	f, api := newFake(t)
	general := workspace(t, f)
	f.JoinChannel(general, f.BotUserID())
	a, tr := newApp(t)
	ts := must[string](t)(api.PostEphemeral(general, "U1", slack.MsgOptionText("Open?", false),
		slack.MsgOptionBlocks(slack.NewActionBlock("b", slack.NewButtonBlockElement("open", "", plain("Open"))))))

	if _, err := f.ClickButton(tr, "U2", general, ts, "open"); !errors.Is(err, slackfake.ErrNoSuchMessage) {
		t.Errorf("someone else's ephemeral: got %v; want ErrNoSuchMessage", err)
	}
	if _, err := f.ClickButton(tr, "U1", general, ts, "open"); err != nil {
		t.Fatal(err)
	}
	if ic := a.lastInteraction(t); !ic.Container.IsEphemeral {
		t.Errorf("container %+v; want is_ephemeral", ic.Container)
	}
	if status := respond(t, a.lastInteraction(t).ResponseURL, `{"delete_original":true}`); status != 200 {
		t.Fatalf("delete_original: got %d", status)
	}
	if eph := f.Ephemerals(general); len(eph) != 1 || !eph[0].Deleted {
		t.Errorf("after delete_original: got %+v", eph)
	}
}

func TestCloseViewAndHomeButton(t *testing.T) {
	f, api := newFake(t)
	general := workspace(t, f)
	a, tr := newApp(t)
	id := openForm(t, f, api, a, tr, general)

	if _, err := f.CloseView(tr, "U1", id); err != nil {
		t.Fatal(err)
	}
	if ic := a.lastInteraction(t); ic.Type != slack.InteractionTypeViewClosed || ic.View.ID != id || !f.ViewClosed(id) {
		t.Errorf("got %+v; want view_closed for %s", ic, id)
	}

	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{
		slack.NewActionBlock("home_actions", slack.NewButtonBlockElement("new_referral", "", plain("New referral"))),
	}}}
	homeID := must[*slack.ViewResponse](t)(api.PublishView("U1", home, "")).ID
	if _, err := f.ClickViewButton(tr, "U1", homeID, "", "new_referral"); err != nil {
		t.Fatal(err)
	}
	ic := a.lastInteraction(t)
	if ic.Container.Type != "view" || ic.Container.ViewID != homeID || ic.View.ID != homeID || ic.TriggerID == "" ||
		ic.ActionCallback.BlockActions[0].ActionID != "new_referral" {
		t.Errorf("got %+v", ic)
	}
	if _, err := api.OpenView(ic.TriggerID, positionModal()); err != nil {
		t.Errorf("opening a modal with the Home tab click's trigger: %v", err)
	}
}
