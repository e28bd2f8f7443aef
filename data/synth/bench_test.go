package synth

import (
	"testing"

	"github.com/bt-backtest/bt/data"
)

// BenchmarkGenerateYear1m generates one year of 1m klines, mark klines and funding for
// the 12-symbol default universe (6.3M klines + 6.3M mark bars), without a store. It
// reports klines/s (klines only; each comes with a mark bar).
func BenchmarkGenerateYear1m(b *testing.B) {
	opt := Options{Start: day("2025-01-01"), End: day("2026-01-01"), Interval: "1m", Seed: 1}
	b.ReportAllocs()
	var n int
	for b.Loop() {
		n = 0
		err := Generate(opt, func(s data.Series, k []data.Kline, _ []data.FundingRate) error {
			if s.Kind == data.KindKlines {
				n += len(k)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "klines/s")
}
