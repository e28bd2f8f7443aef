package sweep

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/reports/metrics"
)

func TestShardRange(t *testing.T) {
	// every (n, N): the slices are contiguous, disjoint, cover [0, n), differ by at most one
	for n := 0; n <= 40; n++ {
		for count := 1; count <= 12; count++ {
			next, lo, hi := 0, n, 0
			for i := range count {
				a, b := Shard{i, count}.Range(n)
				if a != next || b < a {
					t.Fatalf("n=%d N=%d shard %d: [%d, %d), want to start at %d", n, count, i, a, b, next)
				}
				next = b
				lo, hi = min(lo, b-a), max(hi, b-a)
			}
			if next != n || hi-lo > 1 {
				t.Fatalf("n=%d N=%d: covers [0, %d), sizes %d..%d", n, count, next, lo, hi)
			}
		}
	}
	// pinned: 12 configurations in 3 shards are 4 each, in 5 shards 2,2,3,2,3
	var sizes []string
	for i := range 5 {
		a, b := Shard{i, 5}.Range(12)
		sizes = append(sizes, fmt.Sprint(b-a))
	}
	if got := strings.Join(sizes, ","); got != "2,2,3,2,3" {
		t.Errorf("sizes %s", got)
	}
}

func TestParseShard(t *testing.T) {
	if sh, err := ParseShard(" 2/3 "); err != nil || sh != (Shard{2, 3}) {
		t.Errorf("2/3: %v %v", sh, err)
	}
	for _, tc := range []struct{ in, want string }{
		{"3/3", "shard index 3 is out of range: shards of 3 are numbered 0 to 2"},
		{"-1/3", "out of range"},
		{"0/0", "count must be ≥ 1"},
		{"1", "want i/N"},
		{"a/b", "whole numbers"},
	} {
		if _, err := ParseShard(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.in, err, tc.want)
		}
	}
}

// fakeRun stands in for the engine: a configuration's "result" is derived from its settings.
func fakeRun(c Config) ConfigResult {
	var h float64
	for _, a := range c.Set {
		for _, ch := range a.Value {
			h = h*31 + float64(ch)
		}
	}
	r := ConfigResult{Config: c}
	for k, name := range []string{"isolated", "cross"} {
		md := 0.1 + float64(k)/7
		s := metrics.AccountSummary{FinalEquity: 10000 + float64(int64(h)%997) + float64(k)*0.1, MaxDrawdown: md,
			Sharpe: 1.0 / 3, Liquidations: k + int(h)%3, Ruined: k == 1 && int(h)%2 == 0, Fingerprint: fmt.Sprintf("fp-%s-%s", c.ID, name)}
		if k == 1 {
			s.MinDistanceSurvived = &md // null for isolated
		}
		r.Accounts = append(r.Accounts, AccountResult{Name: name, Summary: s,
			Daily: []Point{{Time: 1756684800000, Equity: 10000}, {Time: 1756771200000, Equity: s.FinalEquity, Drawdown: md}}})
	}
	r.Delta = metrics.DeltaOf(r.Accounts[0].Summary.Metrics(), r.Accounts[1].Summary.Metrics())
	return r
}

// runShard is what bt sweep --shard does, minus the engine.
func runShard(t *testing.T, s *Spec, sh Shard, dir string) {
	t.Helper()
	cfgs, err := s.Expand()
	if err != nil {
		t.Fatal(err)
	}
	m := Manifest{Sweep: SweepID(s.Base, s.ModeNames(), cfgs), Version: "test", Shard: sh, Accounts: s.ModeNames(), Keys: s.KeyColumns(), Configs: cfgs}
	var rs []ConfigResult
	for _, c := range sh.Of(cfgs) {
		rs = append(rs, fakeRun(c))
	}
	o, err := Assemble(m, rs)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Write(dir); err != nil {
		t.Fatal(err)
	}
}

func readAll(t *testing.T, dirs ...string) []*Output {
	t.Helper()
	var outs []*Output
	for _, d := range dirs {
		o, err := Read(d)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, o)
	}
	return outs
}

func sameFiles(t *testing.T, a, b string) {
	t.Helper()
	for _, f := range []string{ResultsParquet, ResultsCSV, EquityParquet, EquityCSV, ManifestFile} {
		x, err1 := os.ReadFile(filepath.Join(a, f))
		y, err2 := os.ReadFile(filepath.Join(b, f))
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between %s and %s", f, a, b)
		}
	}
}

func TestMergeSameBytes(t *testing.T) {
	s := mustParse(t, grid223)
	tmp := t.TempDir()
	whole := filepath.Join(tmp, "whole")
	runShard(t, s, All, whole)
	again := filepath.Join(tmp, "again")
	runShard(t, s, All, again)
	sameFiles(t, whole, again) // deterministic writer

	csv, _ := os.ReadFile(filepath.Join(whole, ResultsCSV))
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	if len(lines) != 1+24 {
		t.Fatalf("%d CSV lines, want a header and 12 configurations × 2 accounts", len(lines))
	}
	head := lines[0]
	for _, col := range []string{"config,strategy.params.fast,strategy.params.slow,leverage.default,account,final_equity,", ",fingerprint,delta.final_equity,"} {
		if !strings.Contains(head, col) {
			t.Errorf("header %q lacks %q", head, col)
		}
	}
	// the null min distance of the isolated row is an empty cell; the values round-trip
	if !strings.Contains(lines[1], ",24,288,3,isolated,") || !strings.Contains(lines[1], ",0.3333333333333333,") {
		t.Errorf("first row %q", lines[1])
	}

	for _, count := range []int{2, 3} {
		var dirs []string
		for i := count - 1; i >= 0; i-- { // any order
			d := filepath.Join(tmp, fmt.Sprintf("s%d-%d", count, i))
			runShard(t, s, Shard{i, count}, d)
			dirs = append(dirs, d)
		}
		m, err := Merge(dirs, readAll(t, dirs...))
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(tmp, fmt.Sprintf("merged%d", count))
		if err := m.Write(out); err != nil {
			t.Fatal(err)
		}
		sameFiles(t, whole, out)
	}
	// the unsharded output read back is the same table
	o := readAll(t, whole)[0]
	if len(o.Results.Rows) != 24 || len(o.Equity.Rows) != 48 {
		t.Errorf("read back %d results rows, %d equity rows", len(o.Results.Rows), len(o.Equity.Rows))
	}
}

func TestMergeRefuses(t *testing.T) {
	s := mustParse(t, grid223)
	other := mustParse(t, strings.Replace(grid223, "[3, 10, 20]", "[3, 10, 25]", 1))
	tmp := t.TempDir()
	d := func(name string) string { return filepath.Join(tmp, name) }
	runShard(t, s, Shard{0, 3}, d("a0"))
	runShard(t, s, Shard{1, 3}, d("a1"))
	runShard(t, s, Shard{2, 3}, d("a2"))
	runShard(t, other, Shard{2, 3}, d("b2"))
	runShard(t, s, Shard{1, 2}, d("c1"))
	for _, tc := range []struct {
		dirs []string
		want string
	}{
		{[]string{d("a0"), d("a1"), d("b2")}, "b2: a shard of a different sweep"},
		{[]string{d("a0"), d("a2")}, "missing shard 1/3 of 3: nothing merged"},
		{[]string{d("a0"), d("a1"), d("a1"), d("a2")}, "a1: shard 1/3 is given twice (also " + d("a1") + ")"},
		{[]string{d("a0"), d("c1")}, "shard 1/2, but " + d("a0") + " is shard 0/3"},
		{nil, "no shard directories"},
	} {
		_, err := Merge(tc.dirs, readAll(t, tc.dirs...))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("merge %v: %v, want %q", tc.dirs, err, tc.want)
		}
	}
	// a shard whose table is not its slice (a table copied from another shard)
	x := readAll(t, d("a0"), d("a1"), d("a2"))
	x[1].Results = x[0].Results
	if _, err := Merge([]string{"a0", "a1", "a2"}, x); err == nil || !strings.Contains(err.Error(), "a1: results.parquet holds configurations") {
		t.Errorf("wrong slice: %v", err)
	}
	// a directory without sweep.json
	if _, err := Read(tmp); err == nil || !strings.Contains(err.Error(), "not a sweep directory") {
		t.Errorf("read: %v", err)
	}
	// a version mismatch
	x = readAll(t, d("a0"), d("a1"), d("a2"))
	x[2].Manifest.Version = "v9"
	if _, err := Merge([]string{"a0", "a1", "a2"}, x); err == nil || !strings.Contains(err.Error(), "different bt versions") {
		t.Errorf("versions: %v", err)
	}
}

func TestTableRefusesMisfits(t *testing.T) {
	tb := &Table{Columns: []Column{{Name: "a", Type: TypeInt}}, Rows: [][]any{{1.5}}}
	if _, err := tb.EncodeParquet(); err == nil || !strings.Contains(err.Error(), "row 1, column a: float64 does not fit a int64 column") {
		t.Errorf("misfit: %v", err)
	}
	tb.Rows = [][]any{{nil}}
	if _, err := tb.EncodeCSV(); err == nil {
		t.Error("null in a required column accepted")
	}
}
