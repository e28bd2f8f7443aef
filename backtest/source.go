package backtest

import (
	"cmp"
	"fmt"
	"slices"
)

// A SizeHinter is a Source that can tell, before the run, about how many timestamps it will
// deliver (an estimate, preferably from above). Run sizes each account's equity curve to it,
// so that a long curve is built in place instead of in blocks joined at the end; a wrong hint
// costs memory or a copy, never a different result.
type SizeHinter interface {
	SizeHint() int
}

// A CheckedSource is a Source that vouches for what Run checks of every batch it reads:
// bars, mark bars and funding settlements in ascending ID order, each ID indexing Symbols()
// with its Symbol, bars timed at their batch's time, prices finite and positive with low ≤
// open, close ≤ high, funding rates finite. When Checked returns true Run does not check
// these again (batch times are still checked to increase); a source validating its rows as it
// reads them (package data/parquet's Stream) saves that second pass per bar.
type CheckedSource interface {
	Checked() bool
}

// checkedSource reports whether src vouches for its batches (CheckedSource).
func checkedSource(src Source) bool {
	c, ok := src.(CheckedSource)
	return ok && c.Checked()
}

// maxSizeHint bounds the equity points preallocated per account from a SizeHint.
const maxSizeHint = 1 << 24

// SliceSource is a Source over batches held in memory, for tests, examples and small
// scripted series. Build one with NewSliceSource.
type SliceSource struct {
	symbols []string
	batches []Batch
	k       int
	err     error
}

// NewSliceSource returns a Source replaying batches. symbols may be given in any order: they
// are sorted, and every bar's and funding's ID is set from its Symbol and each batch's slices
// sorted by ID, so the result does not depend on the order of construction. The batches are
// copied. A batch naming an unknown symbol, or batches out of time order, make the source
// report an error (wrapping ErrBadSource) from Err once Next returns false.
func NewSliceSource(symbols []string, batches []Batch) *SliceSource {
	s := &SliceSource{symbols: slices.Sorted(slices.Values(symbols)), k: -1}
	s.symbols = slices.Compact(s.symbols)
	id := func(sym string) int {
		i, ok := slices.BinarySearch(s.symbols, sym)
		if !ok {
			if s.err == nil {
				s.err = fmt.Errorf("%w: symbol %q not in %v", ErrBadSource, sym, s.symbols)
			}
			return -1
		}
		return i
	}
	for _, b := range batches {
		c := Batch{Time: b.Time, Bars: slices.Clone(b.Bars), Marks: slices.Clone(b.Marks), Funding: slices.Clone(b.Funding)}
		for k := range c.Bars {
			c.Bars[k].ID = id(c.Bars[k].Symbol)
		}
		for k := range c.Marks {
			c.Marks[k].ID = id(c.Marks[k].Symbol)
		}
		for k := range c.Funding {
			c.Funding[k].ID = id(c.Funding[k].Symbol)
		}
		slices.SortStableFunc(c.Bars, func(x, y Bar) int { return cmp.Compare(x.ID, y.ID) })
		slices.SortStableFunc(c.Marks, func(x, y Bar) int { return cmp.Compare(x.ID, y.ID) })
		slices.SortStableFunc(c.Funding, func(x, y Funding) int { return cmp.Compare(x.ID, y.ID) })
		if n := len(s.batches); n > 0 && s.batches[n-1].Time >= c.Time && s.err == nil {
			s.err = fmt.Errorf("%w: batch time %d not after %d", ErrBadSource, c.Time, s.batches[n-1].Time)
		}
		s.batches = append(s.batches, c)
	}
	return s
}

// Symbols returns the sorted symbols.
func (s *SliceSource) Symbols() []string { return s.symbols }

// Next advances to the next batch.
func (s *SliceSource) Next() bool {
	if s.err != nil || s.k+1 >= len(s.batches) {
		return false
	}
	s.k++
	return true
}

// Batch returns the current batch.
func (s *SliceSource) Batch() *Batch { return &s.batches[s.k] }

// Err returns the construction error, if any.
func (s *SliceSource) Err() error { return s.err }

// OHLC builds consecutive bars of symbol from start (Unix ms) every interval ms, one per
// [open, high, low, close] quadruple. Volume is left 0.
func OHLC(symbol string, start, interval int64, quads ...[4]float64) []Bar {
	out := make([]Bar, len(quads))
	for k, q := range quads {
		t := start + int64(k)*interval
		out[k] = Bar{Symbol: symbol, Time: t, End: t + interval, Open: q[0], High: q[1], Low: q[2], Close: q[3]}
	}
	return out
}

// Batches groups klines, mark-price bars and funding events by time into batches in time
// order, ready for NewSliceSource.
func Batches(klines, marks []Bar, funding []Funding) []Batch {
	var times []int64
	for _, b := range klines {
		times = append(times, b.Time)
	}
	for _, b := range marks {
		times = append(times, b.Time)
	}
	for _, f := range funding {
		times = append(times, f.Time)
	}
	slices.Sort(times)
	times = slices.Compact(times)
	out := make([]Batch, len(times))
	at := func(t int64) *Batch {
		k, _ := slices.BinarySearch(times, t)
		return &out[k]
	}
	for k, t := range times {
		out[k].Time = t
	}
	for _, b := range klines {
		x := at(b.Time)
		x.Bars = append(x.Bars, b)
	}
	for _, b := range marks {
		x := at(b.Time)
		x.Marks = append(x.Marks, b)
	}
	for _, f := range funding {
		x := at(f.Time)
		x.Funding = append(x.Funding, f)
	}
	return out
}
