package binance

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// monthCSV is a month of 1m futures klines (44640 rows) with a header.
func monthCSV() []byte {
	var b strings.Builder
	b.WriteString(header)
	t0 := time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	for i := range int64(31 * 1440) {
		ms := t0 + i*60_000
		b.WriteString(itoa(ms) + ",67992.70,68094.60,67804.70,67835.20,5179.117," + itoa(ms+59_999) + ",351923638.03910,85022,2415.052,164090858.68940,0\n")
	}
	return []byte(b.String())
}

// BenchmarkParseKlines parses a month of 1m klines (the size of a monthly archive).
func BenchmarkParseKlines(b *testing.B) {
	in := monthCSV()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		rows, err := ParseKlines(bytes.NewReader(in), "bench.csv", "1m", false)
		if err != nil || len(rows) != 31*1440 {
			b.Fatal(err, len(rows))
		}
	}
	b.ReportMetric(float64(31*1440)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
