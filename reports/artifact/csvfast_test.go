package artifact

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// TestCSVTimeMatchesFormat: the cached day + arithmetic time of day is byte-identical to
// time.Time.AppendFormat, across days, before 1970 and at the extremes of a day.
func TestCSVTimeMatchesFormat(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	ts := []int64{0, -1, 1, msPerDay - 1, msPerDay, -msPerDay, -msPerDay - 1, 1735689600000, 1767225599999, 253402300799999}
	for range 20000 {
		ts = append(ts, r.Int64N(4e12)-1e12)
	}
	// runs of consecutive minutes, so that the day cache is hit and crossed
	for k := int64(0); k < 3000; k++ {
		ts = append(ts, 1735689600000-1000*60_000+k*60_000)
	}
	var b bytes.Buffer
	w := newCSVWriter(&b)
	for _, v := range ts {
		w.time(v)
		got := string(w.buf)
		w.buf, w.n = w.buf[:0], 0
		if want := time.UnixMilli(v).UTC().Format(TimeLayout); got != want {
			t.Fatalf("time(%d) = %q, want %q", v, got, want)
		}
	}
}

// TestCSVCachedFloat: a cached column writes what strconv writes, for repeated values, signed
// zeros and NaN.
func TestCSVCachedFloat(t *testing.T) {
	vals := []float64{1, 1, 1.5, math.Copysign(0, -1), 0, 0, math.NaN(), math.NaN(), math.Inf(1), 1e-300, 1e-300, 2}
	var b bytes.Buffer
	w := newCSVWriter(&b)
	var c floatCache
	for _, v := range vals {
		w.cachedFloat(&c, v)
		got := string(w.buf)
		w.buf, w.n = w.buf[:0], 0
		if want := strconv.FormatFloat(v, 'g', -1, 64); got != want {
			t.Errorf("cachedFloat(%v) = %q, want %q", v, got, want)
		}
	}
}
