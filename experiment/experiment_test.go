package experiment

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/bt-backtest/bt/strategies"
)

func TestLoadExperimentDefaults(t *testing.T) {
	x, _, err := loadExperiment("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if x.Strategy.Name != strategies.Default || x.Data.Source != "sample" || x.Margin.Mode != "both" {
		t.Errorf("defaults: strategy %q data %q mode %q", x.Strategy.Name, x.Data.Source, x.Margin.Mode)
	}
	if x.Account.Wallet.String() != "10000" || x.Leverage.Default != 10 {
		t.Errorf("defaults: wallet %s leverage %d", x.Account.Wallet, x.Leverage.Default)
	}
	if x.Costs.Maker != nil || x.Costs.Taker != nil || x.Costs.FundingFallbackRate.String() != "0.0001" { // fees: the dated schedule
		t.Errorf("default costs %s %s %s", x.Costs.Maker, x.Costs.Taker, x.Costs.FundingFallbackRate)
	}
}

// Issue 10: fees absent from costs are the dated schedule's (nil), given ones win, and
// brackets: DATE is shorthand for brackets.snapshot.
func TestCostsAndBracketsShorthand(t *testing.T) {
	path := writeFile(t, filepath.Join(t.TempDir(), "exp.yaml"), "costs:\n  taker: 0.0004\n  clearance_fee: 0.005\nbrackets: 2024-10-24\n")
	x, _, err := loadExperiment(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if x.Costs.Maker != nil || x.Costs.Taker.String() != "0.0004" || x.Costs.ClearanceFee.String() != "0.005" || x.Brackets.Snapshot != "2024-10-24" {
		t.Errorf("costs %v %v %v, brackets %q", x.Costs.Maker, x.Costs.Taker, x.Costs.ClearanceFee, x.Brackets.Snapshot)
	}
	cfg, err := x.backtestConfig([]string{"BTCUSDT"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MakerFee != nil || cfg.TakerFee.String() != "0.0004" || cfg.ClearanceFee.String() != "0.005" || cfg.BracketDate.Format("2006-01-02") != "2024-10-24" {
		t.Errorf("engine config: maker %v taker %v clearance %v brackets %v", cfg.MakerFee, cfg.TakerFee, cfg.ClearanceFee, cfg.BracketDate)
	}
}

func TestLoadExperimentErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		yaml string
		sets []string
		want string // substring of the error
	}{
		{"unknown top-level key", "strategy:\n  name: hodl\nsymbolz: [BTCUSDT]\n", nil, `exp.yaml:3: symbolz: unknown key (did you mean "symbols"?)`},
		{"unknown nested key", "costs:\n  maker: 0.0002\n  takr: 0.0004\n", nil, `exp.yaml:3: costs.takr: unknown key (did you mean "taker"?)`},
		{"wrong type", "leverage:\n  default: ten\n", nil, "exp.yaml:2"},
		{"not a decimal", "account:\n  wallet: lots\n", nil, `exp.yaml:2: "lots" is not a decimal number`},
		{"bad mode", "margin:\n  mode: portfolio\n", nil, `exp.yaml:2: margin.mode: "portfolio": want both, isolated, cross or none`},
		{"bad position mode", "position_mode: dual\n", nil, `exp.yaml:1: position_mode: "dual": want one-way (one position per symbol) or hedge`},
		{"hedge with a one-way strategy", "strategy:\n  name: swing\nposition_mode: hedge\n", nil, `position_mode: hedge: strategy swing trades one position per symbol`},
		{"bad leverage", "leverage:\n  default: 200\n", nil, "exp.yaml:2: leverage.default: 200: want 1 to 125"},
		{"bad time", "timerange:\n  start: yesterday\n", nil, "exp.yaml:2: timerange.start"},
		{"end before start", "timerange:\n  start: 2025-10-02\n  end: 2025-10-01\n", nil, "end 2025-10-01 is not after start 2025-10-02"},
		{"negative wallet", "account:\n  wallet: -5\n", nil, "account.wallet: -5: the initial wallet must be > 0"},
		{"bad symbol", "symbols: [btc/usdt]\n", nil, "symbols"},
		{"invalid yaml", "costs: [\n", nil, "exp.yaml:"},
		{"not a mapping", "- a\n- b\n", nil, "is a YAML mapping"},
		{"unknown strategy", "strategy:\n  name: martingale\n", nil, `exp.yaml:2: strategy.name: unknown strategy "martingale"`},
		{"unknown strategy param", "strategy:\n  name: swing\n  params:\n    fastt: 3\n", nil, "exp.yaml:4: strategy.params.fastt: unknown parameter of strategy swing"},
		{"mix named like a mode", "margin:\n  mixes:\n    cross: {default: isolated}\n", nil, "margin.mixes.cross"},
		{"set type checked", "", []string{"leverage.default=abc"}, "--set leverage.default: cannot use a YAML str"},
		{"set unknown key", "", []string{"costs.fee=1"}, "--set costs.fee: unknown key"},
		{"set into scalar", "seed: 1\n", []string{"seed.x=1"}, "seed: is not a mapping"},
		{"bad clearance fee", "costs:\n  clearance_fee: 0.5\n", nil, "costs.clearance_fee: 0.5: want a rate in [0, 0.1]"},
		{"unknown brackets key", "brackets:\n  snapshott: 2024-10-24\n", nil, "brackets.snapshott: unknown key"},
		{"near-miss ratio at liquidation", "stats:\n  near_miss_ratio: 1\n", nil, "exp.yaml:2: stats.near_miss_ratio: 1: want a margin ratio between 0 and 1"},
		{"negative near-miss ratio", "", []string{"stats.near_miss_ratio=-0.2"}, "--set stats.near_miss_ratio: -0.2: want a margin ratio between 0 and 1"},
		{"near-miss window negative", "stats:\n  near_miss_window_h: -1\n", nil, "stats.near_miss_window_h: -1: want hours after an episode"},
		{"unknown stats key", "stats:\n  near_mis_ratio: 0.7\n", nil, `stats.near_mis_ratio: unknown key (did you mean "near_miss_ratio"?)`},
		{"brackets shorthand not a date", "brackets: soon\n", nil, `brackets.snapshot: "soon": want a date`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, filepath.Join(dir, "exp.yaml"), tt.yaml)
			var ov []Override
			for _, s := range tt.sets {
				k, v, _ := strings.Cut(s, "=")
				ov = append(ov, Override{Path: k, Value: v, Origin: "--set " + k})
			}
			_, _, err := loadExperiment(path, ov)
			if err == nil {
				t.Fatalf("no error, want one mentioning %q", tt.want)
			}
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Errorf("error %v is not a *ConfigError", err)
			}
			msg := strings.ReplaceAll(err.Error(), path, "exp.yaml")
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error\n  %s\ndoes not contain\n  %s", msg, tt.want)
			}
		})
	}
}

func TestOverridesOrder(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, filepath.Join(dir, "exp.yaml"), `
strategy:
  name: hodl
symbols: [BTCUSDT, ETHUSDT]
costs:
  slippage_bps: 1
margin:
  mode: isolated
`)
	ov := []Override{
		{Path: "margin.mode", Value: "cross", Origin: "--mode"},
		{Path: "symbols", Value: "solusdt, BTCUSDT", Origin: "--symbols", List: true},
		{Path: "costs.slippage_bps", Value: "2.5", Origin: "--set"},
		{Path: "margin.mode", Value: "both", Origin: "--set"}, // later overrides win
		{Path: "margin.mixes.btc-iso", Value: "{default: cross, isolated: [BTCUSDT]}", Origin: "--set"},
		{Path: "account.wallet", Value: "1234.5678", Origin: "--wallet"},
	}
	x, _, err := loadExperiment(path, ov)
	if err != nil {
		t.Fatal(err)
	}
	if x.Strategy.Name != "hodl" || x.Margin.Mode != "both" || x.Costs.SlippageBps != 2.5 {
		t.Errorf("got strategy %q mode %q slippage %g", x.Strategy.Name, x.Margin.Mode, x.Costs.SlippageBps)
	}
	if !reflect.DeepEqual(x.Symbols, []string{"SOLUSDT", "BTCUSDT"}) {
		t.Errorf("symbols %v", x.Symbols)
	}
	if x.Account.Wallet.String() != "1234.5678" {
		t.Errorf("wallet %s (must stay exact)", x.Account.Wallet)
	}
	setups, err := x.setups([]string{"BTCUSDT", "SOLUSDT"})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name string
		mode margin.Mode
		ov   map[string]margin.Mode
	}{
		{"isolated", margin.Isolated, nil},
		{"cross", margin.Cross, nil},
		{"btc-iso", margin.Cross, map[string]margin.Mode{"BTCUSDT": margin.Isolated}},
	}
	if len(setups) != len(want) {
		t.Fatalf("setups %+v", setups)
	}
	for i, w := range want {
		s := setups[i]
		if s.Name != w.name || s.Mode != w.mode || (len(w.ov) > 0 && !reflect.DeepEqual(s.Overrides, w.ov)) {
			t.Errorf("setup %d = %+v, want %+v", i, s, w)
		}
	}
	if _, err := x.setups([]string{"ETHUSDT"}); err == nil || !strings.Contains(err.Error(), "BTCUSDT is not a symbol of this run") {
		t.Errorf("mix with a symbol outside the run: %v", err)
	}
}

// position_mode (issue 10 item 5): one-way by default; the file < --position-mode < --set
// precedence; the engine gets margin.Hedge; replay, which names position sides, may run hedged.
func TestPositionMode(t *testing.T) {
	x, _, err := loadExperiment("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if x.PositionMode != "one-way" {
		t.Errorf("default position_mode %q", x.PositionMode)
	}
	path := writeFile(t, filepath.Join(t.TempDir(), "exp.yaml"), "strategy:\n  name: replay\n  params: {file: x.csv}\nposition_mode: one-way\n")
	for _, c := range []struct {
		ov   []Override
		want string
	}{
		{nil, "one-way"},
		{[]Override{{Path: "position_mode", Value: "Hedge", Origin: "--position-mode"}}, "hedge"},
		{[]Override{{Path: "position_mode", Value: "hedge", Origin: "--position-mode"}, {Path: "position_mode", Value: "one-way", Origin: "--set"}}, "one-way"},
	} {
		x, _, err := loadExperiment(path, c.ov)
		if err != nil {
			t.Fatal(err)
		}
		if x.PositionMode != c.want {
			t.Errorf("overrides %+v: position_mode %q, want %q", c.ov, x.PositionMode, c.want)
		}
		var cfg backtest.Config
		cfg.Params = map[string]string{}
		if err := applyEngineExtras(&cfg, x); err != nil {
			t.Fatal(err)
		}
		if want := positionModes[c.want]; cfg.PositionMode != want {
			t.Errorf("engine position mode %v, want %v", cfg.PositionMode, want)
		}
	}
}

func TestLeverageMap(t *testing.T) {
	x, _, err := loadExperiment("", []Override{
		{Path: "leverage", Value: "{default: 3, symbols: {BTCUSDT: 20}}", Origin: "--set"},
	})
	if err != nil {
		t.Fatal(err)
	}
	lev, err := x.leverage([]string{"BTCUSDT", "ETHUSDT"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(lev, map[string]int{"BTCUSDT": 20, "ETHUSDT": 3}) {
		t.Errorf("leverage %v", lev)
	}
	if _, err := x.leverage([]string{"ETHUSDT"}); err == nil {
		t.Error("leverage for a symbol outside the run: no error")
	}
}

func TestResolvedRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, filepath.Join(dir, "exp.yaml"), `
strategy: {name: swing, params: {fast: 12}}
symbols: [ETHUSDT, BTCUSDT]
timerange: {start: 2025-10-01, end: "2025-10-11T00:00:00Z"}
account: {wallet: 2500.10}
leverage: {default: 5, symbols: {BTCUSDT: 20}}
margin: {mode: both, mixes: {btc-iso: {default: cross, isolated: [BTCUSDT]}}}
costs: {maker: 0.0001, taker: 0.0004, slippage_bps: 2, funding_fallback_rate: 0.0001}
execution: {touch_fills: true, stop_on_liquidation: true, parallel: true}
brackets: {snapshot: 2024-10-24}
seed: 7
data: {source: store, interval: 1h}
`)
	x, _, err := loadExperiment(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "store"); x.Data.Source != want {
		t.Errorf("data.source %q, want %q (relative to the experiment file)", x.Data.Source, want)
	}
	b, err := x.marshalResolved("# header\n")
	if err != nil {
		t.Fatal(err)
	}
	p2 := writeFile(t, filepath.Join(dir, "sub", "config.resolved.yaml"), string(b))
	y, _, err := loadExperiment(p2, nil)
	if err != nil {
		t.Fatalf("resolved config does not load: %v\n%s", err, b)
	}
	if !x.Account.Wallet.Equal(y.Account.Wallet.Decimal) || x.Data != y.Data || !reflect.DeepEqual(x.Strategy, y.Strategy) || x.Timerange != y.Timerange {
		t.Errorf("resolved config differs after a round trip:\n%+v\n%+v\n%s", x, y, b)
	}
	b2, _ := y.marshalResolved("# header\n")
	if string(b) != string(b2) {
		t.Errorf("resolved config is not stable:\n%s\n---\n%s", b, b2)
	}
}

func TestApplyOverrideCreatesPath(t *testing.T) {
	x, _, err := loadExperiment("", []Override{{Path: "strategy.params.fast", Value: "8", Origin: "--set"}})
	if err != nil {
		t.Fatal(err)
	}
	if x.Strategy.Params["fast"] != "8" {
		t.Errorf("params %v", x.Strategy.Params)
	}
}

// loadExperiment is load against the built-in strategies.
func loadExperiment(path string, overrides []Override) (*Experiment, any, error) {
	return load(nil, path, overrides)
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
