package backtest

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/bt-backtest/bt/backtest/margin"
)

// TestLegFloatsAgree runs the chaos traders (isolated, cross and mixed accounts, one-way and
// hedge mode, with liquidations and funding) with refreshLeg comparing the ledger's float
// shadows (margin.LegFloats: quantity, isolated wallet, isolated liquidation price) with the
// floats of the Decimals PositionOf and LegLiquidationPrice give, bit for bit, at every
// refresh (a difference panics).
func TestLegFloatsAgree(t *testing.T) {
	symbols := []string{"AAA", "BBB", "CCC"}
	defer func() { checkLegFloats = false }()
	checkLegFloats, legFloatsChecked = true, 0
	var switches atomic.Int64
	for seed := uint64(1); seed <= 3; seed++ {
		k, m, f := market(seed, symbols, 300)
		if _, err := Run(context.Background(), chaosConfig(symbols, false), newChaos, NewSliceSource(symbols, Batches(k, m, f))); err != nil {
			t.Fatal(err)
		}
		cfg := chaosConfig(symbols, false)
		cfg.PositionMode = margin.Hedge
		if _, err := Run(context.Background(), cfg, func() Strategy { return &hedgeChaos{n: map[string]int{}, switches: &switches} },
			NewSliceSource(symbols, Batches(k, m, f))); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d isolated liquidation prices compared", legFloatsChecked)
	if legFloatsChecked < 1000 {
		t.Fatalf("only %d isolated liquidation prices compared: the test is void", legFloatsChecked)
	}
}
