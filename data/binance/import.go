package binance

import (
	"fmt"

	"github.com/bt-backtest/bt/data"
	"github.com/bt-backtest/bt/data/parquet"
)

// Imported says what Import did with one file.
type Imported struct {
	Path   string
	Series data.Series
	Rows   int // rows read from the file
	Stats  parquet.WriteStats
}

// Import reads one archive with ReadFile and merges its rows into st (a store, or a
// transaction of one to land several files together: see parquet.Tx). Overlapping
// ranges merge without duplicates; a stored row with different values at the same time
// is a conflict reported by the store, and nothing of this file is written.
func Import(st parquet.Writer, path string, opt Options) (Imported, error) {
	f, err := ReadFile(path, opt)
	if err != nil {
		return Imported{}, err
	}
	im := Imported{Path: path, Series: f.Series()}
	if f.Info.Kind == FundingRate {
		im.Rows = len(f.Funding)
		im.Stats, err = st.WriteFunding(im.Series, f.Funding)
	} else {
		im.Rows = len(f.Klines)
		im.Stats, err = st.WriteKlines(im.Series, f.Klines)
	}
	if err != nil {
		return im, fmt.Errorf("%s: %w", path, err)
	}
	return im, nil
}
