package binance

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"strings"
	"testing"
)

// FuzzParseKlines checks that any input either parses into valid rows or fails with a
// *ParseError, never a panic. The seed corpus lives in testdata/fuzz/FuzzParseKlines.
func FuzzParseKlines(f *testing.F) {
	f.Add([]byte(header+row(0, "10", "11", "9", "10")), "1h", false)
	f.Add([]byte(row(0, "10", "11", "9", "10")+row(1, "10", "11", "9", "10")), "", true)
	f.Fuzz(func(t *testing.T, in []byte, interval string, mark bool) {
		rows, err := ParseKlines(bytes.NewReader(in), "fuzz.csv", interval, mark)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error is not a *ParseError: %v", err)
			}
			return
		}
		if len(rows) == 0 {
			t.Fatal("no rows and no error")
		}
		for i, k := range rows {
			for _, p := range []float64{k.Open, k.High, k.Low, k.Close} {
				if !(p > 0) || math.IsInf(p, 0) {
					t.Fatalf("row %d: bad price in %+v", i, k)
				}
			}
			if k.Low > k.Open || k.Low > k.Close || k.High < k.Open || k.High < k.Close {
				t.Fatalf("row %d: OHLC violation %+v", i, k)
			}
			if k.Volume < 0 || math.IsNaN(k.Volume) || (mark && k.Volume != 0) {
				t.Fatalf("row %d: bad volume %+v", i, k)
			}
			if i > 0 && k.OpenTime <= rows[i-1].OpenTime {
				t.Fatalf("row %d: time not increasing", i)
			}
		}
	})
}

// FuzzParseFunding is FuzzParseKlines for fundingRate files.
func FuzzParseFunding(f *testing.F) {
	f.Add([]byte("calc_time,funding_interval_hours,last_funding_rate\n1727740800005,8,0.00010000\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		rows, err := ParseFunding(bytes.NewReader(in), "fuzz.csv")
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error is not a *ParseError: %v", err)
			}
			return
		}
		for i, r := range rows {
			if math.IsNaN(r.Rate) || math.IsInf(r.Rate, 0) || r.IntervalHours < 1 || r.Time%60_000 != 0 {
				t.Fatalf("row %d: bad %+v", i, r)
			}
			if i > 0 && r.Time <= rows[i-1].Time {
				t.Fatalf("row %d: time not increasing", i)
			}
		}
	})
}

// FuzzParseFileName: any path either names a series that validates or is an error wrapping
// ErrFileName; never a panic.
func FuzzParseFileName(f *testing.F) {
	for _, p := range []string{
		"BTCUSDT-1h-2024-10.zip", "data/futures/um/daily/markPriceKlines/ETHUSDT/1m/ETHUSDT-1m-2024-10-28.zip",
		"BTCUSDT-fundingRate-2024-09.zip", "spot/BTCUSDT-1h-2024-10-28.csv.gz", "x.zip", "",
	} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, path string) {
		fi, err := ParseFileName(path)
		if err != nil {
			if !errors.Is(err, ErrFileName) {
				t.Fatalf("error does not wrap ErrFileName: %v", err)
			}
			return
		}
		if fi.Symbol == "" || (fi.Kind != Klines && fi.Kind != MarkPriceKlines && fi.Kind != FundingRate) {
			t.Fatalf("%q: accepted as %+v", path, fi)
		}
		if fi.Kind != FundingRate && IntervalMillis(fi.Interval) == 0 && fi.Interval != "1mo" {
			t.Fatalf("%q: accepted with interval %q", path, fi.Interval)
		}
	})
}

// FuzzOpenArchive: any bytes, under any name, are read as a zip, a gzip or a plain CSV and
// parsed, or refused with an error naming the file; never a panic.
func FuzzOpenArchive(f *testing.F) {
	f.Add([]byte(header+row(0, "10", "11", "9", "10")), "BTCUSDT-1h-2024-10-28.csv")
	f.Add(zipBytes(f, "BTCUSDT-1h-2024-10-28.csv", header+row(0, "10", "11", "9", "10")), "BTCUSDT-1h-2024-10-28.zip")
	f.Add([]byte("PK\x03\x04 truncated"), "a.zip")
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0}, "a.csv.gz")
	f.Fuzz(func(t *testing.T, raw []byte, name string) {
		r, _, err := open(name, raw)
		if err != nil {
			if !errors.Is(err, ErrArchive) {
				t.Fatalf("error does not wrap ErrArchive: %v", err)
			}
			return
		}
		if _, err := ParseKlines(r, name, "1h", false); err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error is not a *ParseError: %v", err)
			}
		}
	})
}

// FuzzParseChecksum: a .CHECKSUM file is accepted only with 64 hex digits first, returned in
// lower case.
func FuzzParseChecksum(f *testing.F) {
	f.Add([]byte("5d2c8b0e5f5d6a3f4f7b0f0a3f6e9f8c1b2a3d4e5f60718293a4b5c6d7e8f901  BTCUSDT-1h-2024-10.zip\n"))
	f.Add([]byte("XYZ  file\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) {
		sum, err := parseChecksum("f.CHECKSUM", b)
		if err != nil {
			if !errors.Is(err, ErrChecksum) {
				t.Fatalf("error does not wrap ErrChecksum: %v", err)
			}
			return
		}
		if len(sum) != 64 || strings.ToLower(sum) != sum {
			t.Fatalf("accepted %q", sum)
		}
		if _, err := hex.DecodeString(sum); err != nil {
			t.Fatalf("accepted non-hex %q", sum)
		}
	})
}
