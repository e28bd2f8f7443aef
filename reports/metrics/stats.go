package metrics

import (
	"math"
	"sort"

	"github.com/bt-backtest/bt/backtest"
)

// EquityStats accumulates, point by point, everything the summary and the liquidation
// statistics need from an equity curve. Its margin-ratio figures (the highest ratio, the 95th
// percentile, the time at or above 0.5 and 0.8, the near-miss episodes) are taken on each
// point's intrabar peak (backtest.EquityPoint.PeakMarginRatio, or the close ratio when higher
// or when the record has no peak), so that they see what happened inside the bars,
// liquidations included. It accumulates them so that a run can stream its curve (a
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
	n        int
	first    backtest.EquityPoint // the last point is cur (first while there is one point)
	prevTime int64

	// daily closes: daily holds the first point and the last point of every completed UTC
	// close-day after it; cur is the latest point (after the first), not yet known to be its
	// day's last
	daily  []backtest.EquityPoint
	cur    backtest.EquityPoint
	hasCur bool
	curEnd int64 // closeDay(cur.Time) + DayMs: a time t has cur's close-day iff curEnd − DayMs < t ≤ curEnd

	peak, maxDD float64
	maxMR       float64
	minWallet   float64 // the lowest wallet (cross + isolated wallets) of the points

	firstMR                 float64 // the first point's ratio: its time is counted at the second point
	total, above05, above08 int64
	nearRatio               float64 // the near-miss threshold (DangerRatio unless set)
	inDanger                bool
	dangerFrom, dangerLast  int64
	episodes                []episode
	top                     minHeap // the largest ratios
	bound                   int     // the number of points top is sized for
	dropped                 float64 // the largest ratio dropped from top
	hasDropped              bool
	noTop                   bool // NoPercentile: top is not kept
}

// episode is a stretch of bars whose intrabar peak ratio reached the near-miss threshold and
// that recovered: from the open of the first such bar (the previous point's time) to the
// close of the last one.
type episode struct{ from, to int64 }

// NewEquityStats returns an empty accumulator. maxPoints is an upper bound of the number of
// points it will receive (the percentile is exact within it); 0 means unknown.
func NewEquityStats(maxPoints int) *EquityStats {
	return &EquityStats{peak: math.Inf(-1), bound: max(maxPoints, 0), nearRatio: DangerRatio}
}

// SetNearMissRatio sets the margin ratio whose crossings are near-miss episodes (DangerRatio
// by default). It must be called before the first point; it returns s.
func (s *EquityStats) SetNearMissRatio(r float64) *EquityStats {
	if s.n == 0 && r > 0 {
		s.nearRatio = r
	}
	return s
}

// NoPercentile stops s keeping the largest margin ratios, which only MarginRatioP95 reads
// (it then reports 0, and P95Exact false): for a summary that shows no percentile (a sweep's
// rows: AccountSummary), it saves 8 bytes per twentieth point (210 KB over a year of 1m
// bars) and a heap update per point. It must be called before the first point; it returns s.
func (s *EquityStats) NoPercentile() *EquityStats {
	if s.n == 0 {
		s.noTop = true
	}
	return s
}

// NearMissRatio is the near-miss threshold of the episodes.
func (s *EquityStats) NearMissRatio() float64 { return s.nearRatio }

// riskOf is the margin ratio the statistics take for a point: its intrabar peak, or its close
// ratio when that is higher (a record without the peak).
// It is math.Max(p.PeakMarginRatio, p.MarginRatio), inlined: the builtin max has its rules for
// NaN and signed zeros, and +Inf wins over a NaN as in math.Max (TestRiskOfIsMathMax).
func riskOf(p *backtest.EquityPoint) float64 {
	a, b := p.PeakMarginRatio, p.MarginRatio
	if a > math.MaxFloat64 || b > math.MaxFloat64 {
		return math.Inf(1)
	}
	return max(a, b)
}

// StatsOf feeds a whole curve through a new accumulator.
func StatsOf(eq []backtest.EquityPoint) *EquityStats {
	s := NewEquityStats(len(eq))
	s.add(eq)
	return s
}

// Add accumulates the next point (points come in time order, one per time). It never fails:
// the error is backtest.EquitySink's.
func (s *EquityStats) Add(p backtest.EquityPoint) error {
	pts := [1]backtest.EquityPoint{p}
	s.add(pts[:])
	return nil
}

// AddBlock accumulates the next points, as Add of each in turn (backtest.EquityBlockSink: a
// run hands them over in blocks, without a call and a copy per point). It never fails.
func (s *EquityStats) AddBlock(pts []backtest.EquityPoint) error {
	s.add(pts)
	return nil
}

// quietRuns lets add take runs of quiet points with addQuiet (tests turn it off to compare);
// with countQuiet, quietTaken counts the points it took (tests only, not concurrent).
var (
	quietRuns  = true
	countQuiet bool
	quietTaken int
)

// add accumulates the points pts in turn. The latest point (cur) is read from pts while
// they last: it is stored once, at the end.
func (s *EquityStats) add(pts []backtest.EquityPoint) {
	quiet := quietRuns && s.noTop
	for i := 0; i < len(pts); i++ {
		if quiet && s.n >= 2 && s.hasCur && !s.inDanger {
			if j := s.addQuiet(pts, i); j > i {
				if countQuiet {
					quietTaken += j - i
				}
				i = j - 1 // pts[j] (if any) is not quiet: the loop's body takes it
				continue
			}
		}
		p := &pts[i]
		mr := riskOf(p)
		if s.n == 0 {
			s.first = *p
			s.daily = append(s.daily, *p)
			s.firstMR = mr
		} else {
			// closeDay(p.Time) != closeDay(cur.Time), without two divisions per point
			if !s.hasCur || p.Time > s.curEnd || p.Time <= s.curEnd-DayMs {
				if s.hasCur { // cur, the previous point, was its day's last
					if i > 0 {
						s.daily = append(s.daily, pts[i-1])
					} else {
						s.daily = append(s.daily, s.cur)
					}
				}
				s.curEnd = closeDay(p.Time) + DayMs
			}
			s.hasCur = true
			// point i covers the bar it closes: the step before it (the step after for the first)
			dt := p.Time - s.prevTime
			if s.n == 1 {
				s.cover(s.firstMR, dt)
			}
			s.cover(mr, dt)
		}
		s.n++

		if s.n == 1 || p.Wallet < s.minWallet {
			s.minWallet = p.Wallet
		}
		if p.Equity > s.peak {
			s.peak = p.Equity
		}
		if s.peak > 0 {
			if dd := (s.peak - p.Equity) / s.peak; dd > s.maxDD {
				s.maxDD = dd
			}
		}
		if mr > s.maxMR {
			s.maxMR = mr
		}

		// near-miss episodes: consecutive bars whose peak reached the threshold, ended by a bar
		// whose peak stayed below it
		if mr >= s.nearRatio {
			if !s.inDanger {
				s.inDanger = true
				s.dangerFrom = p.Time
				if s.n > 1 {
					s.dangerFrom = s.prevTime // the crossing happened during this bar
				}
			}
			s.dangerLast = p.Time
		} else if s.inDanger {
			s.inDanger = false
			s.episodes = append(s.episodes, episode{s.dangerFrom, s.dangerLast})
		}
		s.prevTime = p.Time

		// the top ratios: as many as the nearest-rank 95th percentile of max(n, bound) points needs
		if s.noTop {
			continue
		}
		want := topCount(max(s.n, s.bound))
		switch {
		case len(s.top) < want:
			s.top.push(mr)
		case mr > s.top[0]:
			s.drop(s.top[0])
			s.top[0] = mr
			s.top.down(0)
		default:
			s.drop(mr)
		}
	}
	if s.hasCur && len(pts) > 0 {
		s.cur = pts[len(pts)-1]
	}
}

// addQuiet is add's loop from pts[i] on while the points are quiet: in cur's close-day, below
// the near-miss ratio, with no near miss going on, after the first two points and without
// the top ratios (NoPercentile). Such a point only moves the sums and extremes, which the
// loop keeps in locals (add's loop reads and writes them through s at every point). It
// returns the index of the first point it did not take.
func (s *EquityStats) addQuiet(pts []backtest.EquityPoint, i int) int {
	lo, hi, near := s.curEnd-DayMs, s.curEnd, s.nearRatio
	prev, total, a05, a08 := s.prevTime, s.total, s.above05, s.above08
	minWallet, peak, maxDD, maxMR := s.minWallet, s.peak, s.maxDD, s.maxMR
	j := i
	for ; j < len(pts); j++ {
		p := &pts[j]
		mr := riskOf(p)
		if p.Time > hi || p.Time <= lo || mr >= near {
			break
		}
		// cover
		dt := p.Time - prev
		total += dt
		if mr >= WarnRatio {
			a05 += dt
		}
		if mr >= DangerRatio {
			a08 += dt
		}
		if p.Wallet < minWallet {
			minWallet = p.Wallet
		}
		if p.Equity > peak {
			peak = p.Equity
		}
		if peak > 0 {
			if dd := (peak - p.Equity) / peak; dd > maxDD {
				maxDD = dd
			}
		}
		if mr > maxMR {
			maxMR = mr
		}
		prev = p.Time
	}
	s.n += j - i
	s.prevTime, s.total, s.above05, s.above08 = prev, total, a05, a08
	s.minWallet, s.peak, s.maxDD, s.maxMR = minWallet, peak, maxDD, maxMR
	return j
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
func (s *EquityStats) Last() backtest.EquityPoint {
	if s.hasCur {
		return s.cur
	}
	return s.first
}

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
	if s.n == 0 || s.noTop {
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
// bound and a dropped ratio exceeds the reported percentile, and false after NoPercentile.
func (s *EquityStats) P95Exact() bool {
	return !s.noTop && (!s.hasDropped || s.n == 0 || s.dropped <= s.MarginRatioP95())
}

// nearMisses counts the recovered episodes none of whose positions was liquidated from the
// open of the crossing bar to window ms after the episode's last bar: a liquidated trade
// (ExitTime is the liquidation's time, the open of its bar) open during the episode (entered
// by its end) with ExitTime in [from, to + window] makes it no near miss. liq holds the
// liquidated trades' entry and exit times, by exit time.
func (s *EquityStats) nearMisses(liq []span, window int64) int {
	n := 0
	for _, e := range s.episodes {
		miss := true
		for k := searchFrom(liq, e.from); k < len(liq) && liq[k].exit <= e.to+window; k++ {
			if liq[k].entry <= e.to {
				miss = false
				break
			}
		}
		if miss {
			n++
		}
	}
	return n
}

// span is a trade's entry and exit time.
type span struct{ entry, exit int64 }

// searchFrom is the index of the first span of xs (sorted by exit) exiting at or after t.
func searchFrom(xs []span, t int64) int {
	return sort.Search(len(xs), func(i int) bool { return xs[i].exit >= t })
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
