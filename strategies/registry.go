package strategies

import (
	"slices"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/strategies/grid"
	"github.com/bt-backtest/bt/strategies/hodl"
	"github.com/bt-backtest/bt/strategies/param"
	"github.com/bt-backtest/bt/strategies/replay"
	"github.com/bt-backtest/bt/strategies/scalper"
	"github.com/bt-backtest/bt/strategies/swing"
)

// Default is the name of the strategy `bt run` uses when none is given.
const Default = swing.Name

// Info describes a registered strategy.
type Info struct {
	Name    string
	Summary string       // one line
	Params  []param.Spec // with defaults, in documentation order
	// Hedge: the strategy names the position side of its orders, so it can run in hedge
	// position mode (the others trade one net position per symbol).
	Hedge bool
}

type entry struct {
	New func() backtest.Strategy
	Info
}

var registry = map[string]entry{
	swing.Name:   {swing.New, Info{swing.Name, swing.Summary, swing.Params, false}},
	hodl.Name:    {hodl.New, Info{hodl.Name, hodl.Summary, hodl.Params, false}},
	replay.Name:  {replay.New, Info{replay.Name, replay.Summary, replay.Params, true}},
	scalper.Name: {scalper.New, Info{scalper.Name, scalper.Summary, scalper.Params, false}},
	grid.Name:    {grid.New, Info{grid.Name, grid.Summary, grid.Params, false}},
}

// Lookup returns the constructor of the named strategy. Each call of the constructor returns a
// fresh instance (one per account).
func Lookup(name string) (func() backtest.Strategy, bool) {
	e, ok := registry[name]
	return e.New, ok
}

// Names returns the registered names, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Describe returns the named strategy's summary and parameters.
func Describe(name string) (Info, bool) {
	e, ok := registry[name]
	if !ok {
		return Info{}, false
	}
	e.Params = slices.Clone(e.Params)
	return e.Info, true
}
