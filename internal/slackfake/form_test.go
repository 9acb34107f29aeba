package slackfake_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/internal/slackfake"
)

func opt(v string) string {
	return fmt.Sprintf(`{"text":{"type":"plain_text","text":"%s label"},"value":%q}`, v, v)
}

func inputBlock(id string, optional bool, element string) string {
	return fmt.Sprintf(`{"type":"input","block_id":%q,"optional":%v,"label":{"type":"plain_text","text":%q},"element":%s}`,
		id, optional, id, element)
}

// positionForm is a modal with one input of every kind the bot uses.
var positionForm = `{"type":"modal","callback_id":"position","private_metadata":"ref=42",
	"title":{"type":"plain_text","text":"Record position"},"submit":{"type":"plain_text","text":"Save"},
	"notify_on_close":true,
	"blocks":[
	{"type":"section","block_id":"summary","text":{"type":"mrkdwn","text":"Z123456"}},` +
	strings.Join([]string{
		inputBlock("position", false, `{"type":"static_select","action_id":"pick","options":[`+opt("approve")+`,`+opt("deny")+`]}`),
		inputBlock("provisos", true, `{"type":"multi_static_select","action_id":"pick","options":[`+opt("p1")+`,`+opt("p2")+`,`+opt("p3")+`]}`),
		inputBlock("comment", true, `{"type":"plain_text_input","action_id":"text","multiline":true,"max_length":20}`),
		inputBlock("due", false, `{"type":"datepicker","action_id":"date","initial_date":"2024-03-15"}`),
		inputBlock("urgency", false, `{"type":"radio_buttons","action_id":"r","options":[`+opt("low")+`,`+opt("high")+`],"initial_option":`+opt("high")+`}`),
		inputBlock("checks", true, `{"type":"checkboxes","action_id":"c","options":[`+opt("screened")+`]}`),
		inputBlock("analyst", false, `{"type":"users_select","action_id":"u"}`),
		inputBlock("reviewers", true, `{"type":"multi_users_select","action_id":"us"}`),
	}, ",") + `]}`

// openForm has U1 run /position, on which the app opens positionForm; it returns the view id.
func openForm(t *testing.T, f *slackfake.Server, api *slack.Client, a *app, tr slackfake.Transport, channelID string) string {
	t.Helper()
	var modal slack.ModalViewRequest
	if err := json.Unmarshal([]byte(positionForm), &modal); err != nil {
		t.Fatal(err)
	}
	var viewID string
	a.onCommand = func(cmd slack.SlashCommand) any {
		resp, err := api.OpenView(cmd.TriggerID, modal)
		if err != nil {
			t.Errorf("views.open: %v", err)
			return nil
		}
		viewID = resp.ID
		return nil
	}
	if _, err := f.SlashCommand(tr, "U1", channelID, "/position", ""); err != nil {
		t.Fatal(err)
	}
	if viewID == "" {
		t.Fatal("no view opened")
	}
	return viewID
}
