package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/internal/sandbox"
	"github.com/referralbot/referralbot/internal/slackfake"
)

// pressDeck is the button presses the load generator sends: the Approve button of
// every ask of some open referrals, pressed by the office's two reviewers in turn,
// so that every press records a new version of the office's position. (A second
// press by the same person records nothing — bot.samePosition — and a press made on
// a message showing an older version is refused as stale.) Press i goes to ask
// i mod asks; it is that ask's k-th press (k = i div asks), by reviewer 1 or 2
// alternately, made on the message showing version k.
type pressDeck struct {
	asks   []*bot.Ask
	base   []int      // each ask's version when the deck was made
	bodies [][][]byte // the request body of [2*ask + reviewer], split where the button value goes
	turns  *askTurns

	// presses counts the presses sent to the bot (in this process or as a child):
	// one sequence, so that the alternation survives a change of target.
	presses atomic.Int64
	ts      string // the signature timestamp of the current phase

	// patience is how long a press waits for its acknowledgement: Slack's 3 seconds
	// when measuring; longer in -quick runs (tests), where the machine is shared
	// with the rest of the suite and a slow press must not count as a lost one.
	patience time.Duration
}

// newPressDeck builds the block_actions payloads Slack would send for each Approve
// press with the fake's own ClickButton (delivered to a recorder, not the bot), and
// turns each into a template whose button value can be set to the version seen.
func newPressDeck(ctx context.Context, w *benchWorld, refs []*bot.Referral) (*pressDeck, error) {
	var payload []byte
	capture := slackfake.TransportFunc(func(_ context.Context, d slackfake.Delivery) (slackfake.Ack, error) {
		payload = d.Payload
		return slackfake.Ack{Status: http.StatusOK}, nil
	})
	d := &pressDeck{}
	for _, r := range refs {
		asks, err := w.db.Asks(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		for _, a := range asks {
			// The value appears in the pressed action and in every button of the
			// message the payload carries; all of them show the version seen.
			value := []byte(url.QueryEscape(`"` + bot.AnswerValue(a) + `"`))
			for n := 1; n <= 2; n++ {
				if _, err := w.fake.ClickButton(capture, sandbox.Reviewer(a.OfficeCode, n), r.ChannelID, a.MessageTS,
					bot.ActionAnswerPrefix+string(bot.OutcomeApprove)); err != nil {
					return nil, fmt.Errorf("press Approve on %s's ask of %s: %w", a.OfficeCode, r.CaseNumber, err)
				}
				body := []byte(url.Values{"payload": {string(payload)}}.Encode())
				parts := bytes.Split(body, value)
				if len(parts) < 2 {
					return nil, fmt.Errorf("the Approve press on ask %d does not carry the value %s", a.ID, bot.AnswerValue(a))
				}
				d.bodies = append(d.bodies, parts)
			}
			d.asks = append(d.asks, a)
			d.base = append(d.base, versionOf(a))
		}
	}
	if len(d.asks) == 0 {
		return nil, errors.New("no asks to press")
	}
	d.turns = newAskTurns(len(d.asks))
	return d, nil
}

// versionOf is the version of the ask's current position, 0 when it has none.
func versionOf(a *bot.Ask) int {
	if a.Current == nil {
		return 0
	}
	return a.Current.Version
}

// newPhase starts a load phase: signatures made from now on carry the current
// time, which the bot accepts for five minutes.
func (d *pressDeck) newPhase() { d.ts = strconv.FormatInt(clock.Wall().Unix(), 10) }

// press is one rendered press: the ask, its turn on that ask, the signed body.
type press struct {
	ask  int
	turn int64
	body []byte
	sig  string
}

// render makes press i of a sequence: the body, with the button value showing the
// version that the ask's earlier presses will have recorded, and its signature.
func (d *pressDeck) render(i int64) press {
	n := int64(len(d.asks))
	a, k := int(i%n), i/n
	seen := &bot.Ask{ID: d.asks[a].ID, Current: &bot.Position{Version: d.base[a] + int(k)}}
	value := []byte(url.QueryEscape(`"` + bot.AnswerValue(seen) + `"`))
	body := bytes.Join(d.bodies[2*a+int(k%2)], value)
	return press{ask: a, turn: k, body: body, sig: slackfake.Sign(sandbox.SigningSecret, d.ts, body)}
}

// askTurns makes the presses on one ask reach the bot in order: a press waits until
// the ask's earlier presses are answered. With many more asks than presses in
// flight it rarely waits; when it does, the wait counts as latency.
type askTurns struct {
	mu   sync.Mutex
	cond *sync.Cond
	done []int64 // presses answered, per ask
}

func newAskTurns(asks int) *askTurns {
	t := &askTurns{done: make([]int64, asks)}
	t.cond = sync.NewCond(&t.mu)
	return t
}

func (t *askTurns) wait(ask int, turn int64) {
	t.mu.Lock()
	for t.done[ask] < turn {
		t.cond.Wait()
	}
	t.mu.Unlock()
}

func (t *askTurns) finish(ask int) {
	t.mu.Lock()
	t.done[ask]++
	t.mu.Unlock()
	t.cond.Broadcast()
}
