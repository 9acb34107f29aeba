//go:build linux

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/store"
)

// botUID is the user the image and the Kubernetes manifests run the bot as.
const botUID = 65532

// makeDB creates a database at path, as a bot that ran once would have left it.
func makeDB(t *testing.T, path string) {
	t.Helper()
	db, err := store.Open(context.Background(), path, clock.Stopped(start))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// servingEnv is enough for serve to get as far as opening the database; Slack at
// 127.0.0.1:1 is never reached.
func servingEnv(dbPath string) environ {
	return environ{"DATABASE_PATH": dbPath, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s3cret",
		"SLACK_API_URL": "http://127.0.0.1:1/api/", "HTTP_ADDR": "127.0.0.1:0", "SLACK_RATE_SCALE": "0"}
}

// TestStartOnReadOnlyMount: serve and every command that opens the database, started
// with it on a read-only mount, stop naming the path, the read-only file system and
// what to do, as a start-up failure (exit 1, not the usage error's 2). Found from
// outside: they said "migrate: failed to initialize: unable to open database file:
// no such file or directory" of a file that was there.
//
// The mount is real: the volume is bind-mounted read-only onto itself, which needs
// CAP_SYS_ADMIN (CI runs as root). A user who may not mount gets the other half of
// the same check instead, a directory it may not write (mode 0500).
func TestStartOnReadOnlyMount(t *testing.T) {
	vol := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(vol, 0o700); err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(vol, "referralbot.db")
	makeDB(t, dbPath)
	writable := filepath.Join(t.TempDir(), "ok.db")
	makeDB(t, writable)

	words := []string{vol, "is on a read-only file system", "Mount it read-write"}
	if err := syscall.Mount(vol, vol, "", syscall.MS_BIND, ""); err != nil {
		if os.Geteuid() == 0 {
			t.Fatalf("root may not mount here (%v): run as a user other than root, or with CAP_SYS_ADMIN", err)
		}
		t.Logf("may not mount here (%v): %s is made unwritable (0500) instead", err, vol)
		if err := os.Chmod(vol, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Chmod(vol, 0o700) })
		words = []string{vol, "may not write the database's directory", "mode dr-x------"}
	} else {
		t.Cleanup(func() {
			if err := syscall.Unmount(vol, syscall.MNT_DETACH); err != nil {
				t.Errorf("unmount %s: %v", vol, err)
			}
		})
		if err := syscall.Mount("", vol, "", syscall.MS_REMOUNT|syscall.MS_BIND|syscall.MS_RDONLY, ""); err != nil {
			t.Fatalf("remount %s read-only: %v", vol, err)
		}
	}

	importFile := filepath.Join("..", "..", "testdata", "import.example.csv")
	for _, c := range []struct {
		name string
		env  environ
		args []string
	}{
		{"serve", servingEnv(dbPath), []string{"serve"}},
		{"serve, no database yet", servingEnv(filepath.Join(vol, "new.db")), []string{"serve"}},
		{"import", environ{"DATABASE_PATH": dbPath}, []string{"import", importFile}},
		{"export", environ{"DATABASE_PATH": dbPath}, []string{"export", "Z123456"}},
		{"stats", environ{"DATABASE_PATH": dbPath}, []string{"stats"}},
		{"verify", environ{"DATABASE_PATH": dbPath}, []string{"verify"}},
		{"jobs", environ{"DATABASE_PATH": dbPath}, []string{"jobs"}},
		{"backup", environ{"DATABASE_PATH": dbPath}, []string{"backup", filepath.Join(t.TempDir(), "copy.db")}},
	} {
		_, _, err := runCmd(clock.Stopped(start), c.env, c.args...)
		if c.name == "serve" {
			t.Logf("serve said: %v", err)
		}
		if err == nil || errors.Is(err, errUsage) {
			t.Errorf("%s: err = %v; want a start-up failure (exit 1)", c.name, err)
			continue
		}
		for _, w := range append(words, "open database", "DATABASE_PATH", "manifests/kubernetes/referralbot.yaml") {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q\nwant it to say %q", c.name, err, w)
			}
		}
	}

	// A backup of a database that is fine, into the read-only volume.
	copyPath := filepath.Join(vol, "copy.db")
	_, _, err := runCmd(clock.Stopped(start), environ{"DATABASE_PATH": writable}, "backup", copyPath)
	for _, w := range append(words[:1], "backup to "+copyPath, "the backup's directory") {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("backup into %s: %v\nwant it to say %q", vol, err, w)
		}
	}
}

// TestStartWhereTheUserMayNotWrite: the bot's user may not write where the database
// is. (1) The file is the user's, its directory is not, so SQLite cannot create the
// -wal and -shm files beside it: before, serve stopped on "migrate: failed to
// initialize: attempt to write a readonly database". (2) The directory is the
// user's, the file is root's 0644: before, serve started, SQLite having opened the
// file read-only, and the first write would have failed. Now both stop at start-up
// naming the path, the user, the mode and the owner, and exit 1. Run as root (as CI
// is), the bot runs as the image's user 65532 in a child process: root may write
// anything.
func TestStartWhereTheUserMayNotWrite(t *testing.T) {
	top := t.TempDir()
	root := os.Geteuid() == 0
	uid, gid := os.Geteuid(), os.Getegid()
	if root {
		uid, gid = botUID, botUID
		// t.TempDir's directories are the test's own (0700): let user 65532 through.
		for _, d := range []string{filepath.Dir(top), top} {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	mkdir := func(name string) string {
		dir := filepath.Join(top, name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	chown := func(path string) {
		if err := os.Chown(path, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	chmod := func(path string, mode os.FileMode) {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
	}

	// (1) The file is the user's; the directory is root's 0755 (as root) or 0555.
	vol := mkdir("data")
	dbPath := filepath.Join(vol, "referralbot.db")
	makeDB(t, dbPath)
	chown(dbPath)
	if !root {
		chmod(vol, 0o555)
		t.Cleanup(func() { _ = os.Chmod(vol, 0o755) })
	}
	said := serveAs(t, top, uid, gid, dbPath)
	fix := fmt.Sprintf("chown %d:%d %s", uid, gid, vol) // root's directory: give it to the user
	if !root {
		fix = "chmod u+w " + vol // the user's own, without its write bit
	}
	for _, w := range []string{
		"open database " + dbPath,
		"may not write the database's directory " + vol,
		"SQLite creates the -wal and -shm files beside it",
		fmt.Sprintf("user %d (group %d)", uid, gid),
		fix, "DATABASE_PATH", "fsGroup",
	} {
		if !strings.Contains(said, w) {
			t.Errorf("serve said %q\nwant it to say %q", said, w)
		}
	}

	// (2) The directory is the user's; the file is not writable by the user.
	vol2 := mkdir("data2")
	db2 := filepath.Join(vol2, "referralbot.db")
	makeDB(t, db2)
	chown(vol2)
	chmod(db2, 0o644) // root's, as root; read-only to its owner, as another user
	if !root {
		chmod(db2, 0o444)
	}
	said = serveAs(t, top, uid, gid, db2)
	for _, w := range []string{"may not write the database file " + db2, fmt.Sprintf("user %d (group %d)", uid, gid), "mode -r"} {
		if !strings.Contains(said, w) {
			t.Errorf("serve said %q\nwant it to say %q", said, w)
		}
	}
}

// serveAs starts serve on the database at dbPath as user uid and returns what it said
// when it stopped, failing the test unless it stopped as a start-up failure (exit 1).
// As root it runs the test binary (copied into top, where uid may run it) as uid;
// otherwise it runs serve in-process, as this user.
func serveAs(t *testing.T, top string, uid, gid int, dbPath string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		_, _, err := runCmd(clock.Stopped(start), servingEnv(dbPath), "serve")
		if err == nil || errors.Is(err, errUsage) {
			t.Fatalf("serve: %v; want a start-up failure (exit 1)", err)
		}
		t.Logf("serve said: %v", err)
		return err.Error()
	}
	self := filepath.Join(top, "referralbot.test")
	if _, err := os.Stat(self); err != nil {
		copyFile(t, os.Args[0], self, 0o755)
	}
	cmd := exec.Command(self, "-test.run=^$")
	cmd.Env = []string{"REFERRALBOT_CHILD=serve", "LOG_FORMAT=json", "PATH=/usr/bin:/bin"}
	for k, v := range servingEnv(dbPath) {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("serve as user %d: %v\n%s\nwant exit status 1", uid, err, &errOut)
	}
	t.Logf("serve as user %d said: %s", uid, &errOut)
	return errOut.String()
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
