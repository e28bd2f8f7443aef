package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bt mc --out FILE.csv writes the table as CSV and Parquet and the histograms next to it; the
// same seed gives the same bytes in every file.
func TestMCFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 2 × 4 backtests")
	}
	tmp := t.TempDir()
	store := filepath.Join(tmp, "store")
	makeStore(t, store, 200)
	cfg := writeFile(t, filepath.Join(tmp, "x.yaml"), "data: {source: "+store+"}\nstrategy: {name: hodl, params: {every: 12, amount: 500}}\nleverage: {default: 20}\n")
	mustBT(t, 2, "mc", "-c", cfg, "--paths", "4", "--out", filepath.Join(tmp, "a.parquet"))
	var first [][]byte
	for _, run := range []string{"a", "b"} {
		out := filepath.Join(tmp, run, "mc.csv")
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			t.Fatal(err)
		}
		stdout, _ := mustBT(t, 0, "mc", "-c", cfg, "--paths", "4", "--seed", "5", "--out", out)
		if !strings.Contains(stdout, "histograms: "+filepath.Join(tmp, run, "mc-hist.png")+", page: "+filepath.Join(tmp, run, "mc.html")) {
			t.Errorf("stdout does not name the histograms:\n%s", stdout)
		}
		for i, f := range []string{"mc.csv", "mc.parquet", "mc-hist.png", "mc.html"} {
			b, err := os.ReadFile(filepath.Join(tmp, run, f))
			if err != nil || len(b) == 0 {
				t.Fatalf("%s: %v", f, err)
			}
			if run == "a" {
				first = append(first, b)
			} else if !bytes.Equal(first[i], b) {
				t.Errorf("%s differs between two runs with the same seed", f)
			}
		}
	}
	if !bytes.HasPrefix(first[1], []byte("PAR1")) || !bytes.HasPrefix(first[2], []byte("\x89PNG")) {
		t.Error("mc.parquet or mc-hist.png is not what its name says")
	}
	if !bytes.Contains(first[3], []byte("<title>bt mc "+cfg+"</title>")) || !bytes.Contains(first[3], []byte("4 block-bootstrap paths")) {
		t.Error("mc.html is not the Monte Carlo page of the run")
	}
}
