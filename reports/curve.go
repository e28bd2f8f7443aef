package reports

import (
	"math"
	"sort"
	"time"

	"github.com/bt-backtest/bt/backtest"
)

// CurveSampler keeps, in bounded memory, the part of an equity curve the charts need, while a
// run streams the curve (a backtest.EquitySink; see artifact.Run.Curves): per bucket of
// consecutive points the points of lowest and highest equity and of lowest and highest margin
// ratio, plus the first point and the last point of every UTC month (so that the monthly
// returns are exact). Buckets start one point wide and double in width (adjacent pairs
// merged) whenever there are 4·Buckets of them, so at most 16·Buckets + 2·months points are
// kept. The choice depends only on the points, never on timing.
//
// Charts drawn from it keep every bucket's extremes; they can differ from charts drawn from
// the full curve (bt report on the run directory) in which points between the extremes are
// drawn, in the drawdown (computed from the running peak of the kept points) and in the
// equity shown at a liquidation marker (the first kept point at or after it).
type CurveSampler struct {
	width   int // points per bucket
	buckets []curveBucket
	cur     curveBucket
	curN    int

	n      int
	first  backtest.EquityPoint
	months []backtest.EquityPoint // the last point of every completed month
	month  backtest.EquityPoint   // the latest point of the current month
	mKey   int
}

// curveBucket holds the extreme points of a bucket: lowest and highest equity, lowest and
// highest margin ratio.
type curveBucket [4]backtest.EquityPoint

// NewCurveSampler returns an empty sampler.
func NewCurveSampler() *CurveSampler { return &CurveSampler{width: 1} }

// Add takes the next point (in time order). It never fails: the error is
// backtest.EquitySink's.
func (c *CurveSampler) Add(p backtest.EquityPoint) error {
	if c.n == 0 {
		c.first = p
	} else if k := monthKey(p.Time); k != c.mKey {
		c.months = append(c.months, c.month)
	}
	c.month, c.mKey = p, monthKey(p.Time)
	c.n++

	if c.curN == 0 {
		c.cur = curveBucket{p, p, p, p}
	} else {
		c.cur.merge(&curveBucket{p, p, p, p})
	}
	if c.curN++; c.curN == c.width {
		if c.buckets == nil {
			c.buckets = make([]curveBucket, 0, 4*Buckets) // its final size: no regrowth
		}
		c.buckets = append(c.buckets, c.cur)
		c.curN = 0
		if len(c.buckets) == 4*Buckets {
			for i := 0; i < len(c.buckets)/2; i++ {
				b := c.buckets[2*i]
				b.merge(&c.buckets[2*i+1])
				c.buckets[i] = b
			}
			c.buckets = c.buckets[:len(c.buckets)/2]
			c.width *= 2
		}
	}
	return nil
}

// merge folds the later bucket o into b; ties keep the earlier point.
func (b *curveBucket) merge(o *curveBucket) {
	if less(o[0].Equity, b[0].Equity) {
		b[0] = o[0]
	}
	if less(b[1].Equity, o[1].Equity) {
		b[1] = o[1]
	}
	if less(o[2].MarginRatio, b[2].MarginRatio) {
		b[2] = o[2]
	}
	if less(b[3].MarginRatio, o[3].MarginRatio) {
		b[3] = o[3]
	}
}

// less orders numbers with NaN below everything ignored: a NaN never wins.
func less(a, b float64) bool {
	if math.IsNaN(a) {
		return false
	}
	return math.IsNaN(b) || a < b
}

func monthKey(t int64) int {
	tm := time.UnixMilli(t - 1).UTC() // a close at 00:00 on the 1st ends the previous month
	return tm.Year()*12 + int(tm.Month())
}

// Len is the number of points added.
func (c *CurveSampler) Len() int { return c.n }

// Points returns the kept points in time order, one per time.
func (c *CurveSampler) Points() []backtest.EquityPoint {
	if c.n == 0 {
		return nil
	}
	pts := make([]backtest.EquityPoint, 0, 4*len(c.buckets)+len(c.months)+6)
	pts = append(pts, c.first, c.month)
	pts = append(pts, c.months...)
	for i := range c.buckets {
		pts = append(pts, c.buckets[i][:]...)
	}
	if c.curN > 0 {
		pts = append(pts, c.cur[:]...)
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].Time < pts[j].Time })
	out := pts[:1]
	for _, p := range pts[1:] {
		if p.Time != out[len(out)-1].Time {
			out = append(out, p)
		}
	}
	return out
}
