package backtest

import (
	"fmt"
	"math"
	"slices"
	"sync/atomic"

	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/bt-backtest/bt/internal/exact"
	"github.com/shopspring/decimal"
)

// arrive executes or books the orders submitted since the previous bar: they reach the market
// at the open of their symbol's next bar. Market orders fill at the open with slippage; limit
// and stop orders that are marketable at the open fill there as taker (a post-only limit is
// rejected); the others start resting.
//
// A fill's update of its symbol's open-order margin (execute, after booking) is held back
// while the next order to arrive is on the same symbol: that order's execute or rejection
// updates the symbol before it books or tells anyone (updateOpenOrders recomputes a symbol's
// margin from its orders and position), so the held value would be replaced unread. The
// update is made before an order on another symbol and at the end. Only without a fill hook
// (which may read the account) and once the ledger's open-order sum is at the exponent of a
// non-zero margin (-DivisionPrecision): the value held back (zero, or a quotient at that
// exponent) could not have lowered it, so the sum ends the same in value and exponent.
func (a *account) arrive(t int64) {
	a.ids = a.ids[:0]
	for k := range a.orders {
		if o := &a.orders[k]; o.fresh && a.pv.sym[o.sym].present() {
			a.ids = append(a.ids, o.id)
		}
	}
	a.ooDefer = holdOpenOrders && a.onFill == nil && a.imMinExp <= -int32(decimal.DivisionPrecision)
	for _, id := range a.ids {
		k := a.find(id)
		if k < 0 {
			continue
		}
		o := &a.orders[k]
		if a.ooHeld && a.ooSym != o.sym {
			a.ooHeld = false
			a.updateOpenOrders(a.ooSym)
		}
		o.since = t // in the book from the open on: the gap before it is not its to trade
		open := a.pv.sym[o.sym].lp[0]
		switch o.Type {
		case Market:
			a.execute(t, k, a.slipFloat(open, o.Side, o.sym), false)
		case Limit:
			if o.Side == Buy && open <= o.level || o.Side == Sell && open >= o.level {
				if o.PostOnly {
					a.rejectOrder(t, k, o.Price, ErrPostOnly)
					continue
				}
				px := a.slipFloat(open, o.Side, o.sym)
				if o.Side == Buy && px.GreaterThan(o.Price) || o.Side == Sell && px.LessThan(o.Price) {
					px = o.Price
				}
				a.execute(t, k, px, false)
				continue
			}
			o.fresh = false
		default:
			if o.rising && open >= o.level || !o.rising && open <= o.level {
				a.execute(t, k, a.slipFloat(open, o.Side, o.sym), false)
				continue
			}
			o.fresh = false
		}
	}
	a.releaseOpenOrders()
}

// releaseOpenOrders makes the open-order margin update arrive held back, if any, and stops
// holding updates back.
func (a *account) releaseOpenOrders() {
	a.ooDefer = false
	if a.ooHeld {
		a.ooHeld = false
		a.updateOpenOrders(a.ooSym)
	}
}

// holdOpenOrders lets arrive hold back open-order margin updates (tests turn it off to
// compare); with countHeld, heldReplaced counts the held updates replaced unread.
var (
	holdOpenOrders = true
	countHeld      = false
	heldReplaced   atomic.Int64
)

// slip applies the configured adverse slippage to px and rounds it to the tick grid, up for
// buys and down for sells.
func (a *account) slip(px decimal.Decimal, side Side, sym int) decimal.Decimal {
	tick := a.syms[sym].inst.TickSize
	if side == Buy {
		if a.cfg.SlippageBps != 0 {
			px = px.Mul(a.slipUp)
		}
		return onTick(px, tick, tickUp)
	}
	if a.cfg.SlippageBps != 0 {
		px = px.Mul(a.slipDown)
	}
	return onTick(px, tick, tickDown)
}

// slipFloat is slip(decimal.NewFromFloat(f), side, sym): f's shortest decimal (exact.FloatCoef,
// remembered per symbol by floatCoef) times the slippage factor on int64 coefficients, rounded
// to the tick by onTickCoef, with one decimal for the result; the decimal expression where a
// coefficient does not fit.
func (a *account) slipFloat(f float64, side Side, sym int) decimal.Decimal {
	if c, e, ok := a.floatCoef(sym, f); ok {
		r, m := tickUp, a.slipUp
		if side != Buy {
			r, m = tickDown, a.slipDown
		}
		if a.cfg.SlippageBps != 0 {
			if cm, em, ok := exact.Coef(m); ok {
				c, ok = exact.MulCoef(c, cm)
				e += em // both within a few dozen of zero
				if !ok {
					return a.slip(decimal.NewFromFloat(f), side, sym)
				}
			} else {
				return a.slip(decimal.NewFromFloat(f), side, sym)
			}
		}
		if d, ok := a.onTickMemo(sym, c, e, r); ok {
			return d
		}
	}
	return a.slip(decimal.NewFromFloat(f), side, sym)
}

// tickRounding says how onTick rounds to the tick grid.
type tickRounding int

const (
	tickNearest tickRounding = iota // half away from zero (Decimal.Round(0))
	tickUp                          // Decimal.Ceil
	tickDown                        // Decimal.Floor
)

// pow10 holds 10^k for k <= 18.
var pow10 = [19]int64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
	1e15, 1e16, 1e17, 1e18}

// onTick returns x on tick's grid: x.Div(tick), rounded to an integer as r says, times tick.
// The result is that expression's Decimal (value and exponent), computed on int64
// coefficients when tick's coefficient is a power of ten (as Binance's ticks are) and x/tick
// has at most 16 decimals (so Div, which keeps 16, is exact): with x = c·10^e and tick =
// 10^m·10^te, x/tick = c·10^-k with k = te + m − e, and the roundings follow Decimal's (Round
// truncates to one decimal, adds ±5 and truncates; Ceil and Floor are the mathematical ones).
// Otherwise, or for a zero result, it evaluates the expression.
func onTick(x, tick decimal.Decimal, r tickRounding) decimal.Decimal {
	if x.NumDigits() <= 18 {
		if d, ok := onTickCoef(x.CoefficientInt64(), x.Exponent(), tick, r); ok {
			return d
		}
	}
	q := x.Div(tick)
	switch r {
	case tickNearest:
		q = q.Round(0)
	case tickUp:
		q = q.Ceil()
	default:
		q = q.Floor()
	}
	return q.Mul(tick)
}

// onTickCoef is onTick's int64 path for x = c·10^ex (|c| < 10^18); ok is false where onTick
// evaluates the decimal expression.
func onTickCoef(c int64, ex int32, tick decimal.Decimal, r tickRounding) (decimal.Decimal, bool) {
	g := gridOf(tick)
	if n, e, ok := g.round(c, ex, r); ok {
		return decimal.New(n, e), true
	}
	return decimal.Decimal{}, false
}

// tickGrid is a tick as onTickCoef's int64 path reads it: tick = tc·10^te with tc = 10^m
// (ok: the coefficient is a power of ten of at most 18 digits).
type tickGrid struct {
	tc int64
	te int32
	m  int32
	ok bool
}

// gridOf reads tick for tickGrid.round.
func gridOf(tick decimal.Decimal) tickGrid {
	if tick.NumDigits() > 18 {
		return tickGrid{}
	}
	tc, te := tick.CoefficientInt64(), tick.Exponent()
	m := 0
	for m < len(pow10)-1 && pow10[m] < tc {
		m++
	}
	return tickGrid{tc: tc, te: te, m: int32(m), ok: pow10[m] == tc}
}

// round is onTickCoef's result as a coefficient and exponent.
func (g tickGrid) round(c int64, ex int32, r tickRounding) (int64, int32, bool) {
	if !g.ok || c <= -1e18 || c >= 1e18 {
		return 0, 0, false
	}
	tc, te := g.tc, int64(g.te)
	k := te + int64(g.m) - int64(ex)
	var n int64
	switch {
	case k <= 0:
		if -k >= int64(len(pow10)) || c > math.MaxInt64/pow10[-k] || c < -math.MaxInt64/pow10[-k] {
			return 0, 0, false
		}
		n = c * pow10[-k]
	case k <= 16:
		q, rem := c/pow10[k], c%pow10[k]
		switch r {
		case tickNearest:
			t := c / pow10[k-1]
			if t < 0 {
				t -= 5
			} else {
				t += 5
			}
			n = t / 10
		case tickUp:
			n = q
			if rem > 0 {
				n++
			}
		default:
			n = q
			if rem < 0 {
				n--
			}
		}
	default:
		return 0, 0, false
	}
	if n != 0 && n <= math.MaxInt64/tc && n >= -math.MaxInt64/tc {
		return n * tc, g.te, true
	}
	return 0, 0, false
}

// triggerAt returns where along the last-price segment p0 → p1 (parameter s in [s0, 1]) the
// resting order o triggers, and whether the price was already beyond its level at s0 (then it
// executes at the current price, not at its level).
func (a *account) triggerAt(o *order, p0, p1, s0 float64) (s float64, beyond, ok bool) {
	at := p0 + float64(s0*(p1-p0))
	lvl := o.level
	var rising bool
	var strict bool
	if o.Type == Limit {
		rising = o.Side == Sell // a sell limit fills when the price rises through it
		strict = !a.cfg.LimitTouch
	} else {
		rising = o.rising
	}
	if rising {
		if at > lvl || !strict && at == lvl {
			return s0, at > lvl && o.Type != Limit, true
		}
		if p1 > lvl || !strict && p1 == lvl {
			return s0 + float64(float64((1-s0)*(lvl-at))/(p1-at)), false, true
		}
		return 0, false, false
	}
	if at < lvl || !strict && at == lvl {
		return s0, at < lvl && o.Type != Limit, true
	}
	if p1 < lvl || !strict && p1 == lvl {
		return s0 + float64(float64((1-s0)*(at-lvl))/(at-p1)), false, true
	}
	return 0, false, false
}

// segment walks segment k of the intrabar path (k = 0: the gap from the previous close to the
// open; then open → first extreme → second extreme → close), executing order triggers and
// liquidations in the order of their parameter s along it (liquidation first on a tie).
func (a *account) segment(t int64, k int) {
	if a.nOpen == 0 && len(a.orders) == 0 {
		return // nothing can trigger
	}
	// the segment's ends, the same for every account (paths.view)
	a.from, a.to = a.pv.pts[k], a.pv.pts[k+1]
	from, to := a.from, a.to
	s0 := 0.0
	liqOff := false
	noop := -1.0 // where Liquidate last did nothing (auto-add margin saved the position)
	for {
		// the earliest order trigger
		best, bestK, bestBeyond := 2.0, -1, false
		for j := range a.orders {
			o := &a.orders[j]
			sp := &a.pv.sym[o.sym]
			if o.fresh || !sp.present() || k == 0 && o.since == t {
				continue
			}
			p0, p1 := sp.lp[0], sp.lp[0]
			if k > 0 {
				p0, p1 = sp.lp[k-1], sp.lp[k]
			} else if last := a.lastOf(o.sym); !math.IsNaN(last) { // the close before this timestamp: last is set after the path
				p0 = last
			}
			if s, beyond, ok := a.triggerAt(o, p0, p1, s0); ok && s < best {
				best, bestK, bestBeyond = s, j, beyond
			}
		}
		// the earliest liquidation
		if a.nOpen > 0 && !liqOff && (noLiqScreen || !a.liqSafe(k)) {
			if fromS := a.fromS[:len(from)]; s0 == 0 {
				// from + 0·(to − from) is from: the marks are finite and positive (the reader
				// refuses others) or NaN on both ends
				copy(fromS, from)
			} else {
				for i, f := range from {
					fromS[i] = f + float64(s0*(to[i]-f))
				}
			}
			if sl, ok := a.acct.NextLiquidation(a.fromS, a.to); ok {
				if at := s0 + float64(sl*(1-s0)); at <= best {
					if !a.liquidate(t, k, at, sl) {
						liqOff = at == noop
						noop = at
					}
					s0 = at
					continue
				}
			}
		}
		if bestK < 0 {
			return
		}
		a.setMarksAt(k, best)
		a.probe(-1) // the risk just before the order changes the positions
		a.triggerOrder(t, k, bestK, best, bestBeyond)
		s0 = best
	}
}

// liqBox is the screen of a bar's mark path (liqSafe): per open symbol the lowest and highest
// mark of the path left (NaN: not moving; +Inf, −Inf, an empty range, for a symbol not open
// when the ranges were taken, which SafeWithin never finds safe), and whether no liquidation
// is possible within them at the ledger generation gen. The ranges are the paths view's for
// the whole bar, or, when the bar's first screen comes after the gap (own), the box's own
// from that segment on. It also keeps the last box SafeWithin found safe (clo, chi: the
// ranges of a bar widened by liqWiden, at generation cgen): a later bar at the same
// generation whose ranges lie within it is safe without asking again.
type liqBox struct {
	lo, hi []float64
	t      int64 // the bar (step time) the ranges are of
	own    bool  // lo, hi are the path's ranges from a later segment on (else pathView's)
	gen    uint64
	safe   bool

	set      []int // the symbols whose ranges lo, hi are set (the others are empty)
	clo, chi []float64
	cgen     uint64
	cok      bool   // clo, chi hold a box found safe at cgen
	wideGen  uint64 // a widened box was not safe at this generation: ask about the bar's own
	wideBad  bool
}

// liqWiden is how far liqSafe widens a bar's ranges (relative to the marks) before asking
// SafeWithin, so that the answer also covers the next bars while their marks stay within it
// and nothing changes in the ledger.
const liqWiden = 0.02

// widen is the range [l, h] widened by liqWiden on both sides. A range not moving (NaN)
// stays NaN, and an empty one (l > h: a symbol opened after the bar's ranges were taken, in
// liqSafe's own mode) stays empty, which SafeWithin never finds safe: widened as numbers, +Inf
// and −Inf would give NaN ("at its mark") and −Inf, and a short there would pass the screen.
func widen(l, h float64) (float64, float64) {
	if l > h {
		return l, h
	}
	return l - float64(liqWiden*l), h + float64(liqWiden*h)
}

// noLiqScreen turns liqSafe off (every segment asks NextLiquidation); with countSkips,
// liqCertHits counts the bars liqSafe found safe within an earlier box and pathProbes the
// steps whose vertices 1..3 probePath probed together, openProbes those among them whose open
// it probed too (tests only: TestLiqScreenChangesNothing, TestSkippedProbesChangeNothing).
var (
	noLiqScreen, countSkips bool
	liqCertHits, pathProbes atomic.Int64
	openProbes              atomic.Int64
	openMarkSkips           atomic.Int64 // steps of a flat account without orders that skipped openMarks
	crossFarSkips           atomic.Int64 // cross trades whose vertices probePath skipped (crossFar)
	isoFarSkips             atomic.Int64 // isolated trades whose distances probePath skipped (isoFar)
	// probePath's passes by the open positions' margin modes: all cross, all isolated, mixed
	pathKinds [3]atomic.Int64
)

// liqSafe reports whether no position can reach its liquidation threshold anywhere on the
// rest of this bar's mark path, so that segment k needs no NextLiquidation (it would find
// none: margin.Account.SafeWithin). The ranges, taken at the first call of the bar, cover
// every mark left on the path (the segment's start, then the bar's four points); the answer is
// reused while nothing changed in the ledger, the positions or the marks (a.gen).
//
// SafeWithin's answer holds for any box within the one it was asked about, so liqSafe asks
// about the bar's ranges widened by liqWiden and a later bar at the same generation whose
// ranges lie within that box needs no new answer: the generation is bumped by every change of
// the positions, wallets and brackets (refreshLeg, refreshWallet) and by every mark set
// between vertices (setMarksAt), and a mark set at a step stays within the box, because every
// bar that moved it since was within the box. A symbol not moving keeps its current mark: a
// box found safe with it not moving (NaN) fits no later bar that moves it. With
// exhaustiveProbes every bar asks (TestLiqScreenChangesNothing compares the ways).
func (a *account) liqSafe(k int) bool {
	b := &a.liqBox
	if b.t == a.now && b.gen == a.gen {
		return b.safe
	}
	if len(b.lo) != len(a.syms) {
		n := len(a.syms)
		b.lo, b.hi, b.clo, b.chi = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range b.lo {
			b.lo[i], b.hi[i] = math.Inf(1), math.Inf(-1)
		}
	}
	open := a.openSyms()
	if b.t != a.now {
		b.t, b.own = a.now, k > 0
		if b.own { // from segment k on: the ranges of the path left (else the view's)
			b.setRanges(open, func(i int) (lo, hi float64) {
				if !a.pv.moving(i) {
					return math.NaN(), math.NaN()
				}
				lo, hi = a.from[i], a.from[i]
				for _, m := range a.pv.sym[i].mp[k:] { // finite: the reader refuses others
					if m < lo {
						lo = m
					}
					if m > hi {
						hi = m
					}
				}
				return lo, hi
			})
		}
	}
	lo, hi := a.pv.lo, a.pv.hi // the whole path's ranges (paths.set)
	if b.own {
		lo, hi = b.lo, b.hi
	}
	b.gen = a.gen
	if b.cok && b.cgen == a.gen && !exhaustiveProbes {
		if inBox(open, lo, hi, b.clo, b.chi) {
			if countSkips {
				liqCertHits.Add(1)
			}
			b.safe = true
			return true
		}
	}
	b.cok = false
	if !b.own { // SafeWithin's ranges: the view's for the open symbols
		b.setRanges(open, func(i int) (float64, float64) { return lo[i], hi[i] })
		lo, hi = b.lo, b.hi
	}
	if !exhaustiveProbes && !(b.wideBad && b.wideGen == a.gen) {
		for i := range b.clo {
			b.clo[i], b.chi[i] = math.Inf(1), math.Inf(-1) // empty: no position here
		}
		for _, i := range open {
			b.clo[i], b.chi[i] = widen(lo[i], hi[i])
		}
		if a.acct.SafeWithin(b.clo, b.chi) {
			b.cok, b.cgen, b.safe = true, a.gen, true
			return true
		}
		b.wideBad, b.wideGen = true, a.gen
	}
	b.safe = a.acct.SafeWithin(lo, hi)
	return b.safe
}

// inBox reports whether the range [lo[i], hi[i]] of every open symbol i lies within the box
// [clo[i], chi[i]] (an empty range never does), or is NaN (not moving: at its mark, which is
// within the box; see liqSafe). A function of its own, not inlined, so that its loop keeps
// every slice in registers (inlined into liqSafe it reloaded them from the stack at every
// symbol: ~35 instructions per symbol against 20).
//
//go:noinline
func inBox(open []int, lo, hi, clo, chi []float64) bool {
	n := len(lo) // (one length for the four slices: one bounds check per symbol, not four)
	hi, clo, chi = hi[:n], clo[:n], chi[:n]
	for _, i := range open {
		if uint(i) >= uint(n) {
			panic("backtest: an open symbol out of the box's range")
		}
		l, h := lo[i], hi[i]
		if !(l >= clo[i] && h <= chi[i] && l <= h || l != l) {
			return false
		}
	}
	return true
}

// setRanges sets b.lo, b.hi to the ranges of the open symbols (given by r) and to empty
// ranges for the others, for which SafeWithin answers false should the ledger hold a position
// there after all.
func (b *liqBox) setRanges(open []int, r func(i int) (lo, hi float64)) {
	for _, i := range b.set {
		b.lo[i], b.hi[i] = math.Inf(1), math.Inf(-1)
	}
	b.set = append(b.set[:0], open...)
	for _, i := range open {
		b.lo[i], b.hi[i] = r(i)
	}
}

// setMarksAt sets every moving symbol's mark to its value at parameter s of segment k (at the
// open for the gap segment, where everything executes at the open).
func (a *account) setMarksAt(k int, s float64) {
	for i := range a.syms {
		if !a.pv.moving(i) {
			continue
		}
		m := a.to[i]
		if k > 0 {
			m = a.from[i] + float64(s*(a.to[i]-a.from[i]))
		}
		if m != a.acct.Mark(i) {
			a.acct.SetMark(i, m)
			a.gen++
		}
	}
}

// liquidate executes the liquidations due at parameter at of segment k (sl: the same point as
// a parameter of the sub-segment from the last event). It reports whether anything happened.
func (a *account) liquidate(t int64, k int, at, sl float64) bool {
	a.setMarksAt(k, at)
	a.probe(-1) // the ratio at the trigger: about 1, above it when the price gapped through
	var recs []margin.Liquidation
	if k == 0 {
		recs = a.acct.Liquidate(t, margin.PathPoint{From: a.to, To: a.to}, a.liqBuf[:0])
	} else {
		recs = a.acct.Liquidate(t, margin.PathPoint{From: a.fromS, To: a.to, S: sl}, a.liqBuf[:0])
	}
	a.liqBuf = recs[:0]
	if len(recs) == 0 {
		for i := range a.syms {
			a.refreshSym(i)
		}
		a.refreshWallet()
		return false
	}
	a.barPeak = max(a.barPeak, 1) // the ledger met the liquidation threshold: ratio ≥ 1
	for r := range recs {
		l := recs[r]
		i, ok := slices.BinarySearch(a.symbols, l.Symbol)
		if !ok {
			continue
		}
		if tr := &a.leg(i, l.Side).tr; tr.open {
			tr.t.PeakMarginRatio = max(tr.t.PeakMarginRatio, 1)
		}
		a.res.Liquidations = append(a.res.Liquidations, l)
		side := Sell
		if l.Qty.IsNegative() {
			side = Buy
		}
		closed := l.Qty.Neg()                     // signed fill that closed the position
		pnl := l.RealizedPnL.Add(l.InsuranceDraw) // as the ledger booked it (rounded to 8 decimals)
		f := FillRecord{Time: t, Symbol: l.Symbol, Side: side, Qty: l.Qty.Abs(), Price: l.Price,
			Fee: l.Fee, RealizedPnL: pnl, Liquidation: true, PositionSide: l.Side}
		a.res.Fills = append(a.res.Fills, f)
		a.trackFill(t, i, l.Side, closed, f.Qty, l.Price, pnl, l.Fee, exact.FixOf(f.Qty), a.pxFix(i, l.Price),
			exact.FixOf(pnl), exact.FixOf(l.Fee), true)
		// the liquidated position's orders are cancelled (in hedge mode the other leg's stay)
		a.cancelWhere(func(o *order) bool { return o.sym == i && o.PositionSide == l.Side })
		a.refreshSym(i)
	}
	a.refreshWallet()
	a.liquidated = true
	for r := range recs {
		if a.onLiq != nil && !a.stopped {
			a.onLiq.OnLiquidation(&a.br, recs[r])
		}
	}
	if a.cfg.StopOnLiquidation {
		a.stop()
	}
	return true
}

// triggerOrder executes the resting order at index j, triggered at parameter s of segment k.
func (a *account) triggerOrder(t int64, k, j int, s float64, beyond bool) {
	o := &a.orders[j]
	if o.Type == Limit {
		a.execute(t, j, o.Price, true)
		return
	}
	sp := &a.pv.sym[o.sym]
	var px decimal.Decimal
	switch {
	case k == 0:
		a.execute(t, j, a.slipFloat(sp.lp[0], o.Side, o.sym), false) // gapped through: the open
		return
	case beyond:
		a.execute(t, j, a.slipFloat(sp.lp[k-1]+float64(s*(sp.lp[k]-sp.lp[k-1])), o.Side, o.sym), false)
		return
	default:
		px = o.Trigger
	}
	a.execute(t, j, a.slip(px, o.Side, o.sym), false)
}

// execute fills the open order at index j at price px, books it, and removes the order.
func (a *account) execute(t int64, j int, px decimal.Decimal, maker bool) {
	o := a.orders[j]
	pos, posF := a.acct.QtyFix(o.sym, o.PositionSide)
	qty, absQty := o.Qty, o.Qty      // the signed fill and its size (|qty|, value and exponent)
	qc, qe, qok := o.qc, o.qe, o.qok // qty's coefficient and exponent when qok (Submit read o.Qty's)
	if o.Side == Sell {
		qty, qc = o.sellQty, -qc // Submit's o.Qty.Neg(), decimal.New(−qc, qe) when qok
		if qty.IsZero() {
			qty = o.Qty.Neg()
		}
	}
	reduce := o.ReduceOnly || o.ClosePosition || o.attached
	if o.ClosePosition {
		if pos.IsZero() {
			a.removeAt(j)
			a.updateOpenOrders(o.sym)
			return
		}
		absQty = pos.Abs() // closes the whole position on the order's side (checked below)
		qty, qok = absQty, false
		if o.Side == Sell {
			qty = qty.Neg()
		}
	}
	if reduce {
		if pos.IsZero() || pos.Sign() == qty.Sign() {
			a.rejectOrder(t, j, px, margin.ErrReduceOnly)
			return
		}
		if cmpAbsFix(qty, qc, qe, qok, pos, posF) > 0 {
			qty, qok = pos.Neg(), false
			absQty = qty.Abs()
		}
	}
	// qty's and px's Fix, read once for the ledger and the trade's sums
	qF := exact.FixNew(qc, qe)
	if !qok {
		qF = exact.FixOf(qty)
	}
	pF := a.pxFix(o.sym, px)
	if checkFillFix {
		if !sameFix(qF, exact.FixOf(qty)) || !sameFix(pF, exact.FixOf(px)) {
			panic(fmt.Sprintf("backtest: fill of %s at %s: Fix %v and %v, FixOf %v and %v",
				qty, px, qF, pF, exact.FixOf(qty), exact.FixOf(px)))
		}
		fillFixChecked++
	}
	rate := a.syms[o.sym].taker
	if maker {
		rate = a.syms[o.sym].maker
	}
	// the order leaves the book before it is booked: its margin reservation must not count
	// against its own fill
	a.removeAt(j)
	a.updateOpenOrders(o.sym)
	draw := a.acct.InsuranceDraws()
	res, err := a.acct.ApplyFix(o.sym, margin.Fill{Time: t, Qty: qty, Price: px, FeeRate: rate, ReduceOnly: reduce,
		PositionSide: o.PositionSide}, qF, pF)
	if err != nil {
		a.addReject(orderReject(t, &o.Order, o.id, px, err))
		return
	}
	// a close beyond an isolated position's bankruptcy price is capped by an insurance draw;
	// without one (the same Decimal, whose exponent is not below the PnL's) the sum
	// RealizedPnL + 0 is RealizedPnL, value and exponent
	pnl, pnlF := res.RealizedPnL, res.RealizedPnLFix()
	if after := a.acct.InsuranceDraws(); after != draw || draw.Exponent() < pnl.Exponent() {
		pnl = exact.Add(res.RealizedPnL, exact.Sub(after, draw))
		pnlF = exact.FixOf(pnl)
	}
	f := FillRecord{Time: t, OrderID: o.id, Symbol: o.Symbol, Side: o.Side, Qty: absQty, Price: px,
		Fee: res.Fee, RealizedPnL: pnl, Maker: maker, Tag: o.Tag, PositionSide: o.PositionSide}
	a.res.Fills = append(a.res.Fills, f)
	a.leg(o.sym, o.PositionSide).fillDecision = o.decision // the decision behind a position this fill opens
	a.trackFill(t, o.sym, o.PositionSide, qty, absQty, px, pnl, res.Fee, qF.Abs(), pF, pnlF, res.FeeFix(), false)
	if o.oco != 0 {
		if k := a.find(o.oco); k >= 0 {
			a.removeAt(k)
		}
	}
	if res.PositionQty.Sign() != pos.Sign() { // closed or flipped: the old children are void
		a.cancelWhere(func(c *order) bool { return c.sym == o.sym && c.attached && c.PositionSide == o.PositionSide })
	}
	if !res.PositionQty.IsZero() && !reduce && (!o.StopLoss.IsZero() || !o.TakeProfit.IsZero()) {
		a.attach(&o, absQty)
	}
	a.refreshSym(o.sym)
	a.refreshWallet()
	if a.ooDefer {
		a.ooHeld, a.ooSym = true, o.sym // arrive makes it (or the next order's update replaces it)
	} else {
		a.updateOpenOrders(o.sym)
	}
	if a.onFill != nil && !a.stopped {
		a.onFill.OnFill(&a.br, f)
	}
}

// attach places the stop-loss and take-profit children of the filled entry o.
func (a *account) attach(o *order, qty decimal.Decimal) {
	var sl, tp OrderID
	if !o.StopLoss.IsZero() {
		c := a.add(&Order{Symbol: o.Symbol, Side: -o.Side, Type: StopMarket, Qty: qty, Trigger: o.StopLoss,
			ReduceOnly: true, Tag: o.Tag, PositionSide: o.PositionSide}, o.sym, false)
		c.attached, sl = true, c.id
	}
	if !o.TakeProfit.IsZero() {
		c := a.add(&Order{Symbol: o.Symbol, Side: -o.Side, Type: TakeProfitMarket, Qty: qty, Trigger: o.TakeProfit,
			ReduceOnly: true, Tag: o.Tag, PositionSide: o.PositionSide}, o.sym, false)
		c.attached, tp = true, c.id
	}
	if sl != 0 && tp != 0 {
		a.orders[a.find(sl)].oco = tp
		a.orders[a.find(tp)].oco = sl
	}
}

// add appends a new open order (a copy of *o on symbol sym) and returns it, built in place:
// the pointer is valid until the orders change.
func (a *account) add(o *Order, sym int, fresh bool) *order {
	a.nextID++
	a.orders = append(a.orders, order{})
	r := &a.orders[len(a.orders)-1]
	r.Order, r.id, r.sym, r.fresh, r.since = *o, a.nextID, sym, fresh, a.now
	switch o.Type {
	case Limit:
		r.level = o.Price.InexactFloat64()
	case StopMarket:
		r.level = o.Trigger.InexactFloat64()
		r.rising = o.Side == Buy // a buy stop triggers on a rise
	case TakeProfitMarket:
		r.level = o.Trigger.InexactFloat64()
		r.rising = o.Side == Sell // a sell take-profit triggers on a rise
	}
	return r
}

// decide numbers the strategy's next order on symbol i: its n-th submitted on the symbol at
// this time, refused or not, so that both accounts number the same decisions alike.
func (a *account) decide(i int) Decision {
	st := &a.syms[i]
	if st.placedT != a.now || st.placedN == 0 {
		st.placedT, st.placedN = a.now, 0
	}
	st.placedN++
	return Decision{Time: a.now, Seq: st.placedN}
}

// find returns the index of open order id, or -1.
func (a *account) find(id OrderID) int {
	for k := range a.orders {
		if a.orders[k].id == id {
			return k
		}
	}
	return -1
}

func (a *account) removeAt(j int) {
	a.orders = slices.Delete(a.orders, j, j+1)
}

// cancelWhere cancels every open order matching keep and updates the margin reservations.
func (a *account) cancelWhere(match func(*order) bool) {
	n := 0 // the orders kept so far: those before the first match stay in place
	for n < len(a.orders) && !match(&a.orders[n]) {
		n++
	}
	if n == len(a.orders) {
		return
	}
	changed := uint64(0)
	for k := n; k < len(a.orders); k++ {
		if match(&a.orders[k]) {
			changed |= 1 << (uint(a.orders[k].sym) % 64)
			continue
		}
		a.orders[n] = a.orders[k]
		n++
	}
	clear(a.orders[n:])
	a.orders = a.orders[:n]
	for i := range a.syms {
		if changed&(1<<(uint(i)%64)) != 0 {
			a.updateOpenOrders(i)
		}
	}
}

// rejectOrder removes the order at index j and records why it was refused at price px.
func (a *account) rejectOrder(t int64, j int, px decimal.Decimal, err error) {
	o := a.orders[j]
	a.removeAt(j)
	a.updateOpenOrders(o.sym)
	a.addReject(orderReject(t, &o.Order, o.id, px, err))
}

// orderReject is the record of order o (id 0: refused at placement) refused at price px.
func orderReject(t int64, o *Order, id OrderID, px decimal.Decimal, err error) Reject {
	return Reject{Time: t, Symbol: o.Symbol, OrderID: id, Action: "order", Reason: rejectReason(err), Code: rejectCode(err),
		Side: o.Side, Type: o.Type, Qty: o.Qty, Price: px, Tag: o.Tag}
}

// addReject records r and tells the strategy when the rejection happened after placement.
func (a *account) addReject(r Reject) {
	a.res.Rejects = append(a.res.Rejects, r)
	if a.onReject != nil && !a.stopped {
		a.onReject.OnReject(&a.br, r)
	}
}

// updateOpenOrders tells the ledger how many orders symbol i has open and the initial margin
// the non-reducing part of its limit and market orders reserves (conditional orders reserve
// nothing until they trigger, as on Binance).
func (a *account) updateOpenOrders(i int) {
	if a.ooHeld && a.ooSym == i { // the held update, replaced by this one
		a.ooHeld = false
		if countHeld {
			heldReplaced.Add(1)
		}
	}
	n, reserving := 0, false
	for k := range a.orders {
		if o := &a.orders[k]; o.sym == i {
			n++
			reserving = reserving || o.reserves()
		}
	}
	if !reserving { // nothing reserves margin: what the loop below finds without the decimals
		a.acct.SetOpenOrders(i, n, decimal.Zero)
		return
	}
	hi, lo, terms, ok := a.openOrderIM(i)
	places := int32(decimal.DivisionPrecision)
	if ok && checkOpenOrderIM {
		im := decimal.Zero
		if terms {
			im = exact.Dec128(hi, lo, false, -places)
		}
		if want := a.openOrderIMDec(i); !im.Equal(want) || im.Exponent() != want.Exponent() {
			panic(fmt.Sprintf("backtest: open-order margin of symbol %d: %s (exp %d), the decimal loop %s (exp %d)",
				i, im, im.Exponent(), want, want.Exponent()))
		}
		openOrderIMChecked++
	}
	switch {
	case !ok:
		im := a.openOrderIMDec(i)
		a.imMinExp = min(a.imMinExp, im.Exponent())
		a.acct.SetOpenOrders(i, n, im)
	case !terms:
		a.acct.SetOpenOrders(i, n, decimal.Zero)
	default: // the quotient's words: no Decimal made
		a.imMinExp = min(a.imMinExp, -places)
		a.acct.SetOpenOrdersWide(i, n, hi, lo, -places)
	}
}

// checkOpenOrderIM makes updateOpenOrders compare openOrderIM with openOrderIMDec and panic
// on a difference (tests); openOrderIMChecked counts the comparisons.
var (
	checkOpenOrderIM   = false
	openOrderIMChecked = 0
)

// openOrderIMDec is the initial margin the non-reducing part of symbol i's limit and market
// orders reserves, in decimals.
func (a *account) openOrderIMDec(i int) decimal.Decimal {
	im := decimal.Zero
	pos := a.acct.Position(i)
	budget := pos.Qty.Abs() // opposite-side quantity that only reduces the position
	// hedge mode: pos is the LONG leg; the SHORT leg has its own budget
	var short decimal.Decimal
	var shortBudget decimal.Decimal
	if a.shorts != nil {
		short = a.acct.PositionOf(i, margin.Short).Qty
		shortBudget = short.Abs()
	}
	for k := range a.orders {
		o := &a.orders[k]
		if o.sym != i {
			continue
		}
		if !o.reserves() {
			continue
		}
		q := o.Qty
		switch {
		case o.PositionSide == margin.Short:
			if o.Side == Buy { // reduces the SHORT leg
				r := decMin(q, shortBudget)
				shortBudget = exact.Sub(shortBudget, r)
				q = exact.Sub(q, r)
			}
		case !pos.Qty.IsZero() && (pos.Qty.Sign() > 0) != (o.Side == Buy):
			r := decMin(q, budget)
			budget = exact.Sub(budget, r)
			q = exact.Sub(q, r)
		}
		if q.IsZero() {
			continue
		}
		px := o.Price
		if o.Type == Market {
			px = decimal.NewFromFloat(a.lastOf(i))
		}
		im = exact.MulAdd(im, q, px)
	}
	lev := pos.Leverage
	if lev < 1 {
		lev = 1
	}
	if !im.IsZero() {
		im = exact.Quo(im, decimal.NewFromInt(int64(lev)), int32(decimal.DivisionPrecision)) // im.Div(lev)
	}
	return im
}

// openOrderIM is the initial margin updateOpenOrders' decimal loop computes for symbol i's
// orders, on int64 coefficients: the loop's result depends only on values (a sum of positive
// terms, then DivRound to 16 decimals; decimal.Zero without a term), so the terms need no
// exponent of their own. The margin is the quotient's coefficient hi·2^64 + lo at exponent
// −DivisionPrecision when terms, else decimal.Zero (no term). ok is false when a coefficient
// does not fit or the quotient is zero; the loop decides then.
func (a *account) openOrderIM(i int) (hi, lo uint64, terms, ok bool) {
	ps := margin.Both // the position Position(i) gives: in hedge mode the LONG leg
	if a.shorts != nil {
		ps = margin.Long
	}
	_, posF := a.acct.QtyFix(i, ps)
	bc, be, ok := posF.Coef() // the opposite side's budget that only reduces the position
	if !ok {
		return 0, 0, false, false
	}
	long := bc > 0
	bc = max(bc, -bc)
	var sc int64 // hedge mode: the SHORT leg's budget
	var se int32
	if a.shorts != nil {
		if sc, se, ok = exact.Coef(a.acct.PositionOf(i, margin.Short).Qty); !ok {
			return 0, 0, false, false
		}
		sc = max(sc, -sc)
	}
	var ic int64
	var ie int32
	for k := range a.orders {
		o := &a.orders[k]
		if o.sym != i || !o.reserves() {
			continue
		}
		qc, qe, ok := o.qc, o.qe, o.qok // Submit's reading of Qty
		if !ok {
			if qc, qe, ok = exact.Coef(o.Qty); !ok {
				return 0, 0, false, false
			}
		}
		var b *int64 // the budget this order draws on, at exponent *bexp
		var bexp *int32
		switch {
		case o.PositionSide == margin.Short:
			if o.Side == Buy {
				b, bexp = &sc, &se
			}
		case bc != 0 && long != (o.Side == Buy):
			b, bexp = &bc, &be
		}
		if b != nil && *b != 0 { // r = min(q, budget); budget −= r; q −= r
			d, de, ok := exact.AddCoef(qc, qe, -*b, *bexp) // q − budget
			if !ok {
				return 0, 0, false, false
			}
			if d <= 0 {
				*b, *bexp, qc = -d, de, 0
			} else {
				*b, qc, qe = 0, d, de
			}
		}
		if qc == 0 {
			continue
		}
		var pc int64 // the price's coefficient: a market order's the last close's
		var pe int32
		if o.Type == Market {
			pc, pe, ok = a.floatCoef(i, a.lastOf(i))
		} else {
			pc, pe, ok = exact.Coef(o.Price)
		}
		if !ok {
			return 0, 0, false, false
		}
		p, ok := exact.MulCoef(qc, pc)
		if !ok {
			return 0, 0, false, false
		}
		if ic, ie, ok = exact.AddCoef(ic, ie, p, qe+pe); !ok {
			return 0, 0, false, false
		}
		terms = true
	}
	if !terms {
		return 0, 0, false, true
	}
	// the same sum and leverage as last time (the margin before and after a fill that did not
	// move it): the same quotient
	lev := int64(max(a.acct.Leverage(i), 1)) // Position(i).Leverage
	m := &a.syms[i].px
	if m.imSet && ic == m.imC && ie == m.imE && lev == m.imLev {
		return m.imHi, m.imLo, true, true
	}
	hi, lo, ok = quoIntPosWords(ic, ie, lev, int32(decimal.DivisionPrecision))
	if ok {
		m.imHi, m.imLo, m.imC, m.imE, m.imLev, m.imSet = hi, lo, ic, ie, lev, true
	}
	return hi, lo, true, ok
}

// trackFill updates the round trip of symbol i's position ps with a signed fill qty (abs =
// qty.Abs()) at px; absF, pxF, realizedF and feeF are the Fix of abs, px, realized and fee
// (exact.FixOf: value and exponent; not OK when they do not fit). The sums are taken on int64
// coefficients (trackFillFix) while the trade has every step fit, else as exact.Of Nums
// (trackFillNum): the same values and exponents.
func (a *account) trackFill(t int64, i int, ps margin.PositionSide, qty, abs, px, realized, fee decimal.Decimal, absF, pxF, realizedF, feeF exact.Fix, liq bool) {
	s := a.leg(i, ps)
	if s.tr.nums == nil && !trackNums && a.trackFillFix(t, i, ps, s, qty, abs, absF, pxF, realizedF, feeF, liq) {
		return
	}
	a.trackFillNum(t, i, ps, s, qty, abs, px, realized, fee, liq)
}

// trackNums makes trackFill take the Nums' path for every fill (tests: the reference).
var trackNums = false

// checkFillFix makes execute compare the Fix it hands the ledger and trackFill for a fill's
// quantity and price with exact.FixOf's and panic on a difference (tests); fillFixChecked
// counts the comparisons.
var (
	checkFillFix   = false
	fillFixChecked = 0
)

// sameFix reports whether x and y are the same Fix: both without a value, or the same
// coefficient and exponent.
func sameFix(x, y exact.Fix) bool {
	xc, xe, xok := x.Coef()
	yc, ye, yok := y.Coef()
	return xok == yok && (!xok || xc == yc && xe == ye)
}

// trackFillFix is trackFillNum on the trade's Fix sums: it reports false, having changed
// nothing, when a step does not fit in an int64 (or a comparison cannot be made there); else
// every sum has the value and exponent trackFillNum gives it. The fill's new sums are all
// computed before any is stored (a flip closes the trade, then opens the next one from zero
// sums).
func (a *account) trackFillFix(t int64, i int, ps margin.PositionSide, s *posState, qty, abs decimal.Decimal, absF, pxF, realizedF, feeF exact.Fix, liq bool) bool {
	tr := &s.tr
	zero := exact.FixNew(0, 0) // the zero Num: 0 at exponent 0
	buy := qty.IsPositive()
	closing := zero
	if tr.open && (tr.t.Side == Buy) != buy {
		closing = absF // min(abs, held)
		c, ok := tr.entryQty.Sub(tr.exitQty).Cmp(absF)
		if !ok {
			return false
		}
		if c < 0 {
			closing = tr.entryQty.Sub(tr.exitQty)
		}
	}
	opening := absF.Sub(closing)
	if !opening.OK() {
		return false
	}
	feeClose, feeOpen := zero, feeF
	switch {
	case opening.Sign() == 0:
		feeClose, feeOpen = feeF, zero
	case closing.Sign() != 0:
		var ok bool
		if feeClose, ok = quoFix(feeF.Mul(closing), absF); !ok {
			return false
		}
		feeOpen = feeF.Sub(feeClose)
	}
	// the closing part's sums, and whether they close the trade
	cl := tr.tradeSums
	closes := false
	if tr.open && closing.Sign() != 0 {
		cl.exitQty = cl.exitQty.Add(closing)
		cl.exitNotional = cl.exitNotional.Add(closing.Mul(pxF))
		cl.realized = cl.realized.Add(realizedF)
		cl.fees = cl.fees.Add(feeClose)
		c, ok := cl.exitQty.Cmp(cl.entryQty)
		if !ok || !cl.exitNotional.OK() || !cl.realized.OK() || !cl.fees.OK() {
			return false
		}
		closes = c == 0
	}
	// the opening part's sums, from the zero sums of a new trade or after the closing part
	var op tradeSums[exact.Fix]
	grows, shared := false, false
	if opening.Sign() != 0 {
		op = cl
		if closes || !tr.open {
			op = tradeSums[exact.Fix]{zero, zero, zero, zero, zero, zero, zero}
		}
		op.entryQty = op.entryQty.Add(opening)
		op.entryNotional = op.entryNotional.Add(opening.Mul(pxF))
		op.fees = op.fees.Add(feeOpen)
		held := op.entryQty.Sub(op.exitQty)
		c, ok := held.Cmp(op.qty)
		if !ok || !op.entryNotional.OK() || !op.fees.OK() {
			return false
		}
		if grows = c > 0; grows {
			op.qty = held
			hc, he, _ := held.Coef()
			ac, ae, _ := absF.Coef()
			shared = hc == ac && he == ae // held.Dec() would be abs again
		}
	}
	if tr.open && closing.Sign() != 0 {
		tr.tradeSums = cl
		if liq {
			tr.t.Liquidated = true
		}
		if closes {
			a.closeTrade(t, i, s)
		}
	}
	if opening.Sign() == 0 {
		return true
	}
	if !tr.open {
		a.openTrade(t, i, ps, s, buy)
	}
	tr.tradeSums = op
	if grows {
		tr.qtyShared, tr.qtyDec = shared, abs
	}
	return true
}

// quoFix is x.DivRound(y, 12) (exponent −12) for y ≠ 0, as exact.Num's Quo on int64
// coefficients; ok is false when it does not fit.
func quoFix(x, y exact.Fix) (exact.Fix, bool) {
	xc, xe, xok := x.Coef()
	yc, ye, yok := y.Coef()
	if !xok || !yok {
		return exact.Fix{}, false
	}
	q, ok := exact.QuoCoef(xc, xe, yc, ye, 12)
	return exact.FixNew(q, -12), ok
}

// openTrade starts the round trip of position s (symbol i, side ps) with a fill on the buy
// side or not, its sums zero.
func (a *account) openTrade(t int64, i int, ps margin.PositionSide, s *posState, buy bool) {
	side := Sell
	if buy {
		side = Buy
	}
	// PositionOf(i, ps)'s mode and leverage: a symbol's two legs share them (Check)
	s.tr = tradeState{open: true, t: Trade{Symbol: a.symbols[i], PositionSide: ps, Mode: a.acct.Mode(i), Side: side,
		EntryTime: t, MinLiqDistance: math.Inf(1), EntryDecision: s.fillDecision, Leverage: a.acct.Leverage(i)}}
	if checkTradeOpen {
		if p := a.acct.PositionOf(i, ps); p.Mode != s.tr.t.Mode || p.Leverage != s.tr.t.Leverage {
			panic(fmt.Sprintf("backtest: trade of symbol %d side %v opened with %v and leverage %d, the position has %v and %d",
				i, ps, s.tr.t.Mode, s.tr.t.Leverage, p.Mode, p.Leverage))
		}
		tradeOpenChecked++
	}
}

// checkTradeOpen makes openTrade compare the mode and leverage it gives a trade with
// PositionOf's and panic on a difference (tests); tradeOpenChecked counts the comparisons.
var (
	checkTradeOpen   = false
	tradeOpenChecked = 0
)

// trackFillNum is trackFill on the trade's sums as exact.Of Nums (made from the Fix sums when
// the trade had them).
func (a *account) trackFillNum(t int64, i int, ps margin.PositionSide, s *posState, qty, abs, px, realized, fee decimal.Decimal, liq bool) {
	tr := &s.tr
	n := tr.nums
	if n == nil {
		n = new(tradeSums[exact.Num])
		if tr.open {
			f := &tr.tradeSums
			*n = tradeSums[exact.Num]{f.entryQty.Num(), f.entryNotional.Num(), f.exitQty.Num(),
				f.exitNotional.Num(), f.realized.Num(), f.fees.Num(), f.qty.Num()}
		}
		tr.nums = n
	}
	absN, feeN := exact.Of(abs), exact.Of(fee)
	var closing exact.Num // decimal.Zero
	if tr.open && (tr.t.Side == Buy) != qty.IsPositive() {
		closing = absN // min(abs, held)
		if held := n.entryQty.Sub(n.exitQty); cmpNum(held, absN) < 0 {
			closing = held
		}
	}
	opening := absN.Sub(closing)
	var feeClose exact.Num // decimal.Zero
	feeOpen := feeN
	switch {
	case opening.IsZero():
		feeClose, feeOpen = feeN, exact.Num{}
	case !closing.IsZero():
		feeClose = feeN.Mul(closing).Quo(absN, 12)
		feeOpen = feeN.Sub(feeClose)
	}
	pxN := exact.Of(px)
	if tr.open && !closing.IsZero() {
		n.exitQty = n.exitQty.Add(closing)
		n.exitNotional = n.exitNotional.Add(closing.Mul(pxN))
		n.realized = n.realized.Add(exact.Of(realized))
		n.fees = n.fees.Add(feeClose)
		if liq {
			tr.t.Liquidated = true
		}
		if cmpNum(n.exitQty, n.entryQty) == 0 {
			a.closeTrade(t, i, s) // (tr.nums is nil again)
		}
	}
	if opening.IsZero() {
		return
	}
	if !tr.open {
		a.openTrade(t, i, ps, s, qty.IsPositive())
		*n = tradeSums[exact.Num]{}
		tr.nums = n
	}
	n.entryQty = n.entryQty.Add(opening)
	n.entryNotional = n.entryNotional.Add(opening.Mul(pxN))
	n.fees = n.fees.Add(feeOpen)
	if held := n.entryQty.Sub(n.exitQty); cmpNum(held, n.qty) > 0 {
		n.qty = held
		hc, he, hok := held.Small()
		ac, ae, aok := absN.Small()
		tr.qtyShared = hok && aok && hc == ac && he == ae // held.Dec() would be abs again
		tr.qtyDec = abs
	}
}

// closeTrade finishes the round trip of position s of symbol i.
func (a *account) closeTrade(t int64, i int, s *posState) {
	tr := &s.tr
	tr.t.ExitTime = t
	var qty exact.Num
	if n := tr.nums; n != nil {
		tr.t.EntryPrice = a.tradePx(i, n.entryNotional.Quo(n.entryQty, 12)) // the previous exit's
		tr.t.ExitPrice = a.tradePx(i, n.exitNotional.Quo(n.exitQty, 12))
		tr.t.Fees = n.fees.Dec()
		tr.t.PnL = n.realized.Sub(n.fees).Add(exact.Of(tr.t.Funding)).Dec()
		qty = n.qty
	} else {
		f := &tr.tradeSums
		tr.t.EntryPrice = a.tradePx(i, quoNum(f.entryNotional, f.entryQty)) // the previous exit's
		tr.t.ExitPrice = a.tradePx(i, quoNum(f.exitNotional, f.exitQty))
		tr.t.Fees = f.fees.Dec()
		if pnl := f.realized.Sub(f.fees).Add(exact.FixOf(tr.t.Funding)); pnl.OK() {
			tr.t.PnL = pnl.Dec()
		} else {
			tr.t.PnL = f.realized.Num().Sub(f.fees.Num()).Add(exact.Of(tr.t.Funding)).Dec()
		}
		qty = f.qty.Num()
	}
	if tr.qtyShared {
		tr.t.Qty = tr.qtyDec // held.Dec()'s value and exponent
		if checkTradeQty {
			if want := qty.Dec(); !tr.t.Qty.Equal(want) || tr.t.Qty.Exponent() != want.Exponent() {
				panic(fmt.Sprintf("backtest: trade quantity %s (exp %d), the sum %s (exp %d)",
					tr.t.Qty, tr.t.Qty.Exponent(), want, want.Exponent()))
			}
			tradeQtyChecked++
		}
	} else {
		tr.t.Qty = qty.Dec()
	}
	if math.IsInf(tr.t.MinLiqDistance, 1) {
		tr.t.MinLiqDistance = 1
	}
	a.res.Trades = append(a.res.Trades, tr.t)
	*tr = tradeState{}
}

// quoNum is x.DivRound(y, 12) for y ≠ 0 as exact.Num's Quo gives it (on int64 coefficients
// when it fits, else the Decimal quotient).
func quoNum(x, y exact.Fix) exact.Num {
	if q, ok := quoFix(x, y); ok {
		return q.Num()
	}
	return x.Num().Quo(y.Num(), 12)
}

// checkTradeQty makes closeTrade compare a trade's quantity taken from its fill with the
// one its sums make (tests); tradeQtyChecked counts the comparisons.
var (
	checkTradeQty   = false
	tradeQtyChecked = 0
)

// reserves reports whether open order o holds initial margin while it waits: not an order
// that can only reduce (reduce-only, close-position, an attached stop-loss or take-profit)
// and not a stop or take-profit market order (conditional orders reserve nothing until they
// trigger: docs/margin.md, open orders).
func (o *order) reserves() bool {
	return !(o.ReduceOnly || o.ClosePosition || o.attached || o.Type == StopMarket || o.Type == TakeProfitMarket)
}

// checkLegFloats makes refreshLeg compare the ledger's float shadows (margin.Leg) with the
// floats of its Decimals and panic on a difference (tests); legFloatsChecked counts the
// comparisons of an isolated position's liquidation price.
var (
	checkLegFloats   = false
	legFloatsChecked = 0
)

// checkLeg panics unless l is what PositionOf's and LegLiquidationPrice's Decimals give (the
// floats bit for bit, a liquidation price only where ok; the mode, leverage and flatness).
func checkLeg(acct *margin.Account, i int, ps margin.PositionSide, l margin.LegShadow) {
	p := acct.PositionOf(i, ps)
	wq, ww, we := p.Qty.InexactFloat64(), p.IsolatedWallet.InexactFloat64(), p.Entry.InexactFloat64()
	same := math.Float64bits(l.Qty) == math.Float64bits(wq) && math.Float64bits(l.IsolatedWallet) == math.Float64bits(ww) &&
		math.Float64bits(l.Entry) == math.Float64bits(we) && l.Flat == p.Qty.IsZero() && l.Mode == p.Mode &&
		l.Leverage == p.Leverage
	var wl float64
	wok := false
	if !p.Qty.IsZero() && p.Mode == margin.Isolated {
		var lp decimal.Decimal
		if lp, wok = acct.LegLiquidationPrice(i, ps); wok {
			wl = bigFloat(lp)
			same = same && l.LiqOK && math.Float64bits(l.Liq) == math.Float64bits(wl)
			legFloatsChecked++
		}
	}
	if !same || wok != l.LiqOK {
		panic(fmt.Sprintf("backtest: float shadows of symbol %d side %v: %+v; the decimals give qty %v isolated wallet %v entry %v liquidation %v (%v), %+v",
			i, ps, l, wq, ww, we, wl, wok, p))
	}
}

// checkWallet panics unless a's float wallets are what refreshWallet computed before it kept
// them (with checkLegFloats): the cross wallet as InexactFloat64 of the ledger's Decimal, the
// isolated wallets summed again.
func checkWallet(a *account) {
	w, iso := a.acct.Wallet().InexactFloat64(), a.isoSum()
	if math.Float64bits(w) != math.Float64bits(a.crossWallet) || math.Float64bits(iso) != math.Float64bits(a.isoTotal) {
		panic(fmt.Sprintf("backtest: wallet shadows %v and %v, the ledger gives %v and %v", a.crossWallet, a.isoTotal, w, iso))
	}
	walletsChecked++
}

// walletsChecked counts checkWallet's comparisons.
var walletsChecked = 0
