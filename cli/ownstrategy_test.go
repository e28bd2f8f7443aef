package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/internal/testenv"
)

// TestOwnStrategyModule builds examples/own-strategy (its own Go module, bt through a replace
// directive) and drives the resulting bt with the module's breakout strategy through bt's
// commands: strategies lists it, run runs it on two weeks of the embedded sample, check
// compares the run with itself and report renders it.
func TestOwnStrategyModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a separate Go module in -short mode")
	}
	goTool := testenv.Program(t, "install Go (https://go.dev/dl/)", "go")
	mod := filepath.Join(testenv.RepoRoot(t), "examples", "own-strategy")
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "mybt")
	build := exec.Command(goTool, "build", "-o", bin, ".")
	build.Dir = mod
	build.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build in examples/own-strategy: %v\n%s", err, out)
	}
	mybt := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("mybt %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	if out := mybt("strategies"); !strings.Contains(out, "breakout: Donchian breakout") || !strings.Contains(out, "swing (default)") {
		t.Errorf("mybt strategies lacks the module's strategy or bt's own:\n%s", out)
	}
	dir := filepath.Join(tmp, "run")
	out := mybt("run", "--strategy", "breakout", "--symbols", "BTCUSDT", "--start", "2025-10-01", "--end", "2025-10-15",
		"--set", "strategy.params.period=12", "--out", dir, "--no-report", "--json")
	var doc struct {
		Strategy string `json:"strategy"`
		Summary  struct {
			Accounts map[string]struct {
				Trades int `json:"trades"`
			} `json:"accounts"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("mybt run --json: %v\n%s", err, out)
	}
	if doc.Strategy != "breakout" || doc.Summary.Accounts["isolated"].Trades == 0 {
		t.Errorf("mybt run: strategy %q, accounts %+v (want breakout with trades)", doc.Strategy, doc.Summary.Accounts)
	}
	mybt("check", dir, "--baseline", dir)
	if out := mybt("report", dir); !strings.Contains(out, "report.html") {
		t.Errorf("mybt report: %s", out)
	}
}
