package margin

import "math"

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
	s := &a.slots[i]
	w := a.wallet.float() // (after a flip's close too, before the refresh)
	oim := a.orderIMSum.float()
	avail := w - oim
	mag := math.Abs(w) + math.Abs(oim)
	terms := 2
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
