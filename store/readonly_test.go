//go:build linux

package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/referralbot/referralbot/store"
)

// mountReadOnly makes dir read-only for real: bind-mounted read-only onto itself, as
// a volume mounted read-only would be. That needs CAP_SYS_ADMIN, which CI has (it runs
// as root); where this process may not mount, it falls back to store's access seam
// and says so in the log, and real is false.
func mountReadOnly(t *testing.T, dir string) (real bool) {
	t.Helper()
	if err := syscall.Mount(dir, dir, "", syscall.MS_BIND, ""); err != nil {
		t.Logf("may not mount here (%v): %s is read-only through store's access seam instead", err, dir)
		store.FakeReadOnly(t, dir)
		return false
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	if err := syscall.Mount("", dir, "", syscall.MS_REMOUNT|syscall.MS_BIND|syscall.MS_RDONLY, ""); err != nil {
		t.Fatalf("remount %s read-only: %v", dir, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "probe"), nil, 0o600); !errors.Is(err, syscall.EROFS) {
		t.Fatalf("writing in the read-only mount %s: %v; want EROFS", dir, err)
	}
	return true
}

// wantReadOnly checks err is Open's or Backup's *NotWritableError for the read-only dir.
func wantReadOnly(t *testing.T, what string, err error, dir string, words ...string) {
	t.Helper()
	var nw *store.NotWritableError
	if !errors.As(err, &nw) || !nw.ReadOnly || nw.Path != dir {
		t.Fatalf("%s = %v; want a NotWritableError saying %s is on a read-only file system", what, err, dir)
	}
	for _, w := range append(words, dir, "read-only file system", "Mount it read-write") {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s = %q; want it to say %q", what, err, w)
		}
	}
}

// TestOpenOnReadOnlyMount: a database on a read-only mount is refused at Open with the
// real cause. Found from outside: start-up said "migrate: failed to initialize:
// unable to open database file: no such file or directory" of a file that was there.
func TestOpenOnReadOnlyMount(t *testing.T) {
	ctx := context.Background()
	vol := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(vol, 0o700); err != nil {
		t.Fatal(err)
	}
	existing := filepath.Join(vol, "referralbot.db")
	db, err := store.Open(ctx, existing, stopped)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	real := mountReadOnly(t, vol)
	t.Logf("real read-only mount: %v", real)

	for _, path := range []string{existing, filepath.Join(vol, "new.db")} {
		_, err := store.Open(ctx, path, stopped)
		wantReadOnly(t, "Open("+path+")", err, vol, "open database "+path, "-wal and -shm")
	}

	// A backup into the read-only directory, from a database that is fine.
	db = MustOpenDB(t)
	copyPath := filepath.Join(vol, "copy.db")
	wantReadOnly(t, "Backup", db.Backup(ctx, copyPath), vol, "backup to "+copyPath, "the backup's directory")
}

// TestOpenWritableFileInReadOnlyDirectory: the database file itself may be written,
// but its directory is read-only, so SQLite cannot create the -wal and -shm files it
// needs beside it (a file bind-mounted into a read-only volume).
func TestOpenWritableFileInReadOnlyDirectory(t *testing.T) {
	ctx := context.Background()
	rw := filepath.Join(t.TempDir(), "rw.db")
	db, err := store.Open(ctx, rw, stopped)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	vol := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(vol, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(vol, "referralbot.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil { // the bind mount's target
		t.Fatal(err)
	}
	if mountReadOnly(t, vol) {
		if err := syscall.Mount(rw, path, "", syscall.MS_BIND, ""); err != nil {
			t.Fatalf("bind %s onto %s: %v", rw, path, err)
		}
		t.Cleanup(func() { _ = syscall.Unmount(path, syscall.MNT_DETACH) })
		if err := syscall.Access(path, 2 /* W_OK */); err != nil {
			t.Fatalf("the database file %s should be writable: %v", path, err)
		}
	}
	_, err = store.Open(ctx, path, stopped)
	wantReadOnly(t, "Open", err, vol, "SQLite creates the -wal and -shm files beside it")
}
