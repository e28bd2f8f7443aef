package synth

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/bt-backtest/bt/data"
	"github.com/bt-backtest/bt/data/parquet"
)

// Writing the same options twice into two stores gives byte-identical files, and the
// rows read back are the generated ones.
func TestWriteDeterministicFiles(t *testing.T) {
	opt := Options{Symbols: []string{"BTCUSDT", "HYPEUSDT"}, Start: day("2025-09-20"), End: day("2025-11-03"), Interval: "30m", Seed: 9,
		Crashes: []Crash{{Time: time.Date(2025, 10, 10, 21, 0, 0, 0, time.UTC), Size: -0.25}}}
	dirs := []string{t.TempDir(), t.TempDir()}
	for _, dir := range dirs {
		st, err := parquet.Create(dir)
		if err != nil {
			t.Fatal(err)
		}
		w, err := Write(st, opt)
		if err != nil {
			t.Fatal(err)
		}
		bars := int(day("2025-11-03").Sub(day("2025-09-20")) / (30 * time.Minute))
		if w.Klines != 2*bars || w.Mark != 2*bars || w.Funding != 2*44*3 || w.Files != 3*3*2 {
			t.Errorf("Write = %+v, want %d klines and mark, %d funding, 18 files", w, 2*bars, 2*44*3)
		}
	}
	a, b := tree(t, dirs[0]), tree(t, dirs[1])
	if len(a) == 0 || !slices.Equal(keys(a), keys(b)) {
		t.Fatalf("file lists differ:\n%v\n%v", keys(a), keys(b))
	}
	for name, content := range a {
		if !bytes.Equal(content, b[name]) {
			t.Errorf("%s differs between runs", name)
		}
	}
	st, _ := parquet.Create(dirs[0])
	got, err := st.ReadKlines(data.Series{Symbol: "HYPEUSDT", Kind: data.KindMark, Interval: "30m", Source: Source}, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := collect(t, opt).klines[ser("HYPEUSDT", data.KindMark, "30m")]
	if !slices.Equal(got, want) {
		t.Errorf("read back %d mark rows, generated %d; equal=false", len(got), len(want))
	}
}

func tree(t *testing.T, root string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		out[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func keys(m map[string][]byte) []string {
	k := make([]string, 0, len(m))
	for s := range m {
		k = append(k, s)
	}
	slices.Sort(k)
	return k
}

// BenchmarkWriteMonth1m writes one month of 1m data for the default universe into a
// store: generation plus Parquet encoding.
func BenchmarkWriteMonth1m(b *testing.B) {
	opt := Options{Start: day("2025-01-01"), End: day("2025-02-01"), Interval: "1m", Seed: 1}
	b.ReportAllocs()
	for b.Loop() {
		st, err := parquet.Create(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Write(st, opt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(31*1440*12)*float64(b.N)/b.Elapsed().Seconds(), "klines/s")
}
