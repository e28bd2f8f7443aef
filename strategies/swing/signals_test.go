package swing_test

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/bt-backtest/bt/strategies/swing"
	"github.com/shopspring/decimal"
)

var _ backtest.SignalSharer = (*swing.Strategy)(nil)

// solo is the swing trader without its SignalSharer methods: the engine cannot share its
// signals, so it computes its own in OnBars, as it would for any caller but the engine.
type solo struct{ s *swing.Strategy }

func (o solo) Start(br *backtest.Broker) error                    { return o.s.Start(br) }
func (o solo) OnBar(br *backtest.Broker, b backtest.Bar) error    { return o.s.OnBar(br, b) }
func (o solo) OnBars(br *backtest.Broker, b []backtest.Bar) error { return o.s.OnBars(br, b) }
func (o solo) OnStep(br *backtest.Broker, t int64) error          { return o.s.OnStep(br, t) }
func newSolo() backtest.Strategy                                  { return solo{swing.New().(*swing.Strategy)} }

// counted is the swing trader, counting the signals it makes and keeping the one it is given.
type counted struct {
	*swing.Strategy
	made *int
	got  backtest.Signals
}

func (c *counted) UseSignals(g backtest.Signals) { c.got = g; c.Strategy.UseSignals(g) }
func (c *counted) NewSignals() backtest.Signals  { *c.made++; return c.Strategy.NewSignals() }

func newCounted(made *int, all *[]*counted) func() backtest.Strategy {
	return func() backtest.Strategy {
		c := &counted{Strategy: swing.New().(*swing.Strategy), made: made}
		*all = append(*all, c)
		return c
	}
}

// sweepSetups are eight accounts of one run, as a sweep makes them: the same swing settings at
// different sizes, leverages and margin modes (one of them high enough to be liquidated and
// stopped early), and three that differ in a signal setting (fast, short, symbols), which
// must not share the others' signals. It returns the groups of accounts that share.
func sweepSetups(syms []string) ([]backtest.Setup, [][]int) {
	own := func(lev int, stop bool, params ...string) *backtest.Config {
		p := map[string]string{"fast": "8", "slow": "30", "size": "0.1"}
		for k := 0; k < len(params); k += 2 {
			p[params[k]] = params[k+1]
		}
		return &backtest.Config{Wallet: decimal.NewFromInt(10000), DefaultLeverage: lev, Params: p, NoFundingFallback: true, StopOnLiquidation: stop}
	}
	return []backtest.Setup{
		{Name: "iso-5", Mode: margin.Isolated, Config: own(5, false)},
		{Name: "cross-5", Mode: margin.Cross, Config: own(5, false)},
		{Name: "cross-20-size", Mode: margin.Cross, Config: own(20, false, "size", "0.3")},
		{Name: "iso-25-stop", Mode: margin.Isolated, Config: own(25, true, "size", "0.05")},
		{Name: "mix-fast", Mode: margin.Cross, Overrides: map[string]margin.Mode{syms[0]: margin.Isolated}, Config: own(5, false, "fast", "9")},
		{Name: "cross-long", Mode: margin.Cross, Config: own(5, false, "short", "false")},
		{Name: "cross-syms", Mode: margin.Cross, Config: own(5, false, "symbols", syms[1]+","+syms[3])},
		{Name: "iso-2", Mode: margin.Isolated, Config: own(2, false, "size", "0.02")},
	}, [][]int{{0, 1, 2, 3, 7}, {4}, {5}, {6}}
}

// A sweep's accounts with equal swing settings share one signals (made once), those that
// differ in fast, short or symbols get their own, and every record, fingerprint and final
// state is the same as with each account computing its own signals (solo), sequentially and
// in parallel, batch by batch (one processor) and in chunks (two), over more than one chunk
// of timestamps.
func TestSharedSignalsAreEachAccounts(t *testing.T) {
	syms, batches := walkBy(6, 1000, 5, 60_000, 0.006)
	setups, groups := sweepSetups(syms)
	for _, procs := range []int{1, 2} {
		for _, parallel := range []bool{false, true} {
			t.Run(fmt.Sprintf("procs=%d parallel=%v", procs, parallel), func(t *testing.T) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				cfg := backtest.Config{Setups: setups, Parallel: parallel, NoFundingFallback: true}
				own, err := backtest.Run(context.Background(), cfg, newSolo, backtest.NewSliceSource(syms, batches))
				if err != nil {
					t.Fatal(err)
				}
				var made int
				var all []*counted
				shared, err := backtest.Run(context.Background(), cfg, newCounted(&made, &all), backtest.NewSliceSource(syms, batches))
				if err != nil {
					t.Fatal(err)
				}
				if made != len(groups) {
					t.Errorf("%d signals made, want %d", made, len(groups))
				}
				for _, g := range groups {
					for _, a := range g {
						if all[a].got == nil || all[a].got != all[g[0]].got {
							t.Errorf("account %s does not share the signals of %s", setups[a].Name, setups[g[0]].Name)
						}
					}
					for _, h := range groups {
						if &h[0] != &g[0] && all[h[0]].got == all[g[0]].got {
							t.Errorf("accounts %s and %s share signals", setups[h[0]].Name, setups[g[0]].Name)
						}
					}
				}
				for a := range own.Accounts {
					o, s := &own.Accounts[a], &shared.Accounts[a]
					if o.Fingerprint() != s.Fingerprint() {
						t.Errorf("%s: fingerprints differ", o.Name)
					}
					if len(o.Fills) < 20 {
						t.Errorf("%s: %d fills: too few to test anything", o.Name, len(o.Fills))
					}
				}
				if !reflect.DeepEqual(own, shared) {
					t.Error("the results differ")
				}
				if !own.Accounts[3].Stopped {
					t.Error("iso-25-stop did not stop: the test does not cover a stopped account of a shared group")
				}
				if fillTimes(&own.Accounts[1]) == fillTimes(&own.Accounts[4]) {
					t.Error("fast=9 trades when fast=8 does: the test cannot tell whether the signals were shared")
				}
			})
		}
	}
}

// fillTimes lists an account's fill times and symbols.
func fillTimes(a *backtest.AccountResult) string {
	var s string
	for _, f := range a.Fills {
		s += fmt.Sprint(f.Time, f.Symbol, " ")
	}
	return s
}

// The shared signals allocate nothing per batch once their flip lists have grown: Prepare of
// a chunk again, after a run, allocates nothing.
func TestPrepareAllocs(t *testing.T) {
	syms, batches := walkBy(6, 600, 5, 60_000, 0.006)
	var made int
	var all []*counted
	cfg := backtest.Config{Setups: []backtest.Setup{{Name: "cross"}}, NoFundingFallback: true}
	if _, err := backtest.Run(context.Background(), cfg, newCounted(&made, &all), backtest.NewSliceSource(syms, batches)); err != nil {
		t.Fatal(err)
	}
	g := all[0].got
	if g == nil {
		t.Fatal("no signals handed to the trader")
	}
	chunk := batches[:256]
	g.Prepare(chunk)
	if n := testing.AllocsPerRun(20, func() { g.Prepare(chunk) }); n != 0 {
		t.Errorf("Prepare allocates %v times per chunk, want 0", n)
	}
}

// everyStep embeds the swing trader and counts its own OnStep calls; with noKey it names no
// signal key, as the Strategy doc tells an embedding type that works at every timestamp.
type everyStep struct {
	*swing.Strategy
	noKey bool
	steps int
}

func (e *everyStep) OnStep(br *backtest.Broker, t int64) error {
	e.steps++
	return e.Strategy.OnStep(br, t)
}

func (e *everyStep) SignalKey() any {
	if e.noKey {
		return nil
	}
	return e.Strategy.SignalKey()
}

// An embedding type that names no signal key is called at every timestamp with bars and
// trades as the trader does; one that keeps the trader's key is called only at flips.
func TestEmbeddingWithoutKeyIsCalledEveryStep(t *testing.T) {
	syms, batches := walkBy(3, 400, 5, 60_000, 0.006)
	cfg := backtest.Config{Setups: []backtest.Setup{{Name: "cross", Mode: margin.Cross}}, Params: map[string]string{"fast": "8", "slow": "30"}, NoFundingFallback: true}
	steps := map[bool]int{}
	res := map[bool]*backtest.Result{}
	for _, noKey := range []bool{false, true} {
		e := &everyStep{Strategy: swing.New().(*swing.Strategy), noKey: noKey}
		var err error
		if res[noKey], err = backtest.Run(context.Background(), cfg, func() backtest.Strategy { return e }, backtest.NewSliceSource(syms, batches)); err != nil {
			t.Fatal(err)
		}
		steps[noKey] = e.steps
	}
	if steps[true] != len(batches) {
		t.Errorf("without a key: %d OnStep calls, want one per timestamp (%d)", steps[true], len(batches))
	}
	if steps[false] == 0 || steps[false]*4 > len(batches) {
		t.Errorf("with the trader's key: %d OnStep calls of %d timestamps, want only the flips", steps[false], len(batches))
	}
	if !reflect.DeepEqual(res[false], res[true]) || len(res[true].Accounts[0].Fills) == 0 {
		t.Error("the results differ, or there are no fills to compare")
	}
}
