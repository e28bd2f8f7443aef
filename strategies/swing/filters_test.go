package swing_test

import (
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/shopspring/decimal"
)

// Swing screens an entry on the minimum notional in force at the entry's bar, not on the one
// of the run's first bar: the embedded dated filters give BTCUSDT a minimum notional of 5 USDT
// until 2023-12-31 and 100 USDT from 2024-01-01. With size 0.001, a 10,000 USDT wallet and 5×,
// an entry's notional is 0.001 × 10,000 × 5 = 50 USDT. BTCUSDT rises hourly from 42,000 by 100
// (fast 2, slow 4: the EMAs are warm at the fourth close, bar 3, where fast > slow and a long
// is wanted).
//   - Starting 2023-12-30 00:00, bar 3 is 2023-12-30 03:00: 50 >= 5, so a market buy of
//     50 / 42,300 = 0.00118 floored to the step 0.001 is submitted and fills at bar 4's open,
//     42,300 (0.001 BTC, notional 42.3).
//   - Starting 2023-12-31 21:00, bar 3 is 2024-01-01 00:00: 50 < 100, so nothing is submitted
//     and nothing is rejected (the package doc's promise). Read once at the start, the minimum
//     was 5 and the order went to the exchange, which refused it ('notional below the
//     symbol's minimum').
func TestEntryOnTheMinimumNotionalInForce(t *testing.T) {
	closes := []float64{42000, 42100, 42200, 42300, 42400, 42500, 42600}
	params := map[string]string{"size": "0.001", "fast": "2", "slow": "4"}

	before := run(t, params, backtest.OHLC("BTCUSDT", 1703894400000, hour, path(closes...)...)) // 2023-12-30 00:00
	for _, acc := range before.Accounts {
		if len(acc.Rejects) != 0 || len(acc.Fills) != 1 {
			t.Fatalf("2023 run, %s: fills %+v, rejects %+v; want one fill, no reject", acc.Name, acc.Fills, acc.Rejects)
		}
		f := acc.Fills[0]
		if f.Side != backtest.Buy || !f.Qty.Equal(decimal.RequireFromString("0.001")) || !f.Price.Equal(decimal.NewFromInt(42300)) || f.Time != 1703894400000+4*hour {
			t.Errorf("2023 run, %s: fill %+v, want buy 0.001 at 42300 at bar 4", acc.Name, f)
		}
	}

	across := run(t, params, backtest.OHLC("BTCUSDT", 1704056400000, hour, path(closes...)...)) // 2023-12-31 21:00
	for _, acc := range across.Accounts {
		if len(acc.Rejects) != 0 || len(acc.Fills) != 0 {
			t.Errorf("run across 2024-01-01, %s: fills %+v, rejects %+v; want neither (50 USDT is below the 100 in force)", acc.Name, acc.Fills, acc.Rejects)
		}
	}
}
