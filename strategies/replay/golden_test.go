package replay_test

import (
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/bttest"
	"github.com/bt-backtest/bt/internal/sampletest"
	"github.com/bt-backtest/bt/strategies/replay"
)

// TestGoldenJune2025 replays testdata/trades.csv (BTC and ETH trades of early June 2025) on
// the sample, isolated and cross. Regenerate with go test -update.
func TestGoldenJune2025(t *testing.T) {
	bttest.Run(t, bttest.Case{
		Name:     "replay-2025-06",
		Strategy: replay.New,
		Source:   sampletest.Source([]string{"BTCUSDT", "ETHUSDT"}, "2025-06-01", "2025-06-08"),
		Config:   backtest.Config{Params: map[string]string{"file": "testdata/trades.csv"}},
	})
}
