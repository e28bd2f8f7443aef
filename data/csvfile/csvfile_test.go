package csvfile

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/data"
	"github.com/bt-backtest/bt/data/parquet"
	"github.com/bt-backtest/bt/internal/testenv"
)

func TestReadKlinesFormats(t *testing.T) {
	want := []data.Kline{
		{OpenTime: 1746057600000, Open: 100, High: 110, Low: 95, Close: 105, Volume: 12.5},
		{OpenTime: 1746061200000, Open: 105, High: 106, Low: 101, Close: 102, Volume: 0},
	}
	for _, tc := range []struct {
		name, in string
		opt      Options
	}{
		{"ccxt ms", "timestamp,open,high,low,close,volume\n1746057600000,100,110,95,105,12.5\n1746061200000,105,106,101,102,0\n", Options{}},
		{"binance-um", "open_time_ms,open,high,low,close,volume\n1746057600000,100,110,95,105,12.5\n1746061200000,105,106,101,102,0\n", Options{Interval: "1h"}},
		{"seconds", "timestamp,open,high,low,close,volume\n1746057600,100,110,95,105,12.5\n1746061200,105,106,101,102,0\n", Options{}},
		{"micros", "timestamp,open,high,low,close,volume\n1746057600000000,100,110,95,105,12.5\n1746061200000000,105,106,101,102,0\n", Options{}},
		{"nanos", "timestamp,open,high,low,close,volume\n1746057600000000000,100,110,95,105,12.5\n1746061200000000000,105,106,101,102,0\n", Options{}},
		{"rfc3339", "date,open,high,low,close,volume\n2025-05-01T00:00:00Z,100,110,95,105,12.5\n2025-05-01 01:00:00+00:00,105,106,101,102,0\n", Options{}},
		{"given unit", "t,open,high,low,close,volume\n1746057600,100,110,95,105,12.5\n1746061200,105,106,101,102,0\n", Options{TimeColumn: "t", TimeUnit: "s"}},
		{"crlf upper", "Timestamp,Open,High,Low,Close,Volume\r\n1746057600000,100,110,95,105,12.5\r\n1746061200000,105,106,101,102,0\r\n", Options{}},
	} {
		got, err := ReadKlines(strings.NewReader(tc.in), tc.name, tc.opt)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %+v", tc.name, got)
		}
		// Gzipped input parses the same.
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write([]byte(tc.in))
		zw.Close()
		got, err = ReadKlines(&buf, tc.name+".gz", tc.opt)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s gzipped: %v %+v", tc.name, err, got)
		}
	}
}

func TestReadMarkAndFunding(t *testing.T) {
	got, err := ReadKlines(strings.NewReader("open_time_ms,open,high,low,close\n1577098800000,7559.44418192,7560.05502911,7554.17034744,7554.17034744\n"), "m", Options{})
	if err != nil || len(got) != 1 || got[0].Volume != 0 || got[0].Close != 7554.17034744 {
		t.Fatalf("mark: %v %+v", err, got)
	}
	fr, err := ReadFunding(strings.NewReader("funding_time_ms,funding_rate\n1568102400000,0.0001\n1568131200000,-0.00025\n"), "f", Options{})
	want := []data.FundingRate{{Time: 1568102400000, Rate: 0.0001, IntervalHours: 8}, {Time: 1568131200000, Rate: -0.00025, IntervalHours: 8}}
	if err != nil || !reflect.DeepEqual(fr, want) {
		t.Fatalf("funding: %v %+v", err, fr)
	}
	fr, err = ReadFunding(strings.NewReader("calc_time,funding_interval_hours,last_funding_rate\n1568102400000,4,0.0001\n"), "f", Options{})
	if err != nil || fr[0].IntervalHours != 4 {
		t.Fatalf("funding with interval: %v %+v", err, fr)
	}
}

func TestBadInput(t *testing.T) {
	const head = "timestamp,open,high,low,close,volume\n"
	const ok1 = "1746057600000,100,110,95,105,1\n"
	for _, tc := range []struct {
		name, in string
		row      int
		field    string
		err      error
	}{
		{"empty", "", 0, "", ErrNoHeader},
		{"no time column", "a,open,high,low,close\n1,1,1,1,1\n", 1, "", ErrNoHeader},
		{"unknown column", "timestamp,open,high,low,close,volume,foo\n", 1, "foo", ErrUnknownColumn},
		{"missing column", "timestamp,open,high,close\n", 1, "low", ErrMissingColumn},
		{"nan", head + ok1 + "1746061200000,NaN,110,95,105,1\n", 3, "open", data.ErrBadPrice},
		{"inf", head + ok1 + "1746061200000,100,+Inf,95,105,1\n", 3, "high", data.ErrBadPrice},
		{"zero", head + ok1 + "1746061200000,100,110,0,105,1\n", 3, "low", data.ErrBadPrice},
		{"negative", head + ok1 + "1746061200000,100,110,95,-105,1\n", 3, "close", data.ErrBadPrice},
		{"low>high", head + ok1 + "1746061200000,100,110,120,105,1\n", 3, "low", data.ErrLowAboveHigh},
		{"negative volume", head + ok1 + "1746061200000,100,110,95,105,-1\n", 3, "volume", data.ErrBadVolume},
		{"not a number", head + ok1 + "1746061200000,100,11x,95,105,1\n", 3, "high", ErrNumber},
		{"duplicate", head + ok1 + ok1, 3, "timestamp", data.ErrDuplicate},
		{"unsorted", head + ok1 + "1746054000000,100,110,95,105,1\n", 3, "timestamp", data.ErrOutOfOrder},
		{"misaligned", head + ok1 + "1746061260000,100,110,95,105,1\n", 3, "timestamp", data.ErrMisaligned},
		{"unit change", head + ok1 + "1746061200,100,110,95,105,1\n", 3, "timestamp", ErrTime},
		{"bad time", head + "yesterday,100,110,95,105,1\n", 2, "timestamp", ErrTime},
		{"short row", head + ok1 + "1746061200000,100,110\n", 3, "column 1", ErrFields},
		{"sub-ms", head + "1746057600000001,100,110,95,105,1\n", 2, "timestamp", ErrTime},
	} {
		_, err := ReadKlines(strings.NewReader(tc.in), "f.csv", Options{Interval: "1h"})
		if !errors.Is(err, tc.err) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.err)
			continue
		}
		if tc.row == 0 {
			continue
		}
		var re *data.RowError
		if !errors.As(err, &re) || re.File != "f.csv" || re.Row != tc.row || (tc.field != "" && re.Field != tc.field) {
			t.Errorf("%s: err = %v, want row %d field %q", tc.name, err, tc.row, tc.field)
		}
	}
	if _, err := ReadFunding(strings.NewReader("funding_time_ms,funding_rate\n1568102400000,abc\n"), "f.csv", Options{}); !errors.Is(err, ErrNumber) || !strings.Contains(err.Error(), "f.csv: row 2: field rate") {
		t.Errorf("funding bad rate: %v", err)
	}
	if _, err := ReadKlines(bytes.NewReader([]byte{0x1f, 0x8b, 1, 2, 3}), "x.gz", Options{}); err == nil {
		t.Error("corrupt gzip accepted")
	}
}

// repoShared returns ../shared/data/binance-um, or skips.
func repoShared(t *testing.T) string { return testenv.Shared(t, "data", "binance-um") }

// TestImportSharedBinanceUM imports every 1h kline, 1h mark and funding file of
// ../shared/data/binance-um into a temporary store and checks row counts and first/last times
// against the CSV files (counted independently, line by line).
func TestImportSharedBinanceUM(t *testing.T) {
	shared := repoShared(t)
	store, err := parquet.Create(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	type file struct {
		path string
		sr   data.Series
	}
	var files []file
	for _, dir := range []string{"1h", "funding"} {
		ents, err := os.ReadDir(filepath.Join(shared, dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			name := e.Name()
			sym, rest, _ := strings.Cut(name, "_")
			sr := data.Series{Symbol: sym, Source: "binance-um"}
			switch rest {
			case "1h.csv.gz":
				sr.Kind, sr.Interval = data.KindKlines, "1h"
			case "1h_mark.csv.gz":
				sr.Kind, sr.Interval = data.KindMark, "1h"
			case "funding.csv.gz":
				sr.Kind = data.KindFunding
			default:
				t.Fatalf("unexpected file %s", name)
			}
			files = append(files, file{filepath.Join(shared, dir, name), sr})
		}
	}
	if len(files) != 30 {
		t.Errorf("%d files, want 30", len(files))
	}
	for _, f := range files {
		st, err := ImportFile(store, f.path, f.sr, Options{})
		if err != nil {
			t.Fatalf("%s: %v", f.path, err)
		}
		n, first, last := countCSV(t, f.path)
		if st.Added != n || st.Duplicates != 0 {
			t.Errorf("%s: stats %+v, want %d rows", f.path, st, n)
		}
		var got []int64
		if f.sr.Kind == data.KindFunding {
			rows, err := store.ReadFunding(f.sr, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				got = append(got, r.Time)
			}
		} else {
			rows, err := store.ReadKlines(f.sr, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				got = append(got, r.OpenTime)
			}
		}
		if len(got) != n || got[0] != first || got[len(got)-1] != last {
			t.Errorf("%s: stored %d rows %d..%d, CSV has %d rows %d..%d", f.path, len(got), got[0], got[len(got)-1], n, first, last)
		}
	}
	// Re-importing one file is all duplicates.
	st, err := ImportFile(store, files[0].path, files[0].sr, Options{})
	if err != nil || st.Added != 0 || st.Files != 0 {
		t.Errorf("re-import: %+v %v", st, err)
	}
}

// countCSV counts the data lines of a gzipped CSV and returns its first and last times,
// parsing only the first field.
func countCSV(t *testing.T, path string) (n int, first, last int64) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	buf.ReadFrom(zr)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")[1:]
	parse := func(l string) int64 {
		var v int64
		fmt.Sscanf(l[:strings.IndexByte(l, ',')], "%d", &v)
		return v
	}
	return len(lines), parse(lines[0]), parse(lines[len(lines)-1])
}

// FuzzReadKlines: the parser never panics, and whatever it accepts is valid and survives a
// print/parse round trip. Seeds are in testdata/fuzz/FuzzReadKlines.
func FuzzReadKlines(f *testing.F) {
	f.Add([]byte("timestamp,open,high,low,close,volume\n1746057600000,100,110,95,105,12.5\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		rows, err := ReadKlines(bytes.NewReader(in), "fuzz", Options{})
		if err != nil {
			return
		}
		if err := data.ValidateKlines(rows, "fuzz"); err != nil {
			t.Fatalf("accepted invalid rows: %v", err)
		}
		var b strings.Builder
		b.WriteString("open_time_ms,open,high,low,close,volume,quote_volume,trades,taker_buy_volume,taker_buy_quote_volume\n")
		for _, k := range rows {
			fmt.Fprintf(&b, "%d,%v,%v,%v,%v,%v,%v,%d,%v,%v\n", k.OpenTime, k.Open, k.High, k.Low, k.Close, k.Volume,
				k.QuoteVolume, k.Trades, k.TakerBuyVolume, k.TakerBuyQuoteVolume)
		}
		again, err := ReadKlines(strings.NewReader(b.String()), "again", Options{TimeUnit: "ms"})
		if err != nil || !reflect.DeepEqual(again, rows) {
			t.Fatalf("round trip: %v\n%v\n%v", err, rows, again)
		}
	})
}

// FuzzReadFunding: the funding parser never panics and accepts only valid rows.
func FuzzReadFunding(f *testing.F) {
	f.Add([]byte("funding_time_ms,funding_rate\n1568102400000,0.0001\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		rows, err := ReadFunding(bytes.NewReader(in), "fuzz", Options{})
		if err != nil {
			return
		}
		if err := data.ValidateFunding(rows, "fuzz"); err != nil {
			t.Fatalf("accepted invalid rows: %v", err)
		}
	})
}
