package parquet

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/data"
)

// TestDecodeLoopReadsWhatStreamReplays: DecodeLoop counts and sums exactly the rows the Stream
// replays over the same options (range cut in the middle of files, mark klines and funding),
// and stops at a bad row with the Stream's error.
func TestDecodeLoopReadsWhatStreamReplays(t *testing.T) {
	s := mustCreate(t)
	for i, sym := range []string{"XRPUSDT", "BTCUSDT", "ETHUSDT"} {
		rows := genKlines(t0, 2000, float64(i), i == 0)
		mustWrite(t, s, kl(sym), rows)
		if i < 2 {
			mustWrite(t, s, mk(sym), rows)
			if _, err := s.WriteFunding(fd(sym), genFunding(t0, 250, 8*hour)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, opt := range []StreamOptions{{}, {Start: t0 + 100*hour, End: t0 + 1500*hour}, {Symbols: []string{"ETHUSDT"}}} {
		st, err := s.Stream(opt)
		if err != nil {
			t.Fatal(err)
		}
		var want DecodeLoopStats
		for st.Next() {
			b := st.Batch()
			want.Klines += len(b.Bars)
			want.Marks += len(b.Marks)
			want.Funding += len(b.Funding)
		}
		st.Close()
		if st.Err() != nil {
			t.Fatal(st.Err())
		}
		got, err := s.DecodeLoop(opt)
		if err != nil {
			t.Fatal(err)
		}
		if got.Klines != want.Klines || got.Marks != want.Marks || got.Funding != want.Funding || got.Bars() != want.Klines+want.Marks {
			t.Errorf("%+v: DecodeLoop read %+v, the stream replays %+v", opt, got, want)
		}
		if want.Klines == 0 || got.Sum == 0 {
			t.Errorf("%+v: nothing read: %+v", opt, got)
		}
	}
	// Half the rows: the range cut reads fewer rows and a smaller sum of positive closes.
	all, _ := s.DecodeLoop(StreamOptions{})
	part, _ := s.DecodeLoop(StreamOptions{Start: t0 + 1000*hour})
	if part.Klines != 3*1000 || part.Sum >= all.Sum {
		t.Errorf("from bar 1000: %+v (all: %+v)", part, all)
	}

	// A bad row stops it with the Stream's error.
	rows := genKlines(t0, 4, 0, false)
	rows[2].Low = 0
	bad := mustCreate(t)
	p := plant(t, bad, kl("BTCUSDT"), "2025-05", toRows(rows))
	_, err := bad.DecodeLoop(StreamOptions{})
	var re *data.RowError
	if !errors.As(err, &re) || re.Row != 3 || re.File != p {
		t.Errorf("bad row: err = %v", err)
	}
}

// benchDataset opens the end-to-end benchmark's dataset (make bench-data; BENCHDIR or
// ~/.cache/bt/bench-data-s7), skipping the benchmark when it is missing.
func benchDataset(b *testing.B) *Store {
	b.Helper()
	dir := os.Getenv("BENCHDIR")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".cache", "bt", "bench-data-s7")
	}
	if _, err := os.Stat(filepath.Join(dir, ".complete")); err != nil {
		b.Skipf("no benchmark dataset at %s (make bench-data)", dir)
	}
	s, err := OpenFS(os.DirFS(dir))
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkDecodeLoop is the bare decode-and-loop over the end-to-end benchmark's dataset
// (make bench-data; BENCHDIR or ~/.cache/bt/bench-data-s7): every kline, mark kline and funding
// row of the year decoded and touched once. Skipped when the dataset is missing.
// bt data decode-loop measures the same from the command line (scripts/bench-e2e.sh).
func BenchmarkDecodeLoop(b *testing.B) {
	s := benchDataset(b)
	b.ReportAllocs()
	cpu0 := cpuTime()
	var d DecodeLoopStats
	var err error
	for range b.N {
		if d, err = s.DecodeLoop(StreamOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(d.Bars())*float64(b.N)/b.Elapsed().Seconds(), "bars/s")
	b.ReportMetric(float64(d.Bars())*float64(b.N)/(cpuTime()-cpu0).Seconds(), "bars/cpu-s")
}

// Stream.take stores each field of backtest.Bar in place into a reused window slot: a
// field added to Bar must be stored there too, or it would keep a stale value.
func TestAppendBarCoversBar(t *testing.T) {
	if n := reflect.TypeOf(backtest.Bar{}).NumField(); n != 9 {
		t.Errorf("backtest.Bar has %d fields; Stream.take (stream.go) stores 9: store the new one too", n)
	}
}

// BenchmarkStreamYear replays the same dataset as BenchmarkDecodeLoop through Stream.Next
// (merged by timestamp, bars built), to compare with the bare decode-and-loop.
func BenchmarkStreamYear(b *testing.B) {
	s := benchDataset(b)
	b.ReportAllocs()
	cpu0 := cpuTime()
	bars := 0
	for range b.N {
		st, err := s.Stream(StreamOptions{})
		if err != nil {
			b.Fatal(err)
		}
		bars = 0
		for st.Next() {
			bars += len(st.Batch().Bars) + len(st.Batch().Marks)
		}
		if err := st.Err(); err != nil {
			b.Fatal(err)
		}
		st.Close()
	}
	b.ReportMetric(float64(bars)*float64(b.N)/b.Elapsed().Seconds(), "bars/s")
	b.ReportMetric(float64(bars)*float64(b.N)/(cpuTime()-cpu0).Seconds(), "bars/cpu-s")
}
