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

// fixCache is an exact.FixMemo with the ledger's arithmetic that keeps its result's Fix. The
// ledger's decimals that every fill reads (a position's quantity, entry and isolated wallet,
// the wallet) keep one, so that a fill reads each coefficient once.
type fixCache struct{ exact.FixMemo }

// of returns x's Fix.
func (c *fixCache) of(x decimal.Decimal) exact.Fix { return c.Of(x) }

// num returns x as an exact.Of Num.
func (c *fixCache) num(x decimal.Decimal) exact.Num { return exact.NumOf(c.of(x), x) }

// set returns x (OK) as a Decimal and caches it with its Fix. A zero is a shared Decimal
// (zeroAt) when its exponent has one.
func (c *fixCache) set(x exact.Fix) decimal.Decimal {
	if n, e, _ := x.Coef(); n == 0 && e <= 0 && e > -int32(len(zeros)) {
		c.Put(zeros[-e], x)
		return zeros[-e]
	}
	d := x.Dec()
	c.Put(d, x)
	return d
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
			c.Put(y, yf)
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

// wideDec is an exact decimal held as an exact.Wide (big false), its Decimal made when first
// read (dec), or, when it does not fit in one, as the Decimal alone (big). Its float64 is
// computed when first read too. The zero wideDec is 0 at exponent 0, as the zero Decimal.
type wideDec struct {
	w        exact.Wide
	big      bool // w does not hold the value: d does
	dok, fok bool // d, f made
	d        decimal.Decimal
	f        float64
}

// setDec sets x to the Decimal d.
func (x *wideDec) setDec(d decimal.Decimal) {
	if d == (decimal.Decimal{}) { // decimal.Zero (the engine's "no order reserves"): WideOf's answer, the zero Wide
		*x = wideDec{d: d, dok: true}
		return
	}
	w, ok := exact.WideOf(d)
	*x = wideDec{w: w, big: !ok, d: d, dok: true}
}

// dec is x as a Decimal (value and exponent).
func (x *wideDec) dec() decimal.Decimal {
	if !x.dok {
		x.d, x.dok = x.w.Dec(), true
	}
	return x.d
}

// float is the float64 nearest to x (InexactFloat64 of dec()).
func (x *wideDec) float() float64 {
	if !x.fok {
		if x.big {
			x.f = exact.Float64(x.d)
		} else {
			x.f = x.w.Float()
		}
		x.fok = true
	}
	return x.f
}

// exp is x's exponent.
func (x *wideDec) exp() int32 {
	if x.big {
		return x.d.Exponent()
	}
	return x.w.Exp()
}

// isZero reports whether x is 0.
func (x *wideDec) isZero() bool {
	if x.big {
		return x.d.IsZero()
	}
	return x.w.IsZero()
}

// equal reports whether x and y have the same value (Decimal.Equal).
func (x *wideDec) equal(y *wideDec) bool {
	if !x.big && !y.big {
		if x.w.Exp() == y.w.Exp() {
			return x.w == y.w
		}
		if d, ok := x.w.Sub(y.w); ok {
			return d.IsZero()
		}
	}
	return x.dec().Equal(y.dec())
}

// addDiff sets x to x.Add(y.Sub(z)) (addDiff: value and exponent), on 128 bits when they
// hold the three and the result.
func (x *wideDec) addDiff(y, z *wideDec) {
	if !x.big && !y.big && !z.big {
		if d, ok := y.w.Sub(z.w); ok {
			if r, ok := x.w.Add(d); ok {
				*x = wideDec{w: r}
				return
			}
		}
	}
	x.setDec(x.dec().Add(y.dec().Sub(z.dec())))
}

// addFix sets x to x.Add(y), or x.Sub(y) when sub, for the Decimal y whose Fix is yf: on 128
// bits while x and yf hold the operands and the result, else by Decimal arithmetic; the same
// value and exponent either way.
func (x *wideDec) addFix(yf exact.Fix, y decimal.Decimal, sub bool) {
	if c, e, ok := yf.Coef(); ok && !x.big {
		w := exact.WideFix(c, e)
		if sub {
			w = w.Neg()
		}
		if r, ok := x.w.Add(w); ok {
			*x = wideDec{w: r}
			return
		}
	}
	if sub {
		x.setDec(x.dec().Sub(y))
	} else {
		x.setDec(x.dec().Add(y))
	}
}

// tryAddFix is addFix(yf, y, false) when that does not read y (yf OK, x and the sum held as
// an exact.Wide); else it reports false, having changed nothing.
func (x *wideDec) tryAddFix(yf exact.Fix) bool {
	if c, e, ok := yf.Coef(); ok && !x.big {
		if r, ok := x.w.Add(exact.WideFix(c, e)); ok {
			*x = wideDec{w: r}
			return true
		}
	}
	return false
}

// num is x as an exact.Of Num (on its int64 coefficient when it has one).
func (x *wideDec) num() exact.Num {
	if !x.big {
		if c, ok := x.w.Int64(); ok {
			return exact.New(c, x.w.Exp())
		}
	}
	return exact.Of(x.dec())
}
