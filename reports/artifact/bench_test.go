package artifact

import (
	"math"
	"testing"

	"github.com/bt-backtest/bt/backtest"
)

// yearOfMinutes is one account with a year of 1-minute equity points (525,600 rows).
func yearOfMinutes() *backtest.Result {
	const n = 525_600
	a := backtest.AccountResult{Name: "cross", Equity: make([]backtest.EquityPoint, n)}
	for i := range a.Equity {
		e := 1e4 + 100*math.Sin(float64(i)/700)
		a.Equity[i] = backtest.EquityPoint{Time: 1735689600000 + int64(i+1)*60_000, Equity: e, Wallet: 1e4, UnrealizedPnL: e - 1e4,
			MarginBalance: e, MaintenanceMargin: 12.5, MarginRatio: 12.5 / e}
	}
	return &backtest.Result{Accounts: []backtest.AccountResult{a}}
}

func BenchmarkWriteYearOfMinutes(b *testing.B) {
	res := yearOfMinutes()
	dir := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(dir, res, Manifest{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadYearOfMinutes(b *testing.B) {
	dir := b.TempDir()
	if err := Write(dir, yearOfMinutes(), Manifest{}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(dir); err != nil {
			b.Fatal(err)
		}
	}
}
