package backtest

import "testing"

func TestSmoke(t *testing.T) {
	bars := OHLC("BTCUSDT", t0, hr, [4]float64{100, 101, 99, 100}, [4]float64{100, 102, 98, 101}, [4]float64{101, 110, 100, 108})
	src := NewSliceSource([]string{"BTCUSDT"}, Batches(bars, nil, nil))
	cfg := testConfig("BTCUSDT")
	res := run(t, cfg, src, func() Strategy {
		return &script{at: map[int][]Order{0: {{Symbol: "BTCUSDT", Side: Buy, Type: Market, Qty: d("1")}}}}
	})
	t.Logf("%+v", res.Accounts[0].Equity)
}
