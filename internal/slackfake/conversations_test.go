package slackfake_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

func TestCreateConversation(t *testing.T) {
	f, api := newFake(t)
	ch := must[*slack.Channel](t)(api.CreateConversation(slack.CreateConversationParams{ChannelName: "ref-z123456", IsPrivate: true}))
	if ch.ID == "" || ch.Name != "ref-z123456" || !ch.IsPrivate || ch.Creator != f.BotUserID() || !ch.IsMember {
		t.Errorf("got %+v; want a private channel ref-z123456 created by the bot, which is a member", ch)
	}
	got, ok := f.Channel(ch.ID)
	if !ok || !got.HasMember(f.BotUserID()) || !got.IsPrivate {
		t.Errorf("stored %+v; want private with the bot as member", got)
	}
	pub := must[*slack.Channel](t)(api.CreateConversation(slack.CreateConversationParams{ChannelName: "public_1"}))
	if pub.IsPrivate {
		t.Error("got a private channel; want public when is_private=false")
	}

	tests := []struct{ name, want string }{
		{"", "invalid_name_required"},
		{strings.Repeat("a", 81), "invalid_name_maxlength"},
		{"Upper", "invalid_name_specials"},
		{"has space", "invalid_name_specials"},
		{"dot.dot", "invalid_name_specials"},
		{"--", "invalid_name_punctuation"},
		{"ref-z123456", "name_taken"},
	}
	for _, tt := range tests {
		t.Run(tt.want+"/"+tt.name, func(t *testing.T) {
			_, err := api.CreateConversation(slack.CreateConversationParams{ChannelName: tt.name})
			wantSlackError(t, err, tt.want)
		})
	}
	if _, err := api.CreateConversation(slack.CreateConversationParams{ChannelName: strings.Repeat("a", 80)}); err != nil {
		t.Errorf("80 characters: %v; want ok", err)
	}
}

func TestSetTopic(t *testing.T) {
	f, api := newFake(t)
	general := workspace(t, f)
	f.AddUser("U3", "carol")
	secret := f.AddChannel("secret", true, "U3")
	ch := must[*slack.Channel](t)(api.CreateConversation(slack.CreateConversationParams{ChannelName: "ref", IsPrivate: true}))

	got := must[*slack.Channel](t)(api.SetTopicOfConversation(ch.ID, "Z123456 due 2024-03-15"))
	if got.Topic.Value != "Z123456 due 2024-03-15" {
		t.Errorf("got topic %q", got.Topic.Value)
	}
	if c, _ := f.Channel(ch.ID); c.Topic != "Z123456 due 2024-03-15" {
		t.Errorf("stored topic %q", c.Topic)
	}
	_, err := api.SetTopicOfConversation(ch.ID, strings.Repeat("x", 251))
	wantSlackError(t, err, "too_long")
	_, err = api.SetTopicOfConversation("CNOPE", "x")
	wantSlackError(t, err, "channel_not_found")
	_, err = api.SetTopicOfConversation(general, "x")
	wantSlackError(t, err, "not_in_channel")
	_, err = api.SetTopicOfConversation(secret, "x")
	wantSlackError(t, err, "channel_not_found") // private and the bot is not in it
}

func TestInvite(t *testing.T) {
	f, api := newFake(t)
	general := workspace(t, f)
	ch := must[*slack.Channel](t)(api.CreateConversation(slack.CreateConversationParams{ChannelName: "ref", IsPrivate: true}))

	if _, err := api.InviteUsersToConversation(ch.ID, "U1", "U2"); err != nil {
		t.Fatal(err)
	}
	if c, _ := f.Channel(ch.ID); !c.HasMember("U1") || !c.HasMember("U2") {
		t.Errorf("members %v; want U1 and U2", c.Members)
	}
	_, err := api.InviteUsersToConversation(ch.ID, "U1", "U2")
	wantSlackError(t, err, "already_in_channel")

	// One user already in fails the whole call: the new one is not invited either.
	f.AddUser("U3", "carol")
	f.AddUser("U4", "dave")
	_, err = api.InviteUsersToConversation(ch.ID, "U1", "U3")
	wantSlackError(t, err, "already_in_channel")
	if c, _ := f.Channel(ch.ID); c.HasMember("U3") {
		t.Error("U3 invited by a call that failed")
	}
	// With force=true the others are invited, and the answer lists who was not.
	_, err = api.ForceInviteUsersToConversation(ch.ID, "U1", "U3", "U404", "U4")
	wantSlackError(t, err, "already_in_channel")
	var se slack.SlackErrorResponse
	errors.As(err, &se)
	var per []string
	for _, e := range se.Errors {
		if ci := e.ConversationsInviteResponseError; ci != nil && !ci.Ok {
			per = append(per, ci.User+" "+ci.Error)
		}
	}
	if want := []string{"U1 already_in_channel", "U404 user_not_found"}; !slices.Equal(per, want) {
		t.Errorf("per-user errors %q; want %q", per, want)
	}
	if c, _ := f.Channel(ch.ID); !c.HasMember("U3") || !c.HasMember("U4") {
		t.Errorf("members %v; want U3 and U4 invited by force", c.Members)
	}

	_, err = api.InviteUsersToConversation(ch.ID, "U404")
	wantSlackError(t, err, "user_not_found")
	if errors.As(err, &se); len(se.Errors) != 1 || se.Errors[0].ConversationsInviteResponseError == nil ||
		se.Errors[0].ConversationsInviteResponseError.User != "U404" {
		t.Errorf("got errors %+v; want one naming U404", se.Errors)
	}
	_, err = api.InviteUsersToConversation(ch.ID, f.BotUserID())
	wantSlackError(t, err, "cant_invite_self")
	_, err = api.InviteUsersToConversation(general, "U3")
	wantSlackError(t, err, "not_in_channel")

	many := make([]string, 1001)
	for i := range many {
		many[i] = fmt.Sprintf("U%d", i)
	}
	_, err = api.InviteUsersToConversation(ch.ID, many...)
	wantSlackError(t, err, "too_many_users")
}

func TestConversationInfoAndMembers(t *testing.T) {
	f, api := newFake(t)
	workspace(t, f)
	ch := must[*slack.Channel](t)(api.CreateConversation(slack.CreateConversationParams{ChannelName: "ref", IsPrivate: true}))
	must[*slack.Channel](t)(api.InviteUsersToConversation(ch.ID, "U1", "U2"))

	info := must[*slack.Channel](t)(api.GetConversationInfo(&slack.GetConversationInfoInput{ChannelID: ch.ID, IncludeNumMembers: true}))
	if info.Name != "ref" || info.NumMembers != 3 || !info.IsPrivate {
		t.Errorf("got %+v; want ref, private, 3 members", info)
	}
	_, err := api.GetConversationInfo(&slack.GetConversationInfoInput{ChannelID: "CNOPE"})
	wantSlackError(t, err, "channel_not_found")

	members, next, err := api.GetUsersInConversation(&slack.GetUsersInConversationParameters{ChannelID: ch.ID, Limit: 2})
	if err != nil || len(members) != 2 || next == "" {
		t.Fatalf("got %v %q %v; want 2 members and a cursor", members, next, err)
	}
	rest, next, err := api.GetUsersInConversation(&slack.GetUsersInConversationParameters{ChannelID: ch.ID, Cursor: next})
	if err != nil || len(rest) != 1 || next != "" {
		t.Errorf("got %v %q %v; want the last member and no cursor", rest, next, err)
	}
}

func TestConversationsList(t *testing.T) {
	f, api := newFake(t)
	workspace(t, f) // #general, public, the bot not in it
	f.AddUser("U3", "carol")
	f.AddChannel("hidden", true, "U3")
	for i := range 3 {
		must[*slack.Channel](t)(api.CreateConversation(slack.CreateConversationParams{ChannelName: fmt.Sprintf("ref-%d", i), IsPrivate: true}))
	}

	names := func(chs []slack.Channel) (out []string) {
		for _, c := range chs {
			out = append(out, c.Name)
		}
		return out
	}
	pub, _, err := api.GetConversations(&slack.GetConversationsParameters{})
	if err != nil || fmt.Sprint(names(pub)) != "[general]" {
		t.Errorf("default types: got %v %v; want [general]", names(pub), err)
	}
	priv, next, err := api.GetConversations(&slack.GetConversationsParameters{Types: []string{"private_channel"}, Limit: 2})
	if err != nil || fmt.Sprint(names(priv)) != "[ref-0 ref-1]" || next == "" {
		t.Fatalf("page 1: got %v %q %v; want [ref-0 ref-1] and a cursor (hidden is not the bot's)", names(priv), next, err)
	}
	priv, next, err = api.GetConversations(&slack.GetConversationsParameters{Types: []string{"private_channel"}, Limit: 2, Cursor: next})
	if err != nil || fmt.Sprint(names(priv)) != "[ref-2]" || next != "" {
		t.Errorf("page 2: got %v %q %v; want [ref-2] and no cursor", names(priv), next, err)
	}
	all, err := api.GetAllConversations(slack.GetConversationsOptionTypes([]string{"public_channel", "private_channel"}), slack.GetConversationsOptionLimit(1))
	if err != nil || len(all) != 4 {
		t.Errorf("paginated: got %v %v; want 4 channels", names(all), err)
	}
	_, _, err = api.GetConversations(&slack.GetConversationsParameters{Types: []string{"bogus"}})
	wantSlackError(t, err, "invalid_types")
	_, _, err = api.GetConversations(&slack.GetConversationsParameters{Cursor: "garbage"})
	wantSlackError(t, err, "invalid_cursor")
}

func TestHistory(t *testing.T) {
	_, api := newFake(t)
	ch := must[*slack.Channel](t)(api.CreateConversation(slack.CreateConversationParams{ChannelName: "ref", IsPrivate: true}))
	var sent []string
	for i := range 3 {
		_, ts, err := api.PostMessage(ch.ID, slack.MsgOptionText(fmt.Sprint("m", i), false),
			slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "referral", EventPayload: map[string]any{"key": fmt.Sprint("k", i)}}))
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, ts)
	}

	h := must[*slack.GetConversationHistoryResponse](t)(api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: ch.ID}))
	if len(h.Messages) != 3 || h.Messages[0].Timestamp != sent[2] || h.Messages[2].Timestamp != sent[0] {
		t.Fatalf("got %d messages, first %q; want 3, newest first", len(h.Messages), h.Messages[0].Timestamp)
	}
	if h.Messages[0].Metadata.EventType != "" {
		t.Error("metadata returned without include_all_metadata; Slack omits it")
	}
	h = must[*slack.GetConversationHistoryResponse](t)(api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: ch.ID, IncludeAllMetadata: true, Limit: 2}))
	if len(h.Messages) != 2 || !h.HasMore || h.ResponseMetaData.NextCursor == "" {
		t.Fatalf("got %d messages has_more=%v; want 2 and more", len(h.Messages), h.HasMore)
	}
	if md := h.Messages[0].Metadata; md.EventType != "referral" || md.EventPayload["key"] != "k2" {
		t.Errorf("got metadata %+v; want referral k2", md)
	}
	h = must[*slack.GetConversationHistoryResponse](t)(api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: ch.ID, Cursor: h.ResponseMetaData.NextCursor}))
	if len(h.Messages) != 1 || h.Messages[0].Text != "m0" || h.HasMore {
		t.Errorf("page 2: got %+v; want just m0", h.Messages)
	}
	_, err := api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: "CNOPE"})
	wantSlackError(t, err, "channel_not_found")
}
