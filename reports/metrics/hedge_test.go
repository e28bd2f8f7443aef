package metrics

import (
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/shopspring/decimal"
)

// A hedge-mode cross liquidation closes both legs of a symbol at one time: each liquidation is
// linked to its own leg's trade (the LONG one's qty 10, the SHORT one's 4), not both to the
// first trade of the symbol at that time.
func TestLinkLiquidationsHedgeLegs(t *testing.T) {
	d := decimal.RequireFromString
	tr := func(ps margin.PositionSide, side backtest.Side, qty string) backtest.Trade {
		return backtest.Trade{Symbol: "AAA", PositionSide: ps, Side: side, EntryTime: 1, ExitTime: 2, Qty: d(qty), Liquidated: true}
	}
	cross := &backtest.AccountResult{Name: CrossName,
		Trades: []backtest.Trade{tr(margin.Long, backtest.Buy, "10"), tr(margin.Short, backtest.Sell, "4")},
		Liquidations: []margin.Liquidation{
			{Time: 2, Symbol: "AAA", Side: margin.Long, Mode: margin.Cross, Qty: d("10")},
			{Time: 2, Symbol: "AAA", Side: margin.Short, Mode: margin.Cross, Qty: d("-4")},
		}}
	links := LinkLiquidations(&backtest.AccountResult{Name: IsolatedName}, cross)
	if len(links) != 2 {
		t.Fatalf("%d links", len(links))
	}
	for _, l := range links {
		if l.Trade.PositionSide != l.Liq.Side {
			t.Errorf("the %s liquidation is linked to the %s trade", l.Liq.Side, l.Trade.PositionSide)
		}
	}
}
