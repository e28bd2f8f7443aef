package main

import (
	"fmt"
	"os"
	"time"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
)

// applyEngineExtras maps the execution, bracket and funding settings of the experiment.
func applyEngineExtras(cfg *backtest.Config, x *Experiment) error {
	cfg.DefaultLeverage = x.Leverage.Default
	cfg.LimitTouch = x.Execution.TouchFills
	cfg.AutoAddMargin = x.Execution.AutoAddMargin
	rate := x.Costs.FundingFallbackRate.InexactFloat64() // a market-data rate, not a ledger amount
	cfg.FundingFallbackRate = &rate
	cfg.NoFundingFallback = x.Costs.NoFundingFallback
	if x.Brackets.Snapshot != "" {
		t, err := time.Parse(time.DateOnly, x.Brackets.Snapshot)
		if err != nil {
			return &configError{Key: "brackets.snapshot", Msg: err.Error()}
		}
		cfg.BracketDate = t
	}
	if x.Brackets.File != "" {
		b, err := loadBookFile(x.Brackets.File)
		if err != nil {
			return &configError{Key: "brackets.file", Msg: err.Error()}
		}
		cfg.Book = b
	}
	if err := cfg.Validate(); err != nil {
		return &configError{Msg: err.Error()}
	}
	return nil
}

// loadBookFile reads a bracket file (the JSON layout of the reference snapshots).
func loadBookFile(path string) (*margin.Book, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("bracket file %s: %s", path, unwrapPathErr(err))
	}
	defer f.Close()
	b, err := margin.LoadBook(f)
	if err != nil {
		return nil, fmt.Errorf("bracket file %s: %w", path, err)
	}
	return b, nil
}
