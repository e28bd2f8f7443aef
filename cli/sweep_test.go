package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bt sweep, merge and report through the command line: exit codes, refusals with nothing
// written, and a sharded run merged to the unsharded bytes.
func TestSweepCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a small sweep")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "sweep.yaml")
	write := func(s string) {
		if err := os.WriteFile(file, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("base: {strategy: {name: swing}, timerange: {start: 2025-10-01, end: 2025-10-08}, symbols: [BTCUSDT, ETHUSDT]}\ngrid:\n  leverage.defualt: [3, 10]\n")
	out := filepath.Join(dir, "out")
	_, errs := mustBT(t, 2, "sweep", "-c", file, "--out", out)
	if !strings.Contains(errs, "sweep.yaml:3: grid.leverage.defualt: unknown key") {
		t.Errorf("stderr %q", errs)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a refused sweep wrote its output directory")
	}
	write("base: {strategy: {name: swing}, timerange: {start: 2025-10-01, end: 2025-10-08}, symbols: [BTCUSDT, ETHUSDT]}\ngrid:\n  strategy.params.fast: [12, 24]\n  leverage.default: [3, 10, 20]\n  margin.mode: [isolated, cross]\n")
	mustBT(t, 2, "sweep", "-c", file, "--out", out, "--shard", "2/2")
	stdout, _ := mustBT(t, 0, "sweep", "-c", file, "--out", out)
	if !strings.Contains(stdout, "6 of 6 configurations, 12 rows") {
		t.Errorf("stdout %q", stdout)
	}
	s0, s1 := filepath.Join(dir, "s0"), filepath.Join(dir, "s1")
	mustBT(t, 0, "sweep", "-c", file, "--out", s0, "--shard", "0/2")
	mustBT(t, 0, "sweep", "-c", file, "--out", s1, "--shard", "1/2")
	_, errs = mustBT(t, 2, "sweep", "merge", "--out", filepath.Join(dir, "m"), s1)
	if !strings.Contains(errs, "missing shard 0/2 of 2: nothing merged") {
		t.Errorf("merge of one shard: %q", errs)
	}
	merged := filepath.Join(dir, "merged")
	mustBT(t, 0, "sweep", "merge", "--out", merged, s1, s0)
	for _, f := range []string{"results.parquet", "results.csv", "equity.parquet", "equity.csv", "sweep.json", "sweep.html"} {
		a, _ := os.ReadFile(filepath.Join(out, f))
		b, _ := os.ReadFile(filepath.Join(merged, f))
		if len(a) == 0 || string(a) != string(b) {
			t.Errorf("%s: merged differs from the unsharded sweep", f)
		}
	}
	if _, err := os.Stat(filepath.Join(s0, "sweep.html")); err == nil {
		t.Error("a shard wrote sweep.html: only a whole sweep or a merge has a page")
	}
	png := filepath.Join(dir, "h.png")
	mustBT(t, 2, "sweep", "report", out, "--x", "leverage.default", "--y", "leverage.default", "--metric", "final_equity", "--out", png)
	mustBT(t, 0, "sweep", "report", out, "--x", "leverage.default", "--y", "strategy.params.fast", "--metric", "final_equity", "--out", png)
	if b, err := os.ReadFile(png); err != nil || !strings.HasPrefix(string(b), "\x89PNG") {
		t.Errorf("heatmap: %v", err)
	}
	page, err := os.ReadFile(filepath.Join(out, "sweep.html"))
	if err != nil || !strings.Contains(string(page), "final_equity · leverage.default × strategy.params.fast") {
		t.Errorf("bt sweep report did not rewrite sweep.html with its heatmap (%v)", err)
	}
	// a heatmap bt sweep report left in the directory does not stop a rerun of the sweep into it
	mustBT(t, 0, "sweep", "report", out, "--x", "leverage.default", "--y", "strategy.params.fast", "--metric", "liquidations")
	if _, err := os.Stat(filepath.Join(out, "heatmap-liquidations-leverage.default-strategy.params.fast.png")); err != nil {
		t.Error(err)
	}
	mustBT(t, 0, "sweep", "-c", file, "--out", out)
}
