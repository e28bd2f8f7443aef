package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixtureRun makes a store and one hodl run on it (both modes) and returns the store and run
// directories.
func fixtureRun(t *testing.T, extra ...string) (store, runDir string) {
	t.Helper()
	tmp := t.TempDir()
	store = filepath.Join(tmp, "store")
	makeStore(t, store, 400)
	runDir = filepath.Join(tmp, "run1")
	args := append([]string{"run", "--data", store, "--strategy", "hodl", "--out", runDir,
		"--set", "strategy.params.every=12", "--leverage", "20", "--set", "strategy.params.amount=500"}, extra...)
	mustBT(t, 0, args...)
	return store, runDir
}

func TestRunWritesRunDir(t *testing.T) {
	_, dir := fixtureRun(t)
	for _, f := range []string{"config.resolved.yaml", "manifest.json", "summary.json", "report.html"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("run directory lacks %s: %v", f, err)
		}
	}
	var sum struct {
		Accounts map[string]map[string]any `json:"accounts"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Accounts["isolated"] == nil || sum.Accounts["cross"] == nil {
		t.Errorf("summary.json accounts: %v", sum.Accounts)
	}
	var man map[string]any
	b, _ = os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err := json.Unmarshal(b, &man); err != nil {
		t.Fatal(err)
	}
	files, _ := man["data_files"].([]any)
	if len(files) == 0 {
		t.Errorf("manifest lists no data files: %s", b)
	}
}

func TestRunTextAndJSON(t *testing.T) {
	tmp := t.TempDir()
	store := filepath.Join(tmp, "store")
	makeStore(t, store, 100)
	out, _ := mustBT(t, 0, "run", "--data", store, "--strategy", "hodl", "--out", filepath.Join(tmp, "a"), "--no-report")
	for _, want := range []string{"isolated", "cross", "Δ cross−isolated", "Final equity", "Liquidations", "risk-free rate 0", "run directory:",
		"assumptions:   intrabar_path, gap, ", "liquidation_price_source", "manifest.json"} {
		if !strings.Contains(out, want) {
			t.Errorf("bt run output lacks %q:\n%s", want, out)
		}
	}
	out, _ = mustBT(t, 0, "run", "--data", store, "--strategy", "hodl", "--out", filepath.Join(tmp, "b"), "--no-report", "--json")
	var doc runOutput
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("--json output is not one JSON document: %v\n%s", err, out)
	}
	if doc.RunDir != filepath.Join(tmp, "b") || len(doc.Summary.Accounts) != 2 {
		t.Errorf("--json: %+v", doc)
	}
}

// TestRunReproduces: bt run -c RUN/config.resolved.yaml gives byte-identical results.
func TestRunReproduces(t *testing.T) {
	_, dir := fixtureRun(t, "--no-report", "--set", "margin.mixes.btc-iso={default: cross, isolated: [BTCUSDT]}", "--set", "execution.parallel=true")
	dir2 := filepath.Join(t.TempDir(), "again")
	mustBT(t, 0, "run", "-c", filepath.Join(dir, "config.resolved.yaml"), "--out", dir2, "--no-report")
	compared := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() || !(name == "summary.json" || name == "config.resolved.yaml" || strings.HasSuffix(name, ".csv")) {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		a, _ := os.ReadFile(path)
		b, err := os.ReadFile(filepath.Join(dir2, rel))
		if err != nil {
			t.Errorf("reproduction lacks %s", rel)
			return nil
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between the run and its reproduction", rel)
		}
		compared++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if compared < 10 {
		t.Errorf("compared only %d files (want summary.json, config.resolved.yaml and the CSVs of 3 accounts)", compared)
	}
	// The mix account ran too.
	b, _ := os.ReadFile(filepath.Join(dir, "summary.json"))
	if !strings.Contains(string(b), `"btc-iso"`) {
		t.Errorf("summary.json lacks the btc-iso mix account")
	}
}

func TestRunDataErrors(t *testing.T) {
	tmp := t.TempDir()
	store := filepath.Join(tmp, "store")
	makeStore(t, store, 50)
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"unknown symbol", []string{"--symbols", "DOGEUSDT,BTCUSDT"}, "no 1h klines of DOGEUSDT from test"},
		{"empty range", []string{"--start", "2030-01-01"}, "the store holds BTCUSDT, ETHUSDT from 2025-10-01T00:00Z to 2025-10-03T02:00Z"},
		{"range before the data", []string{"--start", "2024-01-01", "--end", "2024-02-01"}, "from 2025-10-01T00:00Z to 2025-10-03T02:00Z"},
		{"unknown interval", []string{"--interval", "5m"}, "no klines at interval 5m"},
		{"bad strategy parameter", []string{"--set", "strategy.params.every=soon"}, `flags: strategy.params.every: "soon": not an integer (strategy hodl)`},
		{"strategy symbol outside the data", []string{"--set", "strategy.params.symbol=SOLUSDT"}, "its symbols: BTCUSDT, ETHUSDT"},
		{"mix symbol outside run", []string{"--symbols", "ETHUSDT", "--set", "margin.mixes.m={isolated: [BTCUSDT]}"}, "BTCUSDT is not a symbol of this run"},
		{"leverage symbol outside run", []string{"--symbols", "ETHUSDT", "--set", "leverage.symbols.BTCUSDT=5"}, "leverage.symbols.BTCUSDT"},
		{"not a store", []string{"--data", filepath.Join(tmp, "nothing")}, "nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"run", "--data", store, "--strategy", "hodl", "--out", filepath.Join(tmp, "out-"+strings.ReplaceAll(tt.name, " ", "-"))}, tt.args...)
			code, _, errs := bt(t, args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2; stderr: %s", code, errs)
			}
			if !strings.Contains(errs, tt.msg) {
				t.Errorf("stderr %q does not mention %q", errs, tt.msg)
			}
			// Messages speak the experiment's words, not Go's.
			for _, goWord := range []string{"Start:", "backtest:", "parquet:", "StreamOptions", "set Source", "set Interval", "[BTCUSDT"} {
				if strings.Contains(errs, goWord) {
					t.Errorf("stderr %q speaks Go (%q)", errs, goWord)
				}
			}
		})
	}
}

func TestRunRefusesForeignDir(t *testing.T) {
	tmp := t.TempDir()
	store := filepath.Join(tmp, "store")
	makeStore(t, store, 50)
	out := filepath.Join(tmp, "notes")
	writeFile(t, filepath.Join(out, "mine.txt"), "keep me")
	code, _, errs := bt(t, "run", "--data", store, "--strategy", "hodl", "--out", out)
	if code != 1 || !strings.Contains(errs, "not a bt run directory") {
		t.Errorf("exit %d, stderr %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(out, "mine.txt")); err != nil {
		t.Errorf("bt run deleted a file it does not own: %v", err)
	}
}

func TestRunMixesOnly(t *testing.T) {
	tmp := t.TempDir()
	store := filepath.Join(tmp, "store")
	makeStore(t, store, 60)
	out, _ := mustBT(t, 0, "run", "--data", store, "--strategy", "hodl", "--out", filepath.Join(tmp, "run"), "--no-report", "--json",
		"--mode", "none", "--set", "margin.mixes.eth-iso={isolated: [ETHUSDT]}")
	var doc runOutput
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Summary.Accounts) != 1 || doc.Summary.Accounts["eth-iso"].FinalEquity == 0 {
		t.Errorf("accounts: %+v", doc.Summary.Accounts)
	}
	code, _, errs := bt(t, "run", "--data", store, "--strategy", "hodl", "--mode", "none", "--out", filepath.Join(tmp, "run2"))
	if code != 2 || !strings.Contains(errs, "no account") {
		t.Errorf("mode none without mixes: exit %d, %s", code, errs)
	}
}

func TestRunInterrupted(t *testing.T) {
	tmp := t.TempDir()
	store := filepath.Join(tmp, "store")
	makeStore(t, store, 60)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	dir := filepath.Join(tmp, "run")
	code := run(ctx, []string{"run", "--data", store, "--strategy", "hodl", "--out", dir}, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "interrupted") {
		t.Errorf("exit %d, stderr %s", code, errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err == nil {
		t.Error("an interrupted run left a manifest.json (a complete-looking run directory)")
	}
}
