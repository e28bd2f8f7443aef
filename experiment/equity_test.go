package experiment

import (
	"os"
	"slices"
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/reports"
	"github.com/bt-backtest/bt/reports/metrics"
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

// The points handed to the accounts' goroutines reach the statistics, the chart sampler and
// the equity writer complete and in order: the same as feeding them directly, including the
// last, partial batch, whether they come one by one (Add) or in blocks (AddBlock, of sizes
// that straddle the batches).
func TestEquityHandOffFeedsEverything(t *testing.T) {
	const n = 3*handoffBatch + 17
	for _, block := range []int{0, 1, 128, 300, n} { // 0: Add
		s := newEquityStreams(t.TempDir(), n, 0)
		sink := s.sink("cross").(*equityStream)
		direct := metrics.NewEquityStats(n)
		sampler := reports.NewCurveSampler()
		var pts []backtest.EquityPoint
		for i := range n {
			p := backtest.EquityPoint{Time: int64(i+1) * 60_000, Equity: 100 + float64(i%97) - float64(i%13), MarginRatio: float64(i%89) / 100}
			pts = append(pts, p)
			direct.Add(p)
			sampler.Add(p)
		}
		for i := 0; i < n; {
			var err error
			if block == 0 {
				err = sink.Add(pts[i])
				i++
			} else {
				j := min(i+block, n)
				err = sink.AddBlock(pts[i:j])
				i = j
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := s.finish(); err != nil {
			t.Fatal(err)
		}
		a := s.accts["cross"]
		if a.stats.Len() != n || a.curve.Len() != n || a.w.Len() != n {
			t.Fatalf("blocks of %d: fed %d stats, %d sampler, %d writer points, want %d", block, a.stats.Len(), a.curve.Len(), a.w.Len(), n)
		}
		if a.stats.Last() != direct.Last() || a.stats.MaxDrawdown() != direct.MaxDrawdown() || a.stats.MarginRatioP95() != direct.MarginRatioP95() {
			t.Errorf("blocks of %d: statistics differ from feeding directly", block)
		}
		if !slices.Equal(a.curve.Points(), sampler.Points()) {
			t.Errorf("blocks of %d: chart points differ from feeding directly", block)
		}
		s.abort()
	}
}
