package sweep

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/experiment"
)

// A month of three symbols of the embedded sample, 1h: small enough for 12 configurations.
const runSweep = `
base:
  strategy: {name: swing, params: {size: 0.3}}
  timerange: {start: 2025-09-20, end: 2025-10-20}
  symbols: [BTCUSDT, ETHUSDT, SOLUSDT]
  execution: {parallel: true}
grid:
  strategy.params.fast: [12, 24]
  strategy.params.slow: [48, 96]
  leverage.default: [3, 10, 20]
  margin.mode: [isolated, cross]
`

// The 2 × 2 × 3 grid under both modes runs in one pass over the data, and every
// configuration's accounts have the fingerprints of a bt run with the same settings.
func TestSweepMatchesSingleRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 12 backtests")
	}
	s := mustParse(t, runSweep)
	var log bytes.Buffer
	o, err := Run(context.Background(), s, Options{Version: "test", Progress: &log})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "sweep: 12 configurations in 1 pass over the data") {
		t.Errorf("progress log %q: want one pass", log.String())
	}
	for _, tenth := range []string{"10%", "50%", "90%"} { // a pass reports its tenths in a log
		if !strings.Contains(log.String(), "sweep: pass 1/1: "+tenth+" of the data (12 configurations, ") {
			t.Errorf("progress log %q: no line at %s of the data", log.String(), tenth)
		}
	}
	if len(o.Results.Rows) != 24 {
		t.Fatalf("%d rows, want 12 configurations × 2 accounts", len(o.Results.Rows))
	}
	col := func(name string) int {
		for i, c := range o.Results.Columns {
			if c.Name == name {
				return i
			}
		}
		t.Fatalf("no column %s", name)
		return -1
	}
	fp, acct, fe, dfe := col(ColFingerprint), col(ColAccount), col("final_equity"), col("delta.final_equity")
	liqs := 0
	for i, c := range o.Manifest.Configs {
		var ov []experiment.Override
		for _, a := range c.Set {
			ov = append(ov, experiment.Override{Path: a.Key, Value: a.Value, Origin: "test"})
		}
		x, err := experiment.Load("", append(baseOverrides(t, s), ov...))
		if err != nil {
			t.Fatal(err)
		}
		x.Output.Dir = filepath.Join(t.TempDir(), "run")
		single, err := experiment.Run(context.Background(), x, experiment.Options{NoReport: true})
		if err != nil {
			t.Fatal(err)
		}
		for k, name := range []string{"isolated", "cross"} {
			row := o.Results.Rows[2*i+k]
			want := single.Summary.Accounts[name]
			if row[0] != c.ID || row[acct] != name {
				t.Fatalf("row %d is %v/%v, want %s/%s", 2*i+k, row[0], row[acct], c.ID, name)
			}
			if row[fp] != want.Fingerprint || row[fe] != want.FinalEquity {
				t.Errorf("configuration %d (%s) %s: fingerprint %v final equity %v, bt run's %s %v", i+1, describe(c.Set), name, row[fp], row[fe], want.Fingerprint, want.FinalEquity)
			}
			if d := single.Summary.Delta["final_equity"]; row[dfe] != d {
				t.Errorf("configuration %d %s: delta.final_equity %v, bt run's %v", i+1, name, row[dfe], d)
			}
			// every figure of the row, summarized from records streamed during the sweep, is the
			// one bt run summarizes from the records it holds
			wantRow, err := ResultRow(o.Manifest.Keys, c, name, want, single.Summary.Delta)
			if err != nil {
				t.Fatal(err)
			}
			for j := range wantRow {
				if !reflect.DeepEqual(row[j], wantRow[j]) {
					t.Errorf("configuration %d (%s) %s: %s %v, bt run's %v", i+1, describe(c.Set), name, o.Results.Columns[j].Name, row[j], wantRow[j])
				}
			}
			liqs += want.Liquidations
		}
	}
	t.Logf("%d liquidations over the 24 accounts", liqs)
	if liqs == 0 {
		t.Error("no liquidation anywhere: the grid does not exercise the margin modes")
	}

	// two- and three-shard runs merge to the bytes of the unsharded run
	tmp := t.TempDir()
	whole := filepath.Join(tmp, "whole")
	if err := o.Write(whole); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{2, 3} {
		var dirs []string
		for i := range n {
			sh, err := Run(context.Background(), s, Options{Version: "test", Shard: Shard{i, n}})
			if err != nil {
				t.Fatal(err)
			}
			d := filepath.Join(tmp, fmt.Sprintf("shard%d-%d", n, i))
			if err := sh.Write(d); err != nil {
				t.Fatal(err)
			}
			dirs = append(dirs, d)
		}
		m, err := Merge(dirs, readAll(t, dirs...))
		if err != nil {
			t.Fatal(err)
		}
		d := filepath.Join(tmp, fmt.Sprintf("merged%d", n))
		if err := m.Write(d); err != nil {
			t.Fatal(err)
		}
		sameFiles(t, whole, d)
	}
}

// baseOverrides turns the inline base into overrides, as Spec.Load does.
func baseOverrides(t *testing.T, s *Spec) []experiment.Override {
	t.Helper()
	var ov []experiment.Override
	for j := 0; j+1 < len(s.baseNode.Content); j += 2 {
		v, err := valueOf(s.baseNode.Content[j+1])
		if err != nil {
			t.Fatal(err)
		}
		ov = append(ov, experiment.Override{Path: s.baseNode.Content[j].Value, Value: v.YAML, Origin: "base"})
	}
	return ov
}

// Bad settings in a swept key are refused before anything runs, located in the sweep file.
func TestSweepRefusesBadKeys(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"grid:\n  strategy.params.fsat: [1, 2]\n", "sweep.yaml:2: grid.strategy.params.fsat: "},
		{"grid:\n  leverage.defualt: [1, 2]\n", "sweep.yaml:2: grid.leverage.defualt: unknown key"},
		{"grid:\n  leverage.default: [3, 500]\n", "sweep.yaml:2: grid.leverage.default: 500: want 1 to 125"},
		{"random: {n: 2, seed: 1, space: {costs.slippage_bps: {float: [2000, 3000]}}}\n", "sweep.yaml:1: random.space.costs.slippage_bps: "},
	} {
		s := mustParse(t, tc.src)
		_, err := Run(context.Background(), s, Options{})
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) || !IsInput(err) {
			t.Errorf("%q: %v, want %q…", tc.src, err, tc.want)
		}
	}
	if _, err := Run(context.Background(), mustParse(t, runSweep), Options{Shard: Shard{3, 3}}); err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Errorf("shard 3/3: %v", err)
	}
	_ = os.Remove
}

// Passes of at most PassAccounts accounts give the same table as one pass: 12 configurations
// × 2 accounts in passes of at most 5 accounts is 6 passes of 2 configurations.
func TestSweepPassAccounts(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 24 backtests")
	}
	s := mustParse(t, runSweep)
	one, err := Run(context.Background(), s, Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	six, err := Run(context.Background(), s, Options{Version: "test", Progress: &log, PassAccounts: 5})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "12 configurations in 6 passes over the data") {
		t.Errorf("progress log %q: want six passes", log.String())
	}
	a, err := one.Results.EncodeCSV()
	if err != nil {
		t.Fatal(err)
	}
	b, err := six.Results.EncodeCSV()
	if err != nil {
		t.Fatal(err)
	}
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Errorf("results differ between one pass and six:\n%s\n%s", a, b)
	}
}
