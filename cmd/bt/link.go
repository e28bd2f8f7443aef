package main

// Links to packages being written concurrently by their owners.

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/data/parquet"
)

// openSample opens the embedded sample dataset.
func openSample() (*parquet.Store, fs.FS, error) {
	return nil, nil, errors.New("not available in this build (package data/sample missing)")
}

// lookupStrategy returns the constructor of the named strategy.
func lookupStrategy(name string) (func() backtest.Strategy, error) {
	return nil, fmt.Errorf("unknown strategy %q", name)
}
