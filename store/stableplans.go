package store

// Stable query plans. Without SQLite's query planner stability guarantee (QPSG),
// the planner looks at a statement's bound values (an `x = ?` it estimates, a LIMIT,
// a LIKE pattern) and marks the statement to be prepared again when they change.
// go-sqlite3 clears a cached statement's bindings before binding the next values,
// which SQLite counts as a change, so every such statement was parsed and planned
// again on every execution: 40-80 µs of CPU per query, most of a press's reads.
// With QPSG on, a statement keeps the plan it was prepared with; the plans are the
// ones TestQueriesUseIndexes checks, and the store binds no value that a partial
// index's WHERE compares with (those states are literals in the SQL).
//
// go-sqlite3 has no setting for it, so a connect hook calls sqlite3_db_config on
// the connection's handle. The function is declared weak: it links against the
// SQLite that go-sqlite3 compiles into the binary, and the hook fails loudly if it
// is missing rather than running without it.

/*
#include <stddef.h>

struct sqlite3;
extern int sqlite3_db_config(struct sqlite3 *, int, ...) __attribute__((weak));

// SQLITE_DBCONFIG_ENABLE_QPSG (sqlite3.h): int on (-1 to leave it), int *now.
static int referralbot_qpsg(void *db, int on, int *now) {
	if (sqlite3_db_config == NULL) {
		return -1;
	}
	return sqlite3_db_config((struct sqlite3 *)db, 1007, on, now);
}
*/
import "C"

import (
	"database/sql"
	"fmt"
	"reflect"

	"github.com/jmoiron/sqlx"
	"github.com/mattn/go-sqlite3"
)

// driverName is go-sqlite3 with every connection's query plans kept stable.
const driverName = "sqlite3_stable_plans"

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		if _, err := stablePlans(c, 1); err != nil {
			return fmt.Errorf("keep query plans stable: %w", err)
		}
		return nil
	}})
	sqlx.BindDriver(driverName, sqlx.QUESTION)
}

// stablePlans sets the connection's QPSG (1 on, 0 off, -1 leave as it is) and
// returns whether it is on afterwards.
func stablePlans(c *sqlite3.SQLiteConn, on int) (bool, error) {
	// go-sqlite3 keeps the sqlite3* in an unexported field; reading a pointer
	// field by reflection does not need it exported.
	f := reflect.ValueOf(c).Elem().FieldByName("db")
	if !f.IsValid() || f.Type().String() != "*sqlite3._Ctype_struct_sqlite3" {
		return false, fmt.Errorf("go-sqlite3's connection no longer keeps its handle as db *C.sqlite3")
	}
	if f.IsNil() {
		return false, fmt.Errorf("go-sqlite3's connection has no open handle")
	}
	var now C.int
	rc := C.referralbot_qpsg(f.UnsafePointer(), C.int(on), &now)
	switch {
	case rc == -1:
		return false, fmt.Errorf("sqlite3_db_config is not linked into this binary")
	case rc != 0:
		return false, fmt.Errorf("sqlite3_db_config: code %d", int(rc))
	}
	return now != 0, nil
}
