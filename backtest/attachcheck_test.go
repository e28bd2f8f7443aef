package backtest

import (
	"errors"
	"testing"

	"github.com/shopspring/decimal"
)

// Submit refuses an attached stop-loss or take-profit that is negative (ErrInvalidOrder) or on
// the wrong side of the reference price, the close 100 (ErrWouldTrigger: a buy's stop-loss
// at or above it, a buy's take-profit at or below it, a sell's the other way), each set alone
// and both together, and places the orders whose levels are on their sides.
func TestAttachedLevelsAtPlacement(t *testing.T) {
	mkt := func(side Side, sl, tp string) Order {
		o := Order{Symbol: "AAA", Side: side, Type: Market, Qty: d("1")}
		if sl != "" {
			o.StopLoss = d(sl)
		}
		if tp != "" {
			o.TakeProfit = d(tp)
		}
		return o
	}
	cases := []struct {
		o    Order
		want error // nil: placed
	}{
		{mkt(Buy, "-1", ""), ErrInvalidOrder},
		{mkt(Buy, "", "-1"), ErrInvalidOrder},
		{mkt(Sell, "-1", "120"), ErrInvalidOrder},
		{mkt(Sell, "120", "-1"), ErrInvalidOrder},
		{mkt(Buy, "101", ""), ErrWouldTrigger},
		{mkt(Buy, "100", ""), ErrWouldTrigger},
		{mkt(Buy, "", "99"), ErrWouldTrigger},
		{mkt(Buy, "", "100"), ErrWouldTrigger},
		{mkt(Sell, "99", ""), ErrWouldTrigger},
		{mkt(Sell, "", "101"), ErrWouldTrigger},
		{mkt(Buy, "90", "99"), ErrWouldTrigger},
		{mkt(Buy, "101", "110"), ErrWouldTrigger},
		{mkt(Sell, "110", "101"), ErrWouldTrigger},
		{mkt(Buy, "90", ""), nil},
		{mkt(Buy, "", "110"), nil},
		{mkt(Buy, "90", "110"), nil},
		{mkt(Sell, "110", ""), nil},
		{mkt(Sell, "", "90"), nil},
		{mkt(Sell, "110", "90"), nil},
		{Order{Symbol: "AAA", Side: Buy, Type: Limit, Qty: d("1"), Price: d("95"), StopLoss: d("96")}, ErrWouldTrigger},
		{Order{Symbol: "AAA", Side: Buy, Type: Limit, Qty: d("1"), Price: d("95"), StopLoss: d("94"), TakeProfit: decimal.Zero}, nil},
	}
	bars := OHLC("AAA", t0, hr, [4]float64{100, 100, 100, 100}, [4]float64{100, 100, 100, 100})
	errs := make([]error, len(cases))
	run(t, testConfig("AAA"), NewSliceSource([]string{"AAA"}, Batches(bars, nil, nil)), func() Strategy {
		n := 0
		return StrategyFunc(func(br *Broker, b Bar) error {
			if n++; n == 1 {
				for k, c := range cases {
					_, errs[k] = br.Submit(c.o)
				}
			}
			return nil
		})
	})
	for k, c := range cases {
		if c.want == nil && errs[k] != nil || c.want != nil && !errors.Is(errs[k], c.want) {
			t.Errorf("case %d (%v SL %s TP %s): %v, want %v", k, c.o.Side, c.o.StopLoss, c.o.TakeProfit, errs[k], c.want)
		}
	}
}
