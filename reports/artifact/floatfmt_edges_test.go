package artifact

import (
	"math"
	"strconv"
	"testing"
)

// appendFloat's own path at its edges, every float of each neighbourhood rather than a
// sample: 1,000 floats either side of every power of ten and every power of two in and
// around its range [2^-9, 10^6) (where the digit count, the scale 10^(16−k) and the
// rounding interval's shape change), either sign; the dyadic fractions j/2^p (p <= 16),
// exact in binary and ending in a 5 in decimal, whose digits sit exactly halfway for every
// shorter length (the ties it must hand to strconv); and the short decimals c·10^-p of
// prices and amounts and the floats next to them. Each must give strconv's bytes; the test
// also fails unless its own path formatted most of them.
func TestAppendFloatEdges(t *testing.T) {
	var vals []float64
	around := func(v float64, n int) {
		lo, hi := v, v
		vals = append(vals, v)
		for range n {
			lo, hi = math.Nextafter(lo, 0), math.Nextafter(hi, math.Inf(1))
			vals = append(vals, lo, hi)
		}
	}
	for k := -4; k <= 7; k++ {
		around(math.Pow(10, float64(k)), 1000)
	}
	for e := -11; e <= 21; e++ {
		around(math.Ldexp(1, e), 1000)
	}
	for p := 1; p <= 16; p++ {
		den := float64(int(1) << p)
		step := max(1, (1<<p)/512) // about 512 numerators per denominator
		for j := 1; j < 1<<p*4; j += step {
			vals = append(vals, float64(j)/den)
		}
		for j := 1; j < 1<<p; j += step {
			vals = append(vals, 999_000+float64(j)/den, 65_536+float64(j)/den)
		}
	}
	for p := 0; p <= 12; p++ {
		for c := int64(1); c < 100_000; c += 13 {
			v, _ := strconv.ParseFloat(strconv.FormatInt(c, 10)+"e-"+strconv.Itoa(p), 64)
			vals = append(vals, v, math.Nextafter(v, 0), math.Nextafter(v, math.Inf(1)))
		}
	}
	own := 0
	var got, want []byte
	for _, v := range vals {
		for _, x := range []float64{v, -v} {
			got, want = appendFloat(got[:0], x), strconv.AppendFloat(want[:0], x, 'g', -1, 64)
			if string(got) != string(want) {
				t.Fatalf("appendFloat(%b) = %s, want %s", x, got, want)
			}
			if _, ok := appendShortest(nil, x); ok {
				own++
			}
		}
	}
	t.Logf("%d values, %d formatted by appendShortest", 2*len(vals), own)
	if own < len(vals) {
		t.Errorf("its own path formatted %d of %d values, want most", own, 2*len(vals))
	}
}
