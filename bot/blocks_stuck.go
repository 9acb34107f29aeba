package bot

import (
	"fmt"

	"github.com/slack-go/slack"
)

// StuckBlocks tells whoever asks for a referral's status which of its Slack work is
// waiting or failed, and why: without it a missing channel looks like slowness.
// It is empty when nothing is stuck.
func StuckBlocks(stuck []StuckWork) []slack.Block {
	var blocks []slack.Block
	for _, w := range stuck {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(stuckLine(w))))
	}
	return blocks
}

// stuckLine says what is stuck, why, and who does what about it.
func stuckLine(w StuckWork) string {
	if w.Failed {
		return fmt.Sprintf(":x: *%s*: Slack refused it for good (`%s`). An operator can redo it once the cause is fixed (`referralbot jobs retry %d`).",
			stuckHeadline(w.Kind, "failed"), w.Code, w.ID)
	}
	return fmt.Sprintf(":double_vertical_bar: *%s*: Slack has refused the app's credentials (`%s`) since %s. Nothing is lost: it goes through by itself once the app's access is fixed, and the operator has been told.",
		stuckHeadline(w.Kind, "not done yet"), w.Code, SlackTime(w.PausedSince))
}

// stuckHeadline names the missing piece of work: "Channel not set up yet".
func stuckHeadline(k JobKind, state string) string {
	if k == JobProvision {
		if state == "failed" {
			return "Setting up the channel failed"
		}
		return "Channel not set up yet"
	}
	return fmt.Sprintf("%s %s", capitalize(whatJob(k)), state)
}

// capitalize upper-cases the first letter of an ASCII phrase.
func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
