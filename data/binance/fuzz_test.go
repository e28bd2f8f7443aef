package binance

import (
	"bytes"
	"errors"
	"math"
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
