package store

// WaitingWrites is how many callers are waiting to hand a write to the writer.
func (db *DB) WaitingWrites() int64 { return db.writer.waiting.Load() }

// Commits is how many write transactions the writer has committed.
func (db *DB) Commits() int64 { return db.writer.commits.Load() }

// GoMigrations exposes the migrations written in Go to the tests that step a
// database through the schema's versions.
var GoMigrations = goMigrations

// MaxGroup is the most writes one transaction holds.
const MaxGroup = maxGroup
