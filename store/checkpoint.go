package store

// Checkpoints off the commit path. SQLite's automatic checkpoint runs inside the
// commit that fills the WAL past 1000 pages: that commit copies the pages into the
// database file and fsyncs it, and every write of its group (and every write queued
// behind it) waits. One commit in a hundred took 17 ms instead of 0.6 ms (issue 13).
// The writer turns it off (groupWriter.commit) and a connection of its own copies
// the WAL in the background, beside the writer: a passive checkpoint takes no write
// lock. Durability is unchanged: a commit is durable once the WAL is synced
// (synchronous=FULL); the checkpoint only moves committed pages.

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/jmoiron/sqlx"
)

// checkpointEvery is how many commits the WAL gathers before the checkpointer is
// woken: at about ten pages a press, near SQLite's own 1000-page threshold.
const checkpointEvery = 100

// checkpointer copies the WAL into the database file when the writer asks.
type checkpointer struct {
	conn    *sqlx.DB
	wake    chan struct{} // buffered 1: a wake while one is pending is the same wake
	quit    chan struct{}
	stopped chan struct{}
	once    sync.Once
	done    atomic.Int64 // checkpoints run (tests read it)
}

func newCheckpointer(conn *sqlx.DB) *checkpointer {
	c := &checkpointer{conn: conn, wake: make(chan struct{}, 1), quit: make(chan struct{}), stopped: make(chan struct{})}
	go c.run()
	return c
}

// poke asks for a checkpoint without waiting for it.
func (c *checkpointer) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	defer close(c.stopped)
	for {
		select {
		case <-c.quit:
			return
		case <-c.wake:
		}
		// PASSIVE: copy what no reader still needs, never wait for anyone. What
		// is left, or what a failed checkpoint left, stays in the WAL, which stays
		// correct, for the next checkpoint: as SQLite's own automatic checkpoint,
		// a failure is nobody's error.
		_, _ = c.conn.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`)
		c.done.Add(1)
	}
}

// close stops the checkpointer after the checkpoint in progress. SQLite
// checkpoints the rest when the last connection closes.
func (c *checkpointer) close() error {
	c.once.Do(func() { close(c.quit) })
	<-c.stopped
	return c.conn.Close()
}
