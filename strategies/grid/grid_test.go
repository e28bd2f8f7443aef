package grid_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/strategies/grid"
	"github.com/shopspring/decimal"
)

var (
	_ backtest.FillHandler        = (*grid.Strategy)(nil)
	_ backtest.LiquidationHandler = (*grid.Strategy)(nil)
)

const hour = 3600_000

var params = map[string]string{"symbol": "AAAUSDT", "levels": "2", "spacing": "0.01", "amount": "500"}

// run runs the grid at 5x (the account's leverage) on the bars.
func run(t *testing.T, p map[string]string, quads ...[4]float64) *backtest.Result {
	t.Helper()
	return runAt(t, 5, p, quads...)
}

// runAt runs the grid at the account leverage lev on the bars.
func runAt(t *testing.T, lev int, p map[string]string, quads ...[4]float64) *backtest.Result {
	t.Helper()
	bars := backtest.OHLC("AAAUSDT", 0, hour, quads...)
	src := backtest.NewSliceSource([]string{"AAAUSDT"}, backtest.Batches(bars, nil, nil))
	res, err := backtest.Run(context.Background(), backtest.Config{Params: p, DefaultLeverage: lev, NoFundingFallback: true}, grid.New, src)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestRoundTrip: the grid is built at bar 0's close of 100: buys at 100/1.01 = 99.0099 → 99.01
// and 100/1.01² = 98.0296 → 98.03, sells at 101 and 102.01 (tick 0.01), 500 USDT each; the
// level −1 quantity is 500/99.0099 = 5.0500, rounded down to the step (0.01, the engine's
// default for a symbol first opening at 100): 5.05.
// Bar 1 trades down to 98.9, through 99.01: the buy fills there as maker and a reduce-only
// sell of 5.05 at the center (100) is placed. Bar 2 trades up to 100.2, through 100: the
// take-profit fills, realizing 5.05·(100 − 99.01) = 4.9995 before fees, and the buy is placed again;
// bar 3 trades through it once more.
func TestRoundTrip(t *testing.T) {
	res := run(t, params,
		[4]float64{100, 100, 100, 100},
		[4]float64{100, 100.5, 98.9, 99.5},
		[4]float64{99.5, 100.2, 99.4, 100.1},
		[4]float64{100.1, 100.1, 98.95, 99})
	for _, acc := range res.Accounts {
		f := acc.Fills
		if len(f) != 3 {
			t.Fatalf("%s: %d fills, want 3: %+v (rejects %+v)", acc.Name, len(f), f, acc.Rejects)
		}
		type w struct {
			side       backtest.Side
			price, pnl string
			time       int64
		}
		for k, want := range []w{{backtest.Buy, "99.01", "0", hour}, {backtest.Sell, "100", "4.9995", 2 * hour}, {backtest.Buy, "99.01", "0", 3 * hour}} {
			if f[k].Side != want.side || !f[k].Price.Equal(decimal.RequireFromString(want.price)) || !f[k].Qty.Equal(decimal.RequireFromString("5.05")) ||
				!f[k].Maker || f[k].Time != want.time || !f[k].RealizedPnL.Equal(decimal.RequireFromString(want.pnl)) {
				t.Errorf("%s fill %d: %+v, want %v 5.05 @ %s maker at %d, pnl %s", acc.Name, k, f[k], want.side, want.price, want.time, want.pnl)
			}
		}
	}
}

// TestRebuildAfterLiquidation: at 20x, bar 1 fills both buys (5.05 at 99.01 and 5.1 at 98.03,
// about 1000 notional, an isolated margin of about 50). Bar 2 crashes to 88: the isolated long
// loses 10.15·(98.52 − 88) ≈ 107, more than its margin, and is liquidated; the isolated grid is
// then rebuilt around 88 (buys at 88/1.01 = 87.1287 → 87.13 and 86.26), and bar 3 trades
// through 87.13. The cross account's 10000 wallet holds the 107 loss: no liquidation, its
// take-profits wait at 100 and 99.01 and nothing else fills.
func TestRebuildAfterLiquidation(t *testing.T) {
	p := map[string]string{"symbol": "AAAUSDT", "levels": "2", "spacing": "0.01", "amount": "500"}
	res := runAt(t, 20, p,
		[4]float64{100, 100, 100, 100},
		[4]float64{100, 100, 97.5, 97.5},
		[4]float64{97.5, 97.5, 88, 88},
		[4]float64{88, 88, 87, 87.5})
	for _, acc := range res.Accounts {
		var last backtest.FillRecord
		if n := len(acc.Fills); n > 0 {
			last = acc.Fills[n-1]
		}
		switch acc.Name {
		case "isolated":
			if len(acc.Liquidations) != 1 {
				t.Errorf("isolated: %d liquidations, want 1", len(acc.Liquidations))
			}
			if last.Side != backtest.Buy || !last.Price.Equal(decimal.RequireFromString("87.13")) || last.Time != 3*hour {
				t.Errorf("isolated: last fill %+v, want the rebuilt grid's buy at 87.13 at bar 3; rejects %+v", last, acc.Rejects)
			}
		case "cross":
			if len(acc.Liquidations) != 0 || len(acc.Fills) != 2 {
				t.Errorf("cross: liquidations %+v, fills %+v; want none and the two first buys", acc.Liquidations, acc.Fills)
			}
		}
	}
}

func TestInvalidParams(t *testing.T) {
	for _, c := range []struct {
		params map[string]string
		want   string
	}{
		{map[string]string{"symbol": "AAAUSDT", "levels": "0"}, `grid: parameter levels="0": out of range`},
		{map[string]string{"symbol": "AAAUSDT", "spacing": "abc"}, `grid: parameter spacing="abc": not a finite number`},
		{nil, `grid: parameter symbol="BTCUSDT": not in the data`},
	} {
		bars := backtest.OHLC("AAAUSDT", 0, hour, [4]float64{100, 100, 100, 100})
		src := backtest.NewSliceSource([]string{"AAAUSDT"}, backtest.Batches(bars, nil, nil))
		_, err := backtest.Run(context.Background(), backtest.Config{Params: c.params}, grid.New, src)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want %q", c.params, err, c.want)
		}
	}
}
