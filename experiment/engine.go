package experiment

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
	cfg.PositionMode = positionModes[x.PositionMode]     // validated: one-way or hedge
	rate := x.Costs.FundingFallbackRate.InexactFloat64() // a market-data rate, not a ledger amount
	cfg.FundingFallbackRate = &rate
	cfg.NoFundingFallback = x.Costs.NoFundingFallback
	if x.Brackets.Snapshot != "" {
		t, err := time.Parse(time.DateOnly, x.Brackets.Snapshot)
		if err != nil {
			return &ConfigError{Key: "brackets.snapshot", Msg: err.Error()}
		}
		cfg.BracketDate = t
	}
	if x.Brackets.File != "" {
		b, err := LoadBracketFile(x.Brackets.File)
		if err != nil {
			return &ConfigError{Key: "brackets.file", Msg: err.Error()}
		}
		cfg.Book = margin.DefaultBook().With(b) // the file's symbols on top of the embedded tables (issue 10)
	}
	if err := cfg.Validate(); err != nil {
		return &ConfigError{Msg: err.Error()}
	}
	return nil
}

// LoadBracketFile reads a leverage-bracket file (brackets.file of an experiment: the JSON
// layout of the embedded Binance snapshots). Its errors name the file.
func LoadBracketFile(path string) (*margin.Book, error) {
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
