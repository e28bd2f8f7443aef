package cli

import (
	"io/fs"

	"github.com/bt-backtest/bt/data/parquet"
	"github.com/bt-backtest/bt/data/sample"
)

// openSample opens the embedded sample dataset and its file system (for the manifest's hashes).
func openSample() (*parquet.Store, fs.FS, error) {
	st, err := sample.Open()
	if err != nil {
		return nil, nil, err
	}
	return st, sample.FS(), nil
}
