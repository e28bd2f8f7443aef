package artifact

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/reports/internal/fixture"
	"github.com/bt-backtest/bt/reports/metrics"
)

// longCurve repeats the fixture's curve to n points: more than one batch and one row group.
func longCurve(n int) []backtest.EquityPoint {
	base := fixture.Result().Accounts[0].Equity
	out := make([]backtest.EquityPoint, n)
	for i := range out {
		p := base[i%len(base)]
		p.Time = fixture.Start + int64(i+1)*60_000
		p.Equity += float64(i / len(base))
		out[i] = p
	}
	return out
}

// A run written with streamed equity files has byte-identical equity files (and the same
// everything else) as one written from AccountResult.Equity, and leaves no temporary file.
func TestWriteStreamedMatchesWrite(t *testing.T) {
	res := fixture.Result()
	res.Accounts[0].Equity = longCurve(pqRowGroupRows + 3*equityBatch + 17)
	sum := metrics.Summarize(res)
	want := t.TempDir()
	if err := WriteSummarized(want, res, manifest(), sum); err != nil {
		t.Fatal(err)
	}

	parent := t.TempDir()
	got := filepath.Join(parent, "run")
	writers := map[string]*EquityWriter{}
	for _, a := range res.Accounts {
		w, err := NewEquityWriter(parent)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range a.Equity {
			if err := w.Add(p); err != nil {
				t.Fatal(err)
			}
		}
		if w.Len() != len(a.Equity) {
			t.Fatalf("Len %d, want %d", w.Len(), len(a.Equity))
		}
		writers[a.Name] = w
	}
	streamed := *res
	streamed.Accounts = append([]backtest.AccountResult(nil), res.Accounts...)
	for i := range streamed.Accounts {
		streamed.Accounts[i].Equity = nil
	}
	if err := WriteStreamed(got, &streamed, manifest(), sum, writers); err != nil {
		t.Fatal(err)
	}
	for _, a := range res.Accounts {
		for _, f := range []string{"equity.csv", "equity.parquet", "trades.csv", "fills.parquet"} {
			w, err1 := os.ReadFile(filepath.Join(want, a.Name, f))
			g, err2 := os.ReadFile(filepath.Join(got, a.Name, f))
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if !bytes.Equal(g, w) {
				t.Errorf("%s/%s differs (%d bytes, want %d)", a.Name, f, len(g), len(w))
			}
		}
	}
	ents, _ := os.ReadDir(parent)
	if len(ents) != 1 {
		t.Errorf("%d entries beside the run directory, want none: %v", len(ents)-1, ents)
	}
	run, err := Read(got)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "equity read back", run.Result.Accounts[0].Equity, res.Accounts[0].Equity)
}

// A failed write aborts the writers: their temporary files are removed; Add after it fails.
func TestWriteStreamedFailureRemovesTemporaries(t *testing.T) {
	res := fixture.Result()
	parent := t.TempDir()
	w, err := NewEquityWriter(parent)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Accounts[0].Equity {
		w.Add(p)
	}
	res.Accounts[1].Name = "bad/name"
	err = WriteStreamed(filepath.Join(parent, "run"), res, manifest(), metrics.Summarize(res), map[string]*EquityWriter{res.Accounts[0].Name: w})
	if !errors.Is(err, ErrBadName) {
		t.Fatalf("err = %v, want ErrBadName", err)
	}
	ents, _ := os.ReadDir(parent)
	for _, e := range ents {
		if e.Name() != "run" {
			t.Errorf("left behind: %s", e.Name())
		}
	}
	if err := w.Add(res.Accounts[0].Equity[0]); err == nil {
		t.Error("Add after Abort succeeded")
	}
}

// BenchmarkEquityWriter: points streamed to CSV and Parquet, per point.
func BenchmarkEquityWriter(b *testing.B) {
	eq := longCurve(1 << 16)
	b.ReportAllocs()
	w, err := NewEquityWriter(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		p := eq[i&(1<<16-1)]
		p.Time = int64(i) * 60_000
		if err := w.Add(p); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Commit(b.TempDir()); err != nil {
		b.Fatal(err)
	}
}
