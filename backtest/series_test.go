package backtest

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestParseSeries(t *testing.T) {
	bars, err := ParseSeries("AAA", t0, hr, "100 100+1x2 _ 95/96/80/90 88-2x1 _x1 90")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		k          int64
		o, h, l, c float64
	}{
		{0, 100, 100, 100, 100}, {1, 100, 100, 100, 100}, {2, 100, 101, 100, 101}, {3, 101, 102, 101, 102},
		{5, 95, 96, 80, 90}, {6, 90, 90, 88, 88}, {7, 88, 88, 86, 86}, {10, 86, 90, 86, 90},
	}
	if len(bars) != len(want) {
		t.Fatalf("%d bars: %+v", len(bars), bars)
	}
	for j, w := range want {
		b := bars[j]
		if b.Time != t0+w.k*hr || b.End != b.Time+hr || b.Open != w.o || b.High != w.h || b.Low != w.l || b.Close != w.c || b.Symbol != "AAA" {
			t.Errorf("bar %d = %+v, want %+v", j, b, w)
		}
	}
	for _, bad := range []string{"0", "-5", "abc", "1/2/3", "100/99/98/101", "100+1xq", "100-60x2", "_xq", "NaN", "+1x2", "1e400"} {
		if _, err := ParseSeries("AAA", t0, hr, bad); !errors.Is(err, ErrBadSource) || !strings.Contains(err.Error(), "item 1") {
			t.Errorf("%q: err = %v, want ErrBadSource naming item 1", bad, err)
		}
	}
}

func FuzzParseSeries(f *testing.F) {
	for _, s := range []string{"100 100+1x2 _ 95/96/80/90", "1-0.5x1", "_x3 5", "1e-9", "3/3/3/3 _ 2+0x0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		if len(spec) > 200 {
			return
		}
		bars, err := ParseSeries("AAA", t0, hr, spec)
		if err != nil {
			return
		}
		prev := int64(math.MinInt64)
		for _, b := range bars {
			if b.Time <= prev || !(b.Low > 0 && b.Low <= b.Open && b.Low <= b.Close && b.High >= b.Open && b.High >= b.Close) || math.IsInf(b.High, 0) {
				t.Fatalf("%q: invalid bar %+v", spec, b)
			}
			prev = b.Time
		}
	})
}

// TestParseSeriesBarLimit: expansions that together exceed the bar limit are refused with a
// message instead of allocating gigabytes (the fuzzer found that 18 × "1+0x1000000" in 200
// characters stalled it).
func TestParseSeriesBarLimit(t *testing.T) {
	if _, err := ParseSeries("AAA", t0, hr, "1+0x999999"); err != nil {
		t.Fatalf("1,000,000 bars: %v", err)
	}
	_, err := ParseSeries("AAA", t0, hr, "1+0x600000 1+0x600000")
	if err == nil || !strings.Contains(err.Error(), "more than 1000000 bars") {
		t.Fatalf("err = %v, want the bar limit", err)
	}
}
