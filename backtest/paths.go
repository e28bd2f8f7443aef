package backtest

import "math"

// pathView is the part of one timestamp's mark path that is the same for every account of a
// run, computed once per batch by the engine (paths.build) and read by every account's step:
// the marks at the ends of the path's segments and the range of marks the path covers, per
// symbol, NaN for a symbol that does not move at the timestamp (no kline and no mark bar);
// each symbol's mark and last-price paths (sym), the moving symbols and the step's end.
type pathView struct {
	// pts[0] is the start of the gap segment (the previous mark close; the open for a
	// symbol's first bar), pts[1..4] the mark path's four points (barPath of the mark bar,
	// else of the kline): segment k runs from pts[k] to pts[k+1]
	pts [5][]float64
	// lo, hi: the lowest and highest of pts[0..4] (the whole path's range, liqSafe's box)
	lo, hi []float64
	// sym[i]: symbol i's paths at the timestamp
	sym []symPath
	// the moving symbols (a kline or a mark bar): those with a mark bar in the batch's order,
	// then those with a kline only
	moved []int
	// the timestamp's end: the latest End of its bars and mark bars, at least its time
	end int64
	// last[0][i]: symbol i's latest close before the timestamp (NaN: none yet), last[1][i]
	// through it; seen[0][i], seen[1][i]: its klines before the timestamp, through it (its
	// end in the run's history). An account reads [0] while it steps the timestamp and [1]
	// from its path's close on (account.closed).
	last [2][]float64
	seen [2][]int
	// open[i], close[i]: symbol i's mark at the open and at the close of the timestamp,
	// sym[i].mp[0] and sym[i].mp[3] in a row (for a symbol not moving, its mark in force):
	// every account's marks there, which it copies in one go (account.openMarks, step)
	open, close []float64
	// fundDue: an 8-hour funding boundary lies between the previous timestamp and this one
	// (at it for the run's first): fallback funding is due (fallbackDue), for the symbols in
	// fallback: those the source has delivered no funding for, through this timestamp
	fundDue  bool
	fallback []int
}

// moving reports whether symbol i moves at the timestamp (a kline or a mark bar).
func (v *pathView) moving(i int) bool { return v.pts[1][i] == v.pts[1][i] } // (not NaN)

// symPath is one symbol's intrabar paths at one timestamp, the same for every account: what
// account.step reads of the batch's bars (64 bytes: an index is a shift).
type symPath struct {
	// the mark path (barPath of the mark bar, else of the kline) of a moving symbol; for the
	// others the mark in force four times (the last mark close, NaN before the first), which
	// is then every account's current mark of the symbol (account.step and setMarksAt set
	// only the moving symbols' marks)
	mp [4]float64
	// the last-price path (barPath of the kline), NaN without a kline
	lp [4]float64
}

// present reports whether the symbol has a kline at the timestamp.
func (sp *symPath) present() bool { return sp.lp[0] == sp.lp[0] } // (not NaN: the reader refuses NaN prices)

// paths builds the pathViews of a run's batches in order, keeping each symbol's previous mark
// close across them. Its views are valid until the next build.
type paths struct {
	prevMark []float64 // each symbol's last mark close (NaN: none yet)
	last     []float64 // each symbol's latest close (NaN: none yet)
	seen     []int     // each symbol's klines so far
	fundSeen []bool    // the source delivered a funding event for the symbol
	prevT    int64     // the previous batch's time
	started  bool      // a batch was built before
	views    []pathView
	buf      []float64
}

func newPaths(nsym int) *paths {
	p := &paths{prevMark: make([]float64, nsym), last: make([]float64, nsym), seen: make([]int, nsym),
		fundSeen: make([]bool, nsym)}
	for i := range p.prevMark {
		p.prevMark[i], p.last[i] = math.NaN(), math.NaN()
	}
	return p
}

// build returns the views of bs, in order, after those of every batch built before.
func (p *paths) build(bs []Batch) []pathView {
	p.grow(len(bs))
	for j := range bs {
		p.view(&bs[j], &p.views[j])
	}
	return p.views[:len(bs)]
}

// one returns the view of b, after those of every batch built before.
func (p *paths) one(b *Batch) *pathView {
	p.grow(1)
	p.view(b, &p.views[0])
	return &p.views[0]
}

// grow makes room for the views of m batches.
func (p *paths) grow(m int) {
	n := len(p.prevMark)
	if len(p.views) < m {
		p.views = make([]pathView, m)
		p.buf = make([]float64, 9*n*m)
		for j := range p.views {
			v := &p.views[j]
			row := p.buf[9*n*j:]
			for r := range v.pts {
				v.pts[r] = row[r*n : (r+1)*n : (r+1)*n]
			}
			v.lo, v.hi = row[5*n:6*n:6*n], row[6*n:7*n:7*n]
			v.open, v.close = row[7*n:8*n:8*n], row[8*n:9*n:9*n]
			v.sym = make([]symPath, n)
			v.moved = make([]int, 0, n)
			v.fallback = make([]int, 0, n)
			for r := range 2 {
				v.last[r], v.seen[r] = make([]float64, n), make([]int, n)
			}
		}
	}
}

// view fills v for b: every symbol not moving NaN, then the moving ones' points.
func (p *paths) view(b *Batch, v *pathView) {
	nan := math.NaN()
	for r := range v.pts {
		row := v.pts[r]
		for i := range row {
			row[i] = nan
		}
	}
	lo, hi := v.lo, v.hi
	for i := range lo {
		lo[i], hi[i] = nan, nan
	}
	for i := range v.sym {
		v.sym[i].lp = [4]float64{nan, nan, nan, nan}
	}
	v.moved = v.moved[:0]
	v.end = b.Time
	v.fundDue = fallbackDue(p.prevT, b.Time, p.started)
	p.prevT, p.started = b.Time, true
	for k := range b.Funding {
		p.fundSeen[b.Funding[k].ID] = true
	}
	v.fallback = v.fallback[:0]
	if v.fundDue {
		for i, seen := range p.fundSeen {
			if !seen {
				v.fallback = append(v.fallback, i)
			}
		}
	}
	for k := range b.Marks {
		p.set(v, &b.Marks[k])
	}
	copy(v.last[0], p.last)
	copy(v.seen[0], p.seen)
	for k := range b.Bars {
		x := &b.Bars[k]
		v.sym[x.ID].lp = barPath(x)
		if math.IsNaN(v.pts[1][x.ID]) { // no mark bar: the kline's path
			p.set(v, x)
		}
		v.end = max(v.end, x.End)
		p.last[x.ID] = x.Close
		p.seen[x.ID]++ // one kline (the reader refuses repeated symbols)
	}
	copy(v.last[1], p.last)
	copy(v.seen[1], p.seen)
	for i := range v.sym {
		if !v.moving(i) {
			m := p.prevMark[i]
			v.sym[i].mp = [4]float64{m, m, m, m}
		}
		v.open[i], v.close[i] = v.sym[i].mp[0], v.sym[i].mp[3]
	}
}

// set fills symbol x.ID's entries of v from bar x's path, the one rule of account.step.
func (p *paths) set(v *pathView, x *Bar) {
	i := x.ID
	mp := barPath(x)
	from := p.prevMark[i]
	if math.IsNaN(from) {
		from = mp[0]
	}
	v.pts[0][i], v.pts[1][i], v.pts[2][i], v.pts[3][i], v.pts[4][i] = from, mp[0], mp[1], mp[2], mp[3]
	lo, hi := from, from
	for _, m := range mp { // finite: the reader refuses others
		if m < lo {
			lo = m
		}
		if m > hi {
			hi = m
		}
	}
	v.lo[i], v.hi[i] = lo, hi
	p.prevMark[i] = mp[3]
	v.sym[i].mp = mp
	v.moved = append(v.moved, i)
	v.end = max(v.end, x.End)
}
