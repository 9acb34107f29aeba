package bot_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/store"
)

func TestFindReferral(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "find.db"), clock.NewManual(time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)).Now)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, r := range []*bot.Referral{
		{Agency: bot.AgencyCommerce, CaseNumber: "Z123456"},
		{Agency: bot.AgencyState, CaseNumber: "Z123456"},
		{Agency: bot.AgencyState, CaseNumber: "050-123456"},
	} {
		if err := db.Update(ctx, func(tx bot.Tx) error { return tx.CreateReferral(ctx, r) }); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		spec     string
		want     string // agency:case, or the error code
		wantText string
	}{
		{"050-123456", "state:050-123456", ""},
		{" commerce:z123456 ", "commerce:Z123456", ""},
		{"STATE:Z123456", "state:Z123456", ""},
		{"z123456", bot.EINVALID, "commerce:Z123456"},
		{"Z999999", bot.ENOTFOUND, "No referral has case number Z999999"},
		{"commerce:Z999999", bot.ENOTFOUND, ""},
		{"nasa:Z123456", bot.EINVALID, "not an agency"},
		{"", bot.EINVALID, ""},
	}
	for _, tt := range tests {
		r, err := bot.FindReferral(ctx, db, tt.spec)
		got := ""
		if err != nil {
			got = bot.ErrorCode(err)
		} else {
			got = string(r.Agency) + ":" + r.CaseNumber
		}
		if got != tt.want || (err != nil && !strings.Contains(bot.ErrorMessage(err), tt.wantText)) {
			t.Errorf("FindReferral(%q) = %s (%v); want %s …%s…", tt.spec, got, err, tt.want, tt.wantText)
		}
	}
}
