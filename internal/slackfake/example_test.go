package slackfake_test

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/internal/slackfake"
)

// A person runs a slash command; the app (here in-process, through TransportFunc; in
// real tests an HTTPTransport or SocketMode) opens a modal with the trigger_id, and the
// person submits it.
func Example() {
	fake := slackfake.New()
	defer fake.Close()
	fake.AddUser("U1", "alice")
	general := fake.AddChannel("general", false, "U1")
	api := slack.New(fake.BotToken(), slack.OptionAPIURL(fake.APIURL()))

	app := slackfake.TransportFunc(func(ctx context.Context, d slackfake.Delivery) (slackfake.Ack, error) {
		if d.Kind == slackfake.KindCommand {
			label := slack.NewTextBlockObject("plain_text", "Case number", false, false)
			input := slack.NewInputBlock("case", label, nil, slack.NewPlainTextInputBlockElement(nil, "case_number"))
			_, err := api.OpenViewContext(ctx, d.Form.Get("trigger_id"), slack.ModalViewRequest{
				Type:   slack.VTModal,
				Title:  slack.NewTextBlockObject("plain_text", "Open referral", false, false),
				Submit: slack.NewTextBlockObject("plain_text", "Open", false, false),
				Blocks: slack.Blocks{BlockSet: []slack.Block{input}},
			})
			return slackfake.Ack{Status: 200}, err
		}
		return slackfake.Ack{Status: 200}, nil // an empty ack closes a submitted modal
	})

	if _, err := fake.SlashCommand(app, "U1", general, "/referral", ""); err != nil {
		fmt.Println(err)
		return
	}
	modal, _ := fake.LastView("U1")
	fmt.Println(modal.Title, "open:", !modal.Closed)

	if _, err := fake.SubmitView(app, "U1", modal.ID, slackfake.Input{BlockID: "case", Value: "Z123456"}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("closed after submit:", fake.ViewClosed(modal.ID))
	fmt.Println("calls:", len(fake.CallsTo("views.open")))
	// Output:
	// Open referral open: true
	// closed after submit: true
	// calls: 1
}
