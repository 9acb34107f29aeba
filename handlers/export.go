package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/record"
)

// Budgets for the worklist commands.
const (
	// exportTimeout bounds the upload of a record, which runs after the acknowledgement.
	exportTimeout = 2 * time.Minute
	// exportAttempts is how many times a rate-limited upload is tried.
	exportAttempts = 3
	// statsBudget is how long /referral stats may count: it answers in the acknowledgement.
	statsBudget = 2500 * time.Millisecond
	// statsWindowYears is how far back /referral stats looks without a date.
	statsWindowYears = 1
)

// fileUploader is the part of the Slack client that uploads files
// (internal/slackapi.Client). It is asserted rather than part of bot.Slack, so
// that the lifecycle's Slack stays what the lifecycle uses.
type fileUploader interface {
	UploadFile(ctx context.Context, channelID, filename, title string, content []byte) error
}

const exportUsage = "Use `/referral export` in a referral's channel, or `/referral export Z123456` (or `commerce:Z123456`) anywhere; add `json` or `csv` for those formats."

// exportCommand uploads a referral's official record into its channel:
// /referral export [CASE] [md|json|csv]. In the referral's channel anyone (a member)
// may export it; from anywhere else only analysts may, and the file still goes to
// the referral's private channel, never where the command was typed.
func (r *Router) exportCommand(ctx context.Context, cmd slack.SlashCommand, args []string) any {
	up, ok := r.slack.(fileUploader)
	if !ok {
		r.log.Error("export: the Slack client cannot upload files")
		return ephemeral("I can't upload files in this setup.")
	}
	format, spec := record.ExportMarkdown, ""
	for _, a := range args {
		if f, err := record.ParseExportFormat(a); err == nil {
			format = f
			continue
		}
		if spec != "" {
			return ephemeral("Give one case number. " + exportUsage)
		}
		spec = a
	}
	var ref *bot.Referral
	var err error
	if spec == "" {
		if ref, err = r.referralHere(ctx, cmd); err != nil {
			return ephemeral(r.failure(err, "export") + "\n" + exportUsage)
		}
	} else {
		ref, err = r.svc.FindReferral(ctx, spec)
		if !r.svc.IsAnalyst(cmd.UserID) && (err != nil || !ref.InChannel(cmd.ChannelID)) {
			// The same answer whether or not the case exists: no probing for case numbers.
			return ephemeral("Only licensing analysts can export a referral from outside its channel. In the referral's channel, `/referral export` needs no case number.")
		}
		if err != nil {
			return ephemeral(r.failure(err, "export"))
		}
	}
	if ref.ChannelID == "" {
		return ephemeral(fmt.Sprintf("The channel of %s is still being set up; try again in a minute (`/referral status %s` says why, if it is held up).", ref.CaseNumber, ref.CaseNumber))
	}
	rec, err := r.svc.Record(ctx, ref.ID)
	if err != nil {
		return ephemeral(r.failure(err, "export"))
	}
	content, err := record.Render(rec, format)
	if err != nil {
		return ephemeral(r.failure(err, "export"))
	}
	// Uploading is three Slack calls and may wait out a rate limit: after the ack.
	ctx = context.WithoutCancel(ctx)
	r.after(func() { r.uploadRecord(ctx, up, cmd.UserID, ref, record.FileName(rec, format), rec.Title(), content) })
	kind := map[record.ExportFormat]string{record.ExportMarkdown: "Markdown", record.ExportJSON: "JSON", record.ExportCSV: "CSV"}[format]
	return ephemeral(fmt.Sprintf("Exporting the record of %s as %s into <#%s>…", ref.CaseNumber, kind, ref.ChannelID))
}

// uploadRecord uploads the rendered record into the referral's channel, waiting
// out rate limits, and tells the user if it could not.
func (r *Router) uploadRecord(ctx context.Context, up fileUploader, user string, ref *bot.Referral, name, title string, content []byte) {
	ctx, cancel := context.WithTimeout(ctx, exportTimeout)
	defer cancel()
	var err error
retry:
	for attempt := 1; ; attempt++ {
		if err = up.UploadFile(ctx, ref.ChannelID, name, title, content); err == nil {
			r.log.Info("record exported", "referral", ref.ID, "file", name, "user", user)
			return
		}
		var se *bot.SlackError
		if !errors.As(err, &se) || !errors.Is(err, bot.ErrSlackRateLimited) || attempt == exportAttempts {
			break
		}
		wait := time.NewTimer(se.RetryAfter)
		select {
		case <-ctx.Done():
			wait.Stop()
			break retry
		case <-wait.C:
		}
	}
	r.log.Error("export upload", "referral", ref.ID, "file", name, "err", err)
	ctx, cancelTell := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancelTell()
	r.tell(ctx, ref.ChannelID, user, fmt.Sprintf("I couldn't upload the record of %s just now; please try `/referral export` again.", ref.CaseNumber))
}

// statsCommand shows analysts how promptly each office answers and what DoD
// recommended: /referral stats [YYYY-MM-DD|all]. Without a date it covers the
// referrals received in the last year, which counts well inside Slack's 3
// seconds; `referralbot stats` on the server has no such limit.
func (r *Router) statsCommand(ctx context.Context, cmd slack.SlashCommand, args []string) any {
	const usage = "Use `/referral stats` (referrals received in the last year), `/referral stats 2026-01-01` (since a date) or `/referral stats all`."
	if !r.svc.IsAnalyst(cmd.UserID) {
		return ephemeral("Only licensing analysts can see the office statistics.")
	}
	since := r.svc.Today().AddDate(-statsWindowYears, 0, 0)
	switch {
	case len(args) > 1:
		return ephemeral(usage)
	case len(args) == 1 && strings.EqualFold(args[0], "all"):
		since = time.Time{}
	case len(args) == 1:
		d, err := bot.ParseDate(args[0])
		if err != nil {
			return ephemeral(fmt.Sprintf("%q is not a date like 2026-01-01. %s", args[0], usage))
		}
		since = d
	}
	ctx, cancel := context.WithTimeout(ctx, statsBudget)
	defer cancel()
	st, err := r.svc.Stats(ctx, since)
	if errors.Is(err, context.DeadlineExceeded) || (err != nil && ctx.Err() != nil) {
		return ephemeral("That is more referrals than I can count before Slack stops waiting. Choose a later date, e.g. `/referral stats " +
			bot.FormatDate(r.svc.Today().AddDate(0, -3, 0)) + "`, or run `referralbot stats` on the server.")
	}
	if err != nil {
		return ephemeral(r.failure(err, "stats"))
	}
	return ephemeral("Office timeliness", bot.StatsBlocks(st)...)
}
