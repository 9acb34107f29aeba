package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/bot/record"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// uploadedFile returns the n-th file upload, once the work after the command's
// acknowledgement has run.
func (h *harness) uploadedFile(n int) slackfake.File {
	h.t.Helper()
	h.drain()
	if files := h.Fake.Files(); len(files) >= n && files[n-1].Completed {
		return files[n-1]
	}
	h.t.Fatalf("upload %d did not complete; files: %+v", n, h.Fake.Files())
	return slackfake.File{}
}

// rendered is the referral's record in format f, as the bot renders it now.
func (h *harness) rendered(r *bot.Referral, f record.ExportFormat) []byte {
	h.t.Helper()
	rec, err := h.App.Service.Record(h.ctx, r.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	b, err := record.Render(rec, f)
	if err != nil {
		h.t.Fatal(err)
	}
	return b
}

func TestExportCommand(t *testing.T) {
	h := newHarness(t, "http")
	r := h.openReferral("Z123456")
	h.click(reviewer("army", 1), r.ChannelID, h.askMessage(r, "army").TS, "answer_approve")
	h.drain()

	// In the referral's channel, any member exports it as Markdown, into that channel.
	ack := h.command(reviewer("navy", 1), r.ChannelID, "export")
	if got, want := ack.Text(), "Exporting the record of Z123456 as Markdown into <#"+r.ChannelID+">…"; got != want {
		t.Errorf("ack = %q; want %q", got, want)
	}
	f := h.uploadedFile(1)
	if f.Name != "dod-record-commerce-Z123456.md" || f.Title != "DoD position record: Commerce BIS-748P Z123456" ||
		len(f.Channels) != 1 || f.Channels[0] != r.ChannelID {
		t.Errorf("file = %s %q in %v; want dod-record-commerce-Z123456.md in %s", f.Name, f.Title, f.Channels, r.ChannelID)
	}
	if want := h.rendered(r, record.ExportMarkdown); !bytes.Equal(f.Content, want) {
		t.Errorf("uploaded record:\n%s\nwant:\n%s", f.Content, want)
	}
	if !bytes.Contains(f.Content, []byte("- v1 2026-11-27 15:00 UTC — **Approve**, by army.one (UARMY1) for Army")) {
		t.Errorf("the record lacks Army's position:\n%s", f.Content)
	}

	// From anywhere, an analyst names the case; the file still goes to the referral's channel.
	ack = h.command(analyst, h.General, "export json z123456")
	if got := ack.Text(); !strings.Contains(got, "as JSON into <#"+r.ChannelID+">") {
		t.Errorf("ack = %q", got)
	}
	f = h.uploadedFile(2)
	if f.Name != "dod-record-commerce-Z123456.json" || len(f.Channels) != 1 || f.Channels[0] != r.ChannelID {
		t.Errorf("file = %s in %v", f.Name, f.Channels)
	}
	if want := h.rendered(r, record.ExportJSON); !bytes.Equal(f.Content, want) {
		t.Errorf("uploaded JSON:\n%s\nwant:\n%s", f.Content, want)
	}

	// Others cannot export from elsewhere, nor learn whether a case exists.
	refused := "Only licensing analysts can export a referral from outside its channel"
	for _, text := range []string{"export Z123456", "export Z999999"} {
		if ack := h.command(reviewer("army", 1), h.General, text); !strings.Contains(ack.Text(), refused) {
			t.Errorf("%s by a reviewer in #general = %s", text, ack.Body)
		}
	}
	for text, want := range map[string]string{
		"export":                "isn't a referral channel",
		"export Z999999":        "No referral has case number Z999999",
		"export Z123456 Z65432": "Give one case number",
	} {
		if ack := h.command(analyst, h.General, text); !strings.Contains(ack.Text(), want) {
			t.Errorf("%s by the analyst in #general = %s; want …%s…", text, ack.Body, want)
		}
	}
	if n := len(h.Fake.Files()); n != 2 {
		t.Errorf("%d files uploaded; want 2", n)
	}
}

func TestExportCmd(t *testing.T) {
	h := newHarness(t, "http")
	r := h.openReferral("Z123456")
	h.click(reviewer("army", 1), r.ChannelID, h.askMessage(r, "army").TS, "answer_approve")
	h.drain()
	env := environ{"DATABASE_PATH": h.App.DB.Path(), "ROSTER_PATH": h.App.Config.RosterPath}
	run := func(args ...string) (string, error) {
		out, _, err := runCmd(h.Clock.Now, env, append([]string{"export"}, args...)...)
		return out, err
	}

	for _, tt := range []struct {
		args []string
		f    record.ExportFormat
	}{
		{[]string{"Z123456"}, record.ExportMarkdown},
		{[]string{"Z123456", "--format", "json"}, record.ExportJSON},
		{[]string{"--format=csv", "commerce:z123456"}, record.ExportCSV},
	} {
		out, err := run(tt.args...)
		if err != nil {
			t.Fatalf("export %v: %v", tt.args, err)
		}
		if want := h.rendered(r, tt.f); out != string(want) {
			t.Errorf("export %v:\n%s\nwant:\n%s", tt.args, out, want)
		}
	}

	path := filepath.Join(t.TempDir(), "record.md")
	if _, err := run("Z123456", "--output", path); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("output file: %v, mode %v; want 0600", err, st.Mode())
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, h.rendered(r, record.ExportMarkdown)) {
		t.Errorf("output file = %s", got)
	}
	if _, err := run("Z123456", "--output", path); err == nil || !errors.Is(err, os.ErrExist) {
		t.Errorf("export over an existing file: %v; want it refused", err)
	}

	for _, args := range [][]string{{}, {"Z123456", "--format", "pdf"}, {"Z123456", "Z654321"}, {"--bogus", "Z123456"}} {
		if _, err := run(args...); !errors.Is(err, errUsage) {
			t.Errorf("export %v: %v; want a usage error", args, err)
		}
	}
	if _, err := run("Z999999"); err == nil || errors.Is(err, errUsage) || !strings.Contains(err.Error(), "No referral has case number Z999999") {
		t.Errorf("export of an unknown case: %v", err)
	}

	// The same case number at State: the bare number is ambiguous.
	ctx := context.Background()
	err := h.App.DB.Update(ctx, func(tx bot.Tx) error {
		return tx.CreateReferral(ctx, &bot.Referral{Agency: bot.AgencyState, CaseNumber: "Z123456"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run("Z123456"); !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "commerce:Z123456") {
		t.Errorf("export of an ambiguous case: %v; want a usage error naming commerce:Z123456", err)
	}
	if _, err := run("state:Z123456", "--format", "json"); err != nil {
		t.Errorf("export state:Z123456: %v", err)
	}

	env["DATABASE_PATH"] = filepath.Join(t.TempDir(), "missing.db")
	if _, err := run("Z123456"); err == nil {
		t.Error("export from a missing database succeeded")
	} else if _, statErr := os.Stat(env["DATABASE_PATH"]); statErr == nil {
		t.Error("export created the missing database")
	}
}
