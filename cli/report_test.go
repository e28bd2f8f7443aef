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
