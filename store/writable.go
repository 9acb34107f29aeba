package store

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/jmoiron/sqlx"
)

// MinFreeDisk is how much free space the database's file system must have for the
// bot to call itself ready. A commit on a full disk can still succeed (WAL mode
// reuses the space of frames already checkpointed), so a probe write alone says
// "ok" until the WAL needs to grow; the free space says it before. 64 MiB is a
// few thousand referrals' worth of writes.
const MinFreeDisk = 64 << 20

// CheckWritable is the readiness check of the database: it commits a real write
// (the file is there, writable, not locked out), and the file system holding it has
// at least minFree bytes available.
func (db *DB) CheckWritable(ctx context.Context, minFree int64) error {
	if free, ok := freeBytes(db.path); ok && free < minFree {
		return fmt.Errorf("only %d MiB free on the file system of %s (want at least %d MiB): writes will soon fail", free>>20, db.path, minFree>>20)
	}
	return db.update(ctx, func(q *sqlx.Tx) error {
		_, err := q.ExecContext(ctx, `INSERT INTO readiness (id, at) VALUES (1, ?)
			ON CONFLICT (id) DO UPDATE SET at = excluded.at`, stamp(db.Now()))
		if err != nil {
			return fmt.Errorf("probe write: %w", err)
		}
		return nil
	})
}

// NotWritableError is returned by Open and Backup when this process
// may not write where it must: the database's directory (SQLite creates the -wal and
// -shm files there), the database and those files, or a backup's directory. It names
// the path and the cause, where SQLite would say "unable to open database file" or
// "attempt to write a readonly database".
type NotWritableError struct {
	Path string // the directory or file that may not be written
	What string // what Path is to the bot, e.g. "the database's directory"
	Need string // why the bot must write there; may be empty

	ReadOnly bool // Path's file system is mounted read-only (EROFS)

	// When not ReadOnly: the process's user and group, and Path's mode and owner.
	UID, GID           int
	Mode               fs.FileMode
	OwnerUID, OwnerGID int

	Err error // what the system answered (EROFS, EACCES, EPERM)
}

func (e *NotWritableError) Error() string {
	need := ""
	if e.Need != "" {
		need = ": " + e.Need
	}
	if e.ReadOnly {
		return fmt.Sprintf("%s %s is on a read-only file system (it is mounted read-only)%s. "+
			"Mount it read-write", e.What, e.Path, need)
	}
	fix := fmt.Sprintf("Give it to that user (chown %d:%d %s), or run the bot as its owner", e.UID, e.GID, e.Path)
	if e.OwnerUID == e.UID && e.Mode.Perm()&0o200 == 0 {
		fix = fmt.Sprintf("It is that user's but not writable: chmod u+w %s", e.Path)
	}
	return fmt.Sprintf("user %d (group %d) may not write %s %s (%v; mode %v, owner %d:%d)%s. %s",
		e.UID, e.GID, e.What, e.Path, e.Err, e.Mode, e.OwnerUID, e.OwnerGID, need, fix)
}

// Unwrap returns the system's answer, so errors.Is(err, fs.ErrPermission) holds.
func (e *NotWritableError) Unwrap() error { return e.Err }

// checkDatabasePlace returns a *NotWritableError when the database at path could
// not be written: SQLite would open it read-only, or fail with vaguer words, and a
// bot that cannot record must not start. Files not there yet are the directory's
// business.
func checkDatabasePlace(path string) error {
	if err := notWritable(filepath.Dir(path), "the database's directory",
		"the bot keeps its database there, and SQLite creates the -wal and -shm files beside it"); err != nil {
		return err
	}
	for _, f := range []struct{ path, what string }{
		{path, "the database file"},
		{path + "-wal", "the database's write-ahead log"},
		{path + "-shm", "the database's shared-memory index"},
	} {
		if err := notWritable(f.path, f.what, ""); err != nil {
			return err
		}
	}
	return nil
}

// checkBackupPlace returns a *NotWritableError when a backup could not be created at path.
func checkBackupPlace(path string) error {
	return notWritable(filepath.Dir(path), "the backup's directory", "")
}
