package bootstrap

import (
	"fmt"
	"math/rand/v2"

	"github.com/bt-backtest/bt/backtest"
)

// History is a replay held in memory: its symbols and its batches, deep-copied.
type History struct {
	Symbols []string
	Batches []backtest.Batch
}

// Read reads src to its end into a History.
func Read(src backtest.Source) (*History, error) {
	h := &History{Symbols: append([]string(nil), src.Symbols()...)}
	for src.Next() {
		b := src.Batch()
		h.Batches = append(h.Batches, backtest.Batch{Time: b.Time,
			Bars: append([]backtest.Bar(nil), b.Bars...), Marks: append([]backtest.Bar(nil), b.Marks...),
			Funding: append([]backtest.Funding(nil), b.Funding...)})
	}
	if err := src.Err(); err != nil {
		return nil, err
	}
	if len(h.Batches) == 0 {
		return nil, fmt.Errorf("bootstrap: the history holds no data")
	}
	return h, nil
}

// Options select a path.
type Options struct {
	MeanBlock int    // mean block length in timestamps (≥ 1); 1 draws every timestamp independently
	Seed      uint64 // the Monte Carlo run's seed
	Path      int    // the path's index: path k of seed S is the same in every run
}

// Index returns the historical timestamp index of every output timestamp of a path and
// whether a new block starts there (the first timestamp always does).
func (h *History) Index(o Options) (idx []int, start []bool, err error) {
	if o.MeanBlock < 1 {
		return nil, nil, fmt.Errorf("bootstrap: mean block length %d: want ≥ 1 timestamps", o.MeanBlock)
	}
	if o.Path < 0 {
		return nil, nil, fmt.Errorf("bootstrap: path %d: want ≥ 0", o.Path)
	}
	n := len(h.Batches)
	rng := rand.New(rand.NewPCG(o.Seed, uint64(o.Path)+1))
	p := 1 / float64(o.MeanBlock)
	idx, start = make([]int, n), make([]bool, n)
	cur := 0
	for k := range n {
		if k == 0 || rng.Float64() < p {
			cur = rng.IntN(n)
			start[k] = true
		} else {
			cur++
			if cur == n { // wrap around: a jump in the data, a new block for the prices
				cur = 0
				start[k] = true
			}
		}
		idx[k] = cur
	}
	return idx, start, nil
}

// Source is one resampled path of a History (a backtest.Source).
type Source struct {
	h     *History
	idx   []int
	start []bool
	k     int
	out   backtest.Batch
	// per symbol: the path's last close, the scale of the current block, whether the symbol
	// has shown a bar in the current block
	last   []float64
	scale  []float64
	inBlk  []bool
	closed bool
}

var _ backtest.Source = (*Source)(nil)

// Path returns path o.Path of the history.
func (h *History) Path(o Options) (*Source, error) {
	idx, start, err := h.Index(o)
	if err != nil {
		return nil, err
	}
	n := len(h.Symbols)
	s := &Source{h: h, idx: idx, start: start, k: -1, last: make([]float64, n), scale: make([]float64, n), inBlk: make([]bool, n)}
	for i := range s.scale {
		s.scale[i] = 1
	}
	return s, nil
}

// Symbols returns the history's symbols.
func (s *Source) Symbols() []string { return s.h.Symbols }

// SizeHint is the path's length in timestamps.
func (s *Source) SizeHint() int { return len(s.idx) }

// Err is always nil: the history was read whole.
func (s *Source) Err() error { return nil }

// Batch returns the current timestamp's events.
func (s *Source) Batch() *backtest.Batch { return &s.out }

// Next builds the next timestamp of the path.
func (s *Source) Next() bool {
	if s.k+1 >= len(s.idx) {
		return false
	}
	s.k++
	t := s.h.Batches[s.k].Time
	src := &s.h.Batches[s.idx[s.k]]
	shift := t - src.Time
	if s.start[s.k] {
		clear(s.inBlk)
	}
	s.out.Time = t
	s.out.Bars = s.out.Bars[:0]
	s.out.Marks = s.out.Marks[:0]
	s.out.Funding = s.out.Funding[:0]
	for _, b := range src.Bars {
		if !s.inBlk[b.ID] {
			// the block's first bar of this symbol: continue from the path's last close
			s.inBlk[b.ID] = true
			s.scale[b.ID] = 1
			if s.last[b.ID] > 0 && b.Open > 0 {
				s.scale[b.ID] = s.last[b.ID] / b.Open
			}
		}
		nb := scaled(b, s.scale[b.ID], shift)
		s.last[b.ID] = nb.Close
		s.out.Bars = append(s.out.Bars, nb)
	}
	for _, m := range src.Marks {
		s.out.Marks = append(s.out.Marks, scaled(m, s.scale[m.ID], shift))
	}
	for _, f := range src.Funding {
		f.Time = t
		s.out.Funding = append(s.out.Funding, f)
	}
	return true
}

func scaled(b backtest.Bar, f float64, shift int64) backtest.Bar {
	b.Time += shift
	b.End += shift
	b.Open *= f
	b.High *= f
	b.Low *= f
	b.Close *= f
	return b
}
