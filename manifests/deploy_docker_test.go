package manifests

import (
	"bytes"
	"debug/elf"
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

// The image cannot be built here (no Docker engine), so this runs the Dockerfile's
// own go build command and checks what the distroless static image relies on: a
// binary with no dynamic loader and no shared libraries, that runs.
func TestDockerfileBuildMakesAStaticBinary(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("no go command on PATH")
	}
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Fatal("no gcc: cgo cannot build SQLite (install gcc)")
	}
	_, args := loadDockerfile(t).build(t)
	bin := filepath.Join(t.TempDir(), "referralbot")
	i := slices.Index(args, "-o")
	if i < 0 || i+1 >= len(args) {
		t.Fatalf("go %v has no -o; want the binary's path", args)
	}
	args[i+1] = bin
	cmd := exec.Command(goCmd, args...)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	} else if len(bytes.TrimSpace(out)) > 0 {
		t.Logf("go build said:\n%s", out) // static glibc warns here if something still needs it at run time
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("binary has a program interpreter; want a static binary (distroless/static has no libc)")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("binary needs shared libraries %v; want none", libs)
	}
	out, err := exec.Command(bin, "help").CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("usage: referralbot")) {
		t.Errorf("referralbot help = %v, %q; want the usage text", err, out)
	}
}
