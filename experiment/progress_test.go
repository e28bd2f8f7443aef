package experiment

import (
	"testing"

	"github.com/bt-backtest/bt/backtest"
)

func TestPriceRecorderBounded(t *testing.T) {
	r := priceRecorder{limit: 100}
	const hour = int64(3600_000)
	for i := range int64(1000) {
		for id, s := range []string{"A", "B"} {
			p := float64(100 + i%17)
			r.add(&backtest.Bar{Symbol: s, ID: id, Time: i * hour, End: (i + 1) * hour, Open: p, High: p + 1, Low: p - 1, Close: p, Volume: 1})
		}
	}
	all, by := r.all()
	if len(all) != len(by["A"])+len(by["B"]) {
		t.Fatalf("all %d", len(all))
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
