package main

// Links to packages being written concurrently by their owners.

import (
	"errors"
	"io/fs"

	"github.com/bt-backtest/bt/data/parquet"
)

// openSample opens the embedded sample dataset.
func openSample() (*parquet.Store, fs.FS, error) {
	return nil, nil, errors.New("not available in this build (package data/sample missing)")
}
