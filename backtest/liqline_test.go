package backtest

import (
	"math"
	"testing"
)

// LiqPrices: a position's liquidation price is recorded at its ledger events only — the
// opening fill and the close (liquidation or exit) — not per bar, and equals the ledger's at
// the event (the isolated one is the liquidation's own price).
func TestLiqPricesAtEvents(t *testing.T) {
	bars := OHLC("AAA", t0, hr,
		[4]float64{100, 100.5, 99.5, 100},
		[4]float64{100, 100.4, 99.6, 100}, // quiet bars: no event, no point
		[4]float64{100, 100.3, 99.7, 100},
		[4]float64{100, 101, 85, 88}, // isolated liquidated; cross survives
		[4]float64{88, 89, 87, 88},
	)
	// the quiet bars 1 and 2 record nothing: points only at the fills
	res := run(t, testConfig("AAA"), NewSliceSource([]string{"AAA"}, Batches(bars, nil, nil)), func() Strategy {
		return &script{at: map[int][]Order{0: {buy("AAA", "10")}, 3: {sell("AAA", "10")}}}
	})
	iso := acctByName(t, res, "isolated")
	if len(iso.Liquidations) != 1 {
		t.Fatalf("%d isolated liquidations, want 1", len(iso.Liquidations))
	}
	l := iso.Liquidations[0]
	// the script's sell at bar 3 opens a short in the liquidated isolated account: a third point
	if len(iso.LiqPrices) != 3 || iso.LiqPrices[2].Qty != -10 || iso.LiqPrices[2].LiqPrice <= 88 {
		t.Fatalf("isolated: %d points %+v, want 3 (open, liquidated, the short)", len(iso.LiqPrices), iso.LiqPrices)
	}
	open, closed := iso.LiqPrices[0], iso.LiqPrices[1]
	if open.Time != iso.Trades[0].EntryTime || !open.Isolated || open.Qty != 10 || open.Entry != iso.Trades[0].EntryPrice.InexactFloat64() {
		t.Errorf("opening point %+v, trade %+v", open, iso.Trades[0])
	}
	if lp := l.Price.InexactFloat64(); math.Abs(open.LiqPrice-lp) > 0.01 { // the fill is rounded to the tick
		t.Errorf("isolated liquidation price at entry %v, the liquidation's %v", open.LiqPrice, lp)
	}
	if open.Wallet <= 0 || open.MaintMargin <= 0 || open.Mark <= 0 {
		t.Errorf("opening point without margin: %+v", open)
	}
	if closed.Time != l.Time || closed.Qty != 0 || closed.LiqPrice != 0 {
		t.Errorf("closing point %+v, liquidation at %d", closed, l.Time)
	}
	// cross: the 1,000 USDT wallet backs the 1,000 USDT position, so no liquidation price (0)
	cross := acctByName(t, res, "cross")
	if len(cross.LiqPrices) != 2 || cross.LiqPrices[0].Isolated || cross.LiqPrices[0].LiqPrice != 0 || cross.LiqPrices[0].Qty != 10 ||
		cross.LiqPrices[1].Qty != 0 || cross.LiqPrices[1].Time != cross.Trades[0].ExitTime {
		t.Errorf("cross points %+v", cross.LiqPrices)
	}
}
