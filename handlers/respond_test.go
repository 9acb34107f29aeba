package handlers

import (
	"encoding/json"
	"testing"

	"github.com/slack-go/slack"
)

// Replies carry only the fields they set: Slack refuses an empty metadata object
// and "blocks": null.
func TestEphemeralOmitsEmptyFields(t *testing.T) {
	for _, tt := range []struct {
		reply *reply
		want  string
	}{
		{ephemeral("hi"), `{"response_type":"ephemeral","text":"hi"}`},
		{ephemeral("hi", slack.NewDividerBlock()), `{"response_type":"ephemeral","text":"hi","blocks":[{"type":"divider"}]}`},
	} {
		got, err := json.Marshal(tt.reply)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tt.want {
			t.Errorf("got %s; want %s", got, tt.want)
		}
	}
}
