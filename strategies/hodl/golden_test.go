package hodl_test

import (
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/bttest"
	"github.com/bt-backtest/bt/internal/sampletest"
	"github.com/bt-backtest/bt/strategies/hodl"
)

// TestGoldenOct2025 pins daily 100 USDT DCA into BTCUSDT at 10x (the defaults) and at 25x on
// the sample's October 2025, isolated and cross. Regenerate with go test -update.
func TestGoldenOct2025(t *testing.T) {
	src := sampletest.Source([]string{"BTCUSDT"}, "2025-10-01", "2025-11-01")
	bttest.Run(t, bttest.Case{Name: "hodl-2025-10", Strategy: hodl.New, Source: src})
	bttest.Run(t, bttest.Case{Name: "hodl-25x-2025-10", Strategy: hodl.New, Source: src,
		Config: backtest.Config{DefaultLeverage: 25, Params: map[string]string{"amount": "500"}}})
}
