package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/referralbot/referralbot/bot"
)

// askRow is an asks row joined with its current position. A LEFT JOIN with no
// position yields Current.ID == 0. HasProvisos says whether that position has any,
// so that a position without them costs no second query.
type askRow struct {
	ID           int64
	ReferralID   int64
	OfficeCode   string
	DueDate      date
	State        string
	ChannelID    string
	MessageTS    string
	Withdrawn    string
	CreatedAt    stamp
	DueSetAt     stamp
	SnoozedUntil stamp
	Current      positionRow
	HasProvisos  bool
}

// fields are the destinations of askColumns' columns, in order: an explicit Scan,
// without the reflection sqlx's struct scanning costs on every row of the press path.
func (row *askRow) fields() []any {
	p := &row.Current
	return []any{&row.ID, &row.ReferralID, &row.OfficeCode, &row.DueDate, &row.State,
		&row.ChannelID, &row.MessageTS, &row.Withdrawn, &row.CreatedAt, &row.DueSetAt, &row.SnoozedUntil,
		&p.ID, &p.Version, &p.Outcome, &p.Comment, &p.Questions, &p.Reasons, &p.Basis,
		&p.AnsweredBy, &p.AnsweredByName, &p.AnsweredAt, &row.HasProvisos}
}

// positionRow is a positions row.
type positionRow struct {
	ID             int64  `db:"id"`
	AskID          int64  `db:"ask_id"`
	ReferralID     int64  `db:"referral_id"`
	OfficeCode     string `db:"office_code"`
	Version        int    `db:"version"`
	Outcome        string `db:"outcome"`
	Comment        string `db:"comment"`
	Questions      string `db:"questions"`
	Reasons        string `db:"reasons"`
	Basis          string `db:"basis"`
	AnsweredBy     string `db:"answered_by"`
	AnsweredByName string `db:"answered_by_name"`
	AnsweredAt     stamp  `db:"answered_at"`
}

// askColumns are an ask's columns and its current position's (p, joined as
// asksFrom joins it), in the order askRow.fields scans them.
const askColumns = `a.id, a.referral_id, a.office_code, a.due_date, a.state,
	a.channel_id, a.message_ts, a.withdrawn_reason, a.created_at, a.due_set_at, a.snoozed_until,
	COALESCE(p.id, 0), COALESCE(p.version, 0), COALESCE(p.outcome, ''), COALESCE(p.comment, ''),
	COALESCE(p.questions, ''), COALESCE(p.reasons, ''), COALESCE(p.basis, ''),
	COALESCE(p.answered_by, ''), COALESCE(p.answered_by_name, ''), p.answered_at,
	p.id IS NOT NULL AND EXISTS (SELECT 1 FROM provisos WHERE position_id = p.id)`

// asksFrom joins asks with their highest version. The MAX subquery is one probe of
// the (ask_id, version) unique index per ask.
const asksFrom = `FROM asks a
LEFT JOIN positions p ON p.ask_id = a.id
	AND p.version = (SELECT MAX(version) FROM positions WHERE ask_id = a.id)`

// asksWithCurrent selects asks with their current position.
const asksWithCurrent = `SELECT ` + askColumns + ` ` + asksFrom

const positionColumns = `id, ask_id, referral_id, office_code, version, outcome, comment,
	questions, reasons, basis, answered_by, answered_by_name, answered_at`

func (row *positionRow) position() *bot.Position {
	return &bot.Position{
		ID: row.ID, AskID: row.AskID, ReferralID: row.ReferralID, OfficeCode: row.OfficeCode,
		Version: row.Version, Outcome: bot.Outcome(row.Outcome), Comment: row.Comment,
		Questions: row.Questions, Reasons: row.Reasons, Basis: row.Basis, AnsweredBy: row.AnsweredBy,
		AnsweredByName: row.AnsweredByName, AnsweredAt: time.Time(row.AnsweredAt),
	}
}

// Asks returns the referral's asks ordered by ID, each with its current position.
func (r reader) Asks(ctx context.Context, referralID int64) ([]*bot.Ask, error) {
	asks, err := r.findAsks(ctx, `a.referral_id = ? ORDER BY a.id`, referralID)
	if err != nil {
		return nil, fmt.Errorf("asks of referral %d: %w", referralID, err)
	}
	if len(asks) == 0 {
		// Tell "no asks yet" from "no such referral".
		if _, err := r.Referral(ctx, referralID); err != nil {
			return nil, err
		}
	}
	return asks, nil
}

// Ask returns one ask with its current position.
func (r reader) Ask(ctx context.Context, id int64) (*bot.Ask, error) {
	asks, err := r.findAsks(ctx, `a.id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("ask %d: %w", id, err)
	}
	if len(asks) == 0 {
		return nil, notFound("ask", id)
	}
	return asks[0], nil
}

// AwaitingAsks returns every ask awaiting a position on an open referral that is
// not on hold (awaitingWhere), ordered by ID.
func (r reader) AwaitingAsks(ctx context.Context) ([]*bot.Ask, error) {
	asks, err := r.findAsks(ctx, awaitingWhere+` ORDER BY a.id`)
	if err != nil {
		return nil, fmt.Errorf("awaiting asks: %w", err)
	}
	return asks, nil
}

func (r reader) findAsks(ctx context.Context, where string, args ...any) ([]*bot.Ask, error) {
	rows, err := r.q.QueryContext(ctx, asksWithCurrent+` WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var asks []*bot.Ask
	var withProvisos []int64
	for rows.Next() {
		var row askRow
		if err := rows.Scan(row.fields()...); err != nil {
			return nil, err
		}
		if row.HasProvisos {
			withProvisos = append(withProvisos, row.Current.ID)
		}
		asks = append(asks, row.ask())
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if len(withProvisos) == 0 {
		return asks, nil
	}
	provisos, err := r.provisos(ctx, "position_id", withProvisos)
	if err != nil {
		return nil, err
	}
	for _, a := range asks {
		if a.Current != nil {
			a.Current.Provisos = provisos[a.Current.ID]
		}
	}
	return asks, nil
}

// ask is the row as the bot sees it, without its position's provisos.
func (row *askRow) ask() *bot.Ask {
	a := &bot.Ask{
		ID: row.ID, ReferralID: row.ReferralID, OfficeCode: row.OfficeCode,
		DueDate: time.Time(row.DueDate), State: bot.AskState(row.State),
		ChannelID: row.ChannelID, MessageTS: row.MessageTS, WithdrawnReason: row.Withdrawn, CreatedAt: time.Time(row.CreatedAt),
		DueSetAt: time.Time(row.DueSetAt), SnoozedUntil: time.Time(row.SnoozedUntil),
	}
	if row.Current.ID != 0 {
		p := row.Current.position()
		p.AskID, p.ReferralID, p.OfficeCode = row.ID, row.ReferralID, row.OfficeCode
		a.Current = p
	}
	return a
}

// Positions returns every version of the ask's position, oldest first.
func (r reader) Positions(ctx context.Context, askID int64) ([]*bot.Position, error) {
	var rows []positionRow
	err := sqlx.SelectContext(ctx, r.q, &rows,
		`SELECT `+positionColumns+` FROM positions WHERE ask_id = ? ORDER BY version`, askID)
	if err != nil {
		return nil, fmt.Errorf("positions of ask %d: %w", askID, err)
	}
	if len(rows) == 0 {
		if _, err := r.Ask(ctx, askID); err != nil {
			return nil, err
		}
		return []*bot.Position{}, nil
	}
	ids := make([]int64, len(rows))
	for i, row := range rows {
		ids[i] = row.ID
	}
	provisos, err := r.provisos(ctx, "position_id", ids)
	if err != nil {
		return nil, fmt.Errorf("positions of ask %d: %w", askID, err)
	}
	positions := make([]*bot.Position, len(rows))
	for i, row := range rows {
		positions[i] = row.position()
		positions[i].Provisos = provisos[row.ID]
	}
	return positions, nil
}

// provisos loads the provisos of the given positions or recommendations (owner is
// the column naming them), in order, keyed by owner. Provisos never change once
// written, so reading them apart from their owners cannot mix versions.
func (r reader) provisos(ctx context.Context, owner string, ids []int64) (map[int64][]bot.Proviso, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	query, args, err := sqlx.In(`SELECT `+owner+`, id, office_code, text, code
		FROM provisos WHERE `+owner+` IN (?) ORDER BY `+owner+`, seq`, ids)
	if err != nil {
		return nil, fmt.Errorf("provisos: %w", err)
	}
	rows, err := r.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("provisos: %w", err)
	}
	defer rows.Close()
	byOwner := make(map[int64][]bot.Proviso)
	for rows.Next() {
		var owner int64
		var pv bot.Proviso
		if err := rows.Scan(&owner, &pv.ID, &pv.OfficeCode, &pv.Text, &pv.Code); err != nil {
			return nil, fmt.Errorf("provisos: %w", err)
		}
		byOwner[owner] = append(byOwner[owner], pv)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("provisos: %w", err)
	}
	return byOwner, nil
}

// CreateAsk inserts a, defaulting State to awaiting, CreatedAt to now and DueSetAt
// to CreatedAt (the due date takes effect when the office is asked).
func (t *tx) CreateAsk(ctx context.Context, a *bot.Ask) error {
	if a.State == "" {
		a.State = bot.AskAwaiting
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = t.now
	}
	if a.DueSetAt.IsZero() {
		a.DueSetAt = a.CreatedAt
	}
	res, err := t.q.ExecContext(ctx, `INSERT INTO asks
		(referral_id, office_code, due_date, state, channel_id, message_ts, withdrawn_reason, created_at, due_set_at, snoozed_until)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ReferralID, a.OfficeCode, date(a.DueDate), a.State, a.ChannelID, a.MessageTS, a.WithdrawnReason,
		stamp(a.CreatedAt), stamp(a.DueSetAt), stamp(a.SnoozedUntil))
	switch {
	case isUnique(err):
		return bot.Errorf(bot.ECONFLICT, "%s has already been asked on this referral", a.OfficeCode)
	case isForeignKey(err):
		return notFound("referral", a.ReferralID)
	case err != nil:
		return fmt.Errorf("create ask %s on referral %d: %w", a.OfficeCode, a.ReferralID, err)
	}
	if a.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("create ask %s on referral %d: %w", a.OfficeCode, a.ReferralID, err)
	}
	return nil
}

// UpdateAsk writes a's state, due date, message channel and ts, DueSetAt,
// SnoozedUntil (a zero time clears them) and withdrawal reason.
func (t *tx) UpdateAsk(ctx context.Context, a *bot.Ask) error {
	res, err := t.q.ExecContext(ctx, `UPDATE asks SET state = ?, due_date = ?, channel_id = ?, message_ts = ?,
		due_set_at = ?, snoozed_until = ?, withdrawn_reason = ? WHERE id = ?`,
		a.State, date(a.DueDate), a.ChannelID, a.MessageTS, stamp(a.DueSetAt), stamp(a.SnoozedUntil), a.WithdrawnReason, a.ID)
	if err != nil {
		return fmt.Errorf("update ask %d: %w", a.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("update ask %d: %w", a.ID, err)
	} else if n == 0 {
		return notFound("ask", a.ID)
	}
	return nil
}

// CreatePosition inserts p as the next version of its ask's position. ReferralID
// and OfficeCode come from the ask, so a position can never disagree with it;
// provisos without an origin are the answering office's own.
func (t *tx) CreatePosition(ctx context.Context, p *bot.Position) error {
	if p.AnsweredAt.IsZero() {
		p.AnsweredAt = t.now
	}
	// No RETURNING: SQLite buffers returned rows in an ephemeral b-tree with a page
	// cache of its own, on every press. The new row is read back by its rowid.
	res, err := t.q.ExecContext(ctx, `INSERT INTO positions
		(ask_id, referral_id, office_code, version, outcome, comment, questions, reasons, basis,
		 answered_by, answered_by_name, answered_at)
		SELECT a.id, a.referral_id, a.office_code,
			COALESCE((SELECT MAX(version) FROM positions WHERE ask_id = a.id), 0) + 1,
			?, ?, ?, ?, ?, ?, ?, ?
		FROM asks a WHERE a.id = ?`,
		p.Outcome, p.Comment, p.Questions, p.Reasons, p.Basis, p.AnsweredBy, p.AnsweredByName, stamp(p.AnsweredAt), p.AskID)
	if err != nil {
		return fmt.Errorf("create position on ask %d: %w", p.AskID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("create position on ask %d: %w", p.AskID, err)
	} else if n == 0 {
		return notFound("ask", p.AskID)
	}
	var row positionRow
	if row.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("create position on ask %d: %w", p.AskID, err)
	}
	err = t.q.QueryRowxContext(ctx, `SELECT referral_id, office_code, version FROM positions WHERE id = ?`, row.ID).
		Scan(&row.ReferralID, &row.OfficeCode, &row.Version)
	if err != nil {
		return fmt.Errorf("create position on ask %d: %w", p.AskID, err)
	}
	if (p.ReferralID != 0 && p.ReferralID != row.ReferralID) || (p.OfficeCode != "" && p.OfficeCode != row.OfficeCode) {
		return fmt.Errorf("create position on ask %d: position is for referral %d office %q, ask is for referral %d office %q",
			p.AskID, p.ReferralID, p.OfficeCode, row.ReferralID, row.OfficeCode)
	}
	p.ID, p.ReferralID, p.OfficeCode, p.Version = row.ID, row.ReferralID, row.OfficeCode, row.Version
	for i := range p.Provisos {
		pv := &p.Provisos[i]
		if pv.OfficeCode == "" {
			pv.OfficeCode = p.OfficeCode
		}
		if err := t.createProviso(ctx, "position_id", p.ID, i, pv); err != nil {
			return fmt.Errorf("create position on ask %d: %w", p.AskID, err)
		}
	}
	return nil
}

// createProviso inserts pv as the seq'th proviso of the position or recommendation
// (owner names the column) with the given ID, and sets pv.ID.
func (t *tx) createProviso(ctx context.Context, owner string, ownerID int64, seq int, pv *bot.Proviso) error {
	res, err := t.q.ExecContext(ctx, `INSERT INTO provisos (`+owner+`, office_code, text, seq, code) VALUES (?, ?, ?, ?, ?)`,
		ownerID, pv.OfficeCode, pv.Text, seq, pv.Code)
	if err != nil {
		return fmt.Errorf("create proviso %d: %w", seq, err)
	}
	if pv.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("create proviso %d: %w", seq, err)
	}
	return nil
}
