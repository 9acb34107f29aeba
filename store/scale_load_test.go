package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/clock"
)

// scaleToday is the day the generated history ends on, fixed so that the figures
// do not depend on when the benchmark runs.
var scaleToday = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

// Shape of the generated history (DOMAIN.md: ~60,000 referrals a year, ~600,000 in
// ten years, ~5 million office positions; ~88% approved, 1% denied, 11% returned).
const (
	scaleYears          = 10
	scaleOpenShare      = 0.015 // the newest 1.5% are still open
	scaleOpenPerAnalyst = 40    // open referrals per analyst: the Home tab of a busy analyst
	scaleHeldShare      = 0.05  // of the open referrals, on hold
	scaleSecondVersion  = 0.05  // positions changed once
	scaleNeverAnswered  = 0.07  // asks of a closed referral with no position (deemed no objection)
)

// scaleStats is what a load wrote.
type scaleStats struct {
	Referrals, Open, Analysts, Asks, Positions, Provisos, Events, Reminders, Precedents int
	Took                                                                                time.Duration
}

// scaleWorld names what the benchmark queries: the analysts and offices.
type scaleWorld struct {
	analysts []string
	offices  []bot.Office
}

func newScaleWorld(referrals int) scaleWorld {
	open := int(float64(referrals) * scaleOpenShare)
	n := max(1, open/scaleOpenPerAnalyst)
	w := scaleWorld{offices: bot.DefaultOffices()}
	for i := range n {
		w.analysts = append(w.analysts, fmt.Sprintf("UA%04d", i))
	}
	return w
}

// loadScale writes a realistic history of n referrals into a new database file
// at path: ten years ending at scaleToday, ~9 asks each, most answered, the
// newest 1.5% open, with positions (some changed), provisos, recommendations,
// dissent, reminders and the hash-chained event log. It writes in one
// transaction through prepared statements, with the journal off and a large page
// cache: a throwaway file, so a crash may ruin it.
func loadScale(ctx context.Context, path string, n int) (scaleStats, error) {
	start := clock.Wall()
	db, err := Open(ctx, path, clock.Stopped(scaleToday)) // the schema, by the migrations
	if err != nil {
		return scaleStats{}, err
	}
	db.Close()
	raw, err := sqlx.Open("sqlite3", path+"?_foreign_keys=off&_synchronous=OFF")
	if err != nil {
		return scaleStats{}, err
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	for _, p := range []string{"PRAGMA journal_mode=OFF", "PRAGMA cache_size=-1000000", "PRAGMA temp_store=MEMORY"} {
		if _, err := raw.ExecContext(ctx, p); err != nil {
			return scaleStats{}, fmt.Errorf("%s: %w", p, err)
		}
	}
	tx, err := raw.BeginTxx(ctx, nil)
	if err != nil {
		return scaleStats{}, err
	}
	defer tx.Rollback()
	g, err := newScaleGen(ctx, tx, n)
	if err != nil {
		return scaleStats{}, err
	}
	for i := range n {
		if err := g.referral(i); err != nil {
			return scaleStats{}, fmt.Errorf("referral %d: %w", i+1, err)
		}
	}
	if g.stats.Precedents, err = indexPrecedents(ctx, tx); err != nil {
		return scaleStats{}, fmt.Errorf("index precedents: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return scaleStats{}, err
	}
	if _, err := raw.ExecContext(ctx, "PRAGMA journal_mode=WAL"); err != nil {
		return scaleStats{}, err
	}
	g.stats.Took = clock.Elapsed(start)
	return g.stats, nil
}

// scaleGen writes one referral after another with explicit ids.
type scaleGen struct {
	ctx   context.Context
	rnd   *rand.Rand
	n     int
	world scaleWorld
	stats scaleStats
	prev  string // the event chain's last hash
	stmt  map[string]*sql.Stmt
	// parties draws applicants, end users and classifications (Zipf-like, from its
	// own random source, so that their skew does not depend on the rest).
	parties *scaleParties
}

var scaleInserts = map[string]string{
	"referral": `INSERT INTO referrals (id, agency, case_number, license_type, applicant, commodity, classification,
		destination, end_user, value_usd, received_on, dod_due_date, office_due_date, analyst_id, state, held_since,
		channel_name, channel_id, topic_set, members_invited, summary_ts, provisioned, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 1, ?, 1, ?, ?)`,
	"ask": `INSERT INTO asks (id, referral_id, office_code, due_date, state, message_ts, created_at, due_set_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
	"position": `INSERT INTO positions (id, ask_id, referral_id, office_code, version, outcome, comment, questions,
		reasons, answered_by, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	"proviso":        `INSERT INTO provisos (position_id, recommendation_id, office_code, text, seq, code) VALUES (?, ?, ?, ?, ?, ?)`,
	"recommendation": `INSERT INTO recommendations (id, referral_id, outcome, rationale, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?)`,
	"dissent":        `INSERT INTO dissents (recommendation_id, seq, office_code) VALUES (?, ?, ?)`,
	"event":          `INSERT INTO events (id, referral_id, actor, kind, detail, at, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
	"reminder": `INSERT INTO reminders (id, referral_id, ask_id, office_code, seq, kind, days_left, due_at, recorded_at,
		late, escalated, skipped, posted_channel, posted_dm) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, '', 1, ?)`,
}

func newScaleGen(ctx context.Context, tx *sqlx.Tx, n int) (*scaleGen, error) {
	g := &scaleGen{ctx: ctx, rnd: rand.New(rand.NewPCG(1, uint64(n))), n: n, world: newScaleWorld(n), stmt: map[string]*sql.Stmt{},
		parties: newScaleParties(n)}
	g.stats.Referrals, g.stats.Analysts = n, len(g.world.analysts)
	for name, q := range scaleInserts {
		s, err := tx.PrepareContext(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("prepare %s: %w", name, err)
		}
		g.stmt[name] = s
	}
	return g, nil
}

func (g *scaleGen) exec(name string, args ...any) error {
	_, err := g.stmt[name].ExecContext(g.ctx, args...)
	return err
}

func scaleStamp(t time.Time) string { return t.UTC().Format(stampLayout) }

// event appends to the chain, as AppendEvent would.
func (g *scaleGen) event(referralID int64, actor, kind, detail string, at time.Time) error {
	g.stats.Events++
	l := link{ID: int64(g.stats.Events), ReferralID: referralID, Actor: actor, Kind: kind, Detail: detail, At: scaleStamp(at), PrevHash: g.prev}
	h := l.hash()
	if err := g.exec("event", l.ID, l.ReferralID, l.Actor, l.Kind, l.Detail, l.At, l.PrevHash, h); err != nil {
		return err
	}
	g.prev = h
	return nil
}

// outcome draws an office position: mostly approvals (DOMAIN.md).
func (g *scaleGen) outcome() bot.Outcome {
	switch x := g.rnd.Float64(); {
	case x < 0.70:
		return bot.OutcomeApprove
	case x < 0.89:
		return bot.OutcomeApproveWithProvisos
	case x < 0.97:
		return bot.OutcomeRWA
	}
	return bot.OutcomeDeny
}

// referral writes the i-th referral (oldest first) and everything hanging off it.
func (g *scaleGen) referral(i int) error {
	id := int64(i + 1)
	span := float64(scaleYears * 365 * 24 * time.Hour)
	received := scaleToday.Add(-time.Duration(span * float64(g.n-1-i) / float64(g.n))).Truncate(24 * time.Hour)
	dodDue := received.AddDate(0, 0, 30)
	officeDue := dodDue.AddDate(0, 0, -7)
	opened := received.Add(14*time.Hour + time.Duration(g.rnd.IntN(7200))*time.Second)
	open := i >= g.n-int(float64(g.n)*scaleOpenShare)
	analyst := g.world.analysts[g.rnd.IntN(len(g.world.analysts))]
	agency, caseNumber, licence := bot.AgencyState, fmt.Sprintf("%09d", 50_000_000+i), "DSP-5"
	if g.rnd.Float64() < 0.42 {
		agency, caseNumber, licence = bot.AgencyCommerce, fmt.Sprintf("%c%06d", 'A'+rune(i/1_000_000%26), i%1_000_000), "BIS-748P"
	}
	state, held := bot.ReferralRecommended, any(nil)
	if open {
		g.stats.Open++
		state = bot.ReferralOpen
		if g.rnd.Float64() < scaleHeldShare {
			held = scaleStamp(opened.Add(72 * time.Hour))
		}
	}
	channel := fmt.Sprintf("C%09d", id)
	if err := g.exec("referral", id, agency, caseNumber, licence, g.parties.applicant(),
		"Uncooled thermal imaging cameras and spare parts for border surveillance", g.parties.classification(),
		[]string{"DE", "GB", "JP", "AU", "IN", "SA", "AE", "KR"}[g.rnd.IntN(8)], g.parties.endUser(),
		int64(g.rnd.IntN(5_000_000)), bot.FormatDate(received), bot.FormatDate(dodDue), bot.FormatDate(officeDue), analyst, state, held,
		fmt.Sprintf("ref-%s-%s", agency, caseNumber), channel, "1700000000.000100", scaleStamp(opened), scaleStamp(opened)); err != nil {
		return err
	}
	if err := g.event(id, analyst, "referral.opened", `{"agency":"`+string(agency)+`","case_number":"`+caseNumber+`"}`, opened); err != nil {
		return err
	}
	if err := g.event(id, bot.ActorBot, "referral.channel_ready", `{"channel":"`+channel+`"}`, opened.Add(time.Minute)); err != nil {
		return err
	}

	offices := g.world.offices
	if g.rnd.Float64() < 0.15 { // some referrals skip an office or two
		offices = offices[:len(offices)-1-g.rnd.IntN(2)]
	}
	age := scaleToday.Sub(received).Hours() / 24
	type current struct {
		office  string
		outcome bot.Outcome
	}
	var positions []current
	for j, o := range offices {
		askID := id*16 + int64(j)
		answered := g.rnd.Float64() >= scaleNeverAnswered
		if open {
			answered = g.rnd.Float64() < min(age/25, 1)*0.9
		}
		askState := bot.AskClosed
		if open {
			askState = bot.AskAwaiting
			if answered {
				askState = bot.AskAnswered
			}
		}
		g.stats.Asks++
		if err := g.exec("ask", askID, id, o.Code, bot.FormatDate(officeDue), askState, "1700000000.0002", scaleStamp(opened), scaleStamp(opened)); err != nil {
			return err
		}
		if g.rnd.Float64() < 0.3 { // reminded before the due date
			if err := g.reminder(id, askID, o.Code, officeDue, 0, "before", 2, false); err != nil {
				return err
			}
		}
		if !answered {
			if officeDue.Before(scaleToday) && g.rnd.Float64() < 0.8 {
				if err := g.reminder(id, askID, o.Code, officeDue, 3, "overdue", -1, true); err != nil {
					return err
				}
			}
			continue
		}
		versions := 1
		if g.rnd.Float64() < scaleSecondVersion {
			versions = 2
		}
		var out bot.Outcome
		for v := 1; v <= versions; v++ {
			out = g.outcome()
			at := opened.Add(time.Duration(1+g.rnd.IntN(20*24)) * time.Hour)
			posID := askID*2 + int64(v-1)
			var questions, reasons string
			switch out {
			case bot.OutcomeRWA:
				questions = "Please provide the end-use statement signed by the consignee and the complete parts list."
			case bot.OutcomeDeny:
				reasons = "Risk of diversion to an end user of concern; the consignee has no record of prior licensed trade."
			}
			reviewer := fmt.Sprintf("U%s%d", o.Code, g.rnd.IntN(5))
			g.stats.Positions++
			if err := g.exec("position", posID, askID, id, o.Code, v, out, "", questions, reasons, reviewer, scaleStamp(at)); err != nil {
				return err
			}
			if out == bot.OutcomeApproveWithProvisos {
				for k := range 1 + g.rnd.IntN(2) {
					g.stats.Provisos++
					if err := g.exec("proviso", posID, nil, o.Code, "No resale, transfer, or reexport without prior authorization by the U.S. Government", k, scaleProvisoCode(posID, k)); err != nil {
						return err
					}
				}
			}
			if err := g.event(id, reviewer, "position.recorded", fmt.Sprintf(`{"office":%q,"outcome":%q,"version":%d}`, o.Code, out, v), at); err != nil {
				return err
			}
		}
		positions = append(positions, current{o.Code, out})
	}
	if open {
		return nil
	}

	rec := bot.OutcomeApprove
	switch x := g.rnd.Float64(); {
	case x < 0.01:
		rec = bot.OutcomeDeny
	case x < 0.12:
		rec = bot.OutcomeRWA
	case x < 0.40:
		rec = bot.OutcomeApproveWithProvisos
	}
	at := opened.Add(time.Duration(20*24+g.rnd.IntN(8*24)) * time.Hour)
	rationale := ""
	if rec == bot.OutcomeRWA || rec == bot.OutcomeDeny {
		rationale = "The offices' concerns about the end user are not answered by the application."
	}
	if err := g.exec("recommendation", id, id, rec, rationale, analyst, scaleStamp(at)); err != nil {
		return err
	}
	if rec == bot.OutcomeApproveWithProvisos {
		g.stats.Provisos++
		if err := g.exec("proviso", nil, id, bot.OfficeDTSA, "For stated end-use only", 0, ""); err != nil {
			return err
		}
	}
	seq := 0
	for _, p := range positions {
		if (p.outcome.Approves() != rec.Approves()) || (!rec.Approves() && p.outcome != rec) {
			if err := g.exec("dissent", id, seq, p.office); err != nil {
				return err
			}
			seq++
		}
	}
	return g.event(id, analyst, "recommendation.recorded", fmt.Sprintf(`{"outcome":%q}`, rec), at)
}

func (g *scaleGen) reminder(referralID, askID int64, office string, due time.Time, seq int, kind string, daysLeft int, escalated bool) error {
	g.stats.Reminders++
	at := due.AddDate(0, 0, -2*daysLeft).Add(14 * time.Hour)
	return g.exec("reminder", fmt.Sprintf("ask:%d:due:%s:n:%d", askID, bot.FormatDate(due), seq), referralID, askID, office, seq, kind, daysLeft,
		scaleStamp(at), scaleStamp(at), escalated, escalated)
}

// fileSize is the size of the database file and its WAL.
func fileSize(path string) int64 {
	var n int64
	for _, p := range []string{path, path + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// scaleProvisoCode gives three in five of the offices' provisos a standard
// library code (issue 12), one of seven, derived from the position so that the
// random draws, and so the rest of the history, are the same as before codes.
func scaleProvisoCode(posID int64, seq int) string {
	if (posID+int64(seq))%5 >= 3 {
		return ""
	}
	return fmt.Sprintf("STD-%d", 1+(posID/5+int64(seq))%7)
}
