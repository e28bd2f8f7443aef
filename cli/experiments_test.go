package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/strategies"
)

// TestExperiments runs every shipped experiment (experiments/*.yaml) on the embedded sample.
func TestExperiments(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(repoRoot(t), "experiments", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{ // experiment -> accounts it must produce
		"both-mixed": {"isolated", "cross", "majors-isolated"},
	}
	seen := map[string]bool{}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out, _ := mustBT(t, 0, "run", "-c", f, "--out", filepath.Join(t.TempDir(), name), "--no-report", "--json")
			var doc runOutput
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("bt run --json: %v\n%s", err, out)
			}
			accounts := want[name]
			if accounts == nil {
				accounts = []string{"isolated", "cross"}
			}
			for _, a := range accounts {
				if _, ok := doc.Summary.Accounts[a]; !ok {
					t.Errorf("no %s account in %v", a, doc.Summary.Accounts)
				}
			}
			if len(doc.Summary.Accounts) != len(accounts) {
				t.Errorf("%d accounts, want %d", len(doc.Summary.Accounts), len(accounts))
			}
			trades := 0
			for _, a := range doc.Summary.Accounts {
				trades += a.Trades
			}
			if trades == 0 {
				t.Errorf("the experiment made no trade: it shows nothing")
			}
		})
	}
	// One experiment per reference strategy, plus the mixed-margin and the hedge-mode ones.
	for _, s := range []string{"swing", "hodl", "scalper", "grid", "replay", "both-mixed", "replay-hedge"} {
		if !seen[s] {
			t.Errorf("experiments/%s.yaml is missing", s)
		}
	}
}

// TestDefaultRun is what make demo does: bt run without arguments on the embedded sample.
func TestDefaultRun(t *testing.T) {
	if testing.Short() {
		t.Skip("full-sample run in -short mode")
	}
	dir := filepath.Join(t.TempDir(), "demo")
	out, _ := mustBT(t, 0, "run", "--out", dir)
	if !strings.Contains(out, strategies.Default+" on ") {
		t.Errorf("output:\n%s", out)
	}
	for _, f := range []string{"report.html", "summary.json", "manifest.json", "config.resolved.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if !strings.Contains(string(b), "sample:") {
		t.Errorf("manifest does not list the embedded sample files:\n%.500s", b)
	}
}
