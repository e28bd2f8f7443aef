package main

import (
	"fmt"
	"io"
	"time"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/data/parquet"
)

// progress wraps the stream and draws a progress line on stderr (only used when stderr is a
// terminal). The wall clock only throttles drawing; it never reaches a result.
type progress struct {
	*parquet.Stream
	w          io.Writer
	start, end int64
	first      int64
	n          int
	last       time.Time
}

var _ backtest.Source = (*progress)(nil)

func newProgress(w io.Writer, st *parquet.Stream, start, end int64) *progress {
	return &progress{Stream: st, w: w, start: start, end: end}
}

// Next advances the stream and redraws at most ten times a second.
func (p *progress) Next() bool {
	ok := p.Stream.Next()
	if !ok {
		return false
	}
	p.n++
	if p.n&1023 != 0 {
		return true
	}
	now := time.Now()
	if now.Sub(p.last) < 100*time.Millisecond {
		return true
	}
	p.last = now
	t := p.Stream.Batch().Time
	if p.first == 0 {
		p.first = t
	}
	from := p.start
	if from == 0 {
		from = p.first
	}
	if p.end > from {
		frac := float64(t-from) / float64(p.end-from)
		frac = min(max(frac, 0), 1)
		const width = 30
		bar := make([]byte, width)
		for i := range bar {
			if float64(i) < frac*width {
				bar[i] = '#'
			} else {
				bar[i] = '.'
			}
		}
		fmt.Fprintf(p.w, "\r[%s] %3.0f%%  %s", bar, frac*100, fmtMs(t))
	} else {
		fmt.Fprintf(p.w, "\r%d bars  %s", p.n, fmtMs(t))
	}
	return true
}

func (p *progress) done() {
	if !p.last.IsZero() {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
