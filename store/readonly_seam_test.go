package store

import (
	"path/filepath"
	"syscall"
	"testing"
)

// FakeReadOnly makes access(2) answer EROFS for dir and what is in it until the test
// ends: the read-only path on a machine where the test may not mount a file system.
func FakeReadOnly(tb testing.TB, dir string) {
	prev := access
	access = func(path string, mode uint32) error {
		if path == dir || filepath.Dir(path) == dir {
			return syscall.EROFS
		}
		return prev(path, mode)
	}
	tb.Cleanup(func() { access = prev })
}
