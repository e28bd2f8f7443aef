package experiment

import "github.com/bt-backtest/bt/backtest"

// Engine returns what runs the experiment through the engine on market data holding symbols
// (sorted, as the data's stream gives them): the engine's configuration and the strategy's
// constructor. Run uses the same two; bt sweep (package sweep) uses them to run the accounts
// of many experiments over one stream, each account with its experiment's configuration
// (backtest.Setup.Config). x is resolved first. Errors are *ConfigError (see IsInput).
func (x *Experiment) Engine(symbols []string) (backtest.Config, func() backtest.Strategy, error) {
	if err := x.Resolve(); err != nil {
		return backtest.Config{}, nil, err
	}
	strat, ok := x.catalog().Lookup(x.Strategy.Name)
	if !ok {
		return backtest.Config{}, nil, x.locate(x.catalog().unknown(x.Strategy.Name))
	}
	cfg, err := x.backtestConfig(symbols)
	if err != nil {
		return backtest.Config{}, nil, x.locate(err)
	}
	return cfg, strat.New, nil
}

// Catalog returns the catalog of strategies the experiment was loaded with (Builtin for an
// Experiment made in Go), so that experiments derived from it name the same strategies.
func (x *Experiment) Catalog() *Catalog { return x.catalog() }
