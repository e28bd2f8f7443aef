package exact

import (
	"math/bits"

	"github.com/shopspring/decimal"
)

// Wide is a decimal value ±c·10^e held on a 128-bit coefficient c = hi·2^64 + lo below
// 2^127, in 24 bytes: a 16-decimal margin or price (20 and more digits) without a big.Int.
// Add and Sub give the value and the exponent of the Decimal operation they stand for (a sum
// at the lesser exponent), or ok false when the result does not fit; the caller then takes
// the decimal expression. A zero is never negative, so that two Wides are == exactly when
// they hold the same value at the same exponent. The zero Wide is 0 at exponent 0, as the
// zero Decimal (decimal.Zero).
type Wide struct {
	hi, lo uint64
	e      int32
	neg    bool
}

// NewWide is ±(hi·2^64 + lo)·10^e; ok is false when the coefficient is 2^127 or more.
func NewWide(hi, lo uint64, neg bool, e int32) (Wide, bool) {
	if hi>>63 != 0 {
		return Wide{}, false
	}
	return Wide{hi, lo, e, neg && hi|lo != 0}, true
}

// WideFix is c·10^e as a Wide.
func WideFix(c int64, e int32) Wide {
	return Wide{0, AbsU(c), e, c < 0}
}

// WideOf is x as a Wide; ok is false when its coefficient is 2^127 or more. A coefficient of
// more than 18 digits is read from its copy (one allocation).
func WideOf(x decimal.Decimal) (Wide, bool) {
	if c, e, ok := Coef(x); ok {
		return WideFix(c, e), true
	}
	if bits.UintSize != 64 {
		return Wide{}, false
	}
	c := x.Coefficient()
	var hi, lo uint64
	switch w := c.Bits(); len(w) {
	case 0:
	case 1:
		lo = uint64(w[0])
	case 2:
		hi, lo = uint64(w[1]), uint64(w[0])
	default:
		return Wide{}, false
	}
	return NewWide(hi, lo, c.Sign() < 0, x.Exponent())
}

// Exp is x's exponent.
func (x Wide) Exp() int32 { return x.e }

// IsZero reports whether x is 0.
func (x Wide) IsZero() bool { return x.hi|x.lo == 0 }

// Dec is x as a Decimal (Dec128: value and exponent).
func (x Wide) Dec() decimal.Decimal { return Dec128(x.hi, x.lo, x.neg, x.e) }

// Float is the float64 nearest to x (Float128, as InexactFloat64 of x.Dec()).
func (x Wide) Float() float64 { return Float128(x.hi, x.lo, x.neg, x.e) }

// Neg is x.Neg().
func (x Wide) Neg() Wide {
	x.neg = !x.neg && x.hi|x.lo != 0
	return x
}

// Add is x.Add(y): the sum at the lesser exponent; ok is false when a term scaled to it or
// the sum does not fit.
func (x Wide) Add(y Wide) (Wide, bool) {
	if x.e == y.e && x.hi|y.hi == 0 && x.lo|y.lo < 1<<62 {
		// the usual case, two amounts at one exponent: the sum of two int64 below 2^62
		a, b := int64(x.lo), int64(y.lo)
		if x.neg {
			a = -a
		}
		if y.neg {
			b = -b
		}
		s := a + b
		if s < 0 {
			return Wide{0, uint64(-s), x.e, true}, true
		}
		return Wide{0, uint64(s), x.e, false}, true
	}
	return x.add(y)
}

// add is Add when the exponents differ or a coefficient is 2^62 or more.
func (x Wide) add(y Wide) (Wide, bool) {
	e := min(x.e, y.e)
	xh, xl, ok1 := scale128(x.hi, x.lo, int64(x.e)-int64(e))
	yh, yl, ok2 := scale128(y.hi, y.lo, int64(y.e)-int64(e))
	if !ok1 || !ok2 {
		return Wide{}, false
	}
	if x.neg == y.neg {
		lo, c := bits.Add64(xl, yl, 0)
		hi, _ := bits.Add64(xh, yh, c) // both below 2^127: no carry out
		return NewWide(hi, lo, x.neg, e)
	}
	// opposite signs: the larger magnitude less the smaller, with the larger one's sign
	neg := x.neg
	if xh < yh || xh == yh && xl < yl {
		xh, xl, yh, yl, neg = yh, yl, xh, xl, y.neg
	}
	lo, b := bits.Sub64(xl, yl, 0)
	hi, _ := bits.Sub64(xh, yh, b)
	return NewWide(hi, lo, neg, e)
}

// Sub is x.Sub(y).
func (x Wide) Sub(y Wide) (Wide, bool) { return x.Add(y.Neg()) }

// scale128 is (hi·2^64 + lo)·10^k (k >= 0) when it is below 2^127.
func scale128(hi, lo uint64, k int64) (uint64, uint64, bool) {
	if hi|lo == 0 {
		return 0, 0, true
	}
	for k > 0 {
		d := min(k, int64(len(Pow10))-1)
		k -= d
		p := Pow10[d]
		h1, l1 := bits.Mul64(lo, p)
		h2, l2 := bits.Mul64(hi, p)
		h, c := bits.Add64(h1, l2, 0)
		if h2 != 0 || c != 0 || h>>63 != 0 {
			return 0, 0, false
		}
		hi, lo = h, l1
	}
	return hi, lo, true
}

// Int64 returns x's coefficient when it fits in an int64 (magnitude below 2^63).
func (x Wide) Int64() (int64, bool) {
	if x.hi != 0 || x.lo > 1<<63-1 {
		return 0, false
	}
	if x.neg {
		return -int64(x.lo), true
	}
	return int64(x.lo), true
}
