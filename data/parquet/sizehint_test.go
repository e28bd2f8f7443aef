package parquet

import (
	"testing"
	"time"
)

// SizeHint bounds the number of batches from above: the month partitions' span, clipped to
// the range, in intervals.
func TestStreamSizeHint(t *testing.T) {
	s := mustCreate(t)
	for i, sym := range []string{"BTCUSDT", "ETHUSDT"} {
		mustWrite(t, s, kl(sym), genKlines(t0+int64(i)*hour, 2000, float64(i), false))
	}
	june := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	for _, c := range []struct {
		name       string
		start, end int64
		want       int // exact hint
	}{
		// partitions 2025-05 .. 2025-08 (t0 + 2001 hours is in August)
		{"whole store", 0, 0, int((time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC).UnixMilli() - time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC).UnixMilli()) / hour)},
		{"range", t0 + 100*hour, t0 + 1500*hour, 1400},
		{"from june", june, 0, int((time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC).UnixMilli() - june) / hour)},
	} {
		st, err := s.Stream(StreamOptions{Interval: "1h", Start: c.start, End: c.end})
		if err != nil {
			t.Fatal(err)
		}
		hint := st.SizeHint()
		n := 0
		for st.Next() {
			n++
		}
		st.Close()
		if hint != c.want || hint < n {
			t.Errorf("%s: SizeHint %d, want %d (batches %d)", c.name, hint, c.want, n)
		}
	}
}
