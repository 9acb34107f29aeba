//go:build linux || darwin || freebsd

package store

import (
	"errors"
	"os"
	"syscall"
)

// wOK is access(2)'s W_OK, the same on every system this file builds for.
const wOK = 0x2

// access is access(2); a variable so that a test on a machine where it may not mount
// a read-only file system can still walk the read-only path.
var access = syscall.Access

// notWritable asks the kernel whether this process may write path, and when it may
// not, says why in a *NotWritableError: the file system is mounted read-only, or the
// process's user may not write it. It returns nil when path may be written, does not
// exist, or the answer is something else (SQLite's own error says that better).
func notWritable(path, what, need string) error {
	err := access(path, wOK)
	if err == nil {
		return nil
	}
	e := &NotWritableError{Path: path, What: what, Need: need, UID: os.Geteuid(), GID: os.Getegid(), Err: err}
	switch {
	case errors.Is(err, syscall.EROFS):
		e.ReadOnly = true
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		if fi, serr := os.Stat(path); serr == nil {
			e.Mode = fi.Mode()
			if st, ok := fi.Sys().(*syscall.Stat_t); ok {
				e.OwnerUID, e.OwnerGID = int(st.Uid), int(st.Gid)
			}
		}
	default:
		return nil
	}
	return e
}
