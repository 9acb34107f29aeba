package store_test

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
)

func TestReferral_roundTrip(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	want := mustCreateReferral(t, db, "Z123456")
	if want.ID == 0 {
		t.Fatal("CreateReferral left ID zero")
	}
	if !want.CreatedAt.Equal(t0) || !want.UpdatedAt.Equal(t0) {
		t.Errorf("CreatedAt, UpdatedAt = %v, %v; want %v", want.CreatedAt, want.UpdatedAt, t0)
	}

	// Every lookup finds the same referral, field for field.
	lookups := map[string]func() (*bot.Referral, error){
		"Referral":          func() (*bot.Referral, error) { return db.Referral(ctx, want.ID) },
		"ReferralByCase":    func() (*bot.Referral, error) { return db.ReferralByCase(ctx, want.Agency, want.CaseNumber) },
		"ReferralByOpenKey": func() (*bot.Referral, error) { return db.ReferralByOpenKey(ctx, want.OpenKey) },
	}
	for name, lookup := range lookups {
		got, err := lookup()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\ngot  %+v\nwant %+v", name, got, want)
		}
	}
}

func TestUpdateReferral(t *testing.T) {
	db, clk := mustOpenClocked(t, filepath.Join(t.TempDir(), "referralbot.db"))
	ctx := context.Background()
	r := mustCreateReferral(t, db, "Z123456")

	later := t0.Add(time.Hour)
	clk.Set(later)
	r.State = bot.ReferralRecommended
	r.ChannelName, r.ChannelID = "ref-z123456", "C0CHANNEL"
	r.TopicSet, r.MembersInvited, r.Provisioned = true, true, true
	r.SummaryTS = "1712345678.000100"
	r.DoDDueDate, r.OfficeDueDate = date("2025-04-10"), time.Time{}
	r.AnalystID = "U0OTHER"
	mustUpdate(t, db, func(tx bot.Tx) error { return tx.UpdateReferral(ctx, r) })
	if !r.UpdatedAt.Equal(later) {
		t.Errorf("UpdatedAt = %v; want %v", r.UpdatedAt, later)
	}

	got, err := db.ReferralByChannel(ctx, "C0CHANNEL")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, r) {
		t.Errorf("after update:\ngot  %+v\nwant %+v", got, r)
	}
}

func TestReferral_heldSince(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	r := newReferral("Z123456")
	r.HeldSince = t0.Add(-time.Hour)
	mustUpdate(t, db, func(tx bot.Tx) error { return tx.CreateReferral(ctx, r) })

	// Created on hold, moved to another hold, then resumed.
	for _, held := range []time.Time{r.HeldSince, t0.Add(30 * time.Minute), {}} {
		if !held.Equal(r.HeldSince) {
			r.HeldSince = held
			mustUpdate(t, db, func(tx bot.Tx) error { return tx.UpdateReferral(ctx, r) })
		}
		got, err := db.Referral(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, r) {
			t.Errorf("HeldSince %v:\ngot  %+v\nwant %+v", held, got, r)
		}
	}
}

func TestReferral_conflicts(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	first := mustCreateReferral(t, db, "Z123456")
	first.ChannelID = "C0TAKEN"
	mustUpdate(t, db, func(tx bot.Tx) error { return tx.UpdateReferral(ctx, first) })

	sameCase := newReferral("Z123456")
	sameCase.OpenKey = "another-key"
	sameKey := newReferral("Z999999")
	sameKey.OpenKey = first.OpenKey
	otherAgency := newReferral("Z123456") // the case number is unique per agency only
	otherAgency.Agency, otherAgency.OpenKey = bot.AgencyState, ""
	noKey := newReferral("Z777777")
	noKey.OpenKey = ""

	tests := []struct {
		name     string
		r        *bot.Referral
		wantCode string
		wantMsg  string
	}{
		{"same agency and case", sameCase, bot.ECONFLICT, "Commerce (BIS) case Z123456 is already a referral"},
		{"same open key", sameKey, bot.ECONFLICT, "this referral has already been opened"},
		{"same case, other agency", otherAgency, "", ""},
		{"second empty open key", noKey, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := db.Update(ctx, func(tx bot.Tx) error { return tx.CreateReferral(ctx, tt.r) })
			if got := bot.ErrorCode(err); got != tt.wantCode {
				t.Errorf("CreateReferral: got code %q (%v); want %q", got, err, tt.wantCode)
			}
			if err != nil {
				if got := bot.ErrorMessage(err); got != tt.wantMsg {
					t.Errorf("CreateReferral: got message %q; want %q", got, tt.wantMsg)
				}
			}
		})
	}

	second := mustCreateReferral(t, db, "Z222222")
	second.ChannelID = "C0TAKEN"
	err := db.Update(ctx, func(tx bot.Tx) error { return tx.UpdateReferral(ctx, second) })
	wantCode(t, err, bot.ECONFLICT)
}

func TestReferral_notFound(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	mustCreateReferral(t, db, "Z123456") // present, but not what is asked for

	tests := map[string]func() error{
		"Referral":                func() error { _, err := db.Referral(ctx, 999); return err },
		"ReferralByCase":          func() error { _, err := db.ReferralByCase(ctx, bot.AgencyState, "Z123456"); return err },
		"ReferralByChannel":       func() error { _, err := db.ReferralByChannel(ctx, "C0NONE"); return err },
		"ReferralByChannel empty": func() error { _, err := db.ReferralByChannel(ctx, ""); return err },
		"ReferralByOpenKey":       func() error { _, err := db.ReferralByOpenKey(ctx, "nope"); return err },
		"ReferralByOpenKey empty": func() error { _, err := db.ReferralByOpenKey(ctx, ""); return err },
		"UpdateReferral": func() error {
			return db.Update(ctx, func(tx bot.Tx) error { return tx.UpdateReferral(ctx, &bot.Referral{ID: 999}) })
		},
		"Asks":           func() error { _, err := db.Asks(ctx, 999); return err },
		"Events":         func() error { _, err := db.Events(ctx, 999); return err },
		"Recommendation": func() error { _, err := db.Recommendation(ctx, 999); return err },
		"Ask":            func() error { _, err := db.Ask(ctx, 999); return err },
		"Positions":      func() error { _, err := db.Positions(ctx, 999); return err },
		"Reminders":      func() error { _, err := db.Reminders(ctx, 999); return err },
		"AskReminders":   func() error { _, err := db.AskReminders(ctx, 999); return err },
		"CreateAsk on missing referral": func() error {
			return db.Update(ctx, func(tx bot.Tx) error {
				return tx.CreateAsk(ctx, &bot.Ask{ReferralID: 999, OfficeCode: "army"})
			})
		},
		"CreatePosition on missing ask": func() error {
			return db.Update(ctx, func(tx bot.Tx) error {
				return tx.CreatePosition(ctx, &bot.Position{AskID: 999, Outcome: bot.OutcomeApprove})
			})
		},
	}
	for name, call := range tests {
		t.Run(name, func(t *testing.T) {
			wantCode(t, call(), bot.ENOTFOUND)
		})
	}

	// The user reads the users' words; the log reads the id.
	_, err := db.Referral(ctx, 12)
	if got := bot.ErrorMessage(err); strings.Contains(got, "referral 12") || !strings.Contains(got, "That referral is not here") {
		t.Errorf("message = %q; want the users' words, without the internal id", got)
	}
	if got, want := err.Error(), "referral 12 not found"; !strings.Contains(got, want) {
		t.Errorf("Error() = %q; want it to contain %q for the log", got, want)
	}
	_, err = db.Ask(ctx, 999)
	if got := bot.ErrorMessage(err); strings.Contains(got, "ask 999") || strings.Contains(got, "not found") {
		t.Errorf("ask message = %q; want no internal wording", got)
	}
}
