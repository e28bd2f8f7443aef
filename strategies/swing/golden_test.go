package swing_test

import (
	"testing"

	"github.com/bt-backtest/bt/backtest/bttest"
	"github.com/bt-backtest/bt/internal/sampletest"
	"github.com/bt-backtest/bt/strategies/swing"
)

// TestGoldenOct2025 pins the swing trader's default behaviour on the ten sample perpetuals in
// October 2025 (which holds the 10 October crash), isolated and cross.
// Regenerate with go test -update.
func TestGoldenOct2025(t *testing.T) {
	bttest.Run(t, bttest.Case{
		Name:     "swing-2025-10",
		Strategy: swing.New,
		Source:   sampletest.Source(nil, "2025-10-01", "2025-11-01"),
	})
}
