package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
)

// reply is a message answering a slash command (its acknowledgement, or a post to
// its response_url). It sends only the fields set: slack.Msg would also send an
// empty "metadata" object and "blocks": null, which Slack refuses.
type reply struct {
	ResponseType string        `json:"response_type,omitempty"`
	Text         string        `json:"text,omitempty"`
	Blocks       []slack.Block `json:"blocks,omitempty"`
}

// ephemeral is a slash command acknowledgement only the caller sees.
func ephemeral(text string, blocks ...slack.Block) *reply {
	return &reply{ResponseType: slack.ResponseTypeEphemeral, Text: text, Blocks: blocks}
}

// failure turns an error into what the person who caused it reads, logging the
// details of internal errors (which are never shown).
func (r *Router) failure(err error, what string) string {
	if bot.ErrorCode(err) == bot.EINTERNAL {
		r.log.Error(what, "err", err)
	}
	return bot.ErrorMessage(err)
}

// tell shows text to one user in a channel (see tellPresser for button presses).
// Slack shows an ephemeral message only to a member of the channel: anyone else is
// told by direct message instead. A slow Slack does not hold the acknowledgement
// (soon).
func (r *Router) tell(ctx context.Context, channelID, userID, text string) {
	if channelID == "" {
		return
	}
	m := bot.Message{Text: text,
		Blocks: []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil)}}
	r.soon(ctx, "ephemeral", func(ctx context.Context) {
		err := r.slack.PostEphemeral(ctx, channelID, userID, m)
		var se *bot.SlackError
		if errors.As(err, &se) && se.Code == "user_not_in_channel" {
			var dm string
			if dm, err = r.slack.OpenDM(ctx, userID); err == nil {
				_, err = r.slack.PostMessage(ctx, dm, m)
			}
		}
		if err != nil {
			r.log.Warn("ephemeral failed", "channel", channelID, "err", err)
		}
	})
}

// tellPresser shows text to the person who pressed a button.
func (r *Router) tellPresser(ctx context.Context, cb *slack.InteractionCallback, text string) {
	r.showPresser(ctx, cb, bot.Message{Text: text,
		Blocks: []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil)}})
}

// showPresser shows m to the person who pressed a button, in the channel of the
// press. chat.postEphemeral refuses someone who is not a member of the channel
// (user_not_in_channel), as anyone may be who presses in a public office queue:
// the press's response_url reaches them there.
func (r *Router) showPresser(ctx context.Context, cb *slack.InteractionCallback, m bot.Message) {
	channel, user, responseURL := interactionChannel(cb), cb.User.ID, cb.ResponseURL
	r.soon(ctx, "answer to a button press", func(ctx context.Context) {
		err := errors.New("no channel to answer in")
		if channel != "" {
			err = r.slack.PostEphemeral(ctx, channel, user, m)
		}
		if err != nil && responseURL != "" {
			err = r.slack.Respond(ctx, responseURL, m)
		}
		if err != nil {
			r.log.Warn("answer to a button press failed", "user", user, "err", err)
		}
	})
}

// viewErrors answers a modal submission: EINVALID problems go next to their fields
// (keyed by input block id); anything else replaces the modal with the message, so
// the person is never left with a silent failure.
func (r *Router) viewErrors(err error, what string) *slack.ViewSubmissionResponse {
	var e *bot.Error
	if bot.ErrorCode(err) == bot.EINVALID && errors.As(err, &e) && len(e.Fields) > 0 {
		return slack.NewErrorsViewSubmissionResponse(e.Fields)
	}
	v := noticeModal(r.failure(err, what))
	return slack.NewUpdateViewSubmissionResponse(&v)
}

// noticeModal is a modal that only says text: what a person reads where no
// channel is at hand to tell them (a form, the Home tab).
func noticeModal(text string) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type:  slack.VTModal,
		Title: slack.NewTextBlockObject(slack.PlainTextType, "Not recorded", false, false),
		Close: slack.NewTextBlockObject(slack.PlainTextType, "Close", false, false),
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewSectionBlock(
			slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil)}},
	}
}

func helpText(command string) string {
	return strings.Join([]string{
		fmt.Sprintf("*%s new* — open a referral (analysts)", command),
		fmt.Sprintf("*%s list [mine|all|overdue]* — your open referrals and the asks waiting on your offices; every open referral (analysts); those with an overdue office", command),
		fmt.Sprintf("*%s status* — where every office stands", command),
		fmt.Sprintf("*%s ask <office>* / *%s withdraw <office> <reason>* — ask another office, or withdraw an ask (analysts)", command, command),
		fmt.Sprintf("*%s remind [office]* — remind the offices still awaited (or one) in the channel, now (analysts)", command),
		fmt.Sprintf("*%s reassign @analyst* — hand the referral to another analyst (analysts, supervisors)", command),
		fmt.Sprintf("*%s recommend* — record the final DoD recommendation (analysts)", command),
		fmt.Sprintf("*%s amend* — amend the final recommendation, with a reason; every version is kept (analysts)", command),
		fmt.Sprintf("*%s extend <office|all> <YYYY-MM-DD> <reason>* — move offices' suspense dates, never past the DoD due date (analysts)", command),
		fmt.Sprintf("*%s hold <reason>* / *%s resume* — pause and restart the offices' suspense clock; the DoD due date runs on (analysts)", command, command),
		fmt.Sprintf("*%s answer* — record the applicant's or agency's answer to the offices' RWA questions: the offices that asked are asked again, with a new suspense date (the referral's analyst; the clock stays stopped while questions are out)", command),
		fmt.Sprintf("*%s agency-clock stop <stopped YYYY-MM-DD> <restarted YYYY-MM-DD> <agency reference> <reason>* — BIS or DDTC stopped its clock: the DoD due date moves by the calendar days stopped (analysts)", command),
		fmt.Sprintf("*%s agency-clock extend <new DoD due YYYY-MM-DD> <agency reference> <reason>* — BIS or DDTC granted more time: the DoD due date moves to that day (analysts)", command),
		fmt.Sprintf("*%s export [md|json|csv]* — upload the official record into the referral's channel", command),
		fmt.Sprintf("*%s precedents* — DoD's earlier recommendations for the same applicant, end user, item or destination (only you see them)", command),
		fmt.Sprintf("*%s stats [YYYY-MM-DD|all]* — how promptly each office answers, and the final recommendations (analysts; default: the last year)", command),
		fmt.Sprintf("*%s help* — this list", command),
		fmt.Sprintf("Commands about one referral work in its channel as they are, and anywhere with the case number first: `%s status Z123456`, `%s recommend commerce:Z123456` (outside the channel: analysts). The Home tab of the app shows your worklist.", command, command),
	}, "\n")
}
