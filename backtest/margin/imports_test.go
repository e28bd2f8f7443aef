package margin

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Package margin imports only the standard library, shopspring/decimal and the exact
// decimal fast paths it shares with the engine (internal/exact, itself standard
// library + decimal only): margin stays independent of the engine, it never imports package
// backtest or anything else of this module. Its non-test code reads no clock, global random
// source or environment.
func TestImports(t *testing.T) {
	const exactPkg = "github.com/bt-backtest/bt/internal/exact"
	checkImports(t, ".", exactPkg)
	checkImports(t, "../../internal/exact", "")
}

// checkImports checks the non-test files of dir: the standard library, shopspring/decimal and
// exactPkg (when not "") only; no clock, global random source or environment.
func checkImports(t *testing.T, dir, exactPkg string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no Go files in %s", dir)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range f.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			if strings.Contains(strings.SplitN(p, "/", 2)[0], ".") && p != "github.com/shopspring/decimal" && p != exactPkg {
				t.Errorf("%s imports %s", name, p)
			}
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"time.Now(", "rand.", "os.Getenv", "go func"} {
			if strings.Contains(string(src), bad) {
				t.Errorf("%s contains %q", name, bad)
			}
		}
	}
}
