package metrics

import (
	"math"
	"testing"

	"github.com/bt-backtest/bt/backtest"
)

// BenchmarkSummarizeYearOfMinutes: two accounts of 525,600 equity points each.
func BenchmarkSummarizeYearOfMinutes(b *testing.B) {
	const n = 525_600
	res := &backtest.Result{}
	for _, name := range []string{IsolatedName, CrossName} {
		a := backtest.AccountResult{Name: name, Equity: make([]backtest.EquityPoint, n)}
		for i := range a.Equity {
			e := 1e4 + 100*math.Sin(float64(i)/700)
			a.Equity[i] = backtest.EquityPoint{Time: d0 + int64(i+1)*60_000, Equity: e, MarginRatio: 0.5 + 0.4*math.Sin(float64(i)/300)}
		}
		res.Accounts = append(res.Accounts, a)
	}
	b.ReportAllocs()
	for b.Loop() {
		Summarize(res)
	}
}
