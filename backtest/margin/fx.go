package margin

import (
	"math"
	"math/bits"
	"strconv"

	"github.com/shopspring/decimal"
)

// fx is a decimal c·10^e with an int64 coefficient, for exact fast paths of the ledger's
// chains of additions, subtractions and products: each operation gives the value and the
// exponent Decimal's does (a sum at the lesser exponent, a product at the sum of the
// exponents), and ok turns false when a coefficient does not fit (|c| < 2^63), so the caller
// evaluates the decimal expression instead. The zero fx is not ok.
type fx struct {
	c  int64
	e  int32
	ok bool
}

// fxOf returns x as an fx (not ok when its coefficient has more than 18 digits).
func fxOf(x decimal.Decimal) fx {
	c, e, ok := small(x)
	return fx{c, e, ok}
}

// scale returns c·10^k (k >= 0) when it fits.
func scaleC(c int64, k int64) (int64, bool) {
	if k == 0 {
		return c, true
	}
	if k < 0 || k >= int64(len(pow10u64)) {
		return 0, false
	}
	hi, lo := bits.Mul64(absU(c), pow10u64[k])
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	if c < 0 {
		return -int64(lo), true
	}
	return int64(lo), true
}

// add is x + y at the lesser exponent (Decimal.Add).
func (x fx) add(y fx) fx {
	if !x.ok || !y.ok {
		return fx{}
	}
	e := min(x.e, y.e)
	a, ok1 := scaleC(x.c, int64(x.e)-int64(e))
	b, ok2 := scaleC(y.c, int64(y.e)-int64(e))
	if !ok1 || !ok2 {
		return fx{}
	}
	s := a + b
	if (a >= 0) == (b >= 0) && (s >= 0) != (a >= 0) || s == math.MinInt64 {
		return fx{} // overflow (or a coefficient neg could not negate)
	}
	return fx{s, e, true}
}

// neg is −x (Decimal.Neg).
func (x fx) neg() fx {
	if !x.ok {
		return fx{}
	}
	return fx{-x.c, x.e, true} // |c| < 2^63: no overflow
}

// sub is x − y (Decimal.Sub).
func (x fx) sub(y fx) fx { return x.add(y.neg()) }

// abs is |x| (Decimal.Abs).
func (x fx) abs() fx {
	if x.c < 0 {
		return x.neg()
	}
	return x
}

// mul is x·y at the sum of the exponents (Decimal.Mul).
func (x fx) mul(y fx) fx {
	if !x.ok || !y.ok {
		return fx{}
	}
	e := int64(x.e) + int64(y.e)
	hi, lo := bits.Mul64(absU(x.c), absU(y.c))
	if hi != 0 || lo > math.MaxInt64 || e < math.MinInt32 || e > math.MaxInt32 {
		return fx{}
	}
	if (x.c < 0) != (y.c < 0) {
		return fx{-int64(lo), int32(e), true}
	}
	return fx{int64(lo), int32(e), true}
}

// cmp is x.Cmp(y) for ok x and y; ok is false when the two cannot be brought to one exponent
// in an int64.
func (x fx) cmp(y fx) (int, bool) {
	if !x.ok || !y.ok {
		return 0, false
	}
	e := min(x.e, y.e)
	a, ok1 := scaleC(x.c, int64(x.e)-int64(e))
	b, ok2 := scaleC(y.c, int64(y.e)-int64(e))
	if !ok1 || !ok2 {
		if x.c == 0 || y.c == 0 || (x.c < 0) != (y.c < 0) {
			return cmpSign(x.c, y.c), true
		}
		return 0, false
	}
	return cmpSign(a, b), true
}

func cmpSign(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// dec is x as a Decimal (decimal.New: value and exponent).
func (x fx) dec() decimal.Decimal { return decimal.New(x.c, x.e) }

// float is the float64 nearest to x, as toFloat(x.dec()) gives it.
func (x fx) float() float64 { return coefFloat(x.c, x.e) }

// float64Pow10[k] is 10^k, exact in float64 for k <= 22.
var float64Pow10 = [23]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
	1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// coefFloat is the float64 nearest to c·10^e: one correctly rounded division (or product) of
// two exact float64 values when c is within ±2^53 and |e| <= 22, else strconv's correctly
// rounded parse of the digits written into a stack buffer. Every path rounds correctly, so
// the result is InexactFloat64's (TestCoefFloatAgrees).
func coefFloat(c int64, e int32) float64 {
	if c >= -1<<53 && c <= 1<<53 {
		switch {
		case e <= 0 && e >= -22:
			return float64(c) / float64Pow10[-e]
		case e > 0 && e <= 22:
			return float64(float64(c) * float64Pow10[e])
		}
	}
	var buf [32]byte
	b := strconv.AppendInt(buf[:0], c, 10)
	b = append(b, 'e')
	b = strconv.AppendInt(b, int64(e), 10)
	f, _ := strconv.ParseFloat(string(b), 64) // out of range: ±Inf or ±0, as InexactFloat64
	return f
}

// addDec is x.Add(y).
func addDec(x, y decimal.Decimal) decimal.Decimal {
	if r := fxOf(x).add(fxOf(y)); r.ok {
		return r.dec()
	}
	return x.Add(y)
}

// subDec is x.Sub(y).
func subDec(x, y decimal.Decimal) decimal.Decimal {
	if r := fxOf(x).sub(fxOf(y)); r.ok {
		return r.dec()
	}
	return x.Sub(y)
}

// addDiff is x.Add(y.Sub(z)) (equal in value and exponent to x.Sub(z).Add(y)).
func addDiff(x, y, z decimal.Decimal) decimal.Decimal {
	if r := fxOf(x).add(fxOf(y).sub(fxOf(z))); r.ok {
		return r.dec()
	}
	return x.Add(y.Sub(z))
}

// mulDec is x.Mul(y).
func mulDec(x, y decimal.Decimal) decimal.Decimal {
	if r := fxOf(x).mul(fxOf(y)); r.ok {
		return r.dec()
	}
	return x.Mul(y)
}

// cmpAbs is x.Abs().Cmp(y.Abs()).
func cmpAbs(x, y decimal.Decimal) int {
	if c, ok := fxOf(x).abs().cmp(fxOf(y).abs()); ok {
		return c
	}
	return x.Abs().Cmp(y.Abs())
}

// lazySum is a running sum of decimals, equal in value and exponent to adding each term with
// Decimal.Add, whose terms are added on int64 coefficients while they fit (fx) and folded
// into a Decimal only when the sum is read (value) or a term does not fit.
type lazySum struct {
	d    decimal.Decimal // the sum of the terms folded in
	pend fx              // the sum of the terms not folded in yet (ok: there are some)
}

// add adds x.
func (s *lazySum) add(x decimal.Decimal) {
	if s.pend.ok {
		if r := s.pend.add(fxOf(x)); r.ok {
			s.pend = r
			return
		}
		s.fold()
	}
	if f := fxOf(x); f.ok {
		s.pend = f
		return
	}
	s.d = s.d.Add(x)
}

// fold adds the pending terms' sum to d: Σ at the least exponent of d and of every term.
func (s *lazySum) fold() {
	if !s.pend.ok {
		return
	}
	if r := fxOf(s.d).add(s.pend); r.ok {
		s.d = r.dec()
	} else {
		s.d = s.d.Add(s.pend.dec())
	}
	s.pend = fx{}
}

// value returns the sum.
func (s *lazySum) value() decimal.Decimal {
	s.fold()
	return s.d
}

// avgEntry is the entry price after adding openQ (the sign of qty ≠ 0) at price to a
// position of qty at entry: the quantity-weighted average
// (|qty|·entry + |openQ|·price).DivRound(|qty + openQ|, QuotientPlaces). The products and
// the sum are taken on int64 coefficients and the quotient (usually beyond 64 bits at 16
// decimals) by sumQuoCoef, rounded half away from zero as DivRound rounds: the same value and
// exponent (−QuotientPlaces). An entry already averaged (20+ digits) takes the expression.
func avgEntry(qty, entry, openQ, price decimal.Decimal) decimal.Decimal {
	q, o := fxOf(qty).abs(), fxOf(openQ).abs()
	if n := fxOf(qty).add(fxOf(openQ)).abs(); n.ok && n.c != 0 {
		if hi, lo, neg, ok := sumQuoCoef(q.mul(fxOf(entry)), o.mul(fxOf(price)), n, fx{1, 0, true}, QuotientPlaces); ok {
			return dec128(hi, lo, neg, -QuotientPlaces)
		}
	}
	return qty.Abs().Mul(entry).Add(openQ.Abs().Mul(price)).DivRound(qty.Add(openQ).Abs(), QuotientPlaces)
}
