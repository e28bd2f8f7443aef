package metrics

import (
	"math"

	"github.com/bt-backtest/bt/backtest"
)

// EquityStats accumulates, point by point, everything the summary and the liquidation
// statistics need from an equity curve, so that a run can stream its curve (a
// backtest.EquitySink) instead of holding it: the first and last point, the running peak and
// max drawdown, the highest margin ratio, the time at or above 0.5 and 0.8, the episodes at or
// above 0.8 (for near misses), the curve's daily closes (the first point and the last point
// of every UTC day, O(days), for returns, Sharpe, Sortino, CAGR and monthly returns) and the
// largest margin ratios for the exact 95th percentile.
//
// The percentile is exact when the number of points stays within the bound given to
// NewEquityStats: it keeps the top 5 % of that many ratios (8 bytes each, 0.4 bytes per
// point). Beyond the bound it keeps the top 5 % of the points seen so far and reports, through
// P95Exact, whether a ratio it dropped could have been the percentile. Feeding a full curve
// through StatsOf (what Summarize does) is always exact: every value equals the one computed
// from the whole slice.
type EquityStats struct {
	n           int
	first, last backtest.EquityPoint
	prevTime    int64

	// daily closes: daily holds the first point and the last point of every completed UTC
	// close-day after it; cur is the latest point (after the first), not yet known to be its
	// day's last
	daily  []backtest.EquityPoint
	cur    backtest.EquityPoint
	hasCur bool

	peak, maxDD float64
	maxMR       float64

	firstMR                 float64 // the first point's ratio: its time is counted at the second point
	total, above05, above08 int64
	inDanger                bool
	dangerFrom              int64
	episodes                []episode
	top                     minHeap // the largest ratios
	bound                   int     // the number of points top is sized for
	dropped                 float64 // the largest ratio dropped from top
	hasDropped              bool
}

// episode is a stretch with the margin ratio at or above DangerRatio that recovered: from
// the point before the crossing to the first point below it again.
type episode struct{ from, to int64 }

// NewEquityStats returns an empty accumulator. maxPoints is an upper bound of the number of
// points it will receive (the percentile is exact within it); 0 means unknown.
func NewEquityStats(maxPoints int) *EquityStats {
	return &EquityStats{peak: math.Inf(-1), bound: max(maxPoints, 0)}
}

// StatsOf feeds a whole curve through a new accumulator.
func StatsOf(eq []backtest.EquityPoint) *EquityStats {
	s := NewEquityStats(len(eq))
	for _, p := range eq {
		s.add(p)
	}
	return s
}

// Add accumulates the next point (points come in time order, one per time). It never fails:
// the error is backtest.EquitySink's.
func (s *EquityStats) Add(p backtest.EquityPoint) error {
	s.add(p)
	return nil
}

func (s *EquityStats) add(p backtest.EquityPoint) {
	if s.n == 0 {
		s.first = p
		s.daily = append(s.daily, p)
		s.firstMR = p.MarginRatio
	} else {
		if s.hasCur && closeDay(p.Time) != closeDay(s.cur.Time) {
			s.daily = append(s.daily, s.cur)
		}
		s.cur, s.hasCur = p, true
		// point i covers the bar it closes: the step before it (the step after for the first)
		dt := p.Time - s.prevTime
		if s.n == 1 {
			s.cover(s.firstMR, dt)
		}
		s.cover(p.MarginRatio, dt)
	}
	s.n++
	s.last = p

	if p.Equity > s.peak {
		s.peak = p.Equity
	}
	if s.peak > 0 {
		if dd := (s.peak - p.Equity) / s.peak; dd > s.maxDD {
			s.maxDD = dd
		}
	}
	if p.MarginRatio > s.maxMR {
		s.maxMR = p.MarginRatio
	}

	// near-miss episodes: [first ≥ 0.8, first < 0.8 after it]
	if p.MarginRatio >= DangerRatio {
		if !s.inDanger {
			s.inDanger = true
			s.dangerFrom = p.Time
			if s.n > 1 {
				s.dangerFrom = s.prevTime // the crossing happened during this bar
			}
		}
	} else if s.inDanger {
		s.inDanger = false
		s.episodes = append(s.episodes, episode{s.dangerFrom, p.Time})
	}
	s.prevTime = p.Time

	// the top ratios: as many as the nearest-rank 95th percentile of max(n, bound) points needs
	want := topCount(max(s.n, s.bound))
	switch {
	case len(s.top) < want:
		s.top.push(p.MarginRatio)
	case p.MarginRatio > s.top[0]:
		s.drop(s.top[0])
		s.top[0] = p.MarginRatio
		s.top.down(0)
	default:
		s.drop(p.MarginRatio)
	}
}

func (s *EquityStats) cover(ratio float64, dt int64) {
	s.total += dt
	if ratio >= WarnRatio {
		s.above05 += dt
	}
	if ratio >= DangerRatio {
		s.above08 += dt
	}
}

func (s *EquityStats) drop(v float64) {
	if !s.hasDropped || v > s.dropped {
		s.dropped, s.hasDropped = v, true
	}
}

// rank95 is the 0-based index of the nearest-rank 95th percentile among n sorted values, as
// Quantile computes it.
func rank95(n int) int {
	k := int(math.Ceil(0.95*float64(n))) - 1
	return max(0, min(k, n-1))
}

// topCount is how many of the largest of n values hold the nearest-rank 95th percentile.
func topCount(n int) int {
	if n == 0 {
		return 0
	}
	return n - rank95(n)
}

// Len is the number of points accumulated.
func (s *EquityStats) Len() int { return s.n }

// First and Last are the first and the last point (zero without points).
func (s *EquityStats) First() backtest.EquityPoint { return s.first }

// Last is the last point accumulated (zero without points).
func (s *EquityStats) Last() backtest.EquityPoint { return s.last }

// MaxDrawdown is MaxDrawdown of the curve.
func (s *EquityStats) MaxDrawdown() float64 { return s.maxDD }

// MaxMarginRatio is the highest margin ratio of the curve (0 without points).
func (s *EquityStats) MaxMarginRatio() float64 { return s.maxMR }

// Daily returns the curve's daily closes: the first point and the last point of every UTC
// close-day after it. DailyEquity and MonthlyReturns of it equal those of the whole curve.
func (s *EquityStats) Daily() []backtest.EquityPoint {
	d := append([]backtest.EquityPoint(nil), s.daily...)
	if s.hasCur {
		d = append(d, s.cur)
	}
	return d
}

// DailyReturns is DailyReturns of the curve.
func (s *EquityStats) DailyReturns() []float64 { return DailyReturns(s.Daily()) }

// MonthlyReturns is MonthlyReturns of the curve.
func (s *EquityStats) MonthlyReturns() []MonthlyReturn { return MonthlyReturns(s.Daily()) }

// MarginRatioP95 is the nearest-rank 95th percentile of the margin ratios (Quantile(ratios,
// 0.95)); 0 without points.
func (s *EquityStats) MarginRatioP95() float64 {
	if s.n == 0 {
		return 0
	}
	// the (n − k)-th largest ratio is the smallest of the top n − k
	m := topCount(s.n)
	if m == len(s.top) {
		return s.top[0]
	}
	h := append(minHeap(nil), s.top...)
	for len(h) > m {
		h[0] = h[len(h)-1]
		h = h[:len(h)-1]
		h.down(0)
	}
	return h[0]
}

// P95Exact reports whether MarginRatioP95 is exact: true unless more points came than the
// bound and a dropped ratio exceeds the reported percentile.
func (s *EquityStats) P95Exact() bool {
	return !s.hasDropped || s.n == 0 || s.dropped <= s.MarginRatioP95()
}

// nearMisses counts the recovered episodes at or above DangerRatio without a liquidation in
// them (liqs sorted ascending).
func (s *EquityStats) nearMisses(liqs []int64) int {
	n := 0
	for _, e := range s.episodes {
		k := searchAfter(liqs, e.from)
		if k == len(liqs) || liqs[k] > e.to {
			n++
		}
	}
	return n
}

// searchAfter is the index of the first element of sorted xs greater than t.
func searchAfter(xs []int64, t int64) int {
	lo, hi := 0, len(xs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if xs[m] > t {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// minHeap is a binary heap of float64, smallest first (no boxing: no allocation per value).
type minHeap []float64

func (h *minHeap) push(x float64) {
	*h = append(*h, x)
	a := *h
	for i := len(a) - 1; i > 0; {
		p := (i - 1) / 2
		if !(a[i] < a[p]) {
			break
		}
		a[i], a[p] = a[p], a[i]
		i = p
	}
}

func (h minHeap) down(i int) {
	n := len(h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && h[r] < h[l] {
			m = r
		}
		if !(h[m] < h[i]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}
