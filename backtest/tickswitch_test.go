package backtest

import (
	"testing"

	"github.com/shopspring/decimal"
)

// A tick that changes during the run applies from its date to the order path's own
// conversions too (the symbol's price memo, pxMemo, reads the tick again after a rules
// switch). BTCUSDT's tick is 0.01 until 2022-02-15 and 0.1 from 2022-02-16 (the embedded
// dated filters; TestFiltersByDateAndGrid runs each day alone). One run over both days, the
// price flat at 43,000.05, no fees, no slippage:
//   - a market buy of 0.01 placed at bar 0 (2022-02-15 00:00) arrives at bar 1's open,
//     43,000.05, on the 0.01 grid: it fills there (and the memo reads the 0.01 tick);
//   - a market buy of 0.01 placed at bar 30 (2022-02-16 06:00) arrives at bar 31's open,
//     43,000.05, which is off the 0.1 grid: a buy is rounded up, 43,000.05 / 0.1 = 430,000.5
//     ticks -> 430,001 ticks = 43,000.1. With the 0.01 tick kept from the first day it was
//     43,000.05 (not a multiple of the tick in force: refused, or filled off the grid).
//
// The position then holds 0.02 at the average entry (430.0005 + 430.001)/0.02 = 43,000.075.
func TestTickSwitchReachesThePriceMemo(t *testing.T) {
	zero := decimal.Zero
	cfg := Config{Wallet: d("100000"), MakerFee: &zero, TakerFee: &zero, NoFundingFallback: true}
	var quads [][4]float64
	for range 48 { // 2022-02-15 00:00 .. 02-16 23:00, hourly
		quads = append(quads, [4]float64{43000.05, 43000.05, 43000.05, 43000.05})
	}
	src := NewSliceSource([]string{"BTCUSDT"}, Batches(OHLC("BTCUSDT", 1644883200000, hr, quads...), nil, nil))
	res := run(t, cfg, src, func() Strategy {
		return &script{at: map[int][]Order{0: {buy("BTCUSDT", "0.01")}, 30: {buy("BTCUSDT", "0.01")}}}
	})
	for _, a := range res.Accounts {
		if len(a.Rejects) != 0 || len(a.Fills) != 2 {
			t.Fatalf("%s: rejects %v, fills %v; want two fills", a.Name, a.Rejects, a.Fills)
		}
		eqDec(t, a.Name+" fill on 2022-02-15 (tick 0.01)", a.Fills[0].Price, "43000.05")
		eqDec(t, a.Name+" fill on 2022-02-16 (tick 0.1)", a.Fills[1].Price, "43000.1")
		if got := a.Fills[1].Price; got.Exponent() != -1 {
			t.Errorf("%s: second fill's price %s has exponent %d, want -1 (the 0.1 grid's)", a.Name, got, got.Exponent())
		}
	}
}
