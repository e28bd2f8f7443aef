package bt_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// The house's import rules: dependencies point inward. Each layer lists the packages of this
// module it may import (by path prefix, relative to the module); anything else of the module is
// forbidden. The rules cover every Go file of a package, its tests included: a test that needs
// data goes through a helper outside the layer only when the rule allows it (strategies' golden
// tests use internal/sampletest, which only test files may import). Packages outside every
// layer (cmd/…, the root, notebooks, and the packages that assemble the others into
// experiments) may import anything. Imports from outside the module are not restricted here,
// except for backtest and backtest/margin (TestImports in lint_test.go: the standard library
// and shopspring/decimal only).
var layers = []struct {
	name     string
	dirs     []string // the layer's directories, as path prefixes
	allowed  []string // module packages it may import, as path prefixes
	testOnly []string // module packages only its test files may import
	why      string
}{
	{
		name: "core",
		dirs: []string{"backtest"},
		// internal/exact: the exact decimal fast paths (standard library + decimal only, by
		// TestImports), beneath every layer
		allowed: []string{"backtest", "internal/exact"},
		// The test environment (shared data, CI) is for tests only.
		testOnly: []string{"internal/testenv"},
		why:      "the core imports no data format, strategy, report or CLI package",
	},
	{
		name:     "strategies",
		dirs:     []string{"strategies"},
		allowed:  []string{"backtest", "strategies", "internal/exact"},
		testOnly: []string{"internal/testenv", "internal/sampletest"},
		why:      "strategies import no data, report or CLI package (golden tests get the sample through internal/sampletest)",
	},
	{
		name:     "data",
		dirs:     []string{"data"},
		allowed:  []string{"backtest", "data"},
		testOnly: []string{"internal/testenv"},
		why:      "data imports no strategy, report or CLI package",
	},
	{
		name:     "reports",
		dirs:     []string{"reports"},
		allowed:  []string{"backtest", "data", "reports"},
		testOnly: []string{"internal/testenv"},
		why:      "reports import no strategy or CLI package",
	},
	{
		name:    "test helpers",
		dirs:    []string{"internal/sampletest", "internal/testenv"},
		allowed: []string{"backtest", "data"},
		why:     "test helpers stand on the core and data only",
	},
}

// testHelpers may be imported only by test files, wherever they are.
var testHelpers = []string{"internal/sampletest"}

// under reports whether rel (a module-relative package path) is prefix or lies below it.
func under(rel, prefix string) bool {
	return rel == prefix || strings.HasPrefix(rel, prefix+"/")
}

// importViolation returns why a file in directory dir (module-relative; a test file if test)
// may not import path, or "" when it may.
func importViolation(dir string, test bool, path string) string {
	rel, ok := strings.CutPrefix(path, module+"/")
	if !ok {
		return "" // the standard library or another module
	}
	for _, h := range testHelpers {
		if under(rel, h) && !test {
			return fmt.Sprintf("%s is a test helper: only _test.go files may import it", rel)
		}
	}
	for _, l := range layers {
		if !slices.ContainsFunc(l.dirs, func(d string) bool { return under(dir, d) }) {
			continue
		}
		if slices.ContainsFunc(l.allowed, func(p string) bool { return under(rel, p) }) {
			return ""
		}
		if test && slices.ContainsFunc(l.testOnly, func(p string) bool { return under(rel, p) }) {
			return ""
		}
		return fmt.Sprintf("%s (%s layer) may not import %s: %s", dir, l.name, rel, l.why)
	}
	return ""
}

// TestImportRules checks every import of every Go file of the repository against the layers.
func TestImportRules(t *testing.T) {
	seen := map[string]int{}
	for _, gf := range parseRepo(t) {
		for _, l := range layers {
			if slices.ContainsFunc(l.dirs, func(d string) bool { return under(gf.dir, d) }) {
				seen[l.name]++
			}
		}
		for _, p := range importsOf(gf.f) {
			if why := importViolation(gf.dir, gf.test, p); why != "" {
				t.Errorf("%s: %s", gf.path, why)
			}
		}
	}
	for _, l := range layers {
		if seen[l.name] == 0 {
			t.Errorf("no Go files found in the %s layer %v: are the directories right?", l.name, l.dirs)
		}
	}
}

// TestImportRulesCatch shows the rules refuse what they are for and allow the rest.
func TestImportRulesCatch(t *testing.T) {
	m := module + "/"
	for _, c := range []struct {
		dir  string
		test bool
		path string
		bad  bool
	}{
		{"backtest", false, m + "backtest/margin", false},
		{"backtest", false, "github.com/shopspring/decimal", false},
		{"backtest", false, m + "data/parquet", true},
		{"backtest", true, m + "data/sample", true}, // tests included
		{"backtest", false, m + "strategies/swing", true},
		{"backtest/margin", false, m + "reports/metrics", true},
		{"backtest/bttest", false, m + "cmd/bt", true},
		{"backtest", false, m + "experiment", true},
		{"backtest", true, m + "internal/testenv", false},
		{"backtest", false, m + "internal/testenv", true},
		{"strategies/swing", false, m + "backtest", false},
		{"strategies/swing", false, m + "strategies/indicator", false},
		{"strategies/swing", false, m + "data", true},
		{"strategies/swing", true, m + "data/parquet", true},
		{"strategies/swing", false, m + "reports", true},
		{"strategies/swing", true, m + "internal/sampletest", false},
		{"strategies/swing", false, m + "internal/sampletest", true},
		{"data/parquet", false, m + "backtest", false},
		{"data/parquet", true, m + "data/sample", false},
		{"data/parquet", false, m + "strategies", true},
		{"data/synth", true, m + "reports/metrics", true},
		{"reports/metrics", false, m + "backtest/margin", false},
		{"reports", false, m + "strategies/replay", true},
		{"reports/artifact", true, m + "strategies", true},
		{"internal/sampletest", false, m + "data/sample", false},
		{"internal/sampletest", false, m + "strategies", true},
		{"cmd/bt", false, m + "strategies", false},
		{"cmd/bt", false, m + "internal/sampletest", true},
		{"notebooks", true, m + "internal/sampletest", false},
	} {
		got := importViolation(c.dir, c.test, c.path)
		if (got != "") != c.bad {
			t.Errorf("%s (test %v) importing %s: violation %q, want violation %v", c.dir, c.test, c.path, got, c.bad)
		}
	}
}
