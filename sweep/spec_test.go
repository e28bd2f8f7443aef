package sweep

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const grid223 = `
base: {strategy: {name: swing}, timerange: {start: 2025-09-01, end: 2025-10-01}}
grid:
  strategy.params.fast: [24, 72]
  strategy.params.slow: [288, 576]
  leverage.default: [3, 10, 20]
  margin.mode: [isolated, cross]
`

func mustParse(t *testing.T, src string) *Spec {
	t.Helper()
	s, err := Parse("sweep.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestExpandGrid(t *testing.T) {
	s := mustParse(t, grid223)
	cfgs, err := s.Expand()
	if err != nil {
		t.Fatal(err)
	}
	if len(cfgs) != 12 {
		t.Fatalf("%d configurations, want 2×2×3 = 12 (margin.mode is the accounts, not a dimension)", len(cfgs))
	}
	if got := s.ModeNames(); !slices.Equal(got, []string{"isolated", "cross"}) {
		t.Errorf("modes %v", got)
	}
	if got := s.Keys(); !slices.Equal(got, []string{"strategy.params.fast", "strategy.params.slow", "leverage.default"}) {
		t.Errorf("keys %v", got)
	}
	// nested loops in file order, the last key fastest
	want := [][3]string{{"24", "288", "3"}, {"24", "288", "10"}, {"24", "288", "20"}, {"24", "576", "3"}}
	for i, w := range want {
		c := cfgs[i]
		if c.Index != i || c.Set[0].Text != w[0] || c.Set[1].Text != w[1] || c.Set[2].Text != w[2] {
			t.Errorf("configuration %d = %+v, want %v", i, c, w)
		}
	}
	if last := cfgs[11].Set; last[0].Text != "72" || last[1].Text != "576" || last[2].Text != "20" {
		t.Errorf("last configuration %+v", last)
	}
	ids := map[string]bool{}
	for _, c := range cfgs {
		if len(c.ID) != 12 || ids[c.ID] {
			t.Errorf("id %q not 12 hex digits or repeated", c.ID)
		}
		ids[c.ID] = true
	}
	// the id depends on the settings only: another file with the keys in another order and
	// other layout gives the same id to the same settings
	s2 := mustParse(t, "grid:\n  leverage.default: [10]   # comment\n  strategy.params.slow: [288]\n  strategy.params.fast: [ 24 ]\n")
	c2, _ := s2.Expand()
	if c2[0].ID != cfgs[1].ID {
		t.Errorf("same settings, ids %s and %s", c2[0].ID, cfgs[1].ID)
	}
	// pinned: ids must not change between versions (they name rows in tables people keep)
	if cfgs[0].ID != ConfigID([]Assignment{{Key: "strategy.params.fast", Value: "24"}, {Key: "strategy.params.slow", Value: "288"}, {Key: "leverage.default", Value: "3"}}) {
		t.Error("id is not the hash of the key=value list")
	}
	cols := s.KeyColumns()
	for _, c := range cols {
		if c.Type != TypeInt {
			t.Errorf("column %s: type %s, want int64", c.Name, c.Type)
		}
	}
}

func TestValueTypes(t *testing.T) {
	s := mustParse(t, `grid:
  a: [1, 2.5]
  b: [true, false]
  c: ["24", 24]
  d: [[BTCUSDT], [BTCUSDT, ETHUSDT]]
  e: [x, 1]
`)
	cols := s.KeyColumns()
	want := []string{TypeDouble, TypeBool, TypeString, TypeString, TypeString}
	for i, c := range cols {
		if c.Type != want[i] {
			t.Errorf("%s: %s, want %s", c.Name, c.Type, want[i])
		}
	}
	// a quoted "24" stays a string for the experiment; a list keeps its shape on one line
	if v := s.Grid[2].Values[0].YAML; v != `"24"` {
		t.Errorf(`"24" canonical %s`, v)
	}
	if v := s.Grid[3].Values[1].YAML; v != "[BTCUSDT, ETHUSDT]" {
		t.Errorf("list canonical %s", v)
	}
}

func TestRandom(t *testing.T) {
	src := func(seed string) string {
		return `random:
  n: 20
  seed: ` + seed + `
  space:
    strategy.params.fast: {int: [5, 100]}
    costs.slippage_bps: {float: [0, 5]}
    strategy.params.size: {log: [0.01, 0.5]}
    leverage.default: {choice: [3, 10, 20]}
grid:
  margin.mode: [cross]
`
	}
	a, _ := mustParse(t, src("1")).Expand()
	b, _ := mustParse(t, src("1")).Expand()
	c, _ := mustParse(t, src("2")).Expand()
	if len(a) != 20 || !slices.EqualFunc(a, b, func(x, y Config) bool { return x.ID == y.ID }) {
		t.Fatal("same seed, different configurations")
	}
	if slices.EqualFunc(a, c, func(x, y Config) bool { return x.ID == y.ID }) {
		t.Fatal("different seeds, same configurations")
	}
	for _, cf := range a {
		f := cf.Set[0].Text
		if n, err := parseNumber(f); err != nil || n < 5 || n > 100 || strings.Contains(f, ".") {
			t.Errorf("fast %s outside int [5, 100]", f)
		}
		if n, _ := parseNumber(cf.Set[2].Text); n < 0.01 || n > 0.5 {
			t.Errorf("size %s outside [0.01, 0.5]", cf.Set[2].Text)
		}
		if !slices.Contains([]string{"3", "10", "20"}, cf.Set[3].Text) {
			t.Errorf("leverage %s not a choice", cf.Set[3].Text)
		}
	}
	// grid × random: grid outermost
	g, err := mustParse(t, "grid: {leverage.default: [3, 10]}\nrandom: {n: 3, seed: 5, space: {strategy.params.fast: {int: [1, 50]}}}\n").Expand()
	if err != nil || len(g) != 6 || g[0].Set[0].Text != "3" || g[3].Set[0].Text != "10" || g[0].Set[1] != g[3].Set[1] {
		t.Errorf("grid × random: %v %+v", err, g)
	}
	// too many configurations
	_, err = mustParse(t, "grid: {a: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], b: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], c: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}\nrandom: {n: 1001, seed: 1, space: {d: {int: [1, 100000]}}}\n").Expand()
	if err == nil || !strings.Contains(err.Error(), "more than 1000000 configurations") {
		t.Errorf("huge sweep: %v", err)
	}
	// a space smaller than n
	_, err = mustParse(t, "random: {n: 5, seed: 1, space: {leverage.default: {choice: [3, 10]}}}\n").Expand()
	if err == nil || !strings.Contains(err.Error(), "too small") {
		t.Errorf("small space: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ name, src, want string }{
		{"empty file", "", "empty sweep file"},
		{"nothing swept", "base: {seed: 1}\n", "nothing to sweep"},
		{"empty grid", "grid: {}\n", "sweep.yaml:1: grid: an empty grid"},
		{"empty values", "grid:\n  leverage.default: []\n", "sweep.yaml:2: grid.leverage.default: an empty list"},
		{"scalar values", "grid:\n  leverage.default: 3\n", "want a list of values"},
		{"duplicate value", "grid:\n  leverage.default: [3, 3]\n", "value 3 listed twice"},
		{"bad mode", "grid:\n  margin.mode: [both]\n", "want isolated or cross"},
		{"bad path", "grid:\n  strategy..fast: [1]\n", "an empty key in the path"},
		{"output swept", "grid:\n  output.dir: [a, b]\n", "not a swept key"},
		{"unknown top key", "base: {}\ngrids:\n  a: [1]\n", "sweep.yaml:2: grids: unknown key"},
		{"missing base", "base: nope.yaml\ngrid: {a: [1]}\n", "cannot read the base experiment"},
		{"random without seed", "random: {n: 3, space: {a: {int: [1, 9]}}}\n", "random.seed: missing: a random search needs a seed"},
		{"random without n", "random: {seed: 1, space: {a: {int: [1, 9]}}}\n", "random.n: missing"},
		{"random empty space", "random: {n: 2, seed: 1, space: {}}\n", "an empty space"},
		{"random bad kind", "random: {n: 2, seed: 1, space: {a: {normal: [1, 9]}}}\n", `"normal": want one of`},
		{"random reversed", "random: {n: 2, seed: 1, space: {a: {int: [9, 1]}}}\n", "hi below lo"},
		{"random log zero", "random: {n: 2, seed: 1, space: {a: {log: [0, 1]}}}\n", "lo > 0"},
		{"random int fraction", "random: {n: 2, seed: 1, space: {a: {int: [0.5, 3]}}}\n", "whole numbers"},
		{"random mode", "random: {n: 2, seed: 1, space: {margin.mode: {choice: [isolated, cross]}}}\n", "put margin.mode in grid"},
		{"key in both", "grid: {a: [1]}\nrandom: {n: 2, seed: 1, space: {a: {int: [1, 9]}}}\n", "also in grid"},
		{"not a mapping", "- a\n", "a sweep file is a YAML mapping"},
		{"invalid yaml", "grid: [\n", "invalid YAML"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(filepath.Join(dir, "sweep.yaml"), []byte(tc.src))
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			msg := strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "")
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q, want it to contain %q", msg, tc.want)
			}
		})
	}
}

func TestBaseFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "exp.yaml"), []byte("seed: 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Parse(filepath.Join(dir, "sweep.yaml"), []byte("base: exp.yaml\ngrid: {seed: [1, 2]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.BasePath != filepath.Join(dir, "exp.yaml") || string(s.Base) != "seed: 3\n" {
		t.Errorf("base %q %q: want the file next to the sweep file", s.BasePath, s.Base)
	}
	if s.Line("grid.seed") != 2 || s.SpecKey("seed") != "grid.seed" {
		t.Errorf("line %d key %s", s.Line("grid.seed"), s.SpecKey("seed"))
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(grid223))
	f.Add([]byte("random: {n: 3, seed: 1, space: {a: {int: [1, 9]}, b: {choice: [x, y]}}}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		s, err := Parse("", src)
		if err != nil {
			return
		}
		if s.Random != nil && s.Random.N > 1000 {
			return
		}
		cfgs, err := s.Expand()
		if err != nil {
			return
		}
		for i, c := range cfgs {
			if c.Index != i || len(c.Set) != len(s.Keys()) {
				t.Fatalf("configuration %d: %+v", i, c)
			}
		}
	})
}
