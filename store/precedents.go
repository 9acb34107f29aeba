package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/referralbot/referralbot/bot"
)

// precedentColumns maps each way of matching to its indexed column of precedents.
var precedentColumns = map[bot.PrecedentDim]string{
	bot.DimApplicant:   "applicant_key",
	bot.DimEndUser:     "end_user_key",
	bot.DimClass:       "class_key",
	bot.DimFamily:      "class_family",
	bot.DimDestination: "destination",
}

// precedentDims are the dimensions in a fixed order, for writing.
var precedentDims = []bot.PrecedentDim{bot.DimApplicant, bot.DimEndUser, bot.DimClass, bot.DimFamily, bot.DimDestination}

// sqlRunner is what the precedent index writes through: a migration's *sql.Tx,
// the scale loader's, or a store transaction.
type sqlRunner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	queryer
}

// queryer is what the precedent index is read through.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// precedentRow is one decided referral as the index holds it.
type precedentRow struct {
	referralID, recommendationID int64
	outcome, decidedAt           string
	keys                         bot.PrecedentKeys
	provisos                     []string // distinct texts of the final recommendation's provisos
}

// tally adds sign (+1 or -1) to its tallies.
func (r *precedentRow) tally(ctx context.Context, q sqlRunner, sign int) error {
	for _, dim := range precedentDims {
		key := r.keys[dim]
		if key == "" {
			continue
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO precedent_tally (dim, key, outcome, n) VALUES (?, ?, ?, ?)
			ON CONFLICT (dim, key, outcome) DO UPDATE SET n = n + excluded.n`, dim, key, r.outcome, sign); err != nil {
			return fmt.Errorf("tally %s: %w", dim, err)
		}
		for _, text := range r.provisos {
			if _, err := q.ExecContext(ctx, `INSERT INTO precedent_provisos (dim, key, text, n) VALUES (?, ?, ?, ?)
				ON CONFLICT (dim, key, text) DO UPDATE SET n = n + excluded.n`, dim, key, text, sign); err != nil {
				return fmt.Errorf("tally %s proviso: %w", dim, err)
			}
		}
	}
	return nil
}

func (r *precedentRow) insert(ctx context.Context, q sqlRunner) error {
	k := r.keys
	_, err := q.ExecContext(ctx, `INSERT INTO precedents (referral_id, recommendation_id, outcome, decided_at,
		applicant_key, end_user_key, class_key, class_family, destination) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.referralID, r.recommendationID, r.outcome, r.decidedAt,
		k[bot.DimApplicant], k[bot.DimEndUser], k[bot.DimClass], k[bot.DimFamily], k[bot.DimDestination])
	return err
}

// recommendationProvisos returns the distinct proviso texts of a recommendation.
func recommendationProvisos(ctx context.Context, q queryer, recommendationID int64) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT text FROM provisos WHERE recommendation_id = ? ORDER BY seq`, recommendationID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, rows.Err()
}

// notePrecedent brings the referral's entry in the precedent index in line with
// its final recommendation (the newest version not waiting for a sign-off): an
// amended recommendation takes the earlier version's counts away first. Called
// wherever a recommendation becomes final.
func notePrecedent(ctx context.Context, q sqlRunner, referralID int64) error {
	var cur precedentRow
	row := queryRow(ctx, q, `SELECT id, outcome, recorded_at FROM recommendations
		WHERE referral_id = ? AND sign_off != 'pending' ORDER BY version DESC LIMIT 1`, referralID)
	if e := row(&cur.recommendationID, &cur.outcome, &cur.decidedAt); e == sql.ErrNoRows {
		return nil
	} else if e != nil {
		return fmt.Errorf("precedent of referral %d: %w", referralID, e)
	}
	old, err := readPrecedent(ctx, q, referralID)
	if err != nil {
		return err
	}
	if old != nil {
		if old.recommendationID == cur.recommendationID {
			return nil // already indexed
		}
		if err := old.tally(ctx, q, -1); err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `DELETE FROM precedents WHERE referral_id = ?`, referralID); err != nil {
			return err
		}
	}
	var ref bot.Referral
	if e := queryRow(ctx, q, `SELECT applicant, end_user, classification, destination FROM referrals WHERE id = ?`, referralID)(
		&ref.Applicant, &ref.EndUser, &ref.Classification, &ref.Destination); e != nil {
		return fmt.Errorf("precedent of referral %d: %w", referralID, e)
	}
	cur.referralID, cur.keys = referralID, bot.KeysOf(&ref)
	if cur.provisos, err = recommendationProvisos(ctx, q, cur.recommendationID); err != nil {
		return fmt.Errorf("precedent of referral %d: %w", referralID, err)
	}
	if err := cur.insert(ctx, q); err != nil {
		return fmt.Errorf("precedent of referral %d: %w", referralID, err)
	}
	return cur.tally(ctx, q, 1)
}

// readPrecedent returns the referral's entry in the index with its provisos, nil if none.
func readPrecedent(ctx context.Context, q queryer, referralID int64) (*precedentRow, error) {
	p := &precedentRow{referralID: referralID, keys: bot.PrecedentKeys{}}
	var a, e, c, f, d string
	err := queryRow(ctx, q, `SELECT recommendation_id, outcome, decided_at, applicant_key, end_user_key, class_key, class_family, destination
		FROM precedents WHERE referral_id = ?`, referralID)(&p.recommendationID, &p.outcome, &p.decidedAt, &a, &e, &c, &f, &d)
	if err == sql.ErrNoRows {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("precedent of referral %d: %w", referralID, err)
	}
	p.keys[bot.DimApplicant], p.keys[bot.DimEndUser], p.keys[bot.DimClass], p.keys[bot.DimFamily], p.keys[bot.DimDestination] = a, e, c, f, d
	if p.provisos, err = recommendationProvisos(ctx, q, p.recommendationID); err != nil {
		return nil, fmt.Errorf("precedent of referral %d: %w", referralID, err)
	}
	return p, nil
}

// queryRow runs a one-row query; the returned function scans it (sql.ErrNoRows when none).
func queryRow(ctx context.Context, q queryer, query string, args ...any) func(dest ...any) error {
	return func(dest ...any) error {
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		if !rows.Next() {
			if err := rows.Err(); err != nil {
				return err
			}
			return sql.ErrNoRows
		}
		return rows.Scan(dest...)
	}
}

// indexPrecedents builds the whole precedent index from the recommendations (the
// migration's backfill, and the scale loader's last step), returning how many
// referrals it indexed. It reads every recommendation once: run it on an empty index.
func indexPrecedents(ctx context.Context, q sqlRunner) (int, error) {
	rows, err := q.QueryContext(ctx, `SELECT c.referral_id, c.id, c.outcome, c.recorded_at,
		r.applicant, r.end_user, r.classification, r.destination
		FROM recommendations c JOIN referrals r ON r.id = c.referral_id
		WHERE c.sign_off != 'pending' ORDER BY c.referral_id, c.version`)
	if err != nil {
		return 0, err
	}
	final := map[int64]*precedentRow{}
	var order []int64
	for rows.Next() {
		p := &precedentRow{}
		var ref bot.Referral
		if err := rows.Scan(&p.referralID, &p.recommendationID, &p.outcome, &p.decidedAt,
			&ref.Applicant, &ref.EndUser, &ref.Classification, &ref.Destination); err != nil {
			rows.Close()
			return 0, err
		}
		p.keys = bot.KeysOf(&ref)
		if final[p.referralID] == nil {
			order = append(order, p.referralID)
		}
		final[p.referralID] = p // a later version replaces an earlier one
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	byRec := make(map[int64]*precedentRow, len(final))
	for _, p := range final {
		byRec[p.recommendationID] = p
	}
	prows, err := q.QueryContext(ctx, `SELECT recommendation_id, text FROM provisos WHERE recommendation_id IS NOT NULL ORDER BY recommendation_id, seq`)
	if err != nil {
		return 0, err
	}
	for prows.Next() {
		var id int64
		var text string
		if err := prows.Scan(&id, &text); err != nil {
			prows.Close()
			return 0, err
		}
		if p := byRec[id]; p != nil && !slices.Contains(p.provisos, text) {
			p.provisos = append(p.provisos, text)
		}
	}
	prows.Close()
	if err := prows.Err(); err != nil {
		return 0, err
	}
	type tallyKey struct{ dim, key, what string }
	outcomes, provisos := map[tallyKey]int{}, map[tallyKey]int{}
	for _, id := range order {
		p := final[id]
		if err := p.insert(ctx, q); err != nil {
			return 0, fmt.Errorf("index referral %d: %w", id, err)
		}
		for _, dim := range precedentDims {
			if key := p.keys[dim]; key != "" {
				outcomes[tallyKey{string(dim), key, p.outcome}]++
				for _, text := range p.provisos {
					provisos[tallyKey{string(dim), key, text}]++
				}
			}
		}
	}
	for k, n := range outcomes {
		if _, err := q.ExecContext(ctx, `INSERT INTO precedent_tally (dim, key, outcome, n) VALUES (?, ?, ?, ?)`, k.dim, k.key, k.what, n); err != nil {
			return 0, err
		}
	}
	for k, n := range provisos {
		if _, err := q.ExecContext(ctx, `INSERT INTO precedent_provisos (dim, key, text, n) VALUES (?, ?, ?, ?)`, k.dim, k.key, k.what, n); err != nil {
			return 0, err
		}
	}
	return len(order), nil
}

// PrecedentMatch implements bot.PrecedentReader: the tally and top provisos are
// one primary-key range each, the newest matches one index range read backwards
// (for a reviewer, probing each for an ask of their offices until five are found).
func (r reader) PrecedentMatch(ctx context.Context, pq bot.PrecedentQuery) (bot.PrecedentMatch, error) {
	m := bot.PrecedentMatch{Dim: pq.Dim}
	col, ok := precedentColumns[pq.Dim]
	if !ok {
		return m, fmt.Errorf("precedents: no dimension %q", pq.Dim)
	}
	q := r.q
	recent := `SELECT p.referral_id, r.agency, r.case_number, COALESCE(r.channel_id, ''), p.outcome, p.decided_at
		FROM precedents p JOIN referrals r ON r.id = p.referral_id
		WHERE p.` + col + ` = ? AND p.referral_id != ?`
	args := []any{pq.Key, pq.Except}
	if pq.Offices != nil {
		recent += ` AND EXISTS (SELECT 1 FROM asks a WHERE a.referral_id = p.referral_id AND a.office_code IN (?` +
			strings.Repeat(", ?", max(len(pq.Offices)-1, 0)) + `))`
		for _, o := range pq.Offices {
			args = append(args, o)
		}
		if len(pq.Offices) == 0 {
			return m, nil
		}
	}
	rows, err := q.QueryContext(ctx, recent+` ORDER BY p.decided_at DESC, p.referral_id DESC LIMIT ?`, append(args, bot.PrecedentRecent)...)
	if err != nil {
		return m, err
	}
	for rows.Next() {
		var c bot.PrecedentCase
		var at stamp
		if err := rows.Scan(&c.ReferralID, &c.Agency, &c.CaseNumber, &c.ChannelID, &c.Outcome, &at); err != nil {
			rows.Close()
			return m, err
		}
		c.DecidedAt = time.Time(at)
		m.Recent = append(m.Recent, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil || pq.Offices != nil {
		return m, err // a reviewer sees no counts across DoD
	}

	// The counts leave out the referral itself, when it is decided.
	own, err := readPrecedent(ctx, q, pq.Except)
	if err != nil {
		return m, err
	}
	if own != nil && own.keys[pq.Dim] != pq.Key {
		own = nil
	}
	m.ByOutcome = map[bot.Outcome]int{}
	rows, err = q.QueryContext(ctx, `SELECT outcome, n FROM precedent_tally WHERE dim = ? AND key = ?`, pq.Dim, pq.Key)
	if err != nil {
		return m, err
	}
	for rows.Next() {
		var o bot.Outcome
		var n int
		if err := rows.Scan(&o, &n); err != nil {
			rows.Close()
			return m, err
		}
		if own != nil && string(o) == own.outcome {
			n--
		}
		if n > 0 {
			m.ByOutcome[o] = n
			m.Total += n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return m, err
	}
	extra := 0
	if own != nil {
		extra = len(own.provisos)
	}
	rows, err = q.QueryContext(ctx, `SELECT text, n FROM precedent_provisos WHERE dim = ? AND key = ? AND n > 0
		ORDER BY n DESC, text LIMIT ?`, pq.Dim, pq.Key, bot.PrecedentTopProvisos+extra)
	if err != nil {
		return m, err
	}
	for rows.Next() {
		var u bot.ProvisoUse
		if err := rows.Scan(&u.Text, &u.N); err != nil {
			rows.Close()
			return m, err
		}
		if own != nil && slices.Contains(own.provisos, u.Text) {
			u.N--
		}
		if u.N > 0 {
			m.Provisos = append(m.Provisos, u)
		}
	}
	rows.Close()
	slices.SortStableFunc(m.Provisos, func(a, b bot.ProvisoUse) int {
		if a.N != b.N {
			return b.N - a.N
		}
		return strings.Compare(a.Text, b.Text)
	})
	m.Provisos = m.Provisos[:min(len(m.Provisos), bot.PrecedentTopProvisos)]
	return m, rows.Err()
}
