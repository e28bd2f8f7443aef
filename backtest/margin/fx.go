package margin

import (
	"github.com/bt-backtest/bt/internal/exact"
	"github.com/shopspring/decimal"
)

// addDiff is x.Add(y.Sub(z)) (equal in value and exponent to x.Sub(z).Add(y)).
func addDiff(x, y, z decimal.Decimal) decimal.Decimal {
	r, _ := addDiffFix(exact.FixOf(x), exact.FixOf(y), exact.FixOf(z), x, y, z)
	return r
}

// addDiffFix is addDiff for the Decimals whose Fix are xf, yf and zf, with the result's Fix.
func addDiffFix(xf, yf, zf exact.Fix, x, y, z decimal.Decimal) (decimal.Decimal, exact.Fix) {
	if r := xf.Add(yf.Sub(zf)); r.OK() {
		return r.Dec(), r
	}
	d := x.Add(y.Sub(z))
	return d, exact.FixOf(d)
}

// lazySum is a running sum of decimals, equal in value and exponent to adding each term with
// Decimal.Add, whose terms are added on int64 coefficients while they fit (exact.Fix) and
// folded into a Decimal only when the sum is read (value) or a term does not fit.
type lazySum struct {
	d    decimal.Decimal // the sum of the terms folded in
	pend exact.Fix       // the sum of the terms not folded in yet (no value: none)
}

// add adds x.
func (s *lazySum) add(x decimal.Decimal) { s.addFix(exact.FixOf(x), x) }

// addFix adds x, whose Fix is xf (exact.FixOf(x)).
func (s *lazySum) addFix(xf exact.Fix, x decimal.Decimal) {
	if s.pend.OK() {
		if r := s.pend.Add(xf); r.OK() {
			s.pend = r
			return
		}
		s.fold()
	}
	if xf.OK() {
		s.pend = xf
		return
	}
	s.d = s.d.Add(x)
}

// fold adds the pending terms' sum to d: Σ at the least exponent of d and of every term.
func (s *lazySum) fold() {
	if !s.pend.OK() {
		return
	}
	if r := exact.FixOf(s.d).Add(s.pend); r.OK() {
		s.d = r.Dec()
	} else {
		s.d = s.d.Add(s.pend.Dec())
	}
	s.pend = exact.Fix{}
}

// value returns the sum.
func (s *lazySum) value() decimal.Decimal {
	s.fold()
	return s.d
}

// fixCache holds a Decimal's exact.Fix, computed once per Decimal: decimals are immutable, so
// the identical Decimal (the same coefficient pointer and exponent) has the same Fix. The
// ledger's decimals that every fill reads (a position's quantity, entry and isolated wallet,
// the wallet) keep one, so that a fill reads each coefficient once.
type fixCache struct {
	d     decimal.Decimal
	f     exact.Fix
	valid bool
}

// of returns x's Fix.
func (c *fixCache) of(x decimal.Decimal) exact.Fix {
	if !c.valid || x != c.d {
		c.d, c.f, c.valid = x, exact.FixOf(x), true
	}
	return c.f
}

// num returns x as an exact.Of Num.
func (c *fixCache) num(x decimal.Decimal) exact.Num { return exact.NumOf(c.of(x), x) }

// set returns x (OK) as a Decimal and caches it with its Fix. A zero is a shared Decimal
// (zeroAt) when its exponent has one.
func (c *fixCache) set(x exact.Fix) decimal.Decimal {
	if n, e, _ := x.Coef(); n == 0 && e <= 0 && e > -int32(len(zeros)) {
		c.d, c.f, c.valid = zeros[-e], x, true
		return c.d
	}
	c.d, c.f, c.valid = x.Dec(), x, true
	return c.d
}

// zeros[k] is 0 at exponent −k (decimal.New(0, −k)), shared: a flat position's quantity and
// an emptied isolated wallet are zeros at their exponents (read only, as every Decimal).
var zeros = func() (z [24]decimal.Decimal) {
	for k := range z {
		z[k] = decimal.New(0, -int32(k))
	}
	return z
}()

// add returns x.Add(y) for the Decimals x and y whose Fix is yf: on int64 coefficients when
// x's Fix, yf and the sum fit (the result then cached), else by Decimal.Add; the same value
// and exponent either way. A zero x at an exponent >= y's gives y itself (its value and
// exponent: the sum's), without a new Decimal.
func (c *fixCache) add(x decimal.Decimal, yf exact.Fix, y decimal.Decimal) decimal.Decimal {
	xf := c.of(x)
	if a, ea, ok := xf.Coef(); ok && a == 0 {
		if _, ey, ok := yf.Coef(); ok && ea >= ey {
			c.d, c.f = y, yf
			return y
		}
	}
	if r := xf.Add(yf); r.OK() {
		return c.set(r)
	}
	return x.Add(y)
}

// sub is x.Sub(y), as add (without its zero case).
func (c *fixCache) sub(x decimal.Decimal, yf exact.Fix, y decimal.Decimal) decimal.Decimal {
	if r := c.of(x).Sub(yf); r.OK() {
		return c.set(r)
	}
	return x.Sub(y)
}

// floatOf is the float64 nearest to x, whose Fix is xf: x.InexactFloat64() (CoefFloat rounds
// as it does).
func floatOf(xf exact.Fix, x decimal.Decimal) float64 {
	if xf.OK() {
		return xf.Float()
	}
	return x.InexactFloat64()
}

// avgEntry is the entry price after adding openQ (the sign of qty ≠ 0) at price to a
// position of qty at entry: the quantity-weighted average
// (|qty|·entry + |openQ|·price).DivRound(|qty + openQ|, QuotientPlaces). The products and
// the sum are taken on int64 coefficients and the quotient (usually beyond 64 bits at 16
// decimals) by sumQuoCoef, rounded half away from zero as DivRound rounds: the same value and
// exponent (−QuotientPlaces). An entry already averaged (20+ digits) takes the expression.
func avgEntry(qty, entry, openQ, price decimal.Decimal) decimal.Decimal {
	return avgEntryFix(exact.FixOf(qty), exact.FixOf(entry), exact.FixOf(openQ), exact.FixOf(price), qty, entry, openQ, price)
}

// avgEntryFix is avgEntry for the Decimals whose Fix are qf, ef, of and pf.
func avgEntryFix(qf, ef, of, pf exact.Fix, qty, entry, openQ, price decimal.Decimal) decimal.Decimal {
	if n := qf.Add(of).Abs(); n.OK() && n.Sign() != 0 {
		if a, b := qf.Abs().Mul(ef), of.Abs().Mul(pf); a.OK() && b.OK() {
			if hi, lo, neg, ok := sumQuoCoef(a.Num(), b.Num(), n.Num(), exact.New(1, 0), QuotientPlaces); ok {
				return exact.Dec128(hi, lo, neg, -QuotientPlaces)
			}
		}
	}
	return qty.Abs().Mul(entry).Add(openQ.Abs().Mul(price)).DivRound(qty.Add(openQ).Abs(), QuotientPlaces)
}
