package bot_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/referralbot/referralbot/bot"
)

func TestLoadRosterExample(t *testing.T) {
	r, err := bot.LoadRoster(filepath.Join("..", "testdata", "roster.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(r.Offices), len(bot.DefaultOffices()); got != want {
		t.Errorf("offices = %d; want %d", got, want)
	}
	if !r.IsAnalyst("U0123ANALYST") || r.IsAnalyst("U0789DEPUTY") {
		t.Errorf("analysts = %v", r.Analysts)
	}
	if o, _ := r.Office("policy"); o.UserGroup != "S06POLICY" || len(o.Users) != 1 {
		t.Errorf("policy = %+v", o)
	}
}

func TestLoadRosterBad(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"duplicate code", "offices:\n- {code: army, name: Army}\n- {code: army, name: Army 2}\n", "used twice"},
		{"upper-case code", "offices:\n- {code: Army, name: Army}\n", "lowercase"},
		{"reserved code", "offices:\n- {code: dtsa, name: DTSA}\n", "reserved"},
		{"no name", "offices:\n- {code: army}\n", "name must be"},
		{"not yaml", "offices: [", "parse roster"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "roster.yaml")
			if err := os.WriteFile(path, []byte(tt.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := bot.LoadRoster(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadRoster error = %v; want it to mention %q", err, tt.want)
			}
		})
	}
}
