package scalper_test

import (
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/bttest"
	"github.com/bt-backtest/bt/internal/sampletest"
	"github.com/bt-backtest/bt/strategies/scalper"
)

// TestGoldenOct2025 pins the scalper's defaults on BTCUSDT 1h bars of the sample's October
// 2025, isolated and cross. Regenerate with go test -update.
func TestGoldenOct2025(t *testing.T) {
	bttest.Run(t, bttest.Case{
		Name:     "scalper-2025-10",
		Strategy: scalper.New,
		Config:   backtest.Config{DefaultLeverage: 20}, // the scalper's former default leverage parameter
		Source:   sampletest.Source([]string{"BTCUSDT"}, "2025-10-01", "2025-11-01"),
	})
}
