package reports

import (
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
)

// In hedge mode each leg of a symbol has its own liquidation-price line, labelled with the
// leg; one-way positions keep the unlabelled line. The LONG leg's line holds its own points
// (liquidation price 90, then closed: 0), never the SHORT leg's (110).
func TestHedgeLegLines(t *testing.T) {
	res := &backtest.AccountResult{Name: "isolated", LiqPrices: []backtest.LiqPricePoint{
		{Time: 1, Symbol: "BTCUSDT", Side: margin.Long, Isolated: true, Qty: 1, LiqPrice: 90},
		{Time: 1, Symbol: "BTCUSDT", Side: margin.Short, Isolated: true, Qty: -1, LiqPrice: 110},
		{Time: 2, Symbol: "BTCUSDT", Side: margin.Long, Isolated: true, Qty: 0},
		{Time: 1, Symbol: "ETHUSDT", Isolated: true, Qty: 1, LiqPrice: 2000},
	}}
	a := account{label: "isolated", res: res}
	ls := lpLines(a, "BTCUSDT")
	if len(ls) != 2 || ls[0].label != "isolated LONG liquidation price" || ls[1].label != "isolated SHORT liquidation price" {
		t.Fatalf("lines %+v", ls)
	}
	if len(ls[0].v) != 2 || ls[0].v[0] != 90 || ls[0].v[1] != 0 || len(ls[1].v) != 1 || ls[1].v[0] != 110 {
		t.Errorf("LONG %v, SHORT %v", ls[0].v, ls[1].v)
	}
	if ls := lpLines(a, "ETHUSDT"); len(ls) != 1 || ls[0].label != "isolated liquidation price" {
		t.Errorf("one-way line %+v", ls)
	}
}
