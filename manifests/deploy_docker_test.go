package manifests

import (
	"bytes"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// {INSTRUCTION, arguments} with continuation lines joined.
type dockerStage struct {
	from         string
	instructions [][2]string
}

type dockerfile []dockerStage

func loadDockerfile(t *testing.T) dockerfile {
	t.Helper()
	raw, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var d dockerfile
	var line string
	for _, l := range strings.Split(string(raw), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue // Docker skips these inside continuations too
		}
		if s, ok := strings.CutSuffix(l, `\`); ok {
			line += s + " "
			continue
		}
		instr, args, _ := strings.Cut(line+l, " ")
		line = ""
		switch instr = strings.ToUpper(instr); {
		case instr == "FROM":
			d = append(d, dockerStage{from: strings.TrimSpace(args)})
		case len(d) > 0: // an ARG before the first FROM belongs to no stage
			d[len(d)-1].instructions = append(d[len(d)-1].instructions, [2]string{instr, strings.TrimSpace(args)})
		}
	}
	if len(d) == 0 {
		t.Fatal("Dockerfile has no FROM")
	}
	return d
}

func (d dockerfile) final() dockerStage { return d[len(d)-1] }

// build returns the stage that runs go build, and that command's words.
func (d dockerfile) build(t *testing.T) (dockerStage, []string) {
	t.Helper()
	for _, s := range d {
		for _, in := range s.instructions {
			if _, cmd, ok := strings.Cut(in[1], "go build "); ok && in[0] == "RUN" {
				return s, append([]string{"build"}, shellWords(cmd)...)
			}
		}
	}
	t.Fatal("no RUN go build in the Dockerfile")
	return dockerStage{}, nil
}

// last returns the arguments of the stage's last instr, or "".
func (s dockerStage) last(instr string) string {
	for _, in := range slices.Backward(s.instructions) {
		if in[0] == instr {
			return in[1]
		}
	}
	return ""
}

// env returns what the stage's ENV instructions set (the key=value form).
func (s dockerStage) env() map[string]string {
	env := map[string]string{}
	for _, in := range s.instructions {
		if in[0] == "ENV" {
			for _, kv := range shellWords(in[1]) {
				if k, v, ok := strings.Cut(kv, "="); ok {
					env[k] = v
				}
			}
		}
	}
	return env
}

// shellWords splits s as a shell would, for the quoting a Dockerfile RUN uses.
func shellWords(s string) []string {
	var words []string
	var w strings.Builder
	inWord := false
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			w.WriteRune(r)
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words, inWord = append(words, w.String()), false
				w.Reset()
			}
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words
}

func TestDockerfileMatchesTheCode(t *testing.T) {
	d := loadDockerfile(t)
	build, words := d.build(t)
	final := d.final()
	user, _, _ := strings.Cut(final.last("USER"), ":")
	volume := strings.Trim(final.last("VOLUME"), `[]" `)
	ignore, _ := os.ReadFile("../.dockerignore")
	ignored := strings.Fields(string(ignore))
	tests := []struct {
		what string
		got  any
		want any
	}{
		{"two or more FROM stages", len(d) >= 2, true},
		{"build stage ENV CGO_ENABLED (SQLite is cgo)", build.env()["CGO_ENABLED"], "1"},
		{"go build builds ./cmd/referralbot", slices.Contains(words, "./cmd/referralbot"), true},
		{"go build -trimpath", slices.Contains(words, "-trimpath"), true},
		{"final USER is not root", user != "" && user != "root" && user != "0", true},
		{"ENTRYPOINT", final.last("ENTRYPOINT"), `["/referralbot"]`},
		{"CMD", final.last("CMD"), `["serve"]`},
		{"DATABASE_PATH is in the VOLUME", path.Dir(final.env()["DATABASE_PATH"]), volume},
		{".dockerignore leaves out .git", slices.Contains(ignored, ".git"), true},
		{".dockerignore leaves out databases", slices.Contains(ignored, "*.db"), true},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %v; want %v", tt.what, tt.got, tt.want)
		}
	}
	code := codeSettings(t)
	for _, name := range slices.Sorted(maps.Keys(final.env())) {
		if _, ok := code[name]; !ok {
			t.Errorf("final stage sets ENV %s; want only settings app.Config reads", name)
		}
	}
}

// staticCheck returns the build stage's RUN that checks the binary go build wrote, and
// that binary's path: the RUN after go build that reads the binary with readelf.
func (d dockerfile) staticCheck(t *testing.T) (check, bin string) {
	t.Helper()
	stage, words := d.build(t)
	i := slices.Index(words, "-o")
	if i < 0 || i+1 >= len(words) {
		t.Fatalf("go %v has no -o; want the binary's path", words)
	}
	bin = words[i+1]
	built := false
	for _, in := range stage.instructions {
		switch {
		case in[0] != "RUN":
		case strings.Contains(in[1], "go build "):
			built = true
		case built && strings.Contains(in[1], "readelf") && strings.Contains(in[1], bin):
			return in[1], bin
		}
	}
	t.Fatalf("the build stage has no RUN after go build that checks %s with readelf", bin)
	return "", ""
}

// The image cannot be built here (no Docker engine), and building the serving binary with
// the Dockerfile's flags would compile the standard library, every dependency and SQLite
// again beside the race detector's build, doubling a cold CI run (issue 13). So the build
// stage refuses a binary that distroless/static cannot run, and this test runs that very
// check on small binaries: it must pass a static one that prints the usage, and refuse one
// with a program interpreter, one that needs shared libraries, and one that does not run.
func TestDockerfileChecksTheBinaryIsStatic(t *testing.T) {
	for _, tool := range []string{"gcc", "readelf", "sh"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("no %s on PATH: the Dockerfile's static-binary check needs it (install gcc and binutils)", tool)
		}
	}
	d := loadDockerfile(t)
	check, out := d.staticCheck(t)
	_, words := d.build(t)
	ldflags, tags := "", ""
	if i := slices.Index(words, "-ldflags"); i >= 0 && i+1 < len(words) {
		ldflags = words[i+1]
	}
	if i := slices.Index(words, "-tags"); i >= 0 && i+1 < len(words) {
		tags = words[i+1]
	}
	// Static glibc is safe only when nothing needs it at run time (docs/DEPLOY.md).
	for _, want := range []string{"-linkmode external", "-extldflags -static"} {
		if !strings.Contains(ldflags, want) {
			t.Errorf("go build -ldflags %q; want %s (a static binary)", ldflags, want)
		}
	}
	for _, want := range []string{"netgo", "osusergo", "sqlite_omit_load_extension"} {
		if !slices.Contains(strings.Split(tags, ","), want) {
			t.Errorf("go build -tags %q; want %s (no NSS, no dlopen in a static binary)", tags, want)
		}
	}

	dir := t.TempDir()
	cc := func(name, src string, flags ...string) string {
		t.Helper()
		c, bin := filepath.Join(dir, name+".c"), filepath.Join(dir, name)
		if err := os.WriteFile(c, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("gcc", append(flags, "-o", bin, c)...).CombinedOutput(); err != nil {
			t.Fatalf("gcc %v %s: %v\n%s", flags, name, err, out)
		}
		return bin
	}
	const usage = `#include <stdio.h>
int main(void) { puts("usage: referralbot <command>"); return 0; }
`
	tests := []struct {
		name string
		bin  string
		want string // "" when the check must pass; else what it must say when it fails
	}{
		{"static, prints its usage", cc("static", usage, "-static"), ""},
		{"dynamic", cc("dynamic", usage), "program interpreter"},
		{"shared library", cc("shared", usage, "-shared", "-fPIC"), "needs shared libraries"},
		{"static, help fails", cc("fails", "int main(void) { return 2; }\n", "-static"), "help failed"},
		{"static, no usage", cc("silent", "int main(void) { return 0; }\n", "-static"), "printed no usage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := exec.Command("sh", "-c", strings.ReplaceAll(check, out, tt.bin)).CombinedOutput()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("the Dockerfile's check refused a static binary: %v\n%s", err, got)
			case tt.want != "" && err == nil:
				t.Errorf("the Dockerfile's check passed; want it to fail with %q", tt.want)
			case tt.want != "" && !bytes.Contains(got, []byte(tt.want)):
				t.Errorf("the Dockerfile's check said %q; want %q", got, tt.want)
			}
		})
	}
}
