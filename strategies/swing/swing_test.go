package swing_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/strategies/param"
	"github.com/bt-backtest/bt/strategies/swing"
	"github.com/shopspring/decimal"
)

var _ backtest.Strategy = (*swing.Strategy)(nil)
var _ backtest.Starter = (*swing.Strategy)(nil)
var _ backtest.StepHandler = (*swing.Strategy)(nil)

const hour = 3600_000

// flat returns n bars [c, c, c, c].
func path(closes ...float64) [][4]float64 {
	out := make([][4]float64, len(closes))
	prev := closes[0]
	for k, c := range closes {
		out[k] = [4]float64{prev, max(prev, c), min(prev, c), c}
		prev = c
	}
	return out
}

// run runs the swing trader at 5x (the account's leverage) on the bars.
func run(t *testing.T, params map[string]string, bars ...[]backtest.Bar) *backtest.Result {
	t.Helper()
	var all []backtest.Bar
	syms := map[string]bool{}
	var names []string
	for _, bs := range bars {
		all = append(all, bs...)
		if !syms[bs[0].Symbol] {
			syms[bs[0].Symbol] = true
			names = append(names, bs[0].Symbol)
		}
	}
	src := backtest.NewSliceSource(names, backtest.Batches(all, nil, nil))
	cfg := backtest.Config{Params: params, DefaultLeverage: 5, NoFundingFallback: true}
	res, err := backtest.Run(context.Background(), cfg, swing.New, src)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestEntryFlipExit: AAA rises for 6 bars then falls; with fast=2, slow=4 the EMAs are warm at
// the 4th close (bar 3, close 103): fast > slow, so a long of notional 0.1·10000·5 = 5000 is
// submitted, 5000/103 = 48.5436… rounded down to the step the engine gives an unknown symbol
// whose first open is 100 (10^−⌈log10 100⌉ = 0.01) = 48.54, filled at bar 4's open. When the
// trend turns down the long is closed (reduce-only sell 48.54) and a short opened, both at the
// next open.
func TestEntryFlipExit(t *testing.T) {
	aaa := backtest.OHLC("AAAUSDT", 0, hour, path(100, 101, 102, 103, 104, 105, 106, 100, 94, 88, 82, 76)...)
	res := run(t, map[string]string{"size": "0.1", "fast": "2", "slow": "4"}, aaa)
	if len(res.Accounts) != 2 {
		t.Fatalf("%d accounts, want 2", len(res.Accounts))
	}
	for _, acc := range res.Accounts {
		f := acc.Fills
		if len(f) < 3 {
			t.Fatalf("%s: %d fills, want 3: %+v (rejects %+v)", acc.Name, len(f), f, acc.Rejects)
		}
		if f[0].Side != backtest.Buy || !f[0].Qty.Equal(decimal.RequireFromString("48.54")) || f[0].Time != 4*hour {
			t.Errorf("%s: entry %+v, want buy 48.54 at bar 4 (t=%d)", acc.Name, f[0], 4*hour)
		}
		if f[1].Side != backtest.Sell || !f[1].Qty.Equal(f[0].Qty) || f[1].Tag != "swing exit" {
			t.Errorf("%s: exit %+v, want reduce-only sell 48.54", acc.Name, f[1])
		}
		if f[2].Side != backtest.Sell || f[2].Tag != "swing entry" || f[2].Time != f[1].Time {
			t.Errorf("%s: short entry %+v, want a sell entry with the exit", acc.Name, f[2])
		}
		if f[1].Time <= f[0].Time {
			t.Errorf("%s: exit at %d not after entry at %d", acc.Name, f[1].Time, f[0].Time)
		}
	}
	// No liquidation, same trades: isolated and cross agree to the last digit.
	if a, b := res.Accounts[0].Fills, res.Accounts[1].Fills; len(a) != len(b) || !a[2].Price.Equal(b[2].Price) {
		t.Errorf("isolated and cross differ without stress: %+v vs %+v", a, b)
	}
}

// TestCrossCarriesLoser: AAA and BBB both trend up (two longs of 5000 notional at 5x, 1000
// margin each). Then in one bar BBB drops 30% and AAA rises 30%. An isolated long at 5x is
// liquidated when it has lost about its 20% margin less maintenance, so isolated BBB is
// liquidated; under cross the AAA gain (+1500) more than covers the BBB loss (−1500 at the
// low) and the 10000 wallet holds: no liquidation.
func TestCrossCarriesLoser(t *testing.T) {
	up := []float64{100, 101, 102, 103, 104, 105, 106}
	a := backtest.OHLC("AAAUSDT", 0, hour, append(path(up...), [4]float64{106, 140, 106, 138}, [4]float64{138, 139, 137, 138})...)
	b := backtest.OHLC("BBBUSDT", 0, hour, append(path(up...), [4]float64{106, 106, 74, 75}, [4]float64{75, 76, 74, 75})...)
	res := run(t, map[string]string{"size": "0.1", "fast": "2", "slow": "4"}, a, b)
	liq := map[string][]string{}
	for _, acc := range res.Accounts {
		for _, l := range acc.Liquidations {
			liq[acc.Name] = append(liq[acc.Name], l.Symbol)
		}
		if len(acc.Fills) < 2 {
			t.Fatalf("%s: fills %+v rejects %+v", acc.Name, acc.Fills, acc.Rejects)
		}
	}
	if got := strings.Join(liq["isolated"], ","); got != "BBBUSDT" {
		t.Errorf("isolated liquidations %q, want BBBUSDT", got)
	}
	if len(liq["cross"]) != 0 {
		t.Errorf("cross liquidations %v, want none", liq["cross"])
	}
}

func TestSymbolsParam(t *testing.T) {
	up := path(100, 101, 102, 103, 104, 105, 106)
	a := backtest.OHLC("AAAUSDT", 0, hour, up...)
	b := backtest.OHLC("BBBUSDT", 0, hour, up...)
	res := run(t, map[string]string{"size": "0.1", "fast": "2", "slow": "4", "symbols": "BBBUSDT"}, a, b)
	for _, acc := range res.Accounts {
		for _, f := range acc.Fills {
			if f.Symbol != "BBBUSDT" {
				t.Errorf("%s: traded %s, only BBBUSDT allowed", acc.Name, f.Symbol)
			}
		}
		if len(acc.Fills) == 0 {
			t.Errorf("%s: no fills", acc.Name)
		}
	}
}

func TestInvalidParams(t *testing.T) {
	a := backtest.OHLC("AAAUSDT", 0, hour, path(100, 101)...)
	for _, c := range []struct {
		params map[string]string
		want   string
	}{
		{map[string]string{"fast": "10", "slow": "5"}, `swing: parameter fast="10": must be below slow (5)`},
		{map[string]string{"size": "1.5"}, `swing: parameter size="1.5": out of range`},
		{map[string]string{"short": "perhaps"}, `swing: parameter short="perhaps": not a boolean`},
		{map[string]string{"symbols": "ZZZUSDT"}, `swing: parameter symbols="ZZZUSDT": not in the data`},
	} {
		src := backtest.NewSliceSource([]string{"AAAUSDT"}, backtest.Batches(a, nil, nil))
		_, err := backtest.Run(context.Background(), backtest.Config{Params: c.params}, swing.New, src)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want %q", c.params, err, c.want)
		}
		if !errors.Is(err, param.ErrInvalid) {
			t.Errorf("%v: %v does not wrap param.ErrInvalid", c.params, err)
		}
	}
}

// TestLongOnly: with short=false the down-turn of TestEntryFlipExit only closes the long.
func TestLongOnly(t *testing.T) {
	aaa := backtest.OHLC("AAAUSDT", 0, hour, path(100, 101, 102, 103, 104, 105, 106, 100, 94, 88, 82, 76)...)
	res := run(t, map[string]string{"size": "0.1", "fast": "2", "slow": "4", "short": "false"}, aaa)
	for _, acc := range res.Accounts {
		f := acc.Fills
		if len(f) != 2 || f[0].Side != backtest.Buy || f[1].Side != backtest.Sell || !f[1].Qty.Equal(f[0].Qty) {
			t.Errorf("%s: fills %+v, want one buy and its reduce-only exit", acc.Name, f)
		}
		if len(acc.Positions) != 0 {
			t.Errorf("%s: open positions at the end %+v, want flat", acc.Name, acc.Positions)
		}
	}
}
