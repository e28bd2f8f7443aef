package experiment

import (
	"context"
	"errors"
	"path/filepath"
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
