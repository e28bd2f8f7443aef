package parquet

// CONTRACT STUB written by the lead: the signatures below are what other packages
// (data/binance, data/csvfile, data/synth, cmd/bt) code against. The owner of this package
// implements them and may add to them, but must not change them without telling the lead.

import (
	"io/fs"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/data"
)

// Store is a dataset: one directory tree of Parquet files, partitioned per series and month.
type Store struct {
	root string // "" when read-only over an fs.FS
	fsys fs.FS
}

// Create opens (creating if needed) a writable store rooted at dir.
func Create(dir string) (*Store, error) { panic("unimplemented") }

// OpenFS opens a read-only store over fsys (e.g. the embedded sample, or os.DirFS(dir)).
func OpenFS(fsys fs.FS) (*Store, error) { panic("unimplemented") }

// WriteStats says what a write did.
type WriteStats struct {
	Added      int // rows new to the store
	Duplicates int // rows already stored with identical values (skipped)
	Files      int // partition files written
}

// WriteKlines merges rows (klines or mark klines, per s.Kind) into the store. Rows may be in
// any order and may overlap what is stored: identical duplicates are skipped; a row whose
// timestamp is stored with different values is a *ConflictError and nothing is written.
// Each partition file is written to a temporary name and renamed.
func (s *Store) WriteKlines(series data.Series, rows []data.Kline) (WriteStats, error) {
	panic("unimplemented")
}

// WriteFunding is WriteKlines for funding rates.
func (s *Store) WriteFunding(series data.Series, rows []data.FundingRate) (WriteStats, error) {
	panic("unimplemented")
}

// List returns every series in the store, sorted by Source, Kind, Symbol, Interval.
func (s *Store) List() ([]data.Series, error) { panic("unimplemented") }

// StreamOptions selects what Stream replays.
type StreamOptions struct {
	Symbols  []string // nil: every symbol that has klines at Interval
	Interval string   // kline interval, e.g. "1h"; "" picks the only one (error if several)
	Start    int64    // Unix ms, inclusive; 0: from the start
	End      int64    // Unix ms, exclusive; 0: to the end
}

// Stream opens the merged replay of klines, mark klines and funding of the selected symbols,
// batched by timestamp, with memory bounded independently of the history's length.
// It implements backtest.Source.
func (s *Store) Stream(opt StreamOptions) (*Stream, error) { panic("unimplemented") }

// Stream is the merged, time-ordered replay of a Store. See backtest.Source.
type Stream struct{}

var _ backtest.Source = (*Stream)(nil)

func (st *Stream) Symbols() []string      { panic("unimplemented") }
func (st *Stream) Next() bool             { panic("unimplemented") }
func (st *Stream) Batch() *backtest.Batch { panic("unimplemented") }
func (st *Stream) Err() error             { panic("unimplemented") }
func (st *Stream) Close() error           { panic("unimplemented") }

// HasMark reports whether symbol id has a mark-price series in the selected range.
func (st *Stream) HasMark(id int) bool { panic("unimplemented") }

// HasFunding reports whether symbol id has a funding series in the selected range.
func (st *Stream) HasFunding(id int) bool { panic("unimplemented") }

// Files returns the Parquet files the stream reads (for the run manifest), sorted.
func (st *Stream) Files() []string { panic("unimplemented") }
