package store

// Group commit. The database runs at synchronous=FULL: an acknowledged position is
// an official record and must survive a power cut, not only a crash of the process.
// That costs an fsync per commit, so writes that arrive while the writer is busy
// share one transaction and one fsync. Each write runs inside its own savepoint,
// so one that fails is rolled back alone and the others still commit.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/jmoiron/sqlx"
)

// maxGroup bounds the writes that share one transaction, so that one fsync never
// waits behind an unbounded queue.
const maxGroup = 64

// ErrClosed is returned by a write after the database was closed.
var ErrClosed = errors.New("database closed")

// write is one caller's transaction body waiting for the group writer.
type write struct {
	ctx  context.Context
	fn   func(q *sqlx.Tx) error
	done chan writeResult // buffered: the writer never waits for the caller
	// claimed is set by whichever side takes the write first: the writer when it
	// starts running fn, or the caller when its context ends before that. A write
	// that has started runs to the end, and its caller waits for the outcome:
	// either it is recorded and the caller hears so, or it is not recorded.
	claimed atomic.Bool
}

type writeResult struct {
	err      error
	panicked bool
	panicVal any
}

// groupWriter owns the single writer connection's transactions.
type groupWriter struct {
	conn    *sqlx.DB
	queue   chan *write // unbuffered: a write is either taken or still the caller's
	quit    chan struct{}
	stopped chan struct{}
	once    sync.Once

	// head is the event chain's head as this writer's transaction sees it (events.go).
	// Only the run goroutine, which runs every write, reads or changes it.
	head chainHead

	waiting   atomic.Int64 // callers waiting to hand over a write (tests read it)
	commits   atomic.Int64 // transactions committed (tests read it)
	committed atomic.Int64 // writes those transactions held
}

func newGroupWriter(conn *sqlx.DB) *groupWriter {
	g := &groupWriter{conn: conn, queue: make(chan *write), quit: make(chan struct{}), stopped: make(chan struct{})}
	go g.run()
	return g
}

// do runs fn in a transaction shared with whatever other writes are waiting, and
// returns fn's error, or the commit's. A panic in fn rolls back fn's savepoint and
// goes on panicking in the caller.
func (g *groupWriter) do(ctx context.Context, fn func(q *sqlx.Tx) error) error {
	w := &write{ctx: ctx, fn: fn, done: make(chan writeResult, 1)}
	g.waiting.Add(1)
	select {
	case g.queue <- w:
		g.waiting.Add(-1)
	case <-ctx.Done():
		g.waiting.Add(-1)
		return ctx.Err()
	case <-g.quit:
		g.waiting.Add(-1)
		return ErrClosed
	}
	var res writeResult
	select {
	case res = <-w.done:
	case <-ctx.Done():
		if w.claimed.CompareAndSwap(false, true) {
			return ctx.Err() // not started: it will never run
		}
		res = <-w.done // started: its outcome is the caller's to hear
	}
	if res.panicked {
		panic(res.panicVal)
	}
	return res.err
}

// GroupCommits returns how many transactions the single writer has committed and
// how many writes they held: their ratio is the mean size of a group.
func (db *DB) GroupCommits() (commits, writes int64) {
	return db.writer.commits.Load(), db.writer.committed.Load()
}

// close stops the writer after the group in progress.
func (g *groupWriter) close() {
	g.once.Do(func() { close(g.quit) })
	<-g.stopped
}

func (g *groupWriter) run() {
	defer close(g.stopped)
	for {
		var first *write
		select {
		case first = <-g.queue:
		case <-g.quit:
			return
		}
		g.commit(first)
	}
}

// nextUnless is a write waiting to join the group in progress, or nil when none is
// or the group is full.
func (g *groupWriter) nextUnless(full bool) *write {
	if full {
		return nil
	}
	select {
	case w := <-g.queue:
		return w
	default:
		return nil
	}
}

// commit runs a group in one transaction, each write in its own savepoint. The
// group starts with first and takes in the writes that arrive while it runs, until
// none is waiting or it holds maxGroup: under load, the writes that queue behind
// one group's fsync share the next group's.
func (g *groupWriter) commit(first *write) {
	// The transaction's context is the writer's own: a caller whose request ends
	// must not interrupt the others' writes.
	tx, err := g.conn.BeginTxx(context.Background(), nil)
	if err != nil {
		first.done <- writeResult{err: fmt.Errorf("begin: %w", err)}
		return
	}
	var ran []*write
	var broken error // set when the transaction itself can no longer commit
	for taken, w := 1, first; w != nil; taken, w = taken+1, g.nextUnless(taken == maxGroup) {
		if !w.claimed.CompareAndSwap(false, true) {
			continue // its caller gave up before it started
		}
		if _, err := tx.Exec("SAVEPOINT write"); err != nil {
			broken = fmt.Errorf("savepoint: %w", err)
			w.done <- writeResult{err: broken}
			break
		}
		head := g.head
		res := runWrite(w, tx)
		if res.err != nil || res.panicked {
			if _, err := tx.Exec("ROLLBACK TO write"); err != nil {
				broken = fmt.Errorf("roll back one write: %w", err)
			}
			g.head = head // the events it appended are gone
			w.done <- res
		} else {
			ran = append(ran, w)
		}
		if _, err := tx.Exec("RELEASE write"); err != nil && broken == nil {
			broken = fmt.Errorf("release: %w", err)
		}
		if broken != nil {
			break
		}
	}
	if broken != nil {
		tx.Rollback()
		g.head = chainHead{} // read it again from what is committed
		for _, w := range ran {
			w.done <- writeResult{err: broken}
		}
		return
	}
	err = tx.Commit()
	if err != nil {
		g.head = chainHead{}
		err = fmt.Errorf("commit: %w", err)
	} else {
		g.commits.Add(1)
		g.committed.Add(int64(len(ran)))
	}
	for _, w := range ran {
		w.done <- writeResult{err: err}
	}
}

// runWrite runs one write's body, catching its panic for the caller.
func runWrite(w *write, tx *sqlx.Tx) (res writeResult) {
	defer func() {
		if p := recover(); p != nil {
			res = writeResult{panicked: true, panicVal: p}
		}
	}()
	return writeResult{err: w.fn(tx)}
}

// detached runs a transaction's statements without the caller's cancellation. A
// write that has started runs to the end: go-sqlite3 interrupts the connection when
// a statement's context ends, and SQLite then rolls back the whole transaction,
// which would take the other writes of the group with it.
type detached struct{ *sqlx.Tx }

func (d detached) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return d.Tx.QueryContext(context.WithoutCancel(ctx), query, args...)
}

func (d detached) QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error) {
	return d.Tx.QueryxContext(context.WithoutCancel(ctx), query, args...)
}

func (d detached) QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row {
	return d.Tx.QueryRowxContext(context.WithoutCancel(ctx), query, args...)
}

func (d detached) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return d.Tx.ExecContext(context.WithoutCancel(ctx), query, args...)
}
