package scalper_test

import (
	"context"
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/strategies/scalper"
)

// The scalper prices its stop-loss and take-profit on the tick in force when it enters, not
// on the tick of the run's first day. BTCUSDT's tick is 0.01 until 2022-02-15 and 0.1 from
// 2022-02-16 (the embedded dated filters). The run starts 2022-02-15 00:00 with hourly bars
// alternating 43,000 / 43,430 (setup's 100 / 101 times 430) for 30 bars; bar 30
// (2022-02-16 06:00) closes at 41,280.37 (about 96 × 430): below the Bollinger(10, 2) band
// with RSI(3) about 14, a long entry. Size: 0.01 × 10,000 / 0.005 = 20,000 notional,
// 20,000 / 41,280.37 = 0.4845 -> 0.484 (step 0.001). Stop 41,280.37 × 0.995 = 41,073.968 ->
// 41,074.0; take-profit 41,280.37 × 1.01 = 41,693.1737 -> 41,693.2 on the 0.1 tick (on the
// first day's 0.01 tick it was 41,693.17, and the take-profit filled at 41,693.1, rounded
// down from a trigger off the grid). The entry fills at bar 31's open, a buy of 41,280.37
// rounded up to the tick: 41,280.4; bar 32 trades up to 41,800 through the take-profit,
// which fills at 41,693.2: PnL 0.484 × (41,693.2 − 41,280.4) = 199.7952 before fees.
func TestEntryOnTheTickInForce(t *testing.T) {
	var q [][4]float64
	prev := 43000.0
	for k := range 30 {
		c := 43000.0 + 430*float64(k%2)
		q = append(q, [4]float64{prev, max(prev, c), min(prev, c), c})
		prev = c
	}
	q = append(q, [4]float64{prev, prev, 41280.37, 41280.37}, [4]float64{41280.37, 41300, 41270, 41290},
		[4]float64{41290, 41800, 41290, 41750}, [4]float64{41750, 41750, 41750, 41750})
	start := int64(1644883200000) // 2022-02-15 00:00 UTC
	bars := backtest.OHLC("BTCUSDT", start, hour, q...)
	src := backtest.NewSliceSource([]string{"BTCUSDT"}, backtest.Batches(bars, nil, nil))
	p := map[string]string{"symbol": "BTCUSDT", "period": "10", "rsi": "3", "maxbars": "0"}
	res, err := backtest.Run(context.Background(), backtest.Config{Params: p, DefaultLeverage: 20, NoFundingFallback: true}, scalper.New, src)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, res, want{backtest.Buy, "0.484", "41280.4", start + 31*hour}, want{backtest.Sell, "0.484", "41693.2", start + 32*hour})
	for _, acc := range res.Accounts {
		if len(acc.Rejects) != 0 {
			t.Errorf("%s: rejects %+v", acc.Name, acc.Rejects)
		}
		if len(acc.Fills) == 2 && acc.Fills[1].RealizedPnL.String() != "199.7952" {
			t.Errorf("%s: take-profit PnL %s, want 199.7952", acc.Name, acc.Fills[1].RealizedPnL)
		}
	}
}
