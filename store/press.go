package store

// The reads of a button press: one query for the ask, its current position and its
// referral before the transaction, and a cheap re-check of what may have changed
// inside it (bot.Service.Answer). Rows are scanned explicitly: sqlx's struct
// scanning resolves every column by reflection on every call.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/referralbot/referralbot/bot"
)

// fields are the destinations of referralColumns' columns, in order.
func (row *referralRow) fields() []any {
	return []any{&row.ID, &row.Agency, &row.CaseNumber, &row.LicenseType, &row.Applicant, &row.Commodity,
		&row.Classification, &row.Destination, &row.EndUser, &row.ValueUSD, &row.ReceivedOn, &row.DoDDueDate,
		&row.OfficeDueDate, &row.AnalystID, &row.AnalystName, &row.USXPORTSRef, &row.State, &row.HeldSince, &row.ManualHold,
		&row.AlsoInvite, &row.ArchivedAt, &row.OpenKey, &row.ChannelName, &row.ChannelID,
		&row.TopicSet, &row.MembersInvited, &row.SummaryTS, &row.Provisioned, &row.CreatedAt, &row.UpdatedAt,
		&row.Round, &row.PriorID, &row.ReReferral}
}

// qualified prefixes each of a comma-separated column list with the table alias.
func qualified(alias, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// askWithReferral selects an ask, its current position and its referral.
var askWithReferral = `SELECT ` + qualified("r", referralColumns) + `, ` + askColumns + ` ` + asksFrom + `
	JOIN referrals r ON r.id = a.referral_id
	WHERE a.id = ?`

// AskWithReferral returns one ask with its current position (provisos read only
// when it has some) and its referral, in one query.
func (r reader) AskWithReferral(ctx context.Context, askID int64) (*bot.Referral, *bot.Ask, error) {
	var ref referralRow
	var ask askRow
	err := r.q.QueryRowxContext(ctx, askWithReferral, askID).Scan(append(ref.fields(), ask.fields()...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, notFound("ask", askID)
	} else if err != nil {
		return nil, nil, fmt.Errorf("ask %d with its referral: %w", askID, err)
	}
	a := ask.ask()
	if ask.HasProvisos {
		provisos, err := r.provisos(ctx, "position_id", []int64{ask.Current.ID})
		if err != nil {
			return nil, nil, fmt.Errorf("ask %d with its referral: %w", askID, err)
		}
		a.Current.Provisos = provisos[ask.Current.ID]
	}
	return ref.referral(), a, nil
}

// askStanding reads an ask's state and current version, its referral's state and
// hold, and whether another ask of the referral has its questions out: a handful
// of index probes, against the several whole rows Answer read before. The state is
// a literal (bot.AskAnswered), as every state the store compares is: with stable
// plans (stableplans.go) a bound one could never use a partial index.
const askStanding = `SELECT r.state, a.state,
	COALESCE((SELECT MAX(version) FROM positions WHERE ask_id = a.id), 0),
	r.held_since IS NOT NULL, r.manual_hold,
	EXISTS (SELECT 1 FROM asks o JOIN positions p ON p.ask_id = o.id
		AND p.version = (SELECT MAX(version) FROM positions WHERE ask_id = o.id)
		WHERE o.referral_id = a.referral_id AND o.id <> a.id AND o.state = 'answered' AND p.outcome = ?)
	FROM asks a JOIN referrals r ON r.id = a.referral_id
	WHERE a.id = ?`

// AskStanding reads what may have changed about the ask since it was read outside
// the transaction.
func (t *tx) AskStanding(ctx context.Context, askID int64) (bot.AskStanding, error) {
	var st bot.AskStanding
	err := t.reader.q.QueryRowxContext(ctx, askStanding, bot.OutcomeRWA, askID).Scan(
		&st.ReferralState, &st.AskState, &st.Version, &st.Held, &st.ManualHold, &st.QuestionsElsewhere)
	if errors.Is(err, sql.ErrNoRows) {
		return st, notFound("ask", askID)
	} else if err != nil {
		return st, fmt.Errorf("standing of ask %d: %w", askID, err)
	}
	return st, nil
}

// SetAskState writes the ask's state and nothing else: its message, due date and
// snooze may have changed since the caller read it.
func (t *tx) SetAskState(ctx context.Context, askID int64, state bot.AskState) error {
	res, err := t.q.ExecContext(ctx, `UPDATE asks SET state = ? WHERE id = ?`, state, askID)
	if err != nil {
		return fmt.Errorf("set state of ask %d: %w", askID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("set state of ask %d: %w", askID, err)
	} else if n == 0 {
		return notFound("ask", askID)
	}
	return nil
}
