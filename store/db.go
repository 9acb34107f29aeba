// Package store keeps referralbot's system of record in SQLite. It implements the
// interfaces the bot package declares (bot.Store, bot.Tx, bot.Reader) and nothing else.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
	"github.com/pressly/goose/v3"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/clock"
)

//go:embed migrations/*.sql
var migrations embed.FS

// readerConns bounds the read pool. WAL lets readers run beside the one writer,
// and a handful is plenty for a bot whose reads are short index lookups.
const readerConns = 4

var _ bot.Store = (*DB)(nil)

// DB is the SQLite system of record. Writes go through a single connection, so
// they queue in the process instead of fighting over SQLite's write lock; reads use
// a small pool of their own.
type DB struct {
	// now is the program's clock, read once per write transaction for CreatedAt,
	// UpdatedAt, AnsweredAt and the like when the caller leaves them zero.
	now clock.Clock

	reader // reads outside Update, through the read pool

	path   string
	write  *sqlx.DB
	read   *sqlx.DB
	writer *groupWriter // every write transaction, grouped (groupcommit.go)
}

// Open opens (creating if needed) the database file at path and brings its schema
// up to date. now is the program's one clock; times are stored in UTC.
func Open(ctx context.Context, path string, now clock.Clock) (*DB, error) {
	if now == nil {
		return nil, fmt.Errorf("open database %s: no clock", path)
	}
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") || strings.Contains(path, "?") {
		// The writer and the readers are separate connections to the same file, so
		// the database must be a plain file path.
		return nil, fmt.Errorf("open database %q: want a plain file path", path)
	}
	// A read-only mount or a directory of another user: say so now, in those words.
	if err := checkDatabasePlace(path); err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	// The file holds controlled unclassified information: owner-only. SQLite gives its
	// -wal and -shm files the main file's permissions, so creating it 0600 covers them.
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
	} else if !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	write, err := sqlx.Open(driverName, dsn(path, "_txlock=immediate"))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	// One writer: database/sql queues writers for us, and BEGIN IMMEDIATE (the
	// _txlock above) takes the write lock up front, so a transaction that read
	// first never fails to upgrade.
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxIdleTime(0)
	if err := migrate(ctx, path); err != nil {
		write.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}

	read, err := sqlx.Open(driverName, dsn(path, "_query_only=1"))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	read.SetMaxOpenConns(readerConns)
	read.SetMaxIdleConns(readerConns)
	if err := read.PingContext(ctx); err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}

	db := &DB{
		now:    now,
		reader: reader{q: read},
		path:   path,
		write:  write,
		read:   read,
		writer: newGroupWriter(write),
	}
	// SQLite cannot hash, so migration 00004 leaves the events written before the
	// chain to be sealed here, once, before anything else is appended.
	if err := db.update(ctx, func(q *sqlx.Tx) error { return sealPreChainEvents(ctx, q) }); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return db, nil
}

// dsn adds the pragmas every connection needs. go-sqlite3 applies them on each new
// connection, so a pool never hands out one without them.
func dsn(path string, extra ...string) string {
	params := []string{
		"_journal_mode=WAL",
		"_foreign_keys=on",
		"_busy_timeout=5000",
		// FULL: an acknowledged position is an official record and must survive a
		// power cut, not only a crash of the process. Group commit pays for it.
		"_synchronous=FULL",
		// Prepared statements are reused per connection instead of re-prepared per query.
		"_stmt_cache_size=64",
	}
	params = append(params, extra...)
	return path + "?" + strings.Join(params, "&")
}

// migrate applies the migrations (embedded SQL and goMigrations) that the file does
// not have yet. It uses a pool of its own: a Go migration that rebuilds a table takes
// a connection beside the one goose holds, which the single-connection writer cannot give.
func migrate(ctx context.Context, path string) error {
	dir, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	db, err := sql.Open(driverName, dsn(path, "_txlock=immediate"))
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(2)
	// No global registry: Go migrations registered elsewhere in the binary must not
	// leak into this schema.
	p, err := goose.NewProvider(goose.DialectSQLite3, db, dir, goose.WithDisableGlobalRegistry(true),
		goose.WithGoMigrations(goMigrations()...))
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

// Close stops the writer and closes both connection pools.
func (db *DB) Close() error {
	db.writer.close()
	return errors.Join(db.read.Close(), db.write.Close())
}

// Now reads the database's clock in UTC, the zone everything is stored in.
func (db *DB) Now() time.Time {
	return db.now().UTC()
}

// Update runs fn in a write transaction, committing fn's writes when it returns nil
// and rolling them back otherwise (a panic rolls back and goes on panicking). Writes
// that arrive together share one transaction and one fsync, each in its own
// savepoint (groupcommit.go). Once fn has started, it runs to the end whatever ctx
// does, and Update returns its outcome: a write is never recorded without its caller
// hearing so. fn must not call Update or the job methods (ClaimJobs and the rest):
// they wait for the writer, which fn is holding.
func (db *DB) Update(ctx context.Context, fn func(tx bot.Tx) error) error {
	return db.update(ctx, func(q *sqlx.Tx) error {
		d := detached{q}
		return fn(&tx{reader: reader{q: d}, q: d, db: db, now: db.Now()})
	})
}

// update is Update for the store's own writes (the job queue), which need the
// transaction but not the bot.Tx around it.
func (db *DB) update(ctx context.Context, fn func(q *sqlx.Tx) error) error {
	return db.writer.do(ctx, fn)
}

// tx is the bot.Tx handed to Update's fn. Its reads go through the transaction, so
// fn sees its own writes.
type tx struct {
	reader
	q   sqlx.ExtContext
	db  *DB
	now time.Time // read once when the transaction began: one instant for all it writes
}

// reader implements bot.Reader over either the read pool or a write transaction.
type reader struct {
	q sqlx.QueryerContext
}
