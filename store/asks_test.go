package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/referralbot/referralbot/bot"
)

func TestAsks_currentAndHistory(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	r := mustCreateReferral(t, db, "Z123456")
	army := mustCreateAsk(t, db, r.ID, "army")
	navy := mustCreateAsk(t, db, r.ID, "navy")

	// The Army answers three times; the second answer carries provisos, one of
	// them first written by another office, and the third has the clock's time.
	versions := []*bot.Position{
		{AskID: army.ID, Outcome: bot.OutcomeDeny, Reasons: "Diversion risk", AnsweredBy: "U1",
			AnsweredAt: t0.Add(-2 * time.Hour)},
		{AskID: army.ID, Outcome: bot.OutcomeApproveWithProvisos, Comment: "After call", AnsweredBy: "U2",
			AnsweredAt: t0.Add(-time.Hour), Provisos: []bot.Proviso{
				{Text: "For stated end-use only"},
				{OfficeCode: "tech", Text: "No resale, transfer, or reexport without prior authorization"},
				{Text: "Applicant must inform consignee of all license conditions"},
			}},
		{AskID: army.ID, Outcome: bot.OutcomeRWA, Questions: "Who is the end user?", AnsweredBy: "U1"},
	}
	for _, p := range versions {
		mustUpdate(t, db, func(tx bot.Tx) error { return tx.CreatePosition(ctx, p) })
	}
	for i, p := range versions {
		if p.ID == 0 || p.Version != i+1 || p.ReferralID != r.ID || p.OfficeCode != "army" {
			t.Errorf("version %d: got ID %d Version %d ReferralID %d OfficeCode %q; want set, %d, %d, army",
				i+1, p.ID, p.Version, p.ReferralID, p.OfficeCode, i+1, r.ID)
		}
	}
	if got := versions[2].AnsweredAt; !got.Equal(t0) {
		t.Errorf("default AnsweredAt = %v; want %v", got, t0)
	}
	gotOrigins := []string{}
	for _, pv := range versions[1].Provisos {
		if pv.ID == 0 {
			t.Errorf("proviso %q: ID not set", pv.Text)
		}
		gotOrigins = append(gotOrigins, pv.OfficeCode)
	}
	if want := []string{"army", "tech", "army"}; !reflect.DeepEqual(gotOrigins, want) {
		t.Errorf("proviso origins = %v; want %v", gotOrigins, want)
	}

	history, err := db.Positions(ctx, army.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(history, versions) {
		t.Errorf("Positions:\ngot  %s\nwant %s", dump(history), dump(versions))
	}

	asks, err := db.Asks(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	army.Current, navy.Current = versions[2], nil
	if want := []*bot.Ask{army, navy}; !reflect.DeepEqual(asks, want) {
		t.Errorf("Asks:\ngot  %s\nwant %s", dump(asks), dump(want))
	}

	// A fourth answer with provisos becomes current, provisos and all.
	v4 := &bot.Position{AskID: army.ID, Outcome: bot.OutcomeApproveWithProvisos, AnsweredBy: "U2",
		Provisos: []bot.Proviso{{Text: "B"}, {Text: "A"}}}
	mustUpdate(t, db, func(tx bot.Tx) error { return tx.CreatePosition(ctx, v4) })
	got, err := db.Ask(ctx, army.ID)
	if err != nil {
		t.Fatal(err)
	}
	army.Current = v4
	if !reflect.DeepEqual(got, army) {
		t.Errorf("Ask:\ngot  %s\nwant %s", dump(got), dump(army))
	}

	none, err := db.Positions(ctx, navy.ID)
	if err != nil || len(none) != 0 {
		t.Errorf("Positions(navy) = %v, %v; want none", none, err)
	}
}

func TestAsks_noneYet(t *testing.T) {
	db := MustOpenDB(t)
	r := mustCreateReferral(t, db, "Z123456")
	asks, err := db.Asks(context.Background(), r.ID)
	if err != nil || len(asks) != 0 {
		t.Errorf("Asks = %v, %v; want none", asks, err)
	}
}

func TestCreateAsk_conflict(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	r := mustCreateReferral(t, db, "Z123456")
	first := mustCreateAsk(t, db, r.ID, "army")
	if first.State != bot.AskAwaiting || !first.CreatedAt.Equal(t0) || !first.DueSetAt.Equal(t0) {
		t.Errorf("defaults: State %q CreatedAt %v DueSetAt %v; want %q, %v, %v",
			first.State, first.CreatedAt, first.DueSetAt, bot.AskAwaiting, t0, t0)
	}
	err := db.Update(ctx, func(tx bot.Tx) error {
		return tx.CreateAsk(ctx, &bot.Ask{ReferralID: r.ID, OfficeCode: "army"})
	})
	wantCode(t, err, bot.ECONFLICT)
}

func TestUpdateAsk(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	r := mustCreateReferral(t, db, "Z123456")
	a := mustCreateAsk(t, db, r.ID, "army")
	a.State, a.DueDate, a.MessageTS = bot.AskAnswered, date("2025-03-28"), "1712345678.000200"
	a.DueSetAt, a.SnoozedUntil = t0.Add(time.Hour), t0.Add(48*time.Hour)
	mustUpdate(t, db, func(tx bot.Tx) error { return tx.UpdateAsk(ctx, a) })
	got, err := db.Ask(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, a) {
		t.Errorf("got %s; want %s", dump(got), dump(a))
	}
	// A zero time clears them: UpdateAsk writes what it is given.
	a.DueSetAt, a.SnoozedUntil = time.Time{}, time.Time{}
	mustUpdate(t, db, func(tx bot.Tx) error { return tx.UpdateAsk(ctx, a) })
	if got, err = db.Ask(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, a) {
		t.Errorf("after clearing: got %s; want %s", dump(got), dump(a))
	}
	err = db.Update(ctx, func(tx bot.Tx) error { return tx.UpdateAsk(ctx, &bot.Ask{ID: 999}) })
	wantCode(t, err, bot.ENOTFOUND)
}

func TestCreateAsk_dueSetAtAndSnooze(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	r := mustCreateReferral(t, db, "Z123456")
	a := &bot.Ask{ReferralID: r.ID, OfficeCode: "army", DueDate: date("2025-03-26"),
		DueSetAt: t0.Add(-time.Hour), SnoozedUntil: t0.Add(time.Hour)}
	mustUpdate(t, db, func(tx bot.Tx) error { return tx.CreateAsk(ctx, a) })
	got, err := db.Ask(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, a) {
		t.Errorf("got %s; want %s", dump(got), dump(a))
	}
}

func TestAwaitingAsks(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	open := mustCreateReferral(t, db, "Z111111")
	other := mustCreateReferral(t, db, "Z222222")
	recommended := mustCreateReferral(t, db, "Z333333")
	held := mustCreateReferral(t, db, "Z444444")
	resumed := mustCreateReferral(t, db, "Z555555")

	// Created out of referral order, to show the result is in ask order.
	want := []*bot.Ask{
		mustCreateAsk(t, db, other.ID, "army"),
		mustCreateAsk(t, db, open.ID, "army"),
	}
	answered := mustCreateAsk(t, db, open.ID, "navy")
	mustCreateAsk(t, db, recommended.ID, "army")
	mustCreateAsk(t, db, held.ID, "army")
	want = append(want, mustCreateAsk(t, db, other.ID, "navy"), mustCreateAsk(t, db, resumed.ID, "army"))

	mustUpdate(t, db, func(tx bot.Tx) error {
		answered.State = bot.AskAnswered
		if err := tx.UpdateAsk(ctx, answered); err != nil {
			return err
		}
		recommended.State = bot.ReferralRecommended
		if err := tx.UpdateReferral(ctx, recommended); err != nil {
			return err
		}
		held.HeldSince = t0
		if err := tx.UpdateReferral(ctx, held); err != nil {
			return err
		}
		resumed.HeldSince = t0
		if err := tx.UpdateReferral(ctx, resumed); err != nil {
			return err
		}
		resumed.HeldSince = time.Time{}
		return tx.UpdateReferral(ctx, resumed)
	})

	got, err := db.AwaitingAsks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AwaitingAsks:\ngot  %s\nwant %s", dump(got), dump(want))
	}

	// The rebuild's stream sees the same asks, in the same order, with their dates.
	var streamed []bot.AwaitingDue
	if err := db.EachAwaitingDue(ctx, func(d bot.AwaitingDue) error { streamed = append(streamed, d); return nil }); err != nil {
		t.Fatal(err)
	}
	var wantDue []bot.AwaitingDue
	for _, a := range want {
		wantDue = append(wantDue, bot.AwaitingDue{AskID: a.ID, DueDate: a.DueDate, DueSetAt: a.DueSetAt})
	}
	if !reflect.DeepEqual(streamed, wantDue) {
		t.Errorf("EachAwaitingDue:\ngot  %+v\nwant %+v", streamed, wantDue)
	}
}

func TestAwaitingAsks_none(t *testing.T) {
	db := MustOpenDB(t)
	got, err := db.AwaitingAsks(context.Background())
	if err != nil || len(got) != 0 {
		t.Errorf("AwaitingAsks = %v, %v; want none", got, err)
	}
}

func TestCreatePosition_wrongReferral(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	r := mustCreateReferral(t, db, "Z123456")
	a := mustCreateAsk(t, db, r.ID, "army")
	err := db.Update(ctx, func(tx bot.Tx) error {
		return tx.CreatePosition(ctx, &bot.Position{AskID: a.ID, ReferralID: r.ID + 1, Outcome: bot.OutcomeApprove})
	})
	if err == nil {
		t.Fatal("CreatePosition for another referral's ask succeeded")
	}
}
