package parquet_test

import (
	"bytes"
	"os"
	"syscall"
	"testing"
	"time"

	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"

	"github.com/bt-backtest/bt/data"
	"github.com/bt-backtest/bt/data/csvfile"
	"github.com/bt-backtest/bt/data/parquet"
	"github.com/bt-backtest/bt/internal/testenv"
)

// The two encodings compared by BenchmarkEncoding: parquet-go's defaults (PLAIN) and the
// store's (DELTA_BINARY_PACKED times, BYTE_STREAM_SPLIT doubles).
type plainRow struct {
	OpenTime int64   `parquet:"open_time,timestamp(millisecond:utc),plain"`
	Open     float64 `parquet:"open,plain"`
	High     float64 `parquet:"high,plain"`
	Low      float64 `parquet:"low,plain"`
	Close    float64 `parquet:"close,plain"`
	Volume   float64 `parquet:"volume,plain"`
}

func encode[T any](b *testing.B, rows []T, c compress.Codec) []byte {
	var buf bytes.Buffer
	w := pq.NewGenericWriter[T](&buf, pq.Compression(c))
	for len(rows) > 0 {
		n := min(len(rows), 16384)
		if _, err := w.Write(rows[:n]); err != nil {
			b.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
		rows = rows[n:]
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// decodeAll decodes every column of the file with the column API; it returns the rows.
func decodeAll(b *testing.B, file []byte, ints []int64, floats []float64) int {
	f, err := pq.OpenFile(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for _, rg := range f.RowGroups() {
		for ci, ch := range rg.ColumnChunks() {
			pages := ch.Pages()
			for {
				p, err := pages.ReadPage()
				if err != nil {
					break
				}
				d := p.Data()
				if ci == 0 {
					ints = append(ints[:0], d.Int64()...)
					n += len(ints)
				} else {
					floats = append(floats[:0], d.Double()...)
				}
				pq.Release(p)
			}
			pages.Close()
		}
	}
	return n
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkEncoding compares file size (bytes/row) and column-API decode speed of PLAIN
// against DELTA/BYTE_STREAM_SPLIT, uncompressed, snappy and zstd, on real BTCUSDT 5m klines
// from ../shared (329,964 rows), skipping when they are absent.
func BenchmarkEncoding(b *testing.B) {
	path := testenv.Shared(b, "data", "binance-um", "5m", "BTCUSDT_5m.csv.gz")
	fh, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	ks, err := csvfile.ReadKlines(fh, path, csvfile.Options{})
	fh.Close()
	if err != nil {
		b.Fatal(err)
	}
	plain := make([]plainRow, len(ks))
	split := make([]parquet.KlineRow, len(ks))
	for i, k := range ks {
		plain[i] = plainRow(k6(k))
		split[i] = parquet.KlineRow(k6(k))
	}
	for _, c := range []struct {
		name  string
		codec compress.Codec
	}{{"none", &pq.Uncompressed}, {"snappy", &pq.Snappy}, {"zstd", &pq.Zstd}} {
		for _, enc := range []string{"plain", "split"} {
			b.Run(enc+"/"+c.name, func(b *testing.B) {
				var file []byte
				if enc == "plain" {
					file = encode(b, plain, c.codec)
				} else {
					file = encode(b, split, c.codec)
				}
				ints, floats := make([]int64, 0, 1<<16), make([]float64, 0, 1<<16)
				b.ReportAllocs()
				b.ResetTimer()
				cpu0 := cpuNow()
				for range b.N {
					if n := decodeAll(b, file, ints, floats); n != len(ks) {
						b.Fatal(n)
					}
				}
				b.ReportMetric(float64(len(ks))*float64(b.N)/(cpuNow()-cpu0).Seconds(), "rows/cpu-s")
				b.ReportMetric(float64(len(file))/float64(len(ks)), "bytes/row")
			})
		}
	}
}

type row6 struct {
	OpenTime                       int64
	Open, High, Low, Close, Volume float64
}

func k6(k data.Kline) row6 { return row6{k.OpenTime, k.Open, k.High, k.Low, k.Close, k.Volume} }
