package experiment

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/bt-backtest/bt/backtest"
)

// The recorder keeps at most limit bars per symbol, merged into aligned buckets, none lost;
// with a size hint (its slices allocated once, at most limit+1 bars) or without.
func TestPriceRecorderBounded(t *testing.T) {
	for _, hint := range []int{0, 1000, 40} {
		testPriceRecorderBounded(t, priceRecorder{limit: 100, hint: hint})
	}
}

func testPriceRecorderBounded(t *testing.T, r priceRecorder) {
	const hour = int64(3600_000)
	for i := range int64(1000) {
		for id, s := range []string{"A", "B"} {
			p := float64(100 + i%17)
			r.add(&backtest.Bar{Symbol: s, ID: id, Time: i * hour, End: (i + 1) * hour, Open: p, High: p + 1, Low: p - 1, Close: p, Volume: 1})
		}
	}
	by := r.bySymbol()
	if len(by) != 2 {
		t.Fatalf("hint %d: %d symbols", r.hint, len(by))
	}
	for _, s := range []string{"A", "B"} {
		bars := by[s]
		if len(bars) > 100 || len(bars) < 50 {
			t.Errorf("%s: %d bars kept, want 50..100", s, len(bars))
		}
		vol := 0.0
		for i, b := range bars {
			vol += b.Volume
			if i > 0 && b.Time <= bars[i-1].Time {
				t.Fatalf("%s: bars out of order at %d", s, i)
			}
			if b.Time%r.width != 0 {
				t.Errorf("%s: bucket %d not aligned to %d", s, b.Time, r.width)
			}
		}
		if vol != 1000 {
			t.Errorf("%s: merged volume %g, want 1000 (no bar lost)", s, vol)
		}
		if bars[0].Open != 100 || bars[len(bars)-1].End != 1000*hour {
			t.Errorf("%s: first open %g, last end %d", s, bars[0].Open, bars[len(bars)-1].End)
		}
	}
}

// The recorder's buckets are those of the quotient Time/width, whatever the times' sign:
// compared with a reference that divides for every bar, on random increasing times around
// the Unix epoch (negative ones included) and random gaps.
func TestPriceRecorderSameBuckets(t *testing.T) {
	ref := func(bars []backtest.Bar, limit int) []backtest.Bar {
		width := int64(0)
		var out []backtest.Bar
		for _, b := range bars {
			if width == 0 {
				width = max(b.End-b.Time, 1)
			}
			if n := len(out); n > 0 && out[n-1].Time/width == b.Time/width {
				merge(&out[n-1], &b)
				continue
			}
			nb := b
			nb.Time = b.Time / width * width
			out = append(out, nb)
			if len(out) > limit {
				width *= 2
				out = rebucket(out, width)
			}
		}
		return out
	}
	r := rand.New(rand.NewPCG(3, 4))
	for k := 0; k < 50; k++ {
		const iv = int64(60_000)
		tm := (r.Int64N(2000) - 1000) * iv
		var bars []backtest.Bar
		for i := 0; i < 3000; i++ {
			p := 100 + r.Float64()
			bars = append(bars, backtest.Bar{Symbol: "A", Time: tm, End: tm + iv, Open: p, High: p + 1, Low: p - 1, Close: p, Volume: r.Float64()})
			tm += iv * (1 + r.Int64N(3))
		}
		rec := priceRecorder{limit: 40 + r.IntN(200), hint: []int{0, 3000, 100}[k%3]}
		for i := range bars {
			rec.add(&bars[i])
		}
		by := rec.bySymbol()
		if want := ref(bars, rec.limit); !reflect.DeepEqual(by["A"], want) {
			t.Fatalf("case %d: %d buckets, want %d", k, len(by["A"]), len(want))
		}
	}
}
