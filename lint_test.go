package bt_test

import (
	"fmt"
	"go/ast"
	"go/build/constraint"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/bt-backtest/bt"

// goFile is one parsed Go file of the repository.
type goFile struct {
	path string // slash-separated, relative to the repo root
	dir  string
	test bool
	f    *ast.File
	fset *token.FileSet
}

// parseRepo parses every Go file of the repository (skipping testdata, hidden directories and
// files excluded by a //go:build ignore line) with comments.
func parseRepo(t *testing.T) []goFile {
	t.Helper()
	var files []goFile
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return nil
		}
		if ignored(f) {
			return nil
		}
		p := filepath.ToSlash(path)
		files = append(files, goFile{path: p, dir: filepath.ToSlash(filepath.Dir(path)), test: strings.HasSuffix(name, "_test.go"), f: f, fset: fset})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// ignored reports whether f carries a //go:build line that excludes it from every build
// (//go:build ignore).
func ignored(f *ast.File) bool {
	for _, cg := range f.Comments {
		if cg.Pos() > f.Package {
			break
		}
		for _, c := range cg.List {
			if constraint.IsGoBuild(c.Text) {
				expr, err := constraint.Parse(c.Text)
				if err == nil && !expr.Eval(func(tag string) bool { return tag != "ignore" }) {
					return true
				}
			}
		}
	}
	return false
}

// TestPackageDocs: every package has exactly one package doc comment, in doc.go
// (tailscale's pkgdoc_test idea).
func TestPackageDocs(t *testing.T) {
	type pkg struct{ docs, files []string }
	pkgs := map[string]*pkg{}
	for _, gf := range parseRepo(t) {
		if gf.test {
			continue
		}
		key := gf.dir + " (package " + gf.f.Name.Name + ")"
		p := pkgs[key]
		if p == nil {
			p = &pkg{}
			pkgs[key] = p
		}
		p.files = append(p.files, gf.path)
		if gf.f.Doc != nil {
			p.docs = append(p.docs, gf.path)
		}
	}
	if len(pkgs) < 5 {
		t.Fatalf("found only %d packages: is the test running at the repo root?", len(pkgs))
	}
	keys := make([]string, 0, len(pkgs))
	for k := range pkgs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		p := pkgs[k]
		switch {
		case len(p.docs) == 0:
			t.Errorf("%s has no package doc comment (write it in doc.go)", k)
		case len(p.docs) > 1:
			t.Errorf("%s has %d package doc comments, want one in doc.go: %v", k, len(p.docs), p.docs)
		case filepath.Base(p.docs[0]) != "doc.go":
			t.Errorf("%s has its package doc in %s, want doc.go", k, p.docs[0])
		}
	}
}

// importsOf returns the import paths of f.
func importsOf(f *ast.File) []string {
	var out []string
	for _, im := range f.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		out = append(out, p)
	}
	return out
}

func isStdlib(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// TestImports: the core depends on nothing but the standard library and shopspring/decimal
// (backtest may use backtest/margin; both use internal/exact, the exact decimal fast
// paths they share, which itself uses only the standard library and decimal, so margin stays
// independent of the engine); dependencies point inward (pebble's forbidden imports).
func TestImports(t *testing.T) {
	exact := module + "/internal/exact"
	allowed := map[string][]string{
		"backtest":        {"github.com/shopspring/decimal", module + "/backtest/margin", exact},
		"backtest/margin": {"github.com/shopspring/decimal", exact},
		"internal/exact":  {"github.com/shopspring/decimal"},
	}
	checked := map[string]int{}
	for _, gf := range parseRepo(t) {
		allow, ok := allowed[gf.dir]
		if !ok || gf.test {
			continue
		}
		checked[gf.dir]++
		for _, p := range importsOf(gf.f) {
			if isStdlib(p) || slices.Contains(allow, p) {
				continue
			}
			t.Errorf("%s imports %s: %s may import only the standard library and %v", gf.path, p, gf.dir, allow)
		}
	}
	for dir := range allowed {
		if checked[dir] == 0 {
			t.Errorf("no Go files found in %s", dir)
		}
	}
}

// TestDeterminismLint: nothing under backtest/ reads the wall clock or uses the global random
// generator outside tests (style guideline 8).
func TestDeterminismLint(t *testing.T) {
	checked := 0
	for _, gf := range parseRepo(t) {
		if gf.test || !(gf.dir == "backtest" || strings.HasPrefix(gf.dir, "backtest/")) {
			continue
		}
		checked++
		for _, msg := range determinismViolations(gf.fset, gf.f, gf.path) {
			t.Error(msg)
		}
	}
	if checked == 0 {
		t.Fatal("no non-test Go files under backtest/")
	}
}

// TestDeterminismLintCatches shows the lint finds what it is for.
func TestDeterminismLintCatches(t *testing.T) {
	const src = `package x

import (
	"math/rand"
	r2 "math/rand/v2"
	"time"
)

func f() {
	_ = time.Now()
	_ = rand.Intn(3)
	_ = r2.Float64()
	g := rand.New(rand.NewSource(1)) // seeded: fine
	_ = g.Intn(3)
	_ = time.Unix(0, 0) // not the clock: fine
}
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	got := determinismViolations(fset, f, "x.go")
	want := []string{"x.go:10: time.Now", "x.go:11: rand.Intn", "x.go:12: rand.Float64"}
	if len(got) != len(want) {
		t.Fatalf("violations %q, want %d", got, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w) {
			t.Errorf("violation %d = %q, want prefix %q", i, got[i], w)
		}
	}
}

// allowedRand lists what a seeded generator may use from math/rand and math/rand/v2:
// constructors and types. Everything else there is the global, unseeded generator.
var allowedRand = []string{"New", "NewSource", "NewPCG", "NewChaCha8", "NewZipf", "Rand", "Source", "PCG", "ChaCha8", "Zipf"}

// determinismViolations lists the wall-clock reads and global-random uses in f.
func determinismViolations(fset *token.FileSet, f *ast.File, path string) []string {
	var out []string
	local := map[string]string{} // local name -> import path
	for _, im := range f.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		name := p[strings.LastIndex(p, "/")+1:]
		if p == "math/rand/v2" {
			name = "rand"
		}
		if im.Name != nil {
			name = im.Name.Name
		}
		local[name] = p
	}
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		id, ok := sel.X.(*ast.Ident)
		if !ok || id.Obj != nil { // a local variable, not a package
			return true
		}
		line := fset.Position(sel.Pos()).Line
		switch local[id.Name] {
		case "time":
			if sel.Sel.Name == "Now" || sel.Sel.Name == "Since" || sel.Sel.Name == "Until" {
				out = append(out, fmt.Sprintf("%s:%d: time.%s reads the wall clock; times come from the data", path, line, sel.Sel.Name))
			}
		case "math/rand", "math/rand/v2":
			if !slices.Contains(allowedRand, sel.Sel.Name) {
				out = append(out, fmt.Sprintf("%s:%d: rand.%s uses the global generator; take a seeded *rand.Rand", path, line, sel.Sel.Name))
			}
		}
		return true
	})
	return out
}
