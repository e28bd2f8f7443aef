package parquet

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/data"
)

// plant writes rows as the partition file of month for series sr, bypassing validation, the
// way a foreign tool or a bit flip might.
func plant[T any](t *testing.T, s *Store, sr data.Series, month string, rows []T) string {
	t.Helper()
	p := s.osPath(partPath(sr, month))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := encodeRows(f, sr, s.opt, rows); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return p
}

func toRows(ks []data.Kline) []klineRow {
	out := make([]klineRow, len(ks))
	for i, k := range ks {
		out[i] = klineRow{k.OpenTime, k.Open, k.High, k.Low, k.Close, k.Volume}
	}
	return out
}

// drain runs a stream to its end and returns the bars seen and the error.
func drain(t *testing.T, s *Store, opt StreamOptions) (int, error) {
	t.Helper()
	st, err := s.Stream(opt)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	n := 0
	for st.Next() {
		n += len(st.Batch().Bars)
	}
	if st.Next() {
		t.Error("Next true after the end")
	}
	return n, st.Err()
}

func TestStreamBadRows(t *testing.T) {
	// The bad row is the 5th (index 4) of a 10-row file in June 2025.
	june := t0 + 4*hour
	for _, tc := range []struct {
		name  string
		mod   func(rows []data.Kline)
		field string
		err   error
	}{
		{"nan open", func(r []data.Kline) { r[4].Open = math.NaN() }, "open", data.ErrBadPrice},
		{"inf close", func(r []data.Kline) { r[4].Close = math.Inf(1) }, "close", data.ErrBadPrice},
		{"zero low", func(r []data.Kline) { r[4].Low = 0 }, "low", data.ErrBadPrice},
		{"negative high", func(r []data.Kline) { r[4].High = -3 }, "high", data.ErrBadPrice},
		{"low above high", func(r []data.Kline) { r[4].Low = r[4].High + 1 }, "low", data.ErrLowAboveHigh},
		{"open above high", func(r []data.Kline) { r[4].Open = r[4].High * 2 }, "open", data.ErrOutsideRange},
		{"nan volume", func(r []data.Kline) { r[4].Volume = math.NaN() }, "volume", data.ErrBadVolume},
		{"duplicate", func(r []data.Kline) { r[4].OpenTime = r[3].OpenTime }, "open_time", data.ErrDuplicate},
		{"unsorted", func(r []data.Kline) { r[4].OpenTime = r[2].OpenTime }, "open_time", data.ErrOutOfOrder},
		{"misaligned", func(r []data.Kline) { r[4].OpenTime += 60000 }, "open_time", data.ErrMisaligned},
	} {
		s := mustCreate(t)
		mustWrite(t, s, kl("BTCUSDT"), genKlines(t0, 4, 0, false)) // May: 4 good rows
		rows := genKlines(june, 10, 0, false)
		tc.mod(rows)
		p := plant(t, s, kl("BTCUSDT"), "2025-06", toRows(rows))
		n, err := drain(t, s, StreamOptions{})
		var re *data.RowError
		if !errors.As(err, &re) || !errors.Is(err, tc.err) || re.Row != 5 || re.Field != tc.field || re.File != p {
			t.Errorf("%s: err = %v", tc.name, err)
			continue
		}
		// The 8 good rows before the bad one were delivered first.
		if n != 8 {
			t.Errorf("%s: %d bars before the error, want 8", tc.name, n)
		}
		if !strings.Contains(err.Error(), "row 5: field "+tc.field) {
			t.Errorf("%s: message %q", tc.name, err)
		}
	}
}

func TestStreamOrderAcrossFiles(t *testing.T) {
	// A June file whose first row is before May's last: out of order across partitions.
	s := mustCreate(t)
	mustWrite(t, s, kl("BTCUSDT"), genKlines(t0, 4, 0, false))
	rows := genKlines(t0+3*hour, 3, 0, false)
	plant(t, s, kl("BTCUSDT"), "2025-06", toRows(rows))
	if _, err := drain(t, s, StreamOptions{}); !errors.Is(err, data.ErrDuplicate) {
		t.Errorf("err = %v", err)
	}
}

func TestStreamBadFunding(t *testing.T) {
	s := mustCreate(t)
	mustWrite(t, s, kl("BTCUSDT"), genKlines(t0, 10, 0, false))
	plant(t, s, fd("BTCUSDT"), "2025-05", []fundingRow{{t0, 1e-4, 8}, {t0 + hour, math.NaN(), 8}})
	if _, err := drain(t, s, StreamOptions{}); !errors.Is(err, data.ErrBadRate) || !strings.Contains(err.Error(), "row 2: field rate") {
		t.Errorf("err = %v", err)
	}
}

func TestCorruptFiles(t *testing.T) {
	good := mustCreate(t)
	mustWrite(t, good, kl("BTCUSDT"), genKlines(t0+4*hour, 500, 0, false))
	src := good.osPath(partPath(kl("BTCUSDT"), "2025-06"))
	orig, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]byte{
		"empty":       {},
		"garbage":     []byte("this is not parquet at all, not even close"),
		"no footer":   orig[:len(orig)-8],
		"truncated":   orig[:len(orig)/2],
		"header only": orig[:4],
	}
	// Flip bytes in the middle of the column data, keeping the footer.
	flipped := append([]byte(nil), orig...)
	for i := 100; i < len(flipped)/2; i += 7 {
		flipped[i] ^= 0x5a
	}
	cases["flipped"] = flipped
	for name, b := range cases {
		s := mustCreate(t)
		p := s.osPath(partPath(kl("BTCUSDT"), "2025-06"))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := drain(t, s, StreamOptions{})
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error does not name the file: %v", name, err)
		}
		// Writing into a corrupt partition fails too, and leaves it alone.
		if _, err := s.WriteKlines(kl("BTCUSDT"), genKlines(t0+4*hour, 2, 0, false)); err == nil {
			t.Errorf("%s: write merged into a corrupt file", name)
		}
		if b2, _ := os.ReadFile(p); string(b2) != string(b) {
			t.Errorf("%s: corrupt file rewritten", name)
		}
	}
}

func TestMissingColumnAndMetadata(t *testing.T) {
	s := mustCreate(t)
	// A mark-shaped file (no volume) planted as klines.
	plant(t, s, kl("BTCUSDT"), "2025-06", []markRow{{OpenTime: t0 + 4*hour, Open: 1, High: 1, Low: 1, Close: 1}})
	if _, err := drain(t, s, StreamOptions{}); !errors.Is(err, ErrMissingColumn) || !strings.Contains(err.Error(), "volume") {
		t.Errorf("missing column: %v", err)
	}
	// A file whose metadata names another symbol.
	s = mustCreate(t)
	mustWrite(t, s, kl("ETHUSDT"), genKlines(t0, 3, 0, false))
	b, _ := os.ReadFile(s.osPath(partPath(kl("ETHUSDT"), "2025-05")))
	p := s.osPath(partPath(kl("BTCUSDT"), "2025-05"))
	os.MkdirAll(filepath.Dir(p), 0o755)
	os.WriteFile(p, b, 0o644)
	if _, err := drain(t, s, StreamOptions{Symbols: []string{"BTCUSDT"}}); !errors.Is(err, ErrMetadata) {
		t.Errorf("metadata mismatch: %v", err)
	}
}

// FuzzStreamFile feeds arbitrary bytes as a partition file: the stream must end with an error
// or valid bars, never panic.
func FuzzStreamFile(f *testing.F) {
	s, err := Create(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	if _, err := s.WriteKlines(kl("BTCUSDT"), genKlines(t0+4*hour, 20, 0, true)); err != nil {
		f.Fatal(err)
	}
	orig, err := os.ReadFile(s.osPath(partPath(kl("BTCUSDT"), "2025-06")))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(orig)
	f.Add(orig[:len(orig)-1])
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		s, _ := Create(dir)
		p := s.osPath(partPath(kl("BTCUSDT"), "2025-06"))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, b, 0o644)
		st, err := s.Stream(StreamOptions{})
		if err != nil {
			return
		}
		for st.Next() {
			for _, bar := range st.Batch().Bars {
				k := data.Kline{OpenTime: bar.Time, Open: bar.Open, High: bar.High, Low: bar.Low, Close: bar.Close, Volume: bar.Volume}
				if _, err := data.CheckKline(&k); err != nil {
					t.Fatalf("invalid bar delivered: %+v", bar)
				}
			}
		}
		st.Close()
	})
}

// A bad row of one symbol, far into the stream and past a window of timestamps (Stream.win),
// stops the stream exactly after the last batch holding its good rows, as a replay one
// timestamp at a time does: every batch up to that time delivered (the other symbol's bars
// and marks included), none after it.
func TestStreamBadRowLateInOneSymbol(t *testing.T) {
	june := t0 + 4*hour
	s := mustCreate(t)
	mustWrite(t, s, kl("AAAUSDT"), genKlines(june, 600, 1, false))
	mustWrite(t, s, mk("AAAUSDT"), genKlines(june, 600, 1, false))
	rows := genKlines(june, 600, 2, false)
	const bad = 400
	rows[bad].Close = math.NaN()
	plant(t, s, kl("BBBUSDT"), "2025-06", toRows(rows))
	st, err := s.Stream(StreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var bars, marks int
	var last int64
	for st.Next() {
		b := st.Batch()
		bars += len(b.Bars)
		marks += len(b.Marks)
		last = b.Time
	}
	var re *data.RowError
	if err := st.Err(); !errors.As(err, &re) || re.Row != bad+1 || re.Field != "close" {
		t.Fatalf("err = %v", err)
	}
	if want := rows[bad-1].OpenTime; last != want {
		t.Errorf("last batch at %d, want %d (the bad row's predecessor)", last, want)
	}
	if bars != 2*bad || marks != bad {
		t.Errorf("%d bars and %d marks before the error, want %d and %d", bars, marks, 2*bad, bad)
	}
}
