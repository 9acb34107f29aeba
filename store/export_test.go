package store

import (
	"context"

	"github.com/referralbot/referralbot/bot"
)

// WaitingWrites is how many callers are waiting to hand a write to the writer.
func (db *DB) WaitingWrites() int64 { return db.writer.waiting.Load() }

// Commits is how many write transactions the writer has committed.
func (db *DB) Commits() int64 { return db.writer.commits.Load() }

// GoMigrations exposes the migrations written in Go to the tests that step a
// database through the schema's versions.
var GoMigrations = goMigrations

// Checkpoints is how many checkpoints the checkpointer has run.
func (db *DB) Checkpoints() int64 { return db.checkpoints.done.Load() }

// CheckpointEvery is how many commits wake the checkpointer.
const CheckpointEvery = checkpointEvery

// QueryRowTx scans one row of query, run in the write transaction t.
func QueryRowTx(t bot.Tx, query string, dest ...any) error {
	return t.(*tx).reader.q.QueryRowxContext(context.Background(), query).Scan(dest...)
}
