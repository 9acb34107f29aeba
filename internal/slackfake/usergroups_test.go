package slackfake_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

func TestUserGroups(t *testing.T) {
	f, api := newFake(t)
	workspace(t, f)
	f.AddUserGroup("S1", "army-reviewers", "U1", "U2")

	got, err := api.GetUserGroupMembers("S1")
	if err != nil || fmt.Sprint(got) != "[U1 U2]" {
		t.Errorf("got %v %v; want [U1 U2]", got, err)
	}
	f.SetUserGroupMembers("S1", "U2")
	if got, _ := api.GetUserGroupMembers("S1"); fmt.Sprint(got) != "[U2]" {
		t.Errorf("after SetUserGroupMembers: got %v; want [U2]", got)
	}
	_, err = api.GetUserGroupMembers("SNOPE")
	wantSlackError(t, err, "no_such_subteam")

	groups, err := api.GetUserGroups(slack.GetUserGroupsOptionIncludeUsers(true))
	if err != nil || len(groups) != 1 || groups[0].Handle != "army-reviewers" || fmt.Sprint(groups[0].Users) != "[U2]" {
		t.Errorf("got %+v %v", groups, err)
	}
	if groups, _ := api.GetUserGroups(); len(groups[0].Users) != 0 {
		t.Errorf("users listed without include_users: %v", groups[0].Users)
	}
}

func TestUsersInfo(t *testing.T) {
	f, api := newFake(t)
	workspace(t, f)
	u, err := api.GetUserInfo("U1")
	if err != nil || u.ID != "U1" || u.Name != "alice" || u.IsBot {
		t.Errorf("got %+v %v", u, err)
	}
	if bot, err := api.GetUserInfo(f.BotUserID()); err != nil || !bot.IsBot {
		t.Errorf("bot: got %+v %v; want is_bot", bot, err)
	}
	_, err = api.GetUserInfo("U404")
	wantSlackError(t, err, "user_not_found")
}

func TestUploadFile(t *testing.T) {
	f, api := newFake(t)
	general := workspace(t, f)
	ch := must[*slack.Channel](t)(api.CreateConversation(slack.CreateConversationParams{ChannelName: "ref", IsPrivate: true}))
	record := "Z123456: approve with provisos"

	sum, err := api.UploadFileContext(context.Background(), slack.UploadFileParameters{
		Filename: "z123456.txt", Title: "Final record", Content: record, FileSize: len(record),
		Channel: ch.ID, InitialComment: "Closed",
	})
	if err != nil {
		t.Fatal(err)
	}
	files := f.Files()
	if len(files) != 1 {
		t.Fatalf("got %d files; want 1", len(files))
	}
	got := files[0]
	if got.ID != sum.ID || got.Name != "z123456.txt" || got.Title != "Final record" || string(got.Content) != record ||
		!got.Completed || fmt.Sprint(got.Channels) != "["+ch.ID+"]" || got.InitialComment != "Closed" {
		t.Errorf("got %+v", got)
	}

	_, err = api.UploadFileContext(context.Background(), slack.UploadFileParameters{
		Filename: "x.txt", Content: "x", FileSize: 1, Channel: general,
	})
	if err == nil || !strings.Contains(err.Error(), "not_in_channel") {
		t.Errorf("sharing to a channel the bot is not in: got %v; want not_in_channel", err)
	}
}
