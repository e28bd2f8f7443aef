package parquet

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/data"
)

const hour = int64(3600 * 1000)

// t0 is 2025-05-31T20:00Z: series starting there cross a month boundary after 4 bars.
var t0 = time.Date(2025, 5, 31, 20, 0, 0, 0, time.UTC).UnixMilli()

// genKlines makes n valid hourly klines from start with prices derived from seed.
func genKlines(start int64, n int, seed float64, extra bool) []data.Kline {
	out := make([]data.Kline, n)
	p := 100 + seed
	for i := range out {
		o := p
		c := p * (1 + 0.01*math.Sin(float64(i)*0.7+seed))
		k := data.Kline{OpenTime: start + int64(i)*hour, Open: o, Close: c,
			High: math.Max(o, c) * 1.002, Low: math.Min(o, c) * 0.998, Volume: float64(i%7) * 1.5}
		if extra {
			k.QuoteVolume, k.Trades, k.TakerBuyVolume, k.TakerBuyQuoteVolume = k.Volume*o, int64(i), k.Volume/2, k.Volume*o/2
		}
		out[i] = k
		p = c
	}
	return out
}

func genFunding(start int64, n int, every int64) []data.FundingRate {
	out := make([]data.FundingRate, n)
	for i := range out {
		out[i] = data.FundingRate{Time: start + int64(i)*every, Rate: 0.0001 * float64(i%5-2), IntervalHours: int32(every / hour)}
	}
	return out
}

func kl(sym string) data.Series {
	return data.Series{Symbol: sym, Kind: data.KindKlines, Interval: "1h", Source: "test"}
}
func mk(sym string) data.Series {
	return data.Series{Symbol: sym, Kind: data.KindMark, Interval: "1h", Source: "test"}
}
func fd(sym string) data.Series {
	return data.Series{Symbol: sym, Kind: data.KindFunding, Source: "test"}
}

func mustCreate(t testing.TB) *Store {
	t.Helper()
	s, err := Create(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustWrite(t testing.TB, s *Store, sr data.Series, rows []data.Kline) WriteStats {
	t.Helper()
	st, err := s.WriteKlines(sr, rows)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestRoundTripKlines(t *testing.T) {
	for _, extra := range []bool{false, true} {
		for _, comp := range []string{"zstd", "snappy", "none"} {
			s, err := CreateWith(t.TempDir(), Options{Compression: comp, RowGroupRows: 100})
			if err != nil {
				t.Fatal(err)
			}
			in := genKlines(t0, 1000, 1, extra)
			st := mustWrite(t, s, kl("BTCUSDT"), in)
			// 1000 hourly bars from 2025-05-31T20:00 touch May, June and July: 3 files.
			if st.Added != 1000 || st.Duplicates != 0 || st.Files != 3 {
				t.Errorf("stats %+v", st)
			}
			got, err := s.ReadKlines(kl("BTCUSDT"), 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, in) {
				for i := range got {
					if got[i] != in[i] {
						t.Logf("row %d: got %+v want %+v", i, got[i], in[i])
						break
					}
				}
				t.Fatalf("extra=%v %s: round trip differs", extra, comp)
			}
		}
	}
}

func TestRoundTripMarkDropsVolume(t *testing.T) {
	s := mustCreate(t)
	in := genKlines(t0, 50, 2, true)
	mustWrite(t, s, mk("BTCUSDT"), in)
	got, err := s.ReadKlines(mk("BTCUSDT"), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		want := data.Kline{OpenTime: in[i].OpenTime, Open: in[i].Open, High: in[i].High, Low: in[i].Low, Close: in[i].Close}
		if got[i] != want {
			t.Fatalf("row %d: got %+v want %+v", i, got[i], want)
		}
	}
}

func TestRoundTripFunding(t *testing.T) {
	s := mustCreate(t)
	in := genFunding(t0, 200, 8*hour)
	in[7].IntervalHours = 4
	if _, err := s.WriteFunding(fd("BTCUSDT"), in); err != nil {
		t.Fatal(err)
	}
	got, err := s.ReadFunding(fd("BTCUSDT"), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, in) {
		t.Fatal("funding round trip differs")
	}
}

func TestList(t *testing.T) {
	s := mustCreate(t)
	mustWrite(t, s, kl("ETHUSDT"), genKlines(t0, 3, 0, false))
	mustWrite(t, s, kl("BTCUSDT"), genKlines(t0, 3, 0, false))
	mustWrite(t, s, mk("BTCUSDT"), genKlines(t0, 3, 0, false))
	if _, err := s.WriteFunding(fd("BTCUSDT"), genFunding(t0, 3, 8*hour)); err != nil {
		t.Fatal(err)
	}
	got, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	want := []data.Series{fd("BTCUSDT"), kl("BTCUSDT"), kl("ETHUSDT"), mk("BTCUSDT")}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("List = %v, want %v", got, want)
	}
	// A read-only view over the same directory lists the same.
	ro, err := OpenFS(os.DirFS(s.Root()))
	if err != nil {
		t.Fatal(err)
	}
	got2, err := ro.List()
	if err != nil || !reflect.DeepEqual(got2, want) {
		t.Fatalf("OpenFS List = %v, %v", got2, err)
	}
	if _, err := ro.WriteKlines(kl("BTCUSDT"), nil); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("write to read-only store: %v", err)
	}
}

func TestMergeOverlappingImport(t *testing.T) {
	s := mustCreate(t)
	all := genKlines(t0, 300, 3, false)
	mustWrite(t, s, kl("BTCUSDT"), all[:200])
	// Overlap rows 100..199, add 200..299, given in reverse order with one repeated row.
	add := slices.Clone(all[100:])
	slices.Reverse(add)
	add = append(add, all[150])
	st := mustWrite(t, s, kl("BTCUSDT"), add)
	if st.Added != 100 || st.Duplicates != 101 {
		t.Errorf("stats %+v, want Added 100 Duplicates 101", st)
	}
	got, err := s.ReadKlines(kl("BTCUSDT"), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, all) {
		t.Fatal("merged rows differ from the full series")
	}
	// Re-importing everything changes nothing and writes no file.
	st = mustWrite(t, s, kl("BTCUSDT"), all)
	if st.Added != 0 || st.Duplicates != 300 || st.Files != 0 {
		t.Errorf("re-import stats %+v", st)
	}
}

func TestConflictNothingWritten(t *testing.T) {
	s := mustCreate(t)
	all := genKlines(t0, 300, 3, false)
	mustWrite(t, s, kl("BTCUSDT"), all[:100])
	before := dirSnapshot(t, s.Root())
	// New months plus one conflicting row in the stored range.
	add := slices.Clone(all[50:])
	add[10].Close = add[10].Close * 1.0001
	if add[10].Close > add[10].High {
		add[10].High = add[10].Close
	}
	_, err := s.WriteKlines(kl("BTCUSDT"), add)
	var ce *ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, ErrConflict) {
		t.Fatalf("err = %v, want *ConflictError", err)
	}
	if ce.Time != all[60].OpenTime || (ce.Field != "high" && ce.Field != "close") || ce.Series != kl("BTCUSDT") {
		t.Errorf("conflict %+v", ce)
	}
	if !strings.Contains(err.Error(), "2025-06-03T08:00:00Z") || !strings.Contains(err.Error(), "test/klines/BTCUSDT/1h") {
		t.Errorf("message %q does not name the time and series", err)
	}
	if after := dirSnapshot(t, s.Root()); !reflect.DeepEqual(before, after) {
		t.Errorf("files changed after a conflict:\n%v\n%v", before, after)
	}
	// Conflicting duplicates inside one input are reported too.
	dup := []data.Kline{all[0], all[0]}
	dup[1].Volume++
	if _, err := s.WriteKlines(kl("ETHUSDT"), dup); !errors.As(err, &ce) || ce.Field != "volume" {
		t.Fatalf("in-input conflict: %v", err)
	}
	// Funding conflicts.
	f := genFunding(t0, 10, 8*hour)
	if _, err := s.WriteFunding(fd("BTCUSDT"), f); err != nil {
		t.Fatal(err)
	}
	f[3].Rate = 0.5
	if _, err := s.WriteFunding(fd("BTCUSDT"), f); !errors.As(err, &ce) || ce.Field != "rate" || ce.Time != f[3].Time {
		t.Fatalf("funding conflict: %v", err)
	}
}

func dirSnapshot(t *testing.T, root string) map[string]string {
	m := map[string]string{}
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if !d.IsDir() {
			b, _ := os.ReadFile(p)
			m[p] = string(b)
		}
		return nil
	})
	return m
}

func TestWriteRejectsBadRows(t *testing.T) {
	s := mustCreate(t)
	for _, tc := range []struct {
		name  string
		mod   func(k *data.Kline)
		field string
		err   error
	}{
		{"nan", func(k *data.Kline) { k.Open = math.NaN() }, "open", data.ErrBadPrice},
		{"inf", func(k *data.Kline) { k.High = math.Inf(1) }, "high", data.ErrBadPrice},
		{"zero", func(k *data.Kline) { k.Low = 0 }, "low", data.ErrBadPrice},
		{"negative", func(k *data.Kline) { k.Close = -1 }, "close", data.ErrBadPrice},
		{"low>high", func(k *data.Kline) { k.Low = k.High * 2 }, "low", data.ErrLowAboveHigh},
		{"misaligned", func(k *data.Kline) { k.OpenTime += 1000 }, "open_time", data.ErrMisaligned},
		{"volume", func(k *data.Kline) { k.Volume = -1 }, "volume", data.ErrBadVolume},
	} {
		rows := genKlines(t0, 10, 0, false)
		tc.mod(&rows[4])
		_, err := s.WriteKlines(kl("BTCUSDT"), rows)
		var re *data.RowError
		if !errors.As(err, &re) || re.Row != 5 || re.Field != tc.field || !errors.Is(err, tc.err) {
			t.Errorf("%s: err = %v", tc.name, err)
		}
	}
	if l, _ := s.List(); len(l) != 0 {
		t.Errorf("bad writes left series %v", l)
	}
}

// collect drains a stream into a readable transcript.
func collect(t *testing.T, st *Stream) []string {
	t.Helper()
	var out []string
	for st.Next() {
		b := st.Batch()
		line := time.UnixMilli(b.Time).UTC().Format("01-02T15")
		for _, x := range b.Bars {
			if x.Time != b.Time || x.End != b.Time+hour || x.Symbol != st.Symbols()[x.ID] {
				t.Fatalf("bad bar %+v in batch %d", x, b.Time)
			}
			line += " K:" + x.Symbol
		}
		for _, x := range b.Marks {
			line += " M:" + x.Symbol
		}
		for _, x := range b.Funding {
			line += " F:" + x.Symbol
		}
		out = append(out, line)
	}
	if err := st.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestStreamMergeOrder(t *testing.T) {
	s := mustCreate(t)
	// AAA: 6 bars; BBB halts after 2 bars and resumes at bar 5; CCC starts at bar 3.
	a := genKlines(t0, 6, 1, false)
	b := genKlines(t0, 6, 2, false)
	b = append(b[:2], b[4:]...)
	c := genKlines(t0+3*hour, 3, 3, false)
	mustWrite(t, s, kl("CCC"), c)
	mustWrite(t, s, kl("AAA"), a)
	mustWrite(t, s, kl("BBB"), b)
	mustWrite(t, s, mk("BBB"), genKlines(t0, 3, 4, false))
	// Funding of CCC at 21:30 (between bars) and at 00:00 (with bars).
	if _, err := s.WriteFunding(fd("CCC"), []data.FundingRate{
		{Time: t0 + hour + hour/2, Rate: 1e-4, IntervalHours: 8},
		{Time: t0 + 4*hour, Rate: -1e-4, IntervalHours: 8}}); err != nil {
		t.Fatal(err)
	}
	for _, syms := range [][]string{nil, {"CCC", "AAA", "BBB"}, {"BBB", "CCC", "AAA", "BBB"}} {
		st, err := s.Stream(StreamOptions{Symbols: syms})
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Symbols(); !reflect.DeepEqual(got, []string{"AAA", "BBB", "CCC"}) {
			t.Fatalf("Symbols = %v", got)
		}
		if st.HasMark(0) || !st.HasMark(1) || st.HasMark(2) || !st.HasFunding(2) || st.HasFunding(0) {
			t.Errorf("HasMark/HasFunding wrong")
		}
		got := collect(t, st)
		want := []string{
			"05-31T20 K:AAA K:BBB M:BBB",
			"05-31T21 K:AAA K:BBB M:BBB",
			"05-31T21 F:CCC"[:0] + "05-31T21 F:CCC",
			"05-31T22 K:AAA M:BBB",
			"05-31T23 K:AAA K:CCC",
			"06-01T00 K:AAA K:BBB K:CCC F:CCC",
			"06-01T01 K:AAA K:BBB K:CCC",
		}
		// The funding at 21:30 has its own batch.
		want[2] = "05-31T21 F:CCC"
		if !reflect.DeepEqual(got, want) {
			t.Errorf("symbols %v:\ngot  %q\nwant %q", syms, got, want)
		}
		if len(st.Files()) != 9 || !slices.IsSorted(st.Files()) {
			t.Errorf("Files = %v", st.Files())
		}
		st.Close()
	}
}

func TestStreamRoundTripAndRange(t *testing.T) {
	s := mustCreate(t)
	syms := []string{"XRPUSDT", "BTCUSDT", "ETHUSDT"}
	in := map[string][]data.Kline{}
	for i, sym := range syms {
		in[sym] = genKlines(t0, 2000, float64(i), i == 0)
		mustWrite(t, s, kl(sym), in[sym])
	}
	start, end := t0+100*hour, t0+1500*hour
	st, err := s.Stream(StreamOptions{Interval: "1h", Start: start, End: end})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n := 0
	for st.Next() {
		b := st.Batch()
		if b.Time != start+int64(n)*hour || len(b.Bars) != 3 {
			t.Fatalf("batch %d: time %d, %d bars", n, b.Time, len(b.Bars))
		}
		for _, bar := range b.Bars {
			k := in[bar.Symbol][100+n]
			want := backtest.Bar{Symbol: bar.Symbol, ID: bar.ID, Time: k.OpenTime, End: k.OpenTime + hour,
				Open: k.Open, High: k.High, Low: k.Low, Close: k.Close, Volume: k.Volume}
			if bar != want {
				t.Fatalf("got %+v want %+v", bar, want)
			}
		}
		n++
	}
	if st.Err() != nil || n != 1400 {
		t.Fatalf("n=%d err=%v", n, st.Err())
	}
}

func TestStreamOptionsErrors(t *testing.T) {
	s := mustCreate(t)
	mustWrite(t, s, kl("BTCUSDT"), genKlines(t0, 3, 0, false))
	s5 := data.Series{Symbol: "BTCUSDT", Kind: data.KindKlines, Interval: "5m", Source: "test"}
	mustWrite(t, s, s5, genKlines(t0, 3, 0, false))
	if _, err := s.Stream(StreamOptions{}); err == nil || !strings.Contains(err.Error(), "several intervals (1h, 5m)") {
		t.Errorf("ambiguous interval: %v", err)
	}
	if _, err := s.Stream(StreamOptions{Interval: "1h", Symbols: []string{"NOPE"}}); !errors.Is(err, ErrNoData) {
		t.Errorf("unknown symbol: %v", err)
	}
	if _, err := s.Stream(StreamOptions{Interval: "1h", Start: 10, End: 5}); err == nil {
		t.Errorf("End before Start accepted")
	}
}

// TestStreamMemoryBounded: however long the history, a stream's buffers never exceed one row
// group per series.
func TestStreamMemoryBounded(t *testing.T) {
	s, err := CreateWith(t.TempDir(), Options{RowGroupRows: 64})
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, s, kl("BTCUSDT"), genKlines(t0, 3000, 1, false))
	mustWrite(t, s, mk("BTCUSDT"), genKlines(t0, 3000, 2, false))
	st, err := s.Stream(StreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n := 0
	for st.Next() {
		n++
		for _, c := range st.all {
			for f := range nFields {
				if cap(c.b.f64[f]) > 64 || cap(c.b.i64[f]) > 64 {
					t.Fatalf("batch %d: buffer of %d rows", n, max(cap(c.b.f64[f]), cap(c.b.i64[f])))
				}
			}
		}
	}
	if st.Err() != nil || n != 3000 {
		t.Fatalf("%d batches, %v", n, st.Err())
	}
}
