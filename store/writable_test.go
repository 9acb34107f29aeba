package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
)

// TestCheckWritable: the readiness check commits a real write, and fails when the
// file system has less free space than asked. Found from outside: /readyz said
// "database: ok" on a full disk, because an empty transaction writes nothing.
func TestCheckWritable(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if err := db.CheckWritable(ctx, 0); err != nil {
		t.Fatalf("CheckWritable on a fresh database: %v", err)
	}
	raw, err := sqlx.Open("sqlite3", "file:"+db.Path()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n int
	if err := raw.GetContext(ctx, &n, `SELECT COUNT(*) FROM readiness`); err != nil || n != 1 {
		t.Errorf("readiness rows = %d, %v; want the probe's one row", n, err)
	}
	// No file system has 2^62 bytes free: as good as full.
	err = db.CheckWritable(ctx, 1<<62)
	if err == nil || !strings.Contains(err.Error(), "MiB free") {
		t.Errorf("CheckWritable wanting more than the disk has = %v; want not ready, naming the free space", err)
	}
}
