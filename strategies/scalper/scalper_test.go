package scalper_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/strategies/scalper"
	"github.com/shopspring/decimal"
)

var _ backtest.Starter = (*scalper.Strategy)(nil)

const hour = 3600_000

// params: period 10, k 2, RSI 3 on AAAUSDT.
var params = map[string]string{"symbol": "AAAUSDT", "period": "10", "rsi": "3", "maxbars": "0"}

// setup is 10 bars alternating 100/101 and then a close at 96.
//
// Bollinger(10, 2) at the close of 96 over 101,100,…,101,96 (five 101s, four 100s, one 96):
// mean 1001/10 = 100.1, population variance (5·0.81 + 4·0.01 + 16.81)/10 = 2.09, sd 1.4457,
// lower band 97.209: 96 is below it.
// RSI(3) over the changes +1,−1,+1,−1,+1,−1,+1,−1,+1,−5: seeded avgGain 2/3, avgLoss 1/3,
// then Wilder-smoothed to avgGain 0.4039, avgLoss 1.9294 at the −5: RSI 17.3 ≤ 30.
// So a long is submitted at 96 with stop 96·0.995 = 95.52 and take-profit 96·1.01 = 96.96.
// Size: 0.01·10000/0.005 = 20000 notional (below the 0.9·10000·20 cap), 20000/96 = 208.3,
// rounded down to the step the engine gives an unknown symbol whose first open is 100
// (10^−⌈log10 100⌉ = 0.01): 208.33.
func setup() [][4]float64 {
	var q [][4]float64
	prev := 100.0
	for k := range 10 {
		c := 100.0 + float64(k%2)
		q = append(q, [4]float64{prev, max(prev, c), min(prev, c), c})
		prev = c
	}
	return append(q, [4]float64{101, 101, 96, 96})
}

// run runs the scalper at 20x (the account's leverage) after the setup bars.
func run(t *testing.T, p map[string]string, quads ...[4]float64) *backtest.Result {
	t.Helper()
	bars := backtest.OHLC("AAAUSDT", 0, hour, append(setup(), quads...)...)
	src := backtest.NewSliceSource([]string{"AAAUSDT"}, backtest.Batches(bars, nil, nil))
	res, err := backtest.Run(context.Background(), backtest.Config{Params: p, DefaultLeverage: 20, NoFundingFallback: true}, scalper.New, src)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

type want struct {
	side  backtest.Side
	qty   string
	price string
	time  int64
}

func expect(t *testing.T, res *backtest.Result, ws ...want) {
	t.Helper()
	for _, acc := range res.Accounts {
		if len(acc.Fills) != len(ws) {
			t.Errorf("%s: %d fills, want %d: %+v (rejects %+v)", acc.Name, len(acc.Fills), len(ws), acc.Fills, acc.Rejects)
			continue
		}
		for k, w := range ws {
			f := acc.Fills[k]
			if f.Side != w.side || !f.Qty.Equal(decimal.RequireFromString(w.qty)) || !f.Price.Equal(decimal.RequireFromString(w.price)) || f.Time != w.time {
				t.Errorf("%s fill %d: %v %s @ %s t=%d, want %v %s @ %s t=%d", acc.Name, k, f.Side, f.Qty, f.Price, f.Time, w.side, w.qty, w.price, w.time)
			}
		}
	}
}

// TestTakeProfit: the entry fills at bar 11's open (96); bar 12 trades up to 97.5 through the
// take-profit at 96.96, which closes the long there.
func TestTakeProfit(t *testing.T) {
	res := run(t, params, [4]float64{96, 96.5, 95.8, 96.3}, [4]float64{96.3, 97.5, 96.2, 97.4}, [4]float64{97.4, 97.4, 97.4, 97.4})
	expect(t, res,
		want{backtest.Buy, "208.33", "96", 11 * hour},
		want{backtest.Sell, "208.33", "96.96", 12 * hour})
}

// TestGapThroughStop: bar 12 opens at 94, below the 95.52 stop: the stop fills at the open.
// (The close of 94 is still a stretched low, so a new long is submitted there; the series ends
// before it could fill.)
func TestGapThroughStop(t *testing.T) {
	res := run(t, params, [4]float64{96, 96.5, 95.8, 96.3}, [4]float64{94, 94.5, 93.5, 94})
	expect(t, res,
		want{backtest.Buy, "208.33", "96", 11 * hour},
		want{backtest.Sell, "208.33", "94", 12 * hour})
}

// TestTimeStop: maxbars=2 and the price goes nowhere: the position, open from bar 11, is seen
// at the closes of bars 11 and 12; at the second the stops are cancelled and a market close
// fills at bar 13's open.
func TestTimeStop(t *testing.T) {
	p := map[string]string{"symbol": "AAAUSDT", "period": "10", "rsi": "3", "maxbars": "2"}
	res := run(t, p, [4]float64{96, 96.2, 95.9, 96}, [4]float64{96, 96.2, 95.9, 96.1}, [4]float64{96.1, 96.1, 96.1, 96.1})
	expect(t, res,
		want{backtest.Buy, "208.33", "96", 11 * hour},
		want{backtest.Sell, "208.33", "96.1", 13 * hour})
	for _, acc := range res.Accounts {
		if len(acc.Rejects) != 0 {
			t.Errorf("%s: rejects %+v", acc.Name, acc.Rejects)
		}
	}
}

func TestInvalidParams(t *testing.T) {
	for _, c := range []struct {
		params map[string]string
		want   string
	}{
		{map[string]string{"symbol": "AAAUSDT", "rsi_low": "80"}, `scalper: parameter rsi_low="80": must be below rsi_high (70)`},
		{map[string]string{"symbol": "AAAUSDT", "stop": "0"}, `scalper: parameter stop="0": out of range`},
		{map[string]string{"symbol": "AAAUSDT", "period": "1"}, `scalper: parameter period="1": out of range`},
		{nil, `scalper: parameter symbol="BTCUSDT": not in the data`},
	} {
		bars := backtest.OHLC("AAAUSDT", 0, hour, setup()...)
		src := backtest.NewSliceSource([]string{"AAAUSDT"}, backtest.Batches(bars, nil, nil))
		_, err := backtest.Run(context.Background(), backtest.Config{Params: c.params}, scalper.New, src)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want %q", c.params, err, c.want)
		}
	}
}
