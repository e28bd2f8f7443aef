package grid_test

import (
	"context"
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/strategies/grid"
	"github.com/shopspring/decimal"
)

// The grid prices each order on the tick in force when it places it, not on the tick of the
// run's first day. BTCUSDT's tick is 0.01 until 2022-02-15 and 0.1 from 2022-02-16 (the
// embedded dated filters). The grid (one level each side, spacing 1 %, 500 USDT) is built at
// bar 0's close of 42,000.04 on 2022-02-15: a buy of 500 / 41,584.198 = 0.012 (step 0.001)
// at 42,000.04 / 1.01 = 41,584.198 -> 41,584.20 and a sell at 42,420.04. Bar 30
// (2022-02-16 06:00) trades down to 41,500 through the buy, which fills at 41,584.2; its
// take-profit goes to the center, 42,000.04 on the tick in force (0.1): 42,000.0 (on the
// first day's 0.01 tick it stayed 42,000.04, not a multiple of the tick in force). Bar 31
// trades up to 42,100 through it: the take-profit fills at 42,000.0, PnL 0.012 × (42,000 −
// 41,584.2) = 4.9896 before fees.
func TestOrdersOnTheTickInForce(t *testing.T) {
	var q [][4]float64
	for range 30 {
		q = append(q, [4]float64{42000.04, 42000.04, 42000.04, 42000.04})
	}
	q = append(q, [4]float64{42000.04, 42000.04, 41500, 41600}, [4]float64{41600, 42100, 41600, 42050})
	start := int64(1644883200000) // 2022-02-15 00:00 UTC
	bars := backtest.OHLC("BTCUSDT", start, hour, q...)
	src := backtest.NewSliceSource([]string{"BTCUSDT"}, backtest.Batches(bars, nil, nil))
	p := map[string]string{"symbol": "BTCUSDT", "levels": "1", "spacing": "0.01", "amount": "500"}
	res, err := backtest.Run(context.Background(), backtest.Config{Params: p, DefaultLeverage: 5, NoFundingFallback: true}, grid.New, src)
	if err != nil {
		t.Fatal(err)
	}
	for _, acc := range res.Accounts {
		f := acc.Fills
		if len(acc.Rejects) != 0 || len(f) != 2 {
			t.Fatalf("%s: fills %+v, rejects %+v; want two fills, no reject", acc.Name, f, acc.Rejects)
		}
		for k, w := range []struct {
			side       backtest.Side
			price, pnl string
			time       int64
		}{{backtest.Buy, "41584.2", "0", start + 30*hour}, {backtest.Sell, "42000", "4.9896", start + 31*hour}} {
			if f[k].Side != w.side || !f[k].Price.Equal(decimal.RequireFromString(w.price)) || !f[k].Qty.Equal(decimal.RequireFromString("0.012")) ||
				f[k].Time != w.time || !f[k].RealizedPnL.Equal(decimal.RequireFromString(w.pnl)) {
				t.Errorf("%s fill %d: %+v, want %v 0.012 @ %s at %d, pnl %s", acc.Name, k, f[k], w.side, w.price, w.time, w.pnl)
			}
		}
	}
}
