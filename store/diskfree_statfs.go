//go:build linux || darwin || freebsd

package store

import (
	"path/filepath"
	"syscall"
)

// freeBytes returns the bytes available to this process on the file system that
// holds path; ok is false when it cannot tell.
func freeBytes(path string) (free int64, ok bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(filepath.Dir(path), &st); err != nil {
		return 0, false
	}
	return int64(st.Bavail) * int64(st.Bsize), true
}
