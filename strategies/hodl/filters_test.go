package hodl_test

import (
	"context"
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/bt-backtest/bt/strategies/hodl"
	"github.com/shopspring/decimal"
)

// Each buy is sized on the quantity step in force at its bar. A filter table gives AAAUSDT a
// step of 1 until 2024-01-01 and 0.1 from 2024-01-02. With amount 100 at 10x, a buy at 300 is
// 100 × 10 / 300 = 3.33… units: floored to the step, 3 on 2024-01-01 and 3.3 on 2024-01-02.
// The flat bars run hourly from 2024-01-01 22:00; every=4 buys at the closes of bars 0
// (22:00, on the 1st) and 4 (02:00 on the 2nd), filled at the next opens. Read once at the
// start, the second buy was also 3.
func TestBuysOnTheStepInForce(t *testing.T) {
	filters, err := margin.ParseFilters([]byte(`{"rows":[
		{"symbol":"AAAUSDT","from":"2020-01-01","tick":"0.1","step":"1","min_qty":"1","min_notional":"5","source":"test"},
		{"symbol":"AAAUSDT","from":"2024-01-02","step":"0.1","min_qty":"0.1","source":"test"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	start := int64(1704146400000) // 2024-01-01 22:00 UTC
	bars := backtest.OHLC("AAAUSDT", start, hour, flat(8, 300)...)
	src := backtest.NewSliceSource([]string{"AAAUSDT"}, backtest.Batches(bars, nil, nil))
	cfg := backtest.Config{Params: map[string]string{"symbol": "AAAUSDT", "every": "4", "max": "2"}, NoFundingFallback: true, Filters: filters}
	res, err := backtest.Run(context.Background(), cfg, hodl.New, src)
	if err != nil {
		t.Fatal(err)
	}
	for _, acc := range res.Accounts {
		if len(acc.Fills) != 2 || len(acc.Rejects) != 0 {
			t.Fatalf("%s: fills %+v, rejects %+v; want two fills", acc.Name, acc.Fills, acc.Rejects)
		}
		for k, want := range []string{"3", "3.3"} {
			if f := acc.Fills[k]; !f.Qty.Equal(decimal.RequireFromString(want)) || f.Time != start+int64(4*k+1)*hour {
				t.Errorf("%s fill %d: %+v, want %s units at bar %d", acc.Name, k, f, want, 4*k+1)
			}
		}
	}
}
