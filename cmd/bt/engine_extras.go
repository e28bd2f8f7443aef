package main

import "github.com/bt-backtest/bt/backtest"

// applyEngineExtras maps the experiment settings whose backtest.Config fields are still being
// added by the engine's owner (brackets, funding fallback, touch fills).
func applyEngineExtras(cfg *backtest.Config, x *Experiment) error {
	return nil
}
