package margin

import (
	"math"

	"github.com/bt-backtest/bt/internal/exact"
)

// checkMarginScreen makes apply decide every margin check exactly too and panic when the
// float screen decided otherwise (tests: TestMarginScreen*).
var checkMarginScreen = false

// screenCounts counts the screen's decisions (−1, 0, +1) while checkMarginScreen is set.
var screenCounts [3]int

// marginScreen decides apply's margin check of an order that only opens (nothing booked before
// the check) — cost = initial margin + fee + the adverse part of price against the mark, limit
// = the available balance, for an isolated position also at most MaxAddable — in float64 from
// the ledger's shadows, when the float result cannot differ from the exact one: +1 surely
// enough margin, −1 surely not, 0 too close to call (the exact decimal check decides). The
// float figures carry a relative error of a few 1e-16 of the magnitudes summed and the exact
// ones round each term to MoneyPlaces (≤ 5e-9); the screen decides only outside a band of
// 1e-9 of those magnitudes plus 1e-8 per term, orders of magnitude wider, so every decision
// it takes is the exact check's (docs/margin.md: every ledger decision is exact). It allocates
// nothing and does no decimal arithmetic beyond converting decimals to float64 (the wallet's
// and the open-order margin's floats are cached per Decimal).
//
// fillQ is |Qty| of the whole fill, whose fee the cost includes (|openQ| for an order that
// only opens). flat: position i has just been closed by the closing part of a flip (the
// ledger is booked, its float shadows not yet refreshed): it is left out of the sums, as the
// exact figures leave out a flat position.
func (a *Account) marginScreen(i int, openQ, fillQ, price, feeRate float64, flat bool) int {
	// the wallet as booked (after a flip's close too, before the refresh)
	return a.marginScreenAt(i, openQ, fillQ, price, feeRate, flat, a.wallet.float(), 0)
}

// marginScreenAt is marginScreen with the cross wallet w in float64, which may differ from
// the exact wallet it stands for by up to 1e-9·slack + 1e-8 (slack ≥ 0): the band widens by
// as much (one more term, slack added to the magnitudes), so that every decision it takes is
// still the exact check's. marginScreen passes the booked wallet's float (slack 0);
// canOpenFast the wallet a flip's close would leave, computed in float64 before anything is
// booked, with flat set: position i is then still open in the ledger and is left out of the
// sums as the close would leave it (its float shadows are the same either way).
func (a *Account) marginScreenAt(i int, openQ, fillQ, price, feeRate float64, flat bool, w, slack float64) int {
	s := &a.slots[i]
	oim := a.orderIMSum.float()
	avail := w - oim
	mag := math.Abs(w) + math.Abs(oim)
	terms := 2
	if slack != 0 {
		mag += slack
		terms++
	}
	for _, k := range a.open { // the open positions in slot order (a flip's i among them)
		c := &a.slots[k]
		if c.mode != Cross || c.fq == 0 || flat && k == i {
			continue
		}
		m := a.marks[k]
		if math.IsNaN(m) {
			return 0 // the exact figure takes the entry as the mark
		}
		n := float64(c.fabs * m)
		avail += float64(c.fq*m) - c.fqe - n/float64(c.lev)
		mag += float64(2*n) + math.Abs(c.fqe)
		terms++
	}
	limit := avail
	if s.mode == Isolated { // MaxAddable
		x := w
		for k := range a.slots {
			c := &a.slots[k]
			switch {
			case c.mode == Isolated:
				if !c.orderIM.isZero() {
					o := c.orderIM.float()
					x -= o
					mag += math.Abs(o)
					terms++
				}
			case c.fq != 0 && !(flat && k == i):
				n := float64(c.fabs * a.marks[k])
				b := floatBracket(c.ffloor, 0, n)
				x -= maintenanceFloat(n, c.fmmr[b], c.fcum[b])
				mag += float64(n*c.fmmr[b]) + c.fcum[b]
				terms++
			}
		}
		limit = min(avail, max(min(x, avail), 0))
	}
	absO := math.Abs(openQ)
	notional := float64(absO * price)
	fillN := float64(fillQ * price)
	cost := notional/float64(s.lev) + float64(fillN*feeRate)
	mag += notional + math.Abs(float64(fillN*feeRate))
	if m := a.marks[i]; !math.IsNaN(m) {
		d := price - m
		if openQ < 0 {
			d = -d
		}
		if d > 0 {
			cost += float64(absO * d)
		}
		mag += float64(absO * m)
	}
	tol := float64(1e-9*mag) + float64(1e-8*float64(terms+3))
	r := 0
	switch {
	case cost > limit+tol:
		r = -1
	case cost < limit-tol:
		r = 1
	}
	if checkMarginScreen {
		screenCounts[r+1]++
	}
	return r
}

// canOpenFast answers CanOpenLeg's dry run of an order of qty at price on one-way slot i, from
// their coefficients alone, when
// it safely can without booking anything: +1 it passes, −1 it lacks margin
// (ErrInsufficientMargin), 0 ask apply. It answers only orders that apply would pass through
// every filter (step, minimum and maximum quantity, tick, minimum notional, leverage bracket):
// any doubt there is left to apply, which then reports what it finds. Three cases:
//
//   - an order that only opens (the position flat or on the order's side, not reduce-only):
//     apply's dry run decides it by marginScreen when the screen decides, and so does this,
//     with the same arguments;
//   - a close (qty against the position, |qty| ≤ |position|): apply's dry run passes it once
//     the filters pass (only an opening part can lack margin);
//   - a flip (|qty| > |position|, not reduce-only): apply's dry run books the close (the
//     realized PnL qty·(price − entry) at MoneyPlaces goes to the cross wallet; an isolated
//     position releases its wallet plus that PnL, or nothing when that is negative), screens
//     the opening part against the wallet it leaves (marginScreen, flat) and restores the
//     ledger. Here that wallet is computed in float64 from the correctly rounded floats of
//     the wallet, quantity, price, entry and isolated wallet: within 1e-8 (the PnL's
//     rounding) + 1e-15·(|qty|·(|price| + |entry|) + |isolated wallet| + |wallet|) of the
//     exact one, which marginScreenAt's slack covers many times over.
//
// qF and pF are the order's quantity and price as exact.Fix (no value: 0). The fee is not
// counted (CanOpenLeg's fill has none). Under checkMarginScreen it answers 0.
func (a *Account) canOpenFast(i int, qF, pF exact.Fix, reduceOnly bool) int {
	s := &a.slots[i]
	if s.side != Both || checkMarginScreen {
		return 0
	}
	curF := s.qtyC.of(s.qty)
	qc, _, ok1 := qF.Coef()
	pc, _, ok2 := pF.Coef()
	cc, _, ok3 := curF.Coef()
	if !ok1 || !ok2 || !ok3 || qc == 0 || pc <= 0 {
		return 0
	}
	absQ := qF.Abs()
	if m, ok := multipleFix(qF, s.stepF); !ok || !m {
		return 0
	}
	if c, ok := absQ.Cmp(s.minQtyF.Abs()); !ok || c < 0 {
		return 0
	}
	if s.inst.MaxQty.IsPositive() {
		if c, ok := absQ.Cmp(s.maxQtyF.Abs()); !ok || c > 0 {
			return 0
		}
	}
	if m, ok := multipleFix(pF, s.tickF); !ok || !m {
		return 0
	}
	flip := cc != 0 && (qc > 0) != (cc > 0)
	if flip {
		c, ok := absQ.Cmp(curF.Abs())
		if !ok {
			return 0
		}
		if c <= 0 {
			return 1 // a close
		}
	}
	if reduceOnly {
		return 0
	}
	// the opening part (qty, or qty + position for a flip) and apply's filters of it: the
	// minimum notional of the whole fill, the bracket of the position after it
	after := curF.Add(qF)
	if !after.OK() {
		return 0
	}
	fp, fq := pF.Float(), qF.Float()
	if n := float64(math.Abs(fq) * fp); !(n > s.fMinNotional*(1+screenEps)) {
		return 0
	}
	fa := after.Float()
	k, ok := bracketScreen(s.ffloor, float64(math.Abs(fa)*fp))
	if !ok || s.lev > s.inst.Brackets[k].MaxLeverage {
		return 0
	}
	if !flip {
		return a.marginScreen(i, fq, math.Abs(fq), fp, 0, false) // apply's own screen
	}
	// the wallet the close leaves
	ef := floatOf(s.entryC.of(s.entry), s.entry)
	fc := curF.Float()
	r := float64(fc * (fp - ef))
	w := a.wallet.float()
	slack := float64(math.Abs(fc) * (fp + math.Abs(ef)))
	if s.mode == Isolated {
		iw := floatOf(s.isoWC.of(s.isoW), s.isoW)
		w += max(iw+r, 0)
		slack += math.Abs(iw)
	} else {
		w += r
	}
	return a.marginScreenAt(i, fa, math.Abs(fq), fp, 0, true, w, slack)
}
