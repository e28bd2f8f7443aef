package experiment

import (
	"context"
	"errors"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/backtest"
)

// A strategy that fails during the run is reported with the account, the symbol and the bar's
// time as a timestamp, not the engine's Unix milliseconds; the error is not an input error and
// no run directory is left.
func TestRunStrategyFailure(t *testing.T) {
	cat := Builtin()
	boom := errors.New("boom")
	if err := cat.Add(Strategy{Name: "fails", Summary: "fails at its tenth bar", New: func() backtest.Strategy {
		n := 0
		return backtest.StrategyFunc(func(br *backtest.Broker, b backtest.Bar) error {
			if n++; n == 10 {
				return boom
			}
			return nil
		})
	}}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "run")
	x, err := cat.Load("", []Override{
		{Path: "strategy.name", Value: "fails", Origin: "test"},
		{Path: "symbols", Value: "BTCUSDT", List: true, Origin: "test"},
		{Path: "timerange", Value: "{start: 2025-10-01, end: 2025-10-03}", Origin: "test"},
		{Path: "output.dir", Value: dir, Origin: "test"},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), x, Options{NoReport: true})
	want := "run failed: strategy fails failed in account isolated at BTCUSDT's bar of 2025-10-01 09:00Z: boom"
	if err == nil || err.Error() != want || !errors.Is(err, boom) || IsInput(err) {
		t.Errorf("err = %v (input %v), want %q", err, IsInput(err), want)
	}
	if err != nil && strings.Contains(err.Error(), "backtest:") {
		t.Errorf("engine words in %q", err)
	}
}

// The near-miss rule of the statistics is the experiment's: stats.near_miss_ratio and
// stats.near_miss_window_h reach summary.json's liquidation statistics, and a lower threshold
// counts the swing demo's episodes from 0.3 instead of 0.8.
func TestStatsNearMissSettings(t *testing.T) {
	run := func(sets ...Override) *Outcome {
		t.Helper()
		ov := []Override{
			{Path: "symbols", Value: "BTCUSDT,ETHUSDT", List: true, Origin: "test"},
			{Path: "leverage.default", Value: "20", Origin: "test"},
			{Path: "output.dir", Value: filepath.Join(t.TempDir(), "run"), Origin: "test"},
		}
		x, err := Builtin().Load("", append(ov, sets...))
		if err != nil {
			t.Fatal(err)
		}
		out, err := Run(context.Background(), x, Options{NoReport: true})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	def := run()
	low := run(Override{Path: "stats.near_miss_ratio", Value: "0.3", Origin: "--set"},
		Override{Path: "stats.near_miss_window_h", Value: "6", Origin: "--set"})
	for _, name := range []string{"isolated", "cross"} {
		d, l := def.Summary.Liquidation[name], low.Summary.Liquidation[name]
		if d.NearMissRatio != 0.8 || d.NearMissWindowH != 24 {
			t.Errorf("%s default rule = %g, %gh; want 0.8, 24h", name, d.NearMissRatio, d.NearMissWindowH)
		}
		if l.NearMissRatio != 0.3 || l.NearMissWindowH != 6 {
			t.Errorf("%s set rule = %g, %gh; want 0.3, 6h", name, l.NearMissRatio, l.NearMissWindowH)
		}
		t.Logf("%s: near misses %d at 0.8, %d at 0.3", name, d.NearMisses, l.NearMisses)
	}
	if def.Summary.Liquidation["cross"].NearMisses == low.Summary.Liquidation["cross"].NearMisses &&
		def.Summary.Liquidation["isolated"].NearMisses == low.Summary.Liquidation["isolated"].NearMisses {
		t.Errorf("the threshold changed no count: the setting is not used")
	}
}

// Options.OutputGCPercent changes the collector only while Run writes its output: the
// setting before Run is in force again after it.
func TestRunOutputGCPercentRestored(t *testing.T) {
	x, err := Builtin().Load("", []Override{
		{Path: "symbols", Value: "BTCUSDT", List: true, Origin: "test"},
		{Path: "timerange", Value: "{start: 2025-10-01, end: 2025-10-03}", Origin: "test"},
		{Path: "output.dir", Value: filepath.Join(t.TempDir(), "run"), Origin: "test"},
	})
	if err != nil {
		t.Fatal(err)
	}
	before := debug.SetGCPercent(137)
	defer debug.SetGCPercent(before)
	if _, err := Run(context.Background(), x, Options{NoReport: true, OutputGCPercent: 30}); err != nil {
		t.Fatal(err)
	}
	if got := debug.SetGCPercent(137); got != 137 {
		t.Errorf("GC percent after Run = %d, want 137 (the setting before it)", got)
	}
}
