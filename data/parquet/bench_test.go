package parquet

import (
	"fmt"
	"math"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/bt-backtest/bt/data"
)

const minute = int64(60 * 1000)

// cpuTime returns the process's user+system CPU time. Rates per CPU-second stay meaningful
// on a shared, loaded machine, where wall-clock rates do not.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchKlines is a tiny seeded generator: a random walk on a 0.01 tick grid, 1m bars.
func benchKlines(seed uint64, start int64, n int) []data.Kline {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]data.Kline, n)
	p := 100 + float64(seed)
	tick := func(x float64) float64 { return math.Round(x*100) / 100 }
	for i := range out {
		o := tick(p)
		c := tick(o * (1 + r.NormFloat64()*0.001))
		h := tick(math.Max(o, c) * (1 + math.Abs(r.NormFloat64())*0.0005))
		l := tick(math.Min(o, c) * (1 - math.Abs(r.NormFloat64())*0.0005))
		out[i] = data.Kline{OpenTime: start + int64(i)*minute, Open: o, High: h, Low: l, Close: c,
			Volume: math.Round(r.ExpFloat64()*1000) / 1000}
		p = c
	}
	return out
}

var benchStart = int64(1735689600000) // 2025-01-01T00:00Z

func benchStore(b *testing.B, comp string, syms, n int, withMark bool) *Store {
	b.Helper()
	s, err := CreateWith(b.TempDir(), Options{Compression: comp})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < syms; i++ {
		sym := fmt.Sprintf("S%02dUSDT", i)
		rows := benchKlines(uint64(i), benchStart, n)
		sr := data.Series{Symbol: sym, Kind: data.KindKlines, Interval: "1m", Source: "bench"}
		if _, err := s.WriteKlines(sr, rows); err != nil {
			b.Fatal(err)
		}
		if withMark {
			sr.Kind = data.KindMark
			if _, err := s.WriteKlines(sr, rows); err != nil {
				b.Fatal(err)
			}
			var f []data.FundingRate
			for t := benchStart; t < benchStart+int64(n)*minute; t += 8 * 60 * minute {
				f = append(f, data.FundingRate{Time: t, Rate: 1e-4, IntervalHours: 8})
			}
			if _, err := s.WriteFunding(data.Series{Symbol: sym, Kind: data.KindFunding, Source: "bench"}, f); err != nil {
				b.Fatal(err)
			}
		}
	}
	return s
}

// BenchmarkDecode measures the column-level decode of one 1m kline series (200,000 rows over
// five monthly files), validation included: one op is a full pass.
func BenchmarkDecode(b *testing.B) {
	const n = 200000
	for _, comp := range []string{"zstd", "snappy", "none"} {
		b.Run(comp, func(b *testing.B) {
			s := benchStore(b, comp, 1, n, false)
			sr := data.Series{Symbol: "S00USDT", Kind: data.KindKlines, Interval: "1m", Source: "bench"}
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			sum := 0.0
			for range b.N {
				c, err := newCursor(s.fsys, sr, 0, 0, nil)
				if err != nil {
					b.Fatal(err)
				}
				c.fill()
				rows := 0
				for c.head != noTime {
					sum += c.b.f64[fClose][c.i]
					rows++
					c.advance()
				}
				if c.err != nil || rows != n {
					b.Fatal(c.err, rows)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(n)*float64(b.N)/(cpuTime()-cpu0).Seconds(), "rows/cpu-s")
			_ = sum
		})
	}
}

// BenchmarkStream15 measures the merged Stream over 15 time-aligned 1m symbols (30,000 bars
// each), klines only and with mark klines and funding: one op is a full replay.
func BenchmarkStream15(b *testing.B) {
	const syms, n = 15, 30000
	for _, withMark := range []bool{false, true} {
		name := "klines"
		if withMark {
			name = "klines+mark+funding"
		}
		b.Run(name, func(b *testing.B) {
			s := benchStore(b, "", syms, n, withMark)
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			for range b.N {
				st, err := s.Stream(StreamOptions{})
				if err != nil {
					b.Fatal(err)
				}
				bars := 0
				for st.Next() {
					bars += len(st.Batch().Bars)
				}
				if st.Err() != nil || bars != syms*n {
					b.Fatal(st.Err(), bars)
				}
				st.Close()
			}
			b.ReportMetric(float64(syms*n)*float64(b.N)/b.Elapsed().Seconds(), "bars/s")
			b.ReportMetric(float64(syms*n)*float64(b.N)/(cpuTime()-cpu0).Seconds(), "bars/cpu-s")
		})
	}
}
