package grid_test

import (
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/bttest"
	"github.com/bt-backtest/bt/internal/sampletest"
	"github.com/bt-backtest/bt/strategies/grid"
)

// TestGoldenOct2025 pins the grid bot's defaults on BTCUSDT in the sample's October 2025,
// isolated and cross. Regenerate with go test -update.
func TestGoldenOct2025(t *testing.T) {
	bttest.Run(t, bttest.Case{
		Name:     "grid-2025-10",
		Strategy: grid.New,
		Config:   backtest.Config{DefaultLeverage: 5}, // the grid's former default leverage parameter
		Source:   sampletest.Source([]string{"BTCUSDT"}, "2025-10-01", "2025-11-01"),
	})
}
