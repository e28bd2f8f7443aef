package margin

import (
	"math"

	"github.com/shopspring/decimal"
)

// Float rule (cross-machine determinism). Go may fuse x*y + z into one fused multiply-add
// (FMA) instruction on arm64, ppc64le, s390x and riscv64, which rounds once where amd64
// rounds twice, so the same float expression could give different bits on different
// machines. The Go spec forbids fusion across an explicit conversion, so in this package every
// float64 product that is not immediately multiplied, divided or compared is written
// float64(x*y), also when it is first stored in a variable (fusion may cross statements).
// TestNoFusableFloatProducts enforces the rule on the non-test files. Screening decisions are
// exact anyway (see screenEps); the rule keeps the float results themselves (Equity, Risk,
// path marks, the s of NextLiquidation) identical across machines.

// screenEps is the relative band around a threshold inside which the float64 screening defers
// to exact decimal arithmetic. float64 errors of the screening sums are below 1e-13 of their
// magnitude, so outside the band the float decision is the exact one.
const screenEps = 1e-9

// NextLiquidation screens the straight mark path from `from` to `to` (indexed by symbol; NaN:
// the symbol does not move) and returns the smallest s in [0,1] at which an isolated position
// or the cross account reaches its liquidation threshold, and whether there is one. The
// decision is exact: float64 screening falls back to decimal arithmetic near the threshold.
//
// Path rule: every symbol's mark moves linearly and simultaneously, mark_i(s) =
// (1−s)·from_i + s·to_i; a NaN entry (or a slice shorter than the symbols) keeps the current
// mark (the entry price before any mark). An isolated position's margin balance minus its
// maintenance margin is monotone in its mark, so it is liquidated on the path iff it is at or
// past its liquidation price at s = 1 (or already at s = 0). The cross account's maintenance
// margin minus margin balance is convex in s (maintenance margin is convex in notional), so
// the set where it is below the threshold is an interval starting at 0: the account is
// liquidated iff the threshold holds at s = 1 (or at 0). Both endpoint tests are exact; s
// itself is then located in float64 (exactly for isolated, by bisection to 2^-52 for cross).
// s = 0 means the threshold was already met at `from` (a gap).
func (a *Account) NextLiquidation(from, to []float64) (s float64, ok bool) {
	s = 2
	for k := range a.iso {
		h := &a.iso[k]
		// fast path: both ends clearly on the safe side of the liquidation price
		if h.sgn*a.pathMark(h.i, from) > h.safe && h.sgn*a.pathMark(h.i, to) > h.safe {
			continue
		}
		if si, hit := a.isoS(h.i, from, to); hit && si < s {
			s = si
		}
	}
	if sc, hit := a.crossS(from, to); hit && sc < s {
		s = sc
	}
	if s > 1 {
		return 0, false
	}
	return s, true
}

// SafeWithin reports whether no isolated position and not the cross account can reach its
// liquidation threshold while every symbol's mark stays within [lo[i], hi[i]] (a NaN bound, or
// a slice shorter than the symbols, means the symbol's current mark): when it is true,
// NextLiquidation returns false for every path whose marks stay in those ranges, so a caller
// screening a bar's path segment by segment may skip them. false means nothing (look closer);
// it is the answer for a position whose range is empty (lo = +Inf, hi = −Inf).
//
// An isolated position's margin balance minus maintenance margin is monotone in its mark: it
// is safe on the range when its adverse end is on NextLiquidation's clearly-safe side of the
// liquidation price. The cross threshold function Σ(MM_k(mark_k) − qty_k·mark_k) + Σ qty·entry
// − wallet is a sum of convex functions of the marks (maintenance margin is convex in the
// notional), so on the box of ranges it is at most the sum over positions of each term's
// larger value at the two ends of its range; the account is safe when that bound is below
// −2·screenEps of the magnitudes summed. Both margins dwarf float64 rounding, including that of
// a path point interpolated a few ulps outside a range, so the answer never depends on it.
func (a *Account) SafeWithin(lo, hi []float64) bool {
	for k := range a.iso {
		h := &a.iso[k]
		if !(h.sgn*a.pathMark(h.i, lo) > h.safe && h.sgn*a.pathMark(h.i, hi) > h.safe) {
			return false
		}
	}
	if len(a.cross) == 0 {
		return true
	}
	c := a.hot()
	f, scale := c.cross, c.scale
	for j := range a.cross {
		h := &a.cross[j]
		t0, n0, c0 := h.term(a.pathMark(h.i, lo))
		t1, n1, c1 := h.term(a.pathMark(h.i, hi))
		f += max(t0, t1)
		scale += max(n0, n1) + max(c0, c1)
	}
	return f < -float64(2*screenEps*scale)
}

// isoHot is the screening data of one open isolated position. With x = sgn × mark, the
// position is clearly safe when x > safe, clearly due when x < due, and decided exactly in
// between (a band of screenEps × |LP| around the liquidation price).
type isoHot struct {
	i         int
	sgn       float64 // +1 long, −1 short
	safe, due float64
}

func newIsoHot(i int, fq, flp float64) isoHot {
	tol := float64(screenEps*math.Abs(flp)) + 1e-15 // the LP is rounded to 1e-16
	if fq > 0 {
		return isoHot{i: i, sgn: 1, safe: flp + tol, due: flp - tol}
	}
	return isoHot{i: i, sgn: -1, safe: -(flp - tol), due: -(flp + tol)}
}

// crossHot is the screening data of one open cross position: quantity, and the bracket table
// in float64 with the current bracket (index bk, notional range [lo, hi), MMR m, cum c)
// cached inline.
type crossHot struct {
	i               int
	fq, fabs        float64
	lo, hi, m, c    float64
	bk              int
	floor, mmr, cum []float64
}

// term is the position's part of the cross threshold function at mark p, MM(notional) −
// qty·p (crossF, crossEnds and SafeWithin sum it over the cross positions), with the notional n
// and the bracket's cum c that size the float error.
func (h *crossHot) term(p float64) (t, n, c float64) {
	n = float64(h.fabs * p)
	m, c := h.mc(n)
	return maintenanceFloat(n, m, c) - float64(h.fq*p), n, c
}

// mc returns the MMR and cum of the bracket holding notional n.
func (h *crossHot) mc(n float64) (mmr, cum float64) {
	if n >= h.lo && n < h.hi {
		return h.m, h.c
	}
	h.setBracket(h.bracket(n))
	return h.m, h.c
}

func (h *crossHot) setBracket(k int) {
	h.bk, h.lo, h.m, h.c = k, h.floor[k], h.mmr[k], h.cum[k]
	h.hi = math.Inf(1)
	if k+1 < len(h.floor) {
		h.hi = h.floor[k+1]
	}
	if k == 0 {
		h.lo = math.Inf(-1)
	}
}

// pathMark returns slot i's mark at the end v of a path (v is indexed by symbol).
func (a *Account) pathMark(i int, v []float64) float64 {
	s := &a.slots[i]
	if j := s.sym; j < len(v) && !math.IsNaN(v[j]) {
		return v[j]
	}
	m := a.marks[i]
	if math.IsNaN(m) && s.fq != 0 {
		return s.fqe / s.fq
	}
	return m
}

func interp(p0, p1, s float64) float64 { return float64((1-s)*p0) + float64(s*p1) }

// isoS returns where on the path isolated position i reaches its liquidation price.
func (a *Account) isoS(i int, from, to []float64) (float64, bool) {
	p0, p1 := a.pathMark(i, from), a.pathMark(i, to)
	if a.isoHit(i, p0) {
		return 0, true
	}
	if !a.isoHit(i, p1) {
		return 0, false
	}
	lp := a.slots[i].flp
	s := (lp - p0) / (p1 - p0)
	if !(s >= 0) { // NaN or negative: the float LP is on the wrong side by rounding
		s = 0
	}
	return min(s, 1), true
}

// isoHit reports whether isolated position i is at or past its threshold at mark p:
// isolated wallet + qty·(p − entry) <= |qty|·p·MMR − cum.
func (a *Account) isoHit(i int, p float64) bool {
	s := &a.slots[i]
	h := newIsoHot(i, s.fq, s.flp)
	if x := float64(h.sgn * p); x > h.safe {
		return false
	} else if x < h.due {
		return true
	}
	a.exactDecisions++
	return !a.isoGap(i, decimal.NewFromFloat(p)).IsPositive()
}

// isoGap is isolated wallet + uPnL − MM of isolated position i at mark m, exact.
func (a *Account) isoGap(i int, m decimal.Decimal) decimal.Decimal {
	s := &a.slots[i]
	return s.isoW.Add(s.qty.Mul(m.Sub(s.entry))).Sub(a.mmAt(i, m))
}

// crossS returns where on the path the cross account reaches its threshold.
func (a *Account) crossS(from, to []float64) (float64, bool) {
	if len(a.cross) == 0 {
		return 0, false
	}
	f0, f1, sc0, sc1 := a.crossEnds(from, to)
	if a.crossDecide(f0, sc0, from) {
		return 0, true
	}
	if !a.crossDecide(f1, sc1, to) {
		return 0, false
	}
	lo, hi := 0.0, 1.0
	for range 60 {
		mid := (lo + hi) / 2
		if mid <= lo || mid >= hi {
			break
		}
		if f, _ := a.crossF(from, to, mid); f >= 0 {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi, true
}

// bracket returns the index of the bracket holding notional n, starting from the cached one.
func (h *crossHot) bracket(n float64) int { return floatBracket(h.floor, h.bk, n) }

// floatBracket returns the index of the bracket of floors holding notional n (the highest
// with n >= floor), searching from index k.
func floatBracket(floor []float64, k int, n float64) int {
	for k+1 < len(floor) && n >= floor[k+1] {
		k++
	}
	for k > 0 && n < floor[k] {
		k--
	}
	return k
}

// crossEnds returns crossF at both ends of the path in one pass.
func (a *Account) crossEnds(from, to []float64) (f0, f1, sc0, sc1 float64) {
	c := a.hot()
	f0, f1, sc0, sc1 = c.cross, c.cross, c.scale, c.scale
	for j := range a.cross {
		h := &a.cross[j]
		t0, n0, c0 := h.term(a.pathMark(h.i, from))
		t1, n1, c1 := h.term(a.pathMark(h.i, to))
		f0 += t0
		f1 += t1
		sc0 += n0 + c0
		sc1 += n1 + c1
	}
	return f0, f1, sc0, sc1
}

// crossF returns Σcross MM − (wallet + Σcross uPnL) at parameter s of the path, in float64,
// and the magnitude of its terms.
func (a *Account) crossF(from, to []float64, s float64) (f, scale float64) {
	c := a.hot()
	f, scale = c.cross, c.scale
	for j := range a.cross {
		h := &a.cross[j]
		t, n, c := h.term(interp(a.pathMark(h.i, from), a.pathMark(h.i, to), s))
		f += t
		scale += n + c
	}
	return f, scale
}

// crossDecide reports whether the cross account is at or past its threshold at the path end v,
// given the float64 value f of the threshold function there and its magnitude: clear cases by
// f, the band |f| <= screenEps·scale by exact arithmetic.
func (a *Account) crossDecide(f, scale float64, v []float64) bool {
	if tol := float64(screenEps * scale); f > tol {
		return true
	} else if f < -tol {
		return false
	}
	a.exactDecisions++
	return !a.crossGap(func(k int) decimal.Decimal {
		return decimal.NewFromFloat(a.pathMark(k, v))
	}).IsPositive()
}

// crossGap is wallet + Σcross uPnL − Σcross MM at marks(k), exact.
func (a *Account) crossGap(marks func(int) decimal.Decimal) decimal.Decimal {
	g := a.walletDec()
	for j := range a.cross {
		k := a.cross[j].i
		s := &a.slots[k]
		m := marks(k)
		g = g.Add(s.qty.Mul(m.Sub(s.entry))).Sub(a.mmAt(k, m))
	}
	return g
}
