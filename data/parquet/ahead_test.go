package parquet

import (
	"errors"
	"math"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/data"
)

// minuteSeries returns the 1m series of sym of kind k in the test source.
func minuteSeries(sym string, k data.Kind) data.Series {
	return data.Series{Symbol: sym, Kind: k, Interval: "1m", Source: "test"}
}

// genMinutes makes n valid 1m klines from start (genKlines' prices, one minute apart).
func genMinutes(start int64, n int, seed float64) []data.Kline {
	out := genKlines(start, n, seed, false)
	for i := range out {
		out[i].OpenTime = start + int64(i)*minute
	}
	return out
}

// setReadAhead makes Streams decode ahead (on) or not for the rest of the test.
func setReadAhead(t *testing.T, on bool) {
	old := readAhead
	readAhead = func() bool { return on }
	t.Cleanup(func() { readAhead = old })
}

// replay returns deep copies of every batch of a stream, and its error.
func replay(t *testing.T, s *Store, opt StreamOptions) ([]backtest.Batch, error) {
	t.Helper()
	st, err := s.Stream(opt)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var out []backtest.Batch
	for st.Next() {
		b := st.Batch()
		out = append(out, backtest.Batch{Time: b.Time, Bars: append([]backtest.Bar(nil), b.Bars...),
			Marks: append([]backtest.Bar(nil), b.Marks...), Funding: append([]backtest.Funding(nil), b.Funding...)})
	}
	return out, st.Err()
}

// TestStreamAheadSameAsInline: a stream decoding ahead (with two processors, and forced with
// one) delivers the same batches, then the same error, as one decoding inline, over series
// of many small row groups across two months, with a range cutting into both ends.
func TestStreamAheadSameAsInline(t *testing.T) {
	s, err := CreateWith(t.TempDir(), Options{RowGroupRows: 50})
	if err != nil {
		t.Fatal(err)
	}
	start := t0 - 3*hour // 2025-05-31T17:00Z: 420 minutes in May, the rest in June
	for k, sym := range []string{"AAAUSDT", "BBBUSDT", "CCCUSDT"} {
		n := 1500 - 200*k
		mustWrite(t, s, minuteSeries(sym, data.KindKlines), genMinutes(start+int64(k)*minute, n, float64(k)))
		if k != 1 {
			mustWrite(t, s, minuteSeries(sym, data.KindMark), genMinutes(start, n, float64(k)+0.5))
		}
		if _, err := s.WriteFunding(fd(sym), genFunding(start, 4, 8*hour)); err != nil {
			t.Fatal(err)
		}
	}
	// A bad row late in DDDUSDT's June file, in its 17th row group.
	rows := genMinutes(t0, 1300, 7)
	rows[820].High = math.NaN()
	plant(t, s, minuteSeries("DDDUSDT", data.KindKlines), "2025-06", toRows(rows))
	for _, opt := range []StreamOptions{
		{Symbols: []string{"AAAUSDT", "BBBUSDT", "CCCUSDT"}},
		{Symbols: []string{"AAAUSDT", "BBBUSDT", "CCCUSDT"}, Start: start + 77*minute, End: start + 1111*minute},
		{}, // with DDDUSDT's bad row
	} {
		setReadAhead(t, false)
		want, wantErr := replay(t, s, opt)
		if len(want) < 1000 {
			t.Fatalf("%+v: only %d batches", opt, len(want))
		}
		for _, procs := range []int{2, 1} {
			old := runtime.GOMAXPROCS(procs)
			setReadAhead(t, true)
			got, err := replay(t, s, opt)
			runtime.GOMAXPROCS(old)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%+v, GOMAXPROCS %d: decoding ahead gives %d batches, inline %d, or different ones", opt, procs, len(got), len(want))
			}
			if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
				t.Errorf("%+v, GOMAXPROCS %d: error %v, inline %v", opt, procs, err, wantErr)
			}
		}
		if len(opt.Symbols) == 0 {
			var re *data.RowError
			if !errors.As(wantErr, &re) || re.Row != 821 || re.Field != "high" {
				t.Errorf("DDDUSDT's bad row: %v", wantErr)
			}
		}
	}
}

// TestStreamBadRowDecodedAhead: a bad row in a row group that a series' goroutine decodes
// while the stream still hands out the previous row group (seen through aheadLoaded) stops
// the stream exactly after the last batch holding the good rows before it, as inline
// decoding does: none lost, none after. Bad rows first in a row group (no usable row) and
// within one.
func TestStreamBadRowDecodedAhead(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	setReadAhead(t, true)
	const group = 512 // rows per row group; Stream windows are 256 timestamps
	for _, bad := range []int{2 * group, 2*group + 77} {
		s, err := CreateWith(t.TempDir(), Options{RowGroupRows: group})
		if err != nil {
			t.Fatal(err)
		}
		june := t0 + 4*hour
		mustWrite(t, s, minuteSeries("AAAUSDT", data.KindKlines), genMinutes(june, 2000, 1))
		mustWrite(t, s, minuteSeries("AAAUSDT", data.KindMark), genMinutes(june, 2000, 1))
		rows := genMinutes(june, 2000, 2)
		rows[bad].Close = math.NaN()
		plant(t, s, minuteSeries("BBBUSDT", data.KindKlines), "2025-06", toRows(rows))

		found := make(chan struct{}, 1)
		aheadLoaded = func(sym string, failed bool) {
			if sym == "BBBUSDT" && failed {
				select {
				case found <- struct{}{}:
				default:
				}
			}
		}
		st, err := s.Stream(StreamOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var bars, marks int
		last, waited := int64(0), false
		for st.Next() {
			b := st.Batch()
			bars += len(b.Bars)
			marks += len(b.Marks)
			last = b.Time
			// At row 300 the stream has taken BBBUSDT's first row group (rows 0-511, two
			// windows) and holds its second: the goroutine decodes the third, with the bad row.
			if b.Time == rows[300].OpenTime {
				select {
				case <-found:
					waited = true
				case <-time.After(20 * time.Second):
					t.Fatalf("bad row %d: the row group holding it was not decoded ahead", bad)
				}
			}
		}
		st.Close() // its goroutines have left: none reads aheadLoaded any more
		aheadLoaded = nil
		var re *data.RowError
		if err := st.Err(); !errors.As(err, &re) || re.Row != bad+1 || re.Field != "close" {
			t.Fatalf("bad row %d: err = %v", bad, err)
		}
		if !waited {
			t.Fatalf("bad row %d: never reached row 300", bad)
		}
		if want := rows[bad-1].OpenTime; last != want {
			t.Errorf("bad row %d: last batch at %d, want %d (the bad row's predecessor)", bad, last, want)
		}
		if bars != 2*bad || marks != bad {
			t.Errorf("bad row %d: %d bars and %d marks before the error, want %d and %d", bad, bars, marks, 2*bad, bad)
		}
	}
}

// TestFinishedStreamHoldsNoRows: a stream that has ended (cleanly, or on a bad row, decoding
// ahead or inline) lets go of its decoded row groups and its window, while its caller may
// still hold it (bt run keeps it open until the run directory is written), and still answers
// Err, Symbols and Files.
func TestFinishedStreamHoldsNoRows(t *testing.T) {
	s, err := CreateWith(t.TempDir(), Options{RowGroupRows: 50})
	if err != nil {
		t.Fatal(err)
	}
	for k, sym := range []string{"AAAUSDT", "BBBUSDT"} {
		mustWrite(t, s, minuteSeries(sym, data.KindKlines), genMinutes(t0, 400, float64(k)))
		mustWrite(t, s, minuteSeries(sym, data.KindMark), genMinutes(t0, 400, float64(k)+0.5))
	}
	rows := genMinutes(t0, 400, 7)
	rows[300].Low = math.NaN()
	plant(t, s, minuteSeries("CCCUSDT", data.KindKlines), "2025-06", toRows(rows))
	for _, ahead := range []bool{true, false} {
		setReadAhead(t, ahead)
		for _, syms := range [][]string{{"AAAUSDT", "BBBUSDT"}, nil} {
			st, err := s.Stream(StreamOptions{Symbols: syms})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for st.Next() {
				n++
			}
			if n < 300 || (syms == nil) != (st.Err() != nil) {
				t.Errorf("ahead %v, %v: %d batches, error %v", ahead, syms, n, st.Err())
			}
			for _, c := range st.all {
				if c.b != nil || c.ld != nil {
					t.Errorf("ahead %v, %v: a finished stream still holds a series' decoded rows", ahead, syms)
					break
				}
			}
			if st.wBars != nil || st.wMarks != nil || len(st.Symbols()) < 2 || len(st.Files()) < 4 {
				t.Errorf("ahead %v, %v: window %d/%d bars kept; symbols %v, files %v", ahead, syms, len(st.wBars), len(st.wMarks), st.Symbols(), st.Files())
			}
			if st.Next() {
				t.Errorf("ahead %v, %v: Next after the end", ahead, syms)
			}
			st.Close()
		}
	}
}
