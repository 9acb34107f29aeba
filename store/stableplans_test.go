package store

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/mattn/go-sqlite3"

	"github.com/referralbot/referralbot/internal/clock"
)

// Every connection the store opens, the writer's and each reader's, keeps its query
// plans stable (stableplans.go): otherwise go-sqlite3 re-plans most statements on
// every execution.
func TestConnectionsKeepQueryPlansStable(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "plans.db"), clock.Stopped(scaleToday))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	check := func(name string, pool *sqlx.DB) {
		t.Helper()
		conn, err := pool.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		err = conn.Raw(func(dc any) error {
			on, err := stablePlans(dc.(*sqlite3.SQLiteConn), -1)
			if err != nil {
				return err
			}
			if !on {
				t.Errorf("%s connection: query planner stability guarantee off", name)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%s connection: %v", name, err)
		}
	}
	check("writer", db.write)
	// Hold one reader while asking for another, so that two distinct connections are checked.
	held, err := db.read.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	check("reader", db.read)
}
