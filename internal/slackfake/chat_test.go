package slackfake_test

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/internal/slackfake"
)

func section(text string) *slack.SectionBlock {
	return slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", text, false, false), nil, nil)
}

func TestPostMessage(t *testing.T) {
	f, api := newFake(t)
	ch := must[*slack.Channel](t)(api.CreateConversation(slack.CreateConversationParams{ChannelName: "ref", IsPrivate: true}))
	approve := slack.NewButtonBlockElement("approve", "Z123456", slack.NewTextBlockObject("plain_text", "Approve", false, false))
	md := slack.SlackMetadata{EventType: "referral_opened", EventPayload: map[string]any{"key": "Z123456"}}

	gotCh, ts1, err := api.PostMessage(ch.ID, slack.MsgOptionText("New referral", false),
		slack.MsgOptionBlocks(section("*Z123456*"), slack.NewActionBlock("", approve)), slack.MsgOptionMetadata(md))
	if err != nil {
		t.Fatal(err)
	}
	_, ts2, err := api.PostMessage(ch.ID, slack.MsgOptionText("second", false))
	if err != nil {
		t.Fatal(err)
	}
	if gotCh != ch.ID || !regexp.MustCompile(`^\d{10}\.\d{6}$`).MatchString(ts1) || ts2 <= ts1 {
		t.Errorf("got channel %q ts %q then %q; want %q and increasing ts like 1700000000.000100", gotCh, ts1, ts2, ch.ID)
	}

	msgs := f.Messages(ch.ID)
	if len(msgs) != 2 {
		t.Fatalf("got %d messages; want 2", len(msgs))
	}
	m := msgs[0]
	if m.TS != ts1 || m.Text != "New referral" || m.User != f.BotUserID() || m.Updates != 0 {
		t.Errorf("got %+v", m)
	}
	if m.Metadata == nil || m.Metadata.EventType != "referral_opened" || m.Metadata.EventPayload["key"] != "Z123456" {
		t.Errorf("got metadata %+v", m.Metadata)
	}
	if len(m.Blocks.BlockSet) != 2 {
		t.Fatalf("got %d parsed blocks; want 2", len(m.Blocks.BlockSet))
	}
	if id := m.Blocks.BlockSet[0].ID(); id == "" {
		t.Error("a block without block_id got none; Slack fills one in")
	}
	var raw []map[string]any
	if err := json.Unmarshal(m.BlocksJSON, &raw); err != nil || raw[1]["type"] != "actions" {
		t.Errorf("BlocksJSON %s: %v", m.BlocksJSON, err)
	}
	found, ok := f.FindMessage(ch.ID, func(m slackfake.Message) bool { return m.Text == "second" })
	if !ok || found.TS != ts2 {
		t.Errorf("FindMessage: got %+v %v", found, ok)
	}
}

func TestPostMessageErrors(t *testing.T) {
	f, api := newFake(t)
	general := workspace(t, f)
	ch := must[*slack.Channel](t)(api.CreateConversation(slack.CreateConversationParams{ChannelName: "ref", IsPrivate: true}))

	_, _, err := api.PostMessage("CNOPE", slack.MsgOptionText("x", false))
	wantSlackError(t, err, "channel_not_found")
	_, _, err = api.PostMessage(general, slack.MsgOptionText("x", false))
	wantSlackError(t, err, "not_in_channel")
	_, _, err = api.PostMessage(ch.ID)
	wantSlackError(t, err, "no_text")
	_, _, err = api.PostMessage(ch.ID, slack.MsgOptionText(strings.Repeat("x", 40001), false))
	wantSlackError(t, err, "msg_too_long")

	_, _, err = api.PostMessage(ch.ID, slack.MsgOptionBlocks(section(strings.Repeat("x", 3001))))
	wantSlackError(t, err, "invalid_blocks")
	var se slack.SlackErrorResponse
	errors.As(err, &se)
	want := "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"
	if len(se.ResponseMetadata.Messages) != 1 || se.ResponseMetadata.Messages[0] != want {
		t.Errorf("got messages %q; want [%q]", se.ResponseMetadata.Messages, want)
	}
	many := make([]slack.Block, 51)
	for i := range many {
		many[i] = slack.NewDividerBlock()
	}
	_, _, err = api.PostMessage(ch.ID, slack.MsgOptionBlocks(many...))
	wantSlackError(t, err, "invalid_blocks")
	if n := len(f.Messages(ch.ID)); n != 0 {
		t.Errorf("refused posts stored %d messages", n)
	}
}

func TestPostMessageToPerson(t *testing.T) {
	f, api := newFake(t)
	workspace(t, f)
	dm, _, err := api.PostMessage("U1", slack.MsgOptionText("reminder", false))
	if err != nil {
		t.Fatal(err)
	}
	if dm != f.DMChannel("U1") || len(f.Messages(dm)) != 1 {
		t.Errorf("got channel %q; want the bot's DM with U1 %q holding the message", dm, f.DMChannel("U1"))
	}
	opened, _, alreadyOpen, err := api.OpenConversation(&slack.OpenConversationParameters{Users: []string{"U1"}})
	if err != nil || opened.ID != dm || !alreadyOpen {
		t.Errorf("conversations.open: got %+v %v %v; want the same DM, already open", opened, alreadyOpen, err)
	}
	_, _, _, err = api.OpenConversation(&slack.OpenConversationParameters{Users: []string{"U404"}})
	wantSlackError(t, err, "user_not_found")
}

func TestUpdateMessage(t *testing.T) {
	f, api := newFake(t)
	general := workspace(t, f)
	ch := must[*slack.Channel](t)(api.CreateConversation(slack.CreateConversationParams{ChannelName: "ref", IsPrivate: true}))
	_, ts, _ := api.PostMessage(ch.ID, slack.MsgOptionText("v1", false), slack.MsgOptionBlocks(section("v1")))

	_, gotTS, text, err := api.UpdateMessage(ch.ID, ts, slack.MsgOptionText("v2", false), slack.MsgOptionBlocks(section("v2"), section("more")))
	if err != nil || gotTS != ts || text != "v2" {
		t.Fatalf("got ts %q text %q err %v; want the same ts and v2", gotTS, text, err)
	}
	m := f.Messages(ch.ID)[0]
	if m.TS != ts || m.Text != "v2" || m.Updates != 1 || len(m.Blocks.BlockSet) != 2 {
		t.Errorf("got %+v; want v2 with 2 blocks, updated once", m)
	}
	_, _, _, err = api.UpdateMessage(ch.ID, ts, slack.MsgOptionBlocks(section("v3")))
	if m := f.Messages(ch.ID)[0]; err != nil || m.Text != "v2" || m.Updates != 2 {
		t.Errorf("blocks only: got %+v %v; want text kept, updated twice", m, err)
	}

	_, _, _, err = api.UpdateMessage(ch.ID, "1.000001", slack.MsgOptionText("x", false))
	wantSlackError(t, err, "message_not_found")
	f.JoinChannel(general, f.BotUserID())
	userTS, err := f.PostAsUser("U1", general, "hello")
	if err != nil {
		t.Fatal(err)
	}
	_, _, _, err = api.UpdateMessage(general, userTS, slack.MsgOptionText("x", false))
	wantSlackError(t, err, "cant_update_message")
	_, _, _, err = api.UpdateMessage(ch.ID, ts, slack.MsgOptionBlocks(section("")))
	wantSlackError(t, err, "invalid_blocks")
}

func TestPostEphemeralAndPermalink(t *testing.T) {
	f, api := newFake(t)
	workspace(t, f)
	f.AddUser("U3", "carol")
	ch := must[*slack.Channel](t)(api.CreateConversation(slack.CreateConversationParams{ChannelName: "ref", IsPrivate: true}))
	must[*slack.Channel](t)(api.InviteUsersToConversation(ch.ID, "U1"))

	ts, err := api.PostEphemeral(ch.ID, "U1", slack.MsgOptionText("only you", false), slack.MsgOptionBlocks(section("only you")))
	if err != nil || ts == "" {
		t.Fatalf("got %q %v", ts, err)
	}
	eph := f.Ephemerals(ch.ID)
	if len(eph) != 1 || eph[0].User != "U1" || eph[0].Text != "only you" || eph[0].TS != ts || len(eph[0].Blocks.BlockSet) != 1 {
		t.Errorf("got %+v", eph)
	}
	_, err = api.PostEphemeral(ch.ID, "U3", slack.MsgOptionText("x", false))
	wantSlackError(t, err, "user_not_in_channel")
	_, err = api.PostEphemeral(ch.ID, "U404", slack.MsgOptionText("x", false))
	wantSlackError(t, err, "user_not_found")

	_, msgTS, _ := api.PostMessage(ch.ID, slack.MsgOptionText("x", false))
	link, err := api.GetPermalink(&slack.PermalinkParameters{Channel: ch.ID, Ts: msgTS})
	if err != nil || !strings.Contains(link, ch.ID) || !strings.Contains(link, "/p"+strings.ReplaceAll(msgTS, ".", "")) {
		t.Errorf("got %q %v", link, err)
	}
	_, err = api.GetPermalink(&slack.PermalinkParameters{Channel: ch.ID, Ts: "1.000001"})
	wantSlackError(t, err, "message_not_found")
}
