package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/bt-backtest/bt/reports/artifact"
	"github.com/bt-backtest/bt/reports/metrics"
)

// bt run streams the equity curves (nothing per bar kept in memory), yet its summary.json is
// exactly the summary of the run directory read back in full, its equity files hold one point
// per kline close, and no temporary file is left beside the run directory.
func TestRunStreamedEquityMatchesReadBack(t *testing.T) {
	_, dir := fixtureRun(t)
	run, err := artifact.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range run.Result.Accounts {
		if len(a.Equity) < 300 {
			t.Fatalf("%s: %d equity points read back", a.Name, len(a.Equity))
		}
	}
	sum := metrics.Summarize(run.Result)
	sum.Leverage = map[string]int{"BTCUSDT": 20, "ETHUSDT": 20} // --leverage 20: bt run adds it
	want, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.TrimSpace(got), want) {
		t.Errorf("summary.json differs from the summary of the files read back:\n got %s\nwant %s", got, want)
	}
	ents, _ := os.ReadDir(filepath.Dir(dir))
	for _, e := range ents {
		if e.Name() != "run1" && e.Name() != "store" {
			t.Errorf("left beside the run directory: %s", e.Name())
		}
	}
}
