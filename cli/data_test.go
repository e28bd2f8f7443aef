package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/data"
)

func TestImportBinanceFixtures(t *testing.T) {
	dir := sharedDir(t, "data/binance-vision")
	store := filepath.Join(t.TempDir(), "store")
	fut := filepath.Join(dir, "futures-um-klines-BTCUSDT-1h-2024-10-28.zip")
	spot := filepath.Join(dir, "spot-klines-BTCUSDT-1h-2024-10-28.zip")
	out, _ := mustBT(t, 0, "data", "import", "binance", "--store", store, "--json", fut, spot)
	var doc struct {
		Imported []importResult `json:"imported"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Imported) != 2 {
		t.Fatalf("imported %+v", doc.Imported)
	}
	// Each archive holds the 24 hourly bars of 2024-10-28 (the futures one with a header row,
	// the spot one without).
	for i, src := range []string{"binance-um", "binance-spot"} {
		r := doc.Imported[i]
		if r.Rows != 24 || r.Added != 24 || r.Symbol != "BTCUSDT" || r.Interval != "1h" || r.Source != src {
			t.Errorf("import %d: %+v", i, r)
		}
	}
	// Re-importing adds nothing.
	out, _ = mustBT(t, 0, "data", "import", "binance", "--store", store, "--json", fut)
	if !strings.Contains(out, `"duplicates": 24`) || !strings.Contains(out, `"added": 0`) {
		t.Errorf("re-import: %s", out)
	}
	// The imported store runs.
	mustBT(t, 0, "run", "--data", store, "--strategy", "hodl", "--set", "data.interval=1h", "--set", "data.origin=binance-um", "--symbols", "BTCUSDT",
		"--out", filepath.Join(t.TempDir(), "run"), "--no-report")
}

func TestImportBinanceBad(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, filepath.Join(dir, "BTCUSDT-1h-2024-10-28.csv"),
		"open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore\n"+
			"1730073600000,100,101,99,100.5,1,1730077199999,100,1,0.5,50,0\n"+
			"1730077200000,100,99,101,100.5,1,1730080799999,100,1,0.5,50,0\n")
	code, _, errs := bt(t, "data", "import", "binance", "--store", filepath.Join(dir, "store"), bad)
	if code != 2 || !strings.Contains(errs, "BTCUSDT-1h-2024-10-28.csv") || !strings.Contains(errs, "3") {
		t.Errorf("exit %d, stderr %s", code, errs)
	}
	code, _, errs = bt(t, "data", "import", "binance", "--store", filepath.Join(dir, "store"), "--kind", "trades", bad)
	if code != 2 || !strings.Contains(errs, "--kind") {
		t.Errorf("exit %d, stderr %s", code, errs)
	}
}

func TestCSVSeriesFromName(t *testing.T) {
	tests := []struct {
		path string
		want data.Series
	}{
		{"x/BTCUSDT_1h.csv.gz", data.Series{Symbol: "BTCUSDT", Kind: data.KindKlines, Interval: "1h"}},
		{"ETHUSDT_1h_mark.csv.gz", data.Series{Symbol: "ETHUSDT", Kind: data.KindMark, Interval: "1h"}},
		{"SOLUSDT_funding.csv.gz", data.Series{Symbol: "SOLUSDT", Kind: data.KindFunding}},
		{"BTC_USDT-5m.csv", data.Series{Symbol: "BTCUSDT", Kind: data.KindKlines, Interval: "5m"}},
		{"BTC_USDT_USDT-1h-futures.csv", data.Series{Symbol: "BTCUSDT", Kind: data.KindKlines, Interval: "1h"}},
	}
	for _, tt := range tests {
		got, err := csvSeries(tt.path, data.Series{})
		if err != nil || got != tt.want {
			t.Errorf("csvSeries(%q) = %+v, %v; want %+v", tt.path, got, err, tt.want)
		}
	}
	if _, err := csvSeries("prices.csv", data.Series{}); err == nil || !strings.Contains(err.Error(), "--interval") {
		t.Errorf("no interval: %v", err)
	}
	if got, err := csvSeries("prices.csv", data.Series{Symbol: "BTCUSDT", Interval: "1h"}); err != nil || got.Symbol != "BTCUSDT" {
		t.Errorf("flags: %+v %v", got, err)
	}
}

func TestImportCSV(t *testing.T) {
	dir := t.TempDir()
	kl := writeFile(t, filepath.Join(dir, "BTCUSDT_1h.csv"), "timestamp,open,high,low,close,volume\n"+
		"1730073600000,100,101,99,100.5,1\n1730077200000,100.5,102,100,101,2\n1730080800000,101,101.5,100.2,100.8,3\n")
	fr := writeFile(t, filepath.Join(dir, "BTCUSDT_funding.csv"), "funding_time_ms,funding_rate\n1730073600000,0.0001\n")
	store := filepath.Join(dir, "store")
	out, _ := mustBT(t, 0, "data", "import", "csv", "--store", store, kl, fr)
	if !strings.Contains(out, "BTCUSDT klines 1h") || !strings.Contains(out, "BTCUSDT funding") {
		t.Errorf("output:\n%s", out)
	}
	// Bad input names the file and row.
	bad := writeFile(t, filepath.Join(dir, "ETHUSDT_1h.csv"), "timestamp,open,high,low,close,volume\n1730073600000,100,99,101,100.5,1\n")
	code, _, errs := bt(t, "data", "import", "csv", "--store", store, bad)
	if code != 2 || !strings.Contains(errs, "ETHUSDT_1h.csv") {
		t.Errorf("exit %d, stderr %s", code, errs)
	}
}

// TestImportCSVShared imports one real shared export (the short DOT funding series).
func TestImportCSVShared(t *testing.T) {
	f := filepath.Join(sharedDir(t, "data/binance-um/funding"), "DOTUSDT_funding.csv.gz")
	out, _ := mustBT(t, 0, "data", "import", "csv", "--store", filepath.Join(t.TempDir(), "s"), "--source", "binance-um", "--json", f)
	if !strings.Contains(out, `"symbol": "DOTUSDT"`) || !strings.Contains(out, `"kind": "funding"`) {
		t.Errorf("output: %s", out)
	}
}

func TestSynthDeterministicAndInspect(t *testing.T) {
	dir := t.TempDir()
	args := func(store string) []string {
		return []string{"data", "synth", "--store", store, "--start", "2025-10-08", "--end", "2025-10-12", "--interval", "1h",
			"--symbols", "BTCUSDT,ETHUSDT", "--seed", "42", "--crash", "2025-10-10T21:00Z:-0.2"}
	}
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	out, _ := mustBT(t, 0, args(a)...)
	if !strings.Contains(out, "192 kline") { // 2 symbols × 96 hours
		t.Errorf("synth output: %s", out)
	}
	mustBT(t, 0, args(b)...)
	n := 0
	filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == ".bt-write.lock" { // the lock file holds a pid while held
			return err
		}
		rel, _ := filepath.Rel(a, p)
		x, _ := os.ReadFile(p)
		y, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between two synth runs with the same seed", rel)
		}
		n++
		return nil
	})
	if n != 6 { // klines, mark, funding × 2 symbols, one month
		t.Errorf("%d files", n)
	}
	out, _ = mustBT(t, 0, "data", "inspect", "--store", a, "--json")
	var rep struct {
		Series []struct {
			Symbol, Kind string
			Rows         int
		} `json:"series"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("inspect --json: %v\n%s", err, out)
	}
	if len(rep.Series) != 6 {
		t.Errorf("inspect: %+v", rep.Series)
	}
	for _, s := range rep.Series {
		if s.Kind != "funding" && s.Rows != 96 {
			t.Errorf("inspect: %+v", s)
		}
	}
	out, _ = mustBT(t, 0, "data", "inspect", "--store", a)
	if !strings.Contains(out, "BTCUSDT") {
		t.Errorf("inspect text: %s", out)
	}
	code, _, errs := bt(t, "data", "synth", "--store", filepath.Join(dir, "c"), "--start", "2025-10-08", "--end", "2025-10-12", "--crash", "yesterday:-1")
	if code != 2 || !strings.Contains(errs, "--crash") {
		t.Errorf("bad crash: exit %d, %s", code, errs)
	}
}

func TestInspectSample(t *testing.T) {
	out, _ := mustBT(t, 0, "data", "inspect", "--store", "sample", "--json")
	if !strings.Contains(out, `"DOTUSDT"`) {
		t.Errorf("inspect sample: %.300s", out)
	}
}

// TestDownloadBinance downloads the real futures fixture from a local server that serves it
// in data.binance.vision's URL layout, imports it, and resumes without downloading again.
func TestDownloadBinance(t *testing.T) {
	zipBytes, err := os.ReadFile(filepath.Join(sharedDir(t, "data/binance-vision"), "futures-um-klines-BTCUSDT-1h-2024-10-28.zip"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(zipBytes)
	const path = "/data/futures/um/daily/klines/BTCUSDT/1h/BTCUSDT-1h-2024-10-28.zip"
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case path:
			hits++
			w.Write(zipBytes)
		case path + ".CHECKSUM":
			w.Write([]byte(hex.EncodeToString(sum[:]) + "  BTCUSDT-1h-2024-10-28.zip\n"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	args := []string{"data", "download", "binance", "--base-url", srv.URL, "--dir", filepath.Join(dir, "dl"), "--store", filepath.Join(dir, "store"),
		"--symbols", "BTCUSDT", "--interval", "1h", "--start", "2024-10-28", "--end", "2024-10-29", "--now", "2024-10-29T12:00:00Z", "--json"}
	out, _ := mustBT(t, 0, args...)
	var doc struct {
		Downloaded, Skipped []string
		Imported            []importResult
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(doc.Downloaded) != 1 || len(doc.Imported) != 1 || doc.Imported[0].Added != 24 {
		t.Errorf("first download: %s", out)
	}
	out, _ = mustBT(t, 0, args...)
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Downloaded) != 0 || len(doc.Skipped) != 1 || hits != 1 {
		t.Errorf("second download fetched again (hits %d): %s", hits, out)
	}
}
