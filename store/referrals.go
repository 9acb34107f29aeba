package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/referralbot/referralbot/bot"
)

// referralRow is a referrals row as sqlx reads and writes it.
type referralRow struct {
	ID             int64   `db:"id"`
	Agency         string  `db:"agency"`
	CaseNumber     string  `db:"case_number"`
	LicenseType    string  `db:"license_type"`
	Applicant      string  `db:"applicant"`
	Commodity      string  `db:"commodity"`
	Classification string  `db:"classification"`
	Destination    string  `db:"destination"`
	EndUser        string  `db:"end_user"`
	ValueUSD       int64   `db:"value_usd"`
	ReceivedOn     date    `db:"received_on"`
	DoDDueDate     date    `db:"dod_due_date"`
	OfficeDueDate  date    `db:"office_due_date"`
	AnalystID      string  `db:"analyst_id"`
	AnalystName    string  `db:"analyst_name"`
	USXPORTSRef    string  `db:"usxports_ref"`
	State          string  `db:"state"`
	HeldSince      stamp   `db:"held_since"`
	ManualHold     bool    `db:"manual_hold"`
	AlsoInvite     string  `db:"also_invite"` // user ids, space-separated
	ArchivedAt     stamp   `db:"archived_at"`
	OpenKey        optText `db:"open_key"`
	ChannelName    string  `db:"channel_name"`
	ChannelID      optText `db:"channel_id"`
	TopicSet       bool    `db:"topic_set"`
	MembersInvited bool    `db:"members_invited"`
	SummaryTS      string  `db:"summary_ts"`
	Provisioned    bool    `db:"provisioned"`
	CreatedAt      stamp   `db:"created_at"`
	UpdatedAt      stamp   `db:"updated_at"`
	Round          int     `db:"round"`
	PriorID        optID   `db:"prior_id"`
	ReReferral     string  `db:"re_referral"`
}

const referralColumns = `id, agency, case_number, license_type, applicant, commodity,
	classification, destination, end_user, value_usd, received_on, dod_due_date,
	office_due_date, analyst_id, analyst_name, usxports_ref, state, held_since, manual_hold, also_invite, archived_at, open_key, channel_name, channel_id,
	topic_set, members_invited, summary_ts, provisioned, created_at, updated_at,
	round, prior_id, re_referral`

func newReferralRow(r *bot.Referral) referralRow {
	return referralRow{
		ID: r.ID, Agency: string(r.Agency), CaseNumber: r.CaseNumber,
		LicenseType: r.LicenseType, Applicant: r.Applicant, Commodity: r.Commodity,
		Classification: r.Classification, Destination: r.Destination, EndUser: r.EndUser,
		ValueUSD: r.ValueUSD, ReceivedOn: date(r.ReceivedOn), DoDDueDate: date(r.DoDDueDate),
		OfficeDueDate: date(r.OfficeDueDate), AnalystID: r.AnalystID, AnalystName: r.AnalystName, USXPORTSRef: r.USXPORTSRef, State: string(r.State),
		HeldSince: stamp(r.HeldSince), ManualHold: r.ManualHold, AlsoInvite: strings.Join(r.AlsoInvite, " "), ArchivedAt: stamp(r.ArchivedAt), OpenKey: optText(r.OpenKey), ChannelName: r.ChannelName,
		ChannelID: optText(r.ChannelID), TopicSet: r.TopicSet, MembersInvited: r.MembersInvited,
		SummaryTS: r.SummaryTS, Provisioned: r.Provisioned,
		CreatedAt: stamp(r.CreatedAt), UpdatedAt: stamp(r.UpdatedAt),
		Round: max(r.Round, 1), PriorID: optID(r.PriorID), ReReferral: r.ReReferral,
	}
}

func (row *referralRow) referral() *bot.Referral {
	return &bot.Referral{
		ID: row.ID, Agency: bot.Agency(row.Agency), CaseNumber: row.CaseNumber,
		LicenseType: row.LicenseType, Applicant: row.Applicant, Commodity: row.Commodity,
		Classification: row.Classification, Destination: row.Destination, EndUser: row.EndUser,
		ValueUSD: row.ValueUSD, ReceivedOn: time.Time(row.ReceivedOn), DoDDueDate: time.Time(row.DoDDueDate),
		OfficeDueDate: time.Time(row.OfficeDueDate), AnalystID: row.AnalystID, AnalystName: row.AnalystName, USXPORTSRef: row.USXPORTSRef, State: bot.ReferralState(row.State),
		HeldSince: time.Time(row.HeldSince), ManualHold: row.ManualHold, AlsoInvite: userList(row.AlsoInvite), ArchivedAt: time.Time(row.ArchivedAt), OpenKey: string(row.OpenKey), ChannelName: row.ChannelName,
		ChannelID: string(row.ChannelID), TopicSet: row.TopicSet, MembersInvited: row.MembersInvited,
		SummaryTS: row.SummaryTS, Provisioned: row.Provisioned,
		CreatedAt: time.Time(row.CreatedAt), UpdatedAt: time.Time(row.UpdatedAt),
		Round: row.Round, PriorID: int64(row.PriorID), ReReferral: row.ReReferral,
	}
}

// Referral returns the referral with the given ID.
func (r reader) Referral(ctx context.Context, id int64) (*bot.Referral, error) {
	return r.findReferral(ctx, notFound("referral", id), `id = ?`, id)
}

// ReferralByCase returns the agency's referral with the given case number: its
// latest round.
func (r reader) ReferralByCase(ctx context.Context, agency bot.Agency, caseNumber string) (*bot.Referral, error) {
	missing := bot.Errorf(bot.ENOTFOUND, "no referral for %s case %s", agency.Label(), caseNumber)
	return r.findReferral(ctx, missing, `agency = ? AND case_number = ? ORDER BY round DESC LIMIT 1`, agency, caseNumber)
}

// ReferralByChannel returns the referral whose private channel has the given ID.
func (r reader) ReferralByChannel(ctx context.Context, channelID string) (*bot.Referral, error) {
	missing := bot.Errorf(bot.ENOTFOUND, "this channel belongs to no referral")
	if channelID == "" {
		return nil, missing
	}
	return r.findReferral(ctx, missing, `channel_id = ?`, channelID)
}

// ReferralByOpenKey returns the referral opened by the submission with the given key.
func (r reader) ReferralByOpenKey(ctx context.Context, key string) (*bot.Referral, error) {
	missing := notFound("referral with open key", key)
	if key == "" {
		return nil, missing
	}
	return r.findReferral(ctx, missing, `open_key = ?`, key)
}

func (r reader) findReferral(ctx context.Context, missing error, where string, args ...any) (*bot.Referral, error) {
	var row referralRow
	err := sqlx.GetContext(ctx, r.q, &row, `SELECT `+referralColumns+` FROM referrals WHERE `+where, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, missing
	} else if err != nil {
		return nil, fmt.Errorf("find referral where %s %v: %w", where, args, err)
	}
	return row.referral(), nil
}

// CreateReferral inserts r, defaulting State to open and the timestamps to now.
func (t *tx) CreateReferral(ctx context.Context, r *bot.Referral) error {
	row := newReferralRow(r)
	if row.State == "" {
		row.State = string(bot.ReferralOpen)
	}
	if r.CreatedAt.IsZero() {
		row.CreatedAt = stamp(t.now)
	}
	if r.UpdatedAt.IsZero() {
		row.UpdatedAt = row.CreatedAt
	}
	res, err := sqlx.NamedExecContext(ctx, t.q, `INSERT INTO referrals (
		agency, case_number, license_type, applicant, commodity, classification,
		destination, end_user, value_usd, received_on, dod_due_date, office_due_date,
		analyst_id, analyst_name, usxports_ref, state, held_since, also_invite, archived_at, open_key, channel_name, channel_id, topic_set,
		members_invited, summary_ts, provisioned, created_at, updated_at, round, prior_id, re_referral
	) VALUES (
		:agency, :case_number, :license_type, :applicant, :commodity, :classification,
		:destination, :end_user, :value_usd, :received_on, :dod_due_date, :office_due_date,
		:analyst_id, :analyst_name, :usxports_ref, :state, :held_since, :also_invite, :archived_at, :open_key, :channel_name, :channel_id, :topic_set,
		:members_invited, :summary_ts, :provisioned, :created_at, :updated_at, :round, :prior_id, :re_referral
	)`, row)
	if err != nil {
		if c := referralConflict(err, r); c != nil {
			return c
		}
		return fmt.Errorf("create referral %s %s: %w", r.Agency, r.CaseNumber, err)
	}
	if r.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("create referral %s %s: %w", r.Agency, r.CaseNumber, err)
	}
	r.State, r.Round = bot.ReferralState(row.State), row.Round
	r.CreatedAt, r.UpdatedAt = time.Time(row.CreatedAt).UTC(), time.Time(row.UpdatedAt).UTC()
	return nil
}

// UpdateReferral writes r's mutable fields (HeldSince among them) and sets
// UpdatedAt to now.
func (t *tx) UpdateReferral(ctx context.Context, r *bot.Referral) error {
	row := newReferralRow(r)
	row.UpdatedAt = stamp(t.now)
	res, err := sqlx.NamedExecContext(ctx, t.q, `UPDATE referrals SET
		state = :state, held_since = :held_since, manual_hold = :manual_hold, analyst_id = :analyst_id, analyst_name = :analyst_name,
		dod_due_date = :dod_due_date, office_due_date = :office_due_date,
		channel_name = :channel_name, channel_id = :channel_id, topic_set = :topic_set,
		members_invited = :members_invited, summary_ts = :summary_ts,
		provisioned = :provisioned, archived_at = :archived_at, updated_at = :updated_at
	WHERE id = :id`, row)
	if err != nil {
		if c := referralConflict(err, r); c != nil {
			return c
		}
		return fmt.Errorf("update referral %d: %w", r.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("update referral %d: %w", r.ID, err)
	} else if n == 0 {
		return notFound("referral", r.ID)
	}
	r.UpdatedAt = time.Time(row.UpdatedAt)
	return nil
}

// referralConflict turns a unique violation on referrals into the ECONFLICT the
// user can act on, telling apart the three keys by the constraint SQLite names.
func referralConflict(err error, r *bot.Referral) error {
	if !isUnique(err) {
		return nil
	}
	switch msg := err.Error(); {
	case strings.Contains(msg, "referrals.open_key"):
		return bot.Errorf(bot.ECONFLICT, "this referral has already been opened")
	case strings.Contains(msg, "referrals.channel_id"):
		return bot.Errorf(bot.ECONFLICT, "channel %s already belongs to another referral", r.ChannelID)
	case strings.Contains(msg, "referrals.round"):
		return bot.Errorf(bot.ECONFLICT, "%s case %s already has a round %d", r.Agency.Label(), r.CaseNumber, r.Round)
	}
	return bot.Errorf(bot.ECONFLICT, "%s case %s is already a referral", r.Agency.Label(), r.CaseNumber)
}

// userList reads a space-separated list of user ids; none is nil.
func userList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Fields(s)
}
