package clock_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/referralbot/referralbot/internal/clock"
)

func TestManualMovesOnlyWhenTold(t *testing.T) {
	at := time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)
	c := clock.NewManual(at)
	if got := c.Now(); !got.Equal(at) {
		t.Fatalf("Now() = %v; want %v", got, at)
	}
	c.Advance(36 * time.Hour)
	if got, want := c.Now(), at.Add(36*time.Hour); !got.Equal(want) {
		t.Errorf("after Advance(36h): Now() = %v; want %v", got, want)
	}
	c.Set(at)
	if got := c.Now(); !got.Equal(at) {
		t.Errorf("after Set: Now() = %v; want %v", got, at)
	}
}

// wallReaders are the time functions that read the real clock.
var wallReaders = map[string]bool{"Now": true, "Since": true, "Until": true}

// TestOnlyTheClockReadsTheWallClock fails when code outside this package reads
// the real clock (time.Now, time.Since, time.Until). Tests are exempt only where
// they sign a Slack request, which Slack checks against real time: they call
// clock.Wall like everyone else, so this covers them too.
func TestOnlyTheClockReadsTheWallClock(t *testing.T) {
	root := filepath.Join("..", "..")
	home, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var found []string
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			if abs, _ := filepath.Abs(path); abs == home {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		checked++
		timePkg := ""
		for _, imp := range f.Imports {
			if strings.Trim(imp.Path.Value, `"`) == "time" {
				timePkg = "time"
				if imp.Name != nil {
					timePkg = imp.Name.Name
				}
			}
		}
		if timePkg == "" {
			return nil
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == timePkg && wallReaders[sel.Sel.Name] {
				found = append(found, fset.Position(sel.Pos()).String()+": time."+sel.Sel.Name)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Fatalf("checked %d Go files; the walk did not find the module", checked)
	}
	for _, f := range found {
		t.Errorf("%s reads the wall clock; take the injected clock (or clock.Wall, only to sign a Slack request)", f)
	}
}
