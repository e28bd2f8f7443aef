package cli

import (
	"errors"
	"os"
	"regexp"

	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/bt-backtest/bt/data/parquet"
	"github.com/bt-backtest/bt/experiment"
)

// dataSource is opened market data (bt data inspect).
type dataSource struct{ store *parquet.Store }

// openData opens "sample" (the embedded dataset) or a store directory.
func openData(source string) (*dataSource, error) {
	st, err := experiment.OpenStore(source)
	if err != nil {
		return nil, err
	}
	return &dataSource{st}, nil
}

// unwrapPathErr returns the cause of a path error without the path (the caller names it).
func unwrapPathErr(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// reSymbol is what a symbol looks like (as the experiment package checks it).
var reSymbol = regexp.MustCompile(`^[A-Z0-9]{2,30}$`)

// parseTime parses an RFC 3339 time or a YYYY-MM-DD date (UTC midnight) into Unix ms.
func parseTime(s string) (int64, error) { return experiment.ParseTime(s) }

// loadBookFile reads a bracket file (the JSON layout of the reference snapshots).
func loadBookFile(path string) (*margin.Book, error) { return experiment.LoadBracketFile(path) }
