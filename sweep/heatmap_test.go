package sweep

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHeatmap(t *testing.T) {
	s := mustParse(t, grid223)
	dir := filepath.Join(t.TempDir(), "s")
	runShard(t, s, All, dir)
	o := readAll(t, dir)[0]
	h, err := o.Heatmap("leverage.default", "strategy.params.fast", "final_equity")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(h.XVals, ",") != "3,10,20" || strings.Join(h.YVals, ",") != "24,72" || h.PerCell != 2 {
		t.Fatalf("axes %v × %v, %d per cell; want 3,10,20 (numeric order) × 24,72, 2 (slow varies in a cell)", h.XVals, h.YVals, h.PerCell)
	}
	var titles []string
	for _, p := range h.Panels {
		titles = append(titles, p.Title)
	}
	if strings.Join(titles, "|") != "isolated|cross|"+DeltaPanel {
		t.Fatalf("panels %v", titles)
	}
	// cell (leverage 10, fast 72) is the mean of the two slow values' final equity, by hand
	cfgs, _ := s.Expand()
	for k, acct := range []string{"isolated", "cross"} {
		var want float64
		for _, c := range cfgs {
			if c.Set[0].Text == "72" && c.Set[2].Text == "10" {
				want += fakeRun(c).Accounts[k].Summary.FinalEquity / 2
			}
		}
		if got := h.Panels[k].Z[1][1]; got != want {
			t.Errorf("%s (10, 72) = %v, want %v", acct, got, want)
		}
	}
	if d := h.Panels[2].Z[1][1] - (h.Panels[1].Z[1][1] - h.Panels[0].Z[1][1]); d*d > 1e-18 {
		t.Errorf("delta panel off by %g", d)
	}
	png := filepath.Join(t.TempDir(), "h.png")
	if err := h.PNG(png); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(png); !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Error("not a PNG")
	}
	for _, tc := range []struct{ x, y, m, want string }{
		{"leverage", "strategy.params.fast", "final_equity", `--x "leverage" is not a swept key of this sweep (swept: strategy.params.fast, strategy.params.slow, leverage.default)`},
		{"leverage.default", "leverage.default", "final_equity", "two different swept keys"},
		{"leverage.default", "strategy.params.fast", "fingerprint", `--metric "fingerprint" is not a metric`},
		{"leverage.default", "strategy.params.fast", "delta.final_equity", "is not a metric"},
	} {
		if _, err := o.Heatmap(tc.x, tc.y, tc.m); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %s %s: %v, want %q", tc.x, tc.y, tc.m, err, tc.want)
		}
	}
}
