package synth

import (
	"github.com/bt-backtest/bt/data"
	"github.com/bt-backtest/bt/data/parquet"
)

// Written counts what Write stored.
type Written struct {
	Klines, Mark, Funding int // rows
	Files                 int // partition files written
}

// Write generates the market described by opt and merges it into st, one month of one
// series at a time. It stops at the first error. Into a *parquet.Store each month lands
// on its own (months already written stay); into a *parquet.Tx nothing lands before Commit.
func Write(st parquet.Writer, opt Options) (Written, error) {
	var w Written
	err := Generate(opt, func(s data.Series, k []data.Kline, f []data.FundingRate) error {
		var (
			ws  parquet.WriteStats
			err error
		)
		switch s.Kind {
		case data.KindFunding:
			ws, err = st.WriteFunding(s, f)
			w.Funding += len(f)
		case data.KindMark:
			ws, err = st.WriteKlines(s, k)
			w.Mark += len(k)
		default:
			ws, err = st.WriteKlines(s, k)
			w.Klines += len(k)
		}
		w.Files += ws.Files
		return err
	})
	return w, err
}
