package binance

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/data"
	"github.com/bt-backtest/bt/data/parquet"
)

// Both real fixtures import into a store as separate series (um and spot), and read back
// identical; importing again adds nothing.
func TestImportFixtures(t *testing.T) {
	st, err := parquet.Create(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"futures-um-klines-BTCUSDT-1h-2024-10-28.zip", "spot-klines-BTCUSDT-1h-2024-10-28.zip"} {
		path := fixture(t, name)
		im, err := Import(st, path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if im.Rows != 24 || im.Stats.Added != 24 || im.Stats.Duplicates != 0 {
			t.Errorf("%s: first import %+v", name, im)
		}
		again, err := Import(st, path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if again.Stats.Added != 0 || again.Stats.Duplicates != 24 {
			t.Errorf("%s: re-import %+v, want 0 added, 24 duplicates", name, again.Stats)
		}
		f, _ := ReadFile(path, Options{})
		got, err := st.ReadKlines(im.Series, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 24 || got[0] != f.Klines[0] || got[23] != f.Klines[23] {
			t.Errorf("%s: read back %d rows, first %+v", name, len(got), got[0])
		}
	}
	list, err := st.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Source != "binance-spot" || list[1].Source != "binance-um" {
		t.Errorf("List = %+v", list)
	}
}

// A monthly archive and daily archives that overlap it merge without duplicates; a daily
// archive that disagrees with what is stored is a conflict and writes nothing.
func TestImportOverlap(t *testing.T) {
	dir := t.TempDir()
	st, err := parquet.Create(filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	var monthly strings.Builder
	monthly.WriteString(header)
	for h := range 48 { // 2024-10-28 and 29
		monthly.WriteString(row(h, "10", "11", "9", "10"))
	}
	day28 := header
	for h := range 24 {
		day28 += row(h, "10", "11", "9", "10")
	}
	day30 := header
	for h := 48; h < 72; h++ {
		day30 += row(h, "10", "11", "9", "10")
	}
	files := map[string]string{
		"BTCUSDT-1h-2024-10.zip":    monthly.String(),
		"BTCUSDT-1h-2024-10-28.zip": day28,
		"BTCUSDT-1h-2024-10-30.zip": day30,
	}
	paths := map[string]string{}
	for name, body := range files {
		paths[name] = filepath.Join(dir, name)
		writeFile(t, paths[name], zipBytes(t, strings.TrimSuffix(name, ".zip")+".csv", body))
	}
	for _, step := range []struct {
		name       string
		added, dup int
	}{
		{"BTCUSDT-1h-2024-10-28.zip", 24, 0},
		{"BTCUSDT-1h-2024-10.zip", 24, 24},
		{"BTCUSDT-1h-2024-10-30.zip", 24, 0},
		{"BTCUSDT-1h-2024-10.zip", 0, 48},
	} {
		im, err := Import(st, paths[step.name], Options{})
		if err != nil {
			t.Fatal(err)
		}
		if im.Stats.Added != step.added || im.Stats.Duplicates != step.dup {
			t.Errorf("%s: %+v, want %d added, %d duplicates", step.name, im.Stats, step.added, step.dup)
		}
	}
	sr := data.Series{Symbol: "BTCUSDT", Kind: data.KindKlines, Interval: "1h", Source: "binance-um"}
	rows, err := st.ReadKlines(sr, 0, 0)
	if err != nil || len(rows) != 72 {
		t.Fatalf("stored %d rows (%v), want 72", len(rows), err)
	}
	// Hour 5 of the 28th with another close.
	bad := strings.Replace(day28, row(5, "10", "11", "9", "10"), row(5, "10", "11", "9", "10.5"), 1)
	p := filepath.Join(dir, "x", "BTCUSDT-1h-2024-10-28.zip")
	writeFile(t, p, zipBytes(t, "BTCUSDT-1h-2024-10-28.csv", bad))
	_, err = Import(st, p, Options{})
	var ce *parquet.ConflictError
	if !errors.As(err, &ce) || ce.Field != "close" || !strings.Contains(err.Error(), p) {
		t.Errorf("conflicting re-import: err = %v, want *parquet.ConflictError on close naming the file", err)
	}
	if rows2, _ := st.ReadKlines(sr, 0, 0); len(rows2) != 72 || rows2[5].Close != 10 {
		t.Error("conflicting import changed the store")
	}
	// Bad input leaves no file behind.
	before, _ := st.Files(sr)
	p = filepath.Join(dir, "y", "BTCUSDT-1h-2024-11-01.zip")
	writeFile(t, p, zipBytes(t, "BTCUSDT-1h-2024-11-01.csv", header+row(100, "10", "9", "11", "10")))
	if _, err := Import(st, p, Options{}); !errors.Is(err, ErrValue) {
		t.Errorf("bad row: err = %v", err)
	}
	after, _ := st.Files(sr)
	if len(after) != len(before) {
		t.Errorf("files %v after a failed import, want %v", after, before)
	}
}
