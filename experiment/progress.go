package experiment

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/data/parquet"
)

// tap wraps the stream the engine reads: it keeps a bounded, time-bucketed copy of the
// last-price bars for the price charts, and draws a progress line on stderr when w is set
// (only when stderr is a terminal). The wall clock only throttles drawing; it never reaches
// a result. Embedding *parquet.Stream keeps its optional methods (HasMark, ...) visible.
type tap struct {
	*parquet.Stream
	prices priceRecorder

	peeked     bool      // the stream's current batch is the first one, not yet handed out
	w          io.Writer // nil: no progress
	start, end int64
	first      int64
	n          int
	last       time.Time
}

var _ backtest.Source = (*tap)(nil)

func newTap(st *parquet.Stream, progress io.Writer, start, end int64) *tap {
	return &tap{Stream: st, w: progress, start: start, end: end, prices: priceRecorder{limit: maxPriceBars, hint: st.SizeHint()}}
}

// peek reads the first batch ahead of the engine (Next hands it out first) and returns its
// time; false when the stream holds no bar.
func (p *tap) peek() (int64, bool) {
	if p.n > 0 || p.peeked {
		return 0, false
	}
	if !p.Stream.Next() {
		return 0, false
	}
	p.peeked = true
	return p.Stream.Batch().Time, true
}

// Next advances the stream, records the batch's bars and redraws the progress line at most
// ten times a second.
func (p *tap) Next() bool {
	if p.peeked {
		p.peeked = false
	} else if !p.Stream.Next() {
		return false
	}
	b := p.Stream.Batch()
	for i := range b.Bars {
		p.prices.add(&b.Bars[i])
	}
	if p.first == 0 {
		p.first = b.Time
	}
	p.n++
	if p.w == nil || p.n&255 != 0 {
		return true
	}
	now := time.Now()
	if now.Sub(p.last) < 100*time.Millisecond {
		return true
	}
	p.last = now
	p.draw(b.Time)
	return true
}

func (p *tap) draw(t int64) {
	from := p.start
	if from == 0 {
		from = p.first
	}
	if p.end > from {
		frac := min(max(float64(t-from)/float64(p.end-from), 0), 1)
		const width = 30
		bar := make([]byte, width)
		for i := range bar {
			bar[i] = '.'
			if float64(i) < frac*width {
				bar[i] = '#'
			}
		}
		fmt.Fprintf(p.w, "\r[%s] %3.0f%%  %s", bar, frac*100, fmtMs(t))
		return
	}
	fmt.Fprintf(p.w, "\r%d steps  %s", p.n, fmtMs(t))
}

// interval returns the bar interval seen ("1h", "5m", ...), or "" before any bar.
func (p *tap) interval() string {
	ms := p.prices.barMillis
	switch {
	case ms <= 0:
		return ""
	case ms%86_400_000 == 0:
		return strconv.FormatInt(ms/86_400_000, 10) + "d"
	case ms%3_600_000 == 0:
		return strconv.FormatInt(ms/3_600_000, 10) + "h"
	case ms%60_000 == 0:
		return strconv.FormatInt(ms/60_000, 10) + "m"
	default:
		return strconv.FormatInt(ms/1000, 10) + "s"
	}
}

// done clears the progress line.
func (p *tap) done() {
	if p.w != nil && !p.last.IsZero() {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// maxPriceBars bounds the bars kept per symbol for the charts.
const maxPriceBars = 8192

// priceRecorder keeps at most about limit bars per symbol: when a symbol exceeds it, the
// bucket width doubles and neighbouring bars merge (OHLC of the bucket), buckets aligned to
// the Unix epoch so that merging nests. Bars are kept by the stream's symbol index (Bar.ID):
// no map lookup per bar.
type priceRecorder struct {
	limit     int
	hint      int   // bars expected per symbol (the stream's size hint), 0: unknown
	width     int64 // bucket width in ms; 0: the first bar's interval
	barMillis int64 // the first bar's interval
	byID      [][]backtest.Bar
	seen      []bool
	order     []int // symbol indexes in first-seen order
}

func (r *priceRecorder) add(b *backtest.Bar) {
	if r.width == 0 {
		r.width = max(b.End-b.Time, 1)
		r.barMillis = b.End - b.Time
	}
	id := b.ID
	if id >= len(r.byID) {
		r.byID = append(r.byID, make([][]backtest.Bar, id+1-len(r.byID))...)
		r.seen = append(r.seen, make([]bool, id+1-len(r.seen))...)
	}
	if !r.seen[id] {
		r.seen[id] = true
		r.order = append(r.order, id)
		if r.hint > 0 { // the symbol's bars in one allocation: no regrowth per symbol
			r.byID[id] = make([]backtest.Bar, 0, min(r.hint, r.limit)+1)
		}
	}
	bars := r.byID[id]
	if n := len(bars); n > 0 {
		// the same bucket as the last bar's: b.Time/r.width == last.Time/r.width, without a
		// division per bar when both are non-negative (the last bucket starts at a multiple of
		// the width: [last.Time, last.Time+width) is the quotient's range)
		last := &bars[n-1]
		same := b.Time >= last.Time && b.Time-last.Time < r.width
		if last.Time < 0 || b.Time < 0 {
			same = last.Time/r.width == b.Time/r.width
		}
		if same {
			merge(last, b)
			return
		}
	}
	nb := *b
	nb.Time = b.Time / r.width * r.width
	bars = append(bars, nb)
	r.byID[id] = bars
	if len(bars) > r.limit {
		r.width *= 2
		for i, bs := range r.byID {
			r.byID[i] = rebucket(bs, r.width)
		}
	}
}

func merge(dst *backtest.Bar, b *backtest.Bar) {
	dst.High = max(dst.High, b.High)
	dst.Low = min(dst.Low, b.Low)
	dst.Close = b.Close
	dst.Volume += b.Volume
	dst.End = b.End
}

// rebucket merges bars into buckets of width ms, in place.
func rebucket(bars []backtest.Bar, width int64) []backtest.Bar {
	out := bars[:0]
	for _, b := range bars {
		if n := len(out); n > 0 && out[n-1].Time/width == b.Time/width {
			merge(&out[n-1], &b)
			continue
		}
		b.Time = b.Time / width * width
		out = append(out, b)
	}
	return out
}

// bySymbol returns the recorded bars by symbol.
func (r *priceRecorder) bySymbol() map[string][]backtest.Bar {
	by := make(map[string][]backtest.Bar, len(r.order))
	for _, id := range r.order {
		if bs := r.byID[id]; len(bs) > 0 {
			by[bs[0].Symbol] = bs
		}
	}
	return by
}
