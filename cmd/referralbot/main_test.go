package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/referralbot/referralbot/internal/clock"
	"github.com/referralbot/referralbot/store"
)

func TestRunUnknownCommand(t *testing.T) {
	t.Parallel()
	_, errOut, err := runCmd(clock.Stopped(start), environ{}, "frobnicate")
	if err == nil || !strings.Contains(err.Error(), "unknown command") || !strings.Contains(errOut, "usage:") {
		t.Errorf("run(frobnicate) = %v, stderr %q; want a usage error", err, errOut)
	}
}

func TestBackupCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := environ{"DATABASE_PATH": dir + "/bot.db"}
	if _, _, err := runCmd(clock.Stopped(start), env, "backup"); !errors.Is(err, errUsage) {
		t.Errorf("backup without a path: %v; want a usage error (exit 2)", err)
	}
	if _, _, err := runCmd(clock.Stopped(start), env, "backup", dir+"/copy.db"); err == nil || !strings.Contains(err.Error(), "bot.db") {
		t.Errorf("backup of a missing database: %v", err)
	}
	db, err := store.Open(context.Background(), dir+"/bot.db", clock.Stopped(start))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	out, _, err := runCmd(clock.Stopped(start), env, "backup", dir+"/copy.db")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "backed up") {
		t.Errorf("output = %q", out)
	}
	if _, err := os.Stat(dir + "/copy.db"); err != nil {
		t.Error(err)
	}
}

// TestServingBinaryLinksNoLab checks that the serving binary leaves the lab out:
// the Slack emulator, the sandbox, net/http/httptest and the benchmarks are linked
// only by their own commands and by tests.
func TestServingBinaryLinksNoLab(t *testing.T) {
	t.Parallel()
	deps := goListDeps(t, ".")
	for _, pkg := range []string{
		"github.com/referralbot/referralbot/internal/slackfake",
		"github.com/referralbot/referralbot/internal/sandbox",
		"net/http/httptest",
	} {
		if deps[pkg] {
			t.Errorf("referralbot links %s", pkg)
		}
	}
	if !deps["github.com/referralbot/referralbot/internal/app"] {
		t.Errorf("go list -deps found no internal/app; the check is not looking at the right binary")
	}
}

// goListDeps is the set of packages `go list -deps` names for the package in dir.
func goListDeps(t *testing.T, dir string) map[string]bool {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", dir)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", dir, err)
	}
	deps := map[string]bool{}
	for _, line := range strings.Fields(string(out)) {
		deps[line] = true
	}
	return deps
}
