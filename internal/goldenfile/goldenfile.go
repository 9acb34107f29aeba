// Package goldenfile compares what a test produced with a file under testdata/, and
// rewrites the file instead when the test runs with -update. Only tests import it.
package goldenfile

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// Check compares got with the file at path, byte for byte; with update set it
// writes got there first.
func Check(tb testing.TB, path string, got []byte, update bool) {
	tb.Helper()
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run the test with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		tb.Errorf("%s differs from %s; run the test with -update and review the diff\ngot:\n%s", filepath.Base(path), path, got)
	}
}
