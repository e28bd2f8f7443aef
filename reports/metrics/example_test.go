package metrics_test

import (
	"fmt"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/reports/metrics"
)

// Metrics of a three-day equity curve: daily UTC returns +10 %, −10 %, +20 %.
func ExampleSummarizeAccount() {
	const day = 86_400_000
	t0 := int64(1735689600000) // 2025-01-01T00:00Z
	a := &backtest.AccountResult{Name: "cross", Equity: []backtest.EquityPoint{
		{Time: t0, Equity: 100},
		{Time: t0 + day, Equity: 110},
		{Time: t0 + 2*day, Equity: 99},
		{Time: t0 + 3*day, Equity: 118.8},
	}}
	s := metrics.SummarizeAccount(a)
	fmt.Printf("total return %.3f\n", s.TotalReturn)
	fmt.Printf("max drawdown %.3f\n", s.MaxDrawdown)
	fmt.Printf("sharpe %.4f sortino %.4f\n", s.Sharpe, s.Sortino)
	fmt.Println(metrics.Conventions)
	// Output:
	// total return 0.188
	// max drawdown 0.100
	// sharpe 8.3381 sortino 22.0605
	// metrics on daily UTC returns, 365-day annualization, risk-free rate 0
}
