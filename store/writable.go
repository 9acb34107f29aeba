package store

import (
	"context"
	"fmt"

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
