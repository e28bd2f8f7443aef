package backtest

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestCanonicalLogGolden pins the engine's behaviour on a seeded random market with the chaos
// strategy: the canonical logs of all three accounts must match testdata/chaos.golden byte for
// byte (regenerate with go test -run CanonicalLogGolden -update after an intended change, and
// review the diff).
func TestCanonicalLogGolden(t *testing.T) {
	symbols := []string{"AAA", "BBB", "CCC"}
	k, m, f := market(11, symbols, 150)
	res, err := Run(context.Background(), chaosConfig(symbols, false), newChaos, NewSliceSource(symbols, Batches(k, m, f)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	for _, a := range res.Accounts {
		if err := a.CanonicalLog(&buf); err != nil {
			t.Fatal(err)
		}
		buf.WriteString("fingerprint " + a.Fingerprint() + "\n")
	}
	for _, as := range res.Assumptions {
		buf.WriteString("assumption " + as.Key + ": " + as.Value + "\n")
	}
	path := filepath.Join("testdata", "chaos.golden")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got := buf.String(); got != string(want) {
		g, w := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < max(len(g), len(w)); i++ {
			var gl, wl string
			if i < len(g) {
				gl = g[i]
			}
			if i < len(w) {
				wl = w[i]
			}
			if gl != wl {
				t.Fatalf("canonical log differs from %s at line %d:\n got: %s\nwant: %s", path, i+1, gl, wl)
			}
		}
	}
}
