package hodl_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/strategies/hodl"
	"github.com/shopspring/decimal"
)

var _ backtest.Starter = (*hodl.Strategy)(nil)

const hour = 3600_000

func run(t *testing.T, params map[string]string, bars []backtest.Bar) *backtest.Result {
	t.Helper()
	src := backtest.NewSliceSource([]string{"AAAUSDT"}, backtest.Batches(bars, nil, nil))
	res, err := backtest.Run(context.Background(), backtest.Config{Params: params, NoFundingFallback: true}, hodl.New, src)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func flat(n int, p float64) [][4]float64 {
	out := make([][4]float64, n)
	for k := range out {
		out[k] = [4]float64{p, p, p, p}
	}
	return out
}

// TestSchedule: every=2, max=3 on 8 flat bars at 100: buys are submitted at the closes of bars
// 0, 2 and 4 and fill at the opens of bars 1, 3 and 5; each is amount·leverage/price =
// 100·10/100 = 10 units.
func TestSchedule(t *testing.T) {
	res := run(t, map[string]string{"symbol": "AAAUSDT", "every": "2", "max": "3"}, backtest.OHLC("AAAUSDT", 0, hour, flat(8, 100)...))
	for _, acc := range res.Accounts {
		if len(acc.Fills) != 3 {
			t.Fatalf("%s: %d fills, want 3: %+v", acc.Name, len(acc.Fills), acc.Fills)
		}
		for k, f := range acc.Fills {
			if want := int64(2*k+1) * hour; f.Time != want || f.Side != backtest.Buy || !f.Qty.Equal(decimal.NewFromInt(10)) {
				t.Errorf("%s fill %d: %+v, want buy 10 at %d", acc.Name, k, f, want)
			}
		}
	}
}

// TestNewUserCrash: three daily-style buys of 100 USDT at 10x (3000 notional at 100), then a
// 15% crash. The isolated position holds only its 300 of margin, about 10% of the notional:
// it is liquidated. Under cross the 10000 wallet stands behind it: a 450 loss, no liquidation.
func TestNewUserCrash(t *testing.T) {
	quads := append(flat(6, 100), [4]float64{100, 100, 85, 86}, [4]float64{86, 87, 85, 86})
	res := run(t, map[string]string{"symbol": "AAAUSDT", "every": "2", "max": "3"}, backtest.OHLC("AAAUSDT", 0, hour, quads...))
	got := map[string]int{}
	for _, acc := range res.Accounts {
		got[acc.Name] = len(acc.Liquidations)
	}
	if got["isolated"] != 1 || got["cross"] != 0 {
		t.Errorf("liquidations %v, want isolated 1, cross 0", got)
	}
}

func TestInvalidParams(t *testing.T) {
	bars := backtest.OHLC("AAAUSDT", 0, hour, flat(2, 100)...)
	for _, c := range []struct {
		params map[string]string
		want   string
	}{
		{map[string]string{"symbol": "AAAUSDT", "amount": "0"}, `hodl: parameter amount="0": out of range`},
		{map[string]string{"symbol": "AAAUSDT", "every": "0"}, `hodl: parameter every="0": out of range`},
		{nil, `hodl: parameter symbol="BTCUSDT": not in the data`},
	} {
		src := backtest.NewSliceSource([]string{"AAAUSDT"}, backtest.Batches(bars, nil, nil))
		_, err := backtest.Run(context.Background(), backtest.Config{Params: c.params}, hodl.New, src)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want %q", c.params, err, c.want)
		}
	}
}

// TestStopsWhenBroke: 4900 USDT of margin per buy at 10x on a 10000 wallet, every bar, no
// limit: two buys fit (the available balance covers the amount twice, less fees), then the
// strategy skips the schedule rather than flooding the engine with rejected orders.
func TestStopsWhenBroke(t *testing.T) {
	res := run(t, map[string]string{"symbol": "AAAUSDT", "every": "1", "amount": "4900"}, backtest.OHLC("AAAUSDT", 0, hour, flat(6, 100)...))
	for _, acc := range res.Accounts {
		if len(acc.Fills) != 2 || len(acc.Rejects) != 0 {
			t.Errorf("%s: %d fills, rejects %+v; want 2 fills and no rejects", acc.Name, len(acc.Fills), acc.Rejects)
		}
	}
}
