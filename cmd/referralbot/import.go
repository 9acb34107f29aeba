package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/slack-go/slack"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/deadline"
	"github.com/referralbot/referralbot/store"
)

const importUsage = `usage: referralbot import [--format json|csv] [--dry-run] FILE

Opens the referrals in FILE (JSON or CSV, see docs/IMPORT.md; "-" reads standard
input and needs --format) in the database at DATABASE_PATH, as /referral new would.
The running bot creates their channels. Every row is checked first: one bad row
imports nothing. A referral already in the bot is left unchanged.

Exit status: 0 imported (or unchanged), 1 not written, 2 bad input or usage.`

// badInput is an import refused for its content, or a command-line mistake: exit code 2.
type badInput struct{ msg string }

func (e badInput) Error() string { return e.msg }
func (e badInput) Unwrap() error { return errUsage }

// importCmd imports referrals from a file into the database the bot serves. It needs
// no Slack settings: opening a referral queues its Slack work in the database, and
// the serving bot's outbox workers do it.
func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, importUsage) }
	format := fs.String("format", "", "json or csv (default: from the file's extension)")
	dryRun := fs.Bool("dry-run", false, "check every row and say what would happen, writing nothing")
	var paths []string
	for rest := args; ; {
		if err := fs.Parse(rest); errors.Is(err, flag.ErrHelp) {
			return nil
		} else if err != nil {
			return badInput{err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		paths, rest = append(paths, fs.Arg(0)), fs.Args()[1:] // flags may follow the file
	}
	if len(paths) != 1 {
		fs.Usage()
		return badInput{"import takes one FILE"}
	}
	path := paths[0]
	f := bot.ImportFormat(strings.ToLower(*format))
	if f == "" {
		f = bot.ImportFormat(strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), "."))
	}
	if f != bot.ImportJSON && f != bot.ImportCSV {
		return badInput{fmt.Sprintf("cannot tell the format of %s: name it .json or .csv, or pass --format json|csv", path)}
	}

	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return badInput{fmt.Sprintf("read %s: %v", path, err)}
	}
	rows, err := bot.ParseImport(data, f)
	if err != nil {
		return refused(err, stderr)
	}

	cfg, err := loadConfig(false)
	if err != nil {
		return err
	}
	svc, closeAll, err := importService(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer closeAll()
	var results []bot.ImportResult
	if *dryRun {
		results, err = svc.CheckImport(ctx, rows)
	} else {
		results, err = svc.Import(ctx, rows)
	}
	for _, r := range results {
		fmt.Fprintln(stdout, r)
	}
	var ie *bot.ImportError
	if errors.As(err, &ie) {
		return refused(err, stderr)
	}
	return err
}

// refused lists every problem of a refused import on stderr.
func refused(err error, stderr io.Writer) error {
	var ie *bot.ImportError
	if !errors.As(err, &ie) {
		return badInput{err.Error()}
	}
	for _, p := range ie.Problems {
		fmt.Fprintln(stderr, p)
	}
	return badInput{ie.Error()}
}

// importService wires the lifecycle service to the bot's database and reminder
// queue, with a Slack that refuses every call.
func importService(ctx context.Context, cfg *Config, stderr io.Writer) (*bot.Service, func(), error) {
	roster, err := bot.LoadRoster(cfg.RosterPath)
	if err != nil {
		return nil, nil, err
	}
	// A mistyped DATABASE_PATH would otherwise create a database no bot serves.
	if _, err := os.Stat(cfg.DatabasePath); err != nil {
		return nil, nil, fmt.Errorf("database %s: %w (start the bot once, or set DATABASE_PATH to its database)", cfg.DatabasePath, err)
	}
	db, err := store.Open(ctx, cfg.DatabasePath)
	if err != nil {
		return nil, nil, err
	}
	queue, closeQueue, err := openQueue(ctx, cfg.RedisURL)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	rules := deadline.NewRules(deadline.NewCalendar(cfg.Location), deadline.Defaults{
		CommerceDays: cfg.CommerceDueDays, StateDays: cfg.StateDueDays, OfficeLeadBusinessDays: cfg.OfficeLeadBusinessDays,
	})
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	svc := bot.NewService(db, refusingSlack{}, bot.Config{Roster: roster, Rules: rules, Policy: cfg.Policy, Queue: queue, Log: log})
	return svc, func() { _ = closeQueue(); _ = db.Close() }, nil
}

// errNoSlack is what refusingSlack answers.
var errNoSlack = errors.New("referralbot import does not call Slack; the serving bot does the Slack work")

// refusingSlack is the Slack of the import command: opening a referral only queues
// Slack work, so any call would be a bug, and it fails instead of reaching Slack.
type refusingSlack struct{}

func (refusingSlack) CreateChannel(context.Context, string) (string, error) { return "", errNoSlack }
func (refusingSlack) FindOwnChannel(context.Context, string) (string, bool, error) {
	return "", false, errNoSlack
}
func (refusingSlack) SetTopic(context.Context, string, string) error { return errNoSlack }
func (refusingSlack) Invite(context.Context, string, []string) error { return errNoSlack }
func (refusingSlack) UpdateMessage(context.Context, string, string, bot.Message) error {
	return errNoSlack
}
func (refusingSlack) PostMessage(context.Context, string, bot.Message) (string, error) {
	return "", errNoSlack
}
func (refusingSlack) PostEphemeral(context.Context, string, string, bot.Message) error {
	return errNoSlack
}
func (refusingSlack) FindMessage(context.Context, string, string) (string, bool, error) {
	return "", false, errNoSlack
}
func (refusingSlack) OpenView(context.Context, string, slack.ModalViewRequest) error {
	return errNoSlack
}
func (refusingSlack) OpenDM(context.Context, string) (string, error) { return "", errNoSlack }
func (refusingSlack) UserGroupMembers(context.Context, string) ([]string, error) {
	return nil, errNoSlack
}

func (refusingSlack) PublishHome(context.Context, string, slack.HomeTabViewRequest) error {
	return errNoSlack
}

var _ bot.Slack = refusingSlack{}
