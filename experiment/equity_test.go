package experiment

import (
	"os"
	"testing"

	"github.com/bt-backtest/bt/backtest"
)

// A run that fails leaves no temporary equity file behind.
func TestRunFailureLeavesNoEquityFiles(t *testing.T) {
	tmp := t.TempDir()
	s := newEquityStreams(tmp, 10, 0)
	for _, n := range []string{"isolated", "cross"} {
		if err := s.sink(n).Add(backtest.EquityPoint{Time: 60_000, Equity: 1}); err != nil {
			t.Fatal(err)
		}
	}
	s.abort()
	ents, _ := os.ReadDir(tmp)
	if len(ents) != 0 {
		t.Errorf("left behind: %v", ents)
	}
}
