package margin

import (
	"fmt"
	"math"
	"slices"

	"github.com/shopspring/decimal"
)

func invariantf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvariant}, args...)...)
}

// Check verifies the invariants: money is conserved (initial wallet + realized PnL − fees ±
// funding − clearance fees + insurance draws = wallet + isolated wallets, exactly; moving
// margin between wallets is internal), isolated wallets >= 0 (so no isolated loss exceeds its
// margin: any excess is an insurance draw), flat positions and cross positions have no
// isolated margin, every booked total is a whole number of 1e-8 USDT (MoneyPlaces: no dust),
// and nothing is NaN (marks aside, which are NaN before the first one); in hedge mode LONG legs
// are >= 0, SHORT legs <= 0, and both legs of a symbol share its margin mode and leverage;
// a slot's Fix memos hold their Decimals' values and exponents. Errors wrap ErrInvariant.
func (a *Account) Check() error {
	sum := a.walletDec()
	for k := range a.slots {
		s := &a.slots[k]
		sym := s.inst.Symbol
		if s.isoW.IsNegative() {
			return invariantf("%s: isolated wallet %s < 0", sym, s.isoW)
		}
		if (s.qty.IsZero() || s.mode == Cross) && !s.isoW.IsZero() {
			return invariantf("%s: isolated wallet %s without an open isolated position", sym, s.isoW)
		}
		if s.qty.IsZero() != s.entry.IsZero() {
			return invariantf("%s: qty %s with entry %s", sym, s.qty, s.entry)
		}
		if s.fq != s.qty.InexactFloat64() || s.fqe != s.qty.Mul(s.entry).InexactFloat64() {
			return invariantf("%s: stale float shadow", sym)
		}
		if s.mode == Isolated && !s.qty.IsZero() && math.IsNaN(s.flp) {
			return invariantf("%s: liquidation price is NaN", sym)
		}
		if math.Float64bits(a.fqs[k]) != math.Float64bits(s.fq) {
			return invariantf("%s: Equity's copy of the float quantity is stale", sym)
		}
		if math.IsInf(a.marks[k], 0) {
			return invariantf("%s: mark is infinite", sym)
		}
		if s.sym != k%a.nsym || (s.side == Both) == a.hedge || s.side == Long && s.qty.IsNegative() ||
			s.side == Short && s.qty.IsPositive() {
			return invariantf("%s: slot %d: %s leg holds %s", sym, k, s.side, s.qty)
		}
		if j := a.sibling(k); j >= 0 && (a.slots[j].mode != s.mode || a.slots[j].lev != s.lev) {
			return invariantf("%s: legs with different margin modes or leverage", sym)
		}
		for _, m := range [...]*fixCache{&s.qtyC, &s.entryC, &s.isoWC, &s.rateC} {
			// a memo's Fix holds its Decimal's value and exponent (a Fix sum's may have 19
			// digits, which FixOf does not read), or no value
			if d, f, ok := m.Last(); ok && f.OK() && (f.Dec().Exponent() != d.Exponent() || !f.Dec().Equal(d)) {
				return invariantf("%s: a Fix memo holds %v for %s (exp %d)", sym, f, d, d.Exponent())
			}
		}
		sum = sum.Add(s.isoW)
	}
	if err := a.checkHot(); err != nil {
		return err
	}
	g := a.aggNums()
	if c, q, w := a.aggregates(); !c.Equal(g.crossQE.Dec()) || !q.Equal(g.allQE.Dec()) || !w.Equal(g.isoSum.Dec()) {
		return invariantf("stale aggregates")
	}
	for _, x := range []struct {
		name string
		v    decimal.Decimal
	}{{"realized PnL", a.realized.value()}, {"fees", a.fees.value()}, {"funding", a.funding.value()},
		{"clearance fees", a.clearance}, {"insurance draws", a.insurance}} {
		if !x.v.Equal(money(x.v)) {
			return invariantf("%s %s has more than %d decimals", x.name, x.v, MoneyPlaces)
		}
	}
	if av, slow := a.available(), a.availableSlow(); !av.Equal(slow) {
		return invariantf("cached available balance %s, from scratch %s", av, slow)
	}
	want := a.initial.Add(a.realized.value()).Sub(a.fees.value()).Add(a.funding.value()).Sub(a.clearance).Add(a.insurance)
	if !sum.Equal(want) {
		return invariantf("money not conserved: wallet + isolated wallets = %s, initial + realized − fees + funding − clearance + insurance = %s", sum, want)
	}
	if e := a.Equity(); math.IsNaN(e) || math.IsInf(e, 0) {
		return invariantf("equity %v", e)
	}
	return nil
}

// checkHot compares the screening lists and the open slots, kept up to date fill by fill
// (refreshHot), with what refreshAccount builds from scratch (a cross entry's cached bracket
// aside: it only says where the bracket search starts).
func (a *Account) checkHot() error {
	var iso []isoHot
	var cross []crossHot
	for _, k := range a.byName {
		switch a.slots[k].list() {
		case hotCross:
			cross = append(cross, a.crossHotOf(k))
		case hotIso:
			iso = append(iso, a.isoHotOf(k))
		}
	}
	var open []int
	for k := range a.slots {
		if !a.slots[k].qty.IsZero() {
			open = append(open, k)
		}
	}
	same := len(iso) == len(a.iso) && len(cross) == len(a.cross) && slices.Equal(open, a.open)
	for j := 0; same && j < len(iso); j++ {
		x, y := iso[j], a.iso[j]
		same = x.i == y.i && x.sgn == y.sgn && math.Float64bits(x.safe) == math.Float64bits(y.safe) &&
			math.Float64bits(x.due) == math.Float64bits(y.due)
	}
	for j := 0; same && j < len(cross); j++ {
		x, y := cross[j], a.cross[j]
		same = x.i == y.i && math.Float64bits(x.fq) == math.Float64bits(y.fq) &&
			math.Float64bits(x.fabs) == math.Float64bits(y.fabs)
	}
	if !same {
		return invariantf("stale screening lists")
	}
	return nil
}
