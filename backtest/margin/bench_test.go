package margin

import (
	"fmt"
	"math"
	"testing"

	"github.com/shopspring/decimal"
)

// benchAccount opens n positions (alternating long/short, 10x, far from liquidation) on
// synthetic symbols priced 100 (the default bracket table) in mode m.
func benchAccount(b *testing.B, n int, m Mode) (*Account, []float64) {
	insts := make([]Instrument, n)
	for i := range n {
		insts[i] = DefaultInstrument(fmt.Sprintf("S%dUSDT", i), 100, snap24, nil)
	}
	a, err := NewAccount(Config{Wallet: decimal.NewFromInt(1_000_000), Instruments: insts})
	if err != nil {
		b.Fatal(err)
	}
	marks := make([]float64, n)
	for i := range n {
		if err := a.SetMode(i, m); err != nil {
			b.Fatal(err)
		}
		if err := a.SetLeverage(i, 10); err != nil {
			b.Fatal(err)
		}
		qty := decimal.NewFromInt(50) // notional 5,000: inside bracket 1 of the default table
		if i%2 == 1 {
			qty = qty.Neg()
		}
		if _, err := a.Apply(i, Fill{Qty: qty, Price: decimal.NewFromInt(100)}); err != nil {
			b.Fatal(err)
		}
		marks[i] = 100
	}
	return a, marks
}

// BenchmarkBar is the per-bar cost of marking and screening: SetMark for every symbol and one
// NextLiquidation over the bar's path (open → close), no liquidation due.
func BenchmarkBar(b *testing.B) {
	for _, m := range []Mode{Isolated, Cross} {
		for _, n := range []int{1, 15} {
			b.Run(fmt.Sprintf("%s/%d", m, n), func(b *testing.B) {
				a, from := benchAccount(b, n, m)
				to := make([]float64, n)
				var path [64]float64
				for k := range path {
					path[k] = 100 + 0.5*math.Sin(float64(k))
				}
				b.ReportAllocs()
				b.ResetTimer()
				for k := range b.N {
					x := path[k&63]
					for i := range n {
						to[i] = x
						a.SetMark(i, x)
					}
					if _, ok := a.NextLiquidation(from, to); ok {
						b.Fatal("liquidation")
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/position")
			})
		}
	}
}

// BenchmarkApply is the cost of booking one fill (exact decimal ledger, shadow refresh) on a
// 15-position account; in isolated mode each fill also recomputes the position's liquidation
// price.
func BenchmarkApply(b *testing.B) {
	for _, m := range []Mode{Cross, Isolated} {
		b.Run(m.String(), func(b *testing.B) {
			a, _ := benchAccount(b, 15, m)
			q := []decimal.Decimal{decimal.NewFromInt(1), decimal.NewFromInt(-1)}
			p := decimal.NewFromInt(100)
			fee := d("0.0005")
			b.ReportAllocs()
			b.ResetTimer()
			for k := range b.N {
				if _, err := a.Apply(k%15, Fill{Qty: q[k%2], Price: p, FeeRate: fee}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRisk is the cost of the float64 risk figures of 15 positions (per-bar records).
func BenchmarkRisk(b *testing.B) {
	for _, m := range []Mode{Isolated, Cross} {
		b.Run(m.String(), func(b *testing.B) {
			a, _ := benchAccount(b, 15, m)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				_ = a.Risk()
			}
		})
	}
}

// BenchmarkCanOpen is the cost of the margin check of an order on a 15-position cross account
// whose marks move between calls (as they do between orders in a backtest).
func BenchmarkCanOpen(b *testing.B) {
	a, _ := benchAccount(b, 15, Cross)
	q := decimal.NewFromInt(1)
	p := decimal.NewFromInt(100)
	b.ReportAllocs()
	b.ResetTimer()
	for k := range b.N {
		a.SetMark(k%15, 100+float64(k&7)/10)
		if err := a.CanOpen(k%15, q, p, false); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFund is the cost of one funding payment on a 15-position account.
func BenchmarkFund(b *testing.B) {
	for _, m := range []Mode{Isolated, Cross} {
		b.Run(m.String(), func(b *testing.B) {
			a, _ := benchAccount(b, 15, m)
			b.ReportAllocs()
			b.ResetTimer()
			for k := range b.N {
				if _, err := a.Fund(k%15, 0, 0.0001, nan); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDefaultBook is the cost of DefaultBook (parsed once, then a copy of the handle).
func BenchmarkDefaultBook(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		_ = DefaultBook()
	}
}

// BenchmarkTrade is the cost of a trader's fills on BTCUSDT (tick 0.1, step 0.001) in a
// 12-symbol account with 11 other positions open: per op a margin check of the next order,
// then one fill, at tick prices of a random walk around 60,000, fee 0.05 %, the mark moving
// between fills. swing cycles open long → close → open short → flip to long → close (entries
// at fill prices, as the swing trader's); avg cycles open long → add (the entry averages to 16
// decimals) → reduce → flip to short → close. The wallet (10^9 USDT) pays the fees and
// losses of over a billion ops (10^6 ran out near b.N = 1.5 M: "insufficient margin").
func BenchmarkTrade(b *testing.B) {
	cycles := map[string][]decimal.Decimal{
		"swing": {d("0.012"), d("-0.012"), d("-0.015"), d("0.030"), d("-0.015")},
		"avg":   {d("0.012"), d("0.007"), d("-0.005"), d("-0.029"), d("0.015")},
	}
	for _, m := range []Mode{Cross, Isolated} {
		for _, name := range []string{"swing", "avg"} {
			b.Run(m.String()+"/"+name, func(b *testing.B) { benchTrade(b, m, cycles[name]) })
		}
	}
}

func benchTrade(b *testing.B, m Mode, cycle []decimal.Decimal) {
	insts := []Instrument{DefaultInstrument("BTCUSDT", 60000, snap24, nil)}
	for i := range 11 {
		insts = append(insts, DefaultInstrument(fmt.Sprintf("S%02dUSDT", i), 100, snap24, nil))
	}
	a, err := NewAccount(Config{Wallet: decimal.NewFromInt(1_000_000_000), Instruments: insts})
	if err != nil {
		b.Fatal(err)
	}
	for i := range insts {
		if err := a.SetMode(i, m); err != nil {
			b.Fatal(err)
		}
		if err := a.SetLeverage(i, 5); err != nil {
			b.Fatal(err)
		}
		if i > 0 {
			if _, err := a.Apply(i, Fill{Qty: decimal.NewFromInt(int64(10 - i%3*7)), Price: decimal.NewFromInt(100)}); err != nil {
				b.Fatal(err)
			}
			a.SetMark(i, 100.5)
		}
	}
	fee := d("0.0005")
	var prices [64]decimal.Decimal
	var marks [64]float64
	p := int64(600000)
	for k := range prices {
		p += int64(k*7919%23) - 11
		prices[k] = decimal.New(p, -1)
		marks[k] = float64(p+3) / 10
	}
	b.ReportAllocs()
	b.ResetTimer()
	for k := range b.N {
		px, q := prices[k&63], cycle[k%5]
		a.SetMark(0, marks[k&63])
		if err := a.CanOpen(0, q, px, false); err != nil {
			b.Fatal(err)
		}
		if _, err := a.Apply(0, Fill{Qty: q, Price: px, FeeRate: fee}); err != nil {
			b.Fatal(err)
		}
	}

}

// BenchmarkSetOpenOrders is the cost of telling the account a symbol's open-order margin (the
// engine does it when an order is placed, filled or cancelled): two margins in turn, so that
// each call moves the sum.
func BenchmarkSetOpenOrders(b *testing.B) {
	a, _ := benchAccount(b, 15, Cross)
	im := []decimal.Decimal{d("12.34567890"), d("23.45678901")}
	b.ReportAllocs()
	b.ResetTimer()
	for k := range b.N {
		a.SetOpenOrders(k%15, 1, im[k&1])
	}
}
