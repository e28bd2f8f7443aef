package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReport(t *testing.T) {
	_, dir := fixtureRun(t, "--no-report")
	if _, err := os.Stat(filepath.Join(dir, "report.html")); err == nil {
		t.Fatal("--no-report wrote report.html")
	}
	out, _ := mustBT(t, 0, "report", dir)
	if !strings.Contains(out, filepath.Join(dir, "report.html")) {
		t.Errorf("output: %s", out)
	}
	if fi, err := os.Stat(filepath.Join(dir, "report.html")); err != nil || fi.Size() < 1000 {
		t.Fatalf("report.html: %v", err)
	}
	// re-rendered from the artifacts, the trades show the run's leverage (trades.csv), not "—"
	if page := readFile(t, filepath.Join(dir, "report.html")); !strings.Contains(page, `,"20×",`) || strings.Contains(page, `,"—",`) {
		t.Error("re-rendered report lacks the trades' leverage 20×")
	}

	// Two runs: a comparison, by default inside the first run directory.
	dir2 := filepath.Join(t.TempDir(), "other")
	mustBT(t, 0, "run", "-c", filepath.Join(dir, "config.resolved.yaml"), "--mode", "isolated", "--out", dir2, "--no-report")
	out, _ = mustBT(t, 0, "report", dir, dir2)
	// the metrics and their differences on the terminal too: the isolated account is in both
	// runs (the second ran isolated only), differences of fractions in percentage points
	if !strings.Contains(out, "isolated account") || !strings.Contains(out, "Δ other − ") || !strings.Contains(out, " pp") {
		t.Errorf("bt report A B printed no comparison:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "compare-other", "report.html")); err != nil {
		t.Errorf("comparison report: %v", err)
	}
	out = filepath.Join(t.TempDir(), "cmp")
	mustBT(t, 0, "report", dir, dir2, "--out", out)
	if _, err := os.Stat(filepath.Join(out, "report.html")); err != nil {
		t.Errorf("comparison report with --out: %v", err)
	}
}

func TestReportNotARun(t *testing.T) {
	code, _, errs := bt(t, "report", t.TempDir())
	if code != 2 || !strings.Contains(errs, "manifest.json") {
		t.Errorf("exit %d, stderr %s", code, errs)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// bt report A B on two runs of different strategies, and on the same strategy at two
// leverages; bt report A B C compares three (issue 16, "Done when").
func TestReportCompareStrategiesAndLeverages(t *testing.T) {
	store, dir := fixtureRun(t, "--no-report") // hodl at 20×
	tmp := t.TempDir()
	grid := filepath.Join(tmp, "grid")
	mustBT(t, 0, "run", "--data", store, "--strategy", "grid", "--leverage", "20", "--out", grid, "--no-report")
	lev5 := filepath.Join(tmp, "lev5")
	mustBT(t, 0, "run", "--data", store, "--strategy", "hodl", "--out", lev5, "--set", "strategy.params.every=12", "--leverage", "5",
		"--set", "strategy.params.amount=500", "--no-report")

	out, _ := mustBT(t, 0, "report", dir, grid)
	if !strings.Contains(out, "Δ grid − run1") || !strings.Contains(out, "cross account") {
		t.Errorf("bt report hodl grid printed:\n%s", out)
	}
	page := readFile(t, filepath.Join(dir, "compare-grid", "report.html"))
	for _, want := range []string{"bt report: run1 vs grid", "<td>hodl", "<td>grid", `id="chart-r1-diff"`, `id="chart-r2-diff"`} {
		if !strings.Contains(page, want) {
			t.Errorf("strategies comparison lacks %q", want)
		}
	}

	out, _ = mustBT(t, 0, "report", dir, lev5)
	if !strings.Contains(out, "Δ lev5 − run1") {
		t.Errorf("bt report at two leverages printed:\n%s", out)
	}
	page = readFile(t, filepath.Join(dir, "compare-lev5", "report.html"))
	for _, want := range []string{"<tr><th>leverage</th><td>20×</td></tr>", "<tr><th>leverage</th><td>5×</td></tr>", `,"5×",`, `,"20×",`} {
		if !strings.Contains(page, want) {
			t.Errorf("leverage comparison lacks %q", want)
		}
	}

	out, _ = mustBT(t, 0, "report", dir, grid, lev5)
	if !strings.Contains(out, "Δ grid − run1") || !strings.Contains(out, "Δ lev5 − run1") {
		t.Errorf("bt report A B C printed:\n%s", out)
	}
	if page := readFile(t, filepath.Join(dir, "compare-grid-lev5", "report.html")); !strings.Contains(page, "bt report: run1 vs grid vs lev5") {
		t.Error("three-run comparison page missing or mistitled")
	}
}
