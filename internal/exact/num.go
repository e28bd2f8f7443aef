package exact

import (
	"math"

	"github.com/shopspring/decimal"
)

// kind is what a Num holds.
type kind uint8

const (
	small kind = iota // c·10^e
	large             // the Decimal d
	none              // nothing: an operation of a Fit Num did not fit
)

// Num is a decimal value held as an int64 coefficient c and an exponent e while it fits (no
// allocation). Each operation gives the value and the exponent of the Decimal operation it
// stands for (a sum at the lesser exponent, a product at the sum of the exponents), on int64
// coefficients when both operands are held so and the result fits. Otherwise a Num made by
// Of falls back to that Decimal operation (and holds a Decimal), while a Num made by Fit gives
// up: the result is not OK and the caller evaluates the decimal expression itself (an
// operation with any Fit operand gives up). The zero Num is 0 at exponent 0, as decimal.Zero
// and the zero Decimal.
type Num struct {
	c   int64
	e   int32
	k   kind
	fit bool
	d   decimal.Decimal // the value when k == large
}

// Of is x as a Num that falls back to Decimal arithmetic.
func Of(x decimal.Decimal) Num {
	c, e, ok := Coef(x)
	if !ok {
		return Num{k: large, d: x}
	}
	return Num{c: c, e: e}
}

// Fit is x as a Num that gives up (is not OK) when x or a result does not fit in an int64.
func Fit(x decimal.Decimal) Num {
	c, e, ok := Coef(x)
	n := Num{c: c, e: e, fit: true}
	if !ok {
		n.k = none
	}
	return n
}

// New is c·10^e as a Num that falls back to Decimal arithmetic.
func New(c int64, e int32) Num { return Num{c: c, e: e} }

// None is the Num a Fit operation gives when it does not fit: not OK.
func None() Num { return Num{k: none, fit: true} }

// OK reports whether x holds a value (false when a Fit operation gave up).
func (x Num) OK() bool { return x.k != none }

// Small returns x's int64 coefficient and exponent; ok is false when x is not held so.
func (x Num) Small() (c int64, e int32, ok bool) { return x.c, x.e, x.k == small }

// giveUp reports whether an operation of x and y that did not fit gives None rather than
// falling back to Decimal arithmetic.
func (x Num) giveUp(y Num) bool { return x.fit || y.fit || x.k == none || y.k == none }

// Dec is x as a Decimal (decimal.New on the int64 path: value and exponent).
func (x Num) Dec() decimal.Decimal {
	if x.k == large {
		return x.d
	}
	return decimal.New(x.c, x.e)
}

// Float is the float64 nearest to x, as Float64(x.Dec()) gives it.
func (x Num) Float() float64 {
	if x.k == large {
		return Float64(x.d)
	}
	return CoefFloat(x.c, x.e)
}

// Add is x.Add(y).
func (x Num) Add(y Num) Num {
	if x.k == small && y.k == small {
		if x.e == y.e { // AddCoef's usual case
			if s, ok := addSame(x.c, y.c); ok {
				return Num{c: s, e: x.e, fit: x.fit || y.fit}
			}
		}
		if c, e, ok := AddCoef(x.c, x.e, y.c, y.e); ok {
			return Num{c: c, e: e, fit: x.fit || y.fit}
		}
	}
	if x.giveUp(y) {
		return None()
	}
	return Of(x.Dec().Add(y.Dec()))
}

// Neg is x.Neg().
func (x Num) Neg() Num {
	if x.k == small && x.c != math.MinInt64 {
		x.c = -x.c
		return x
	}
	return x.negSlow()
}

func (x Num) negSlow() Num {
	if x.giveUp(x) {
		return None()
	}
	return Of(x.Dec().Neg())
}

// Sub is x.Sub(y).
func (x Num) Sub(y Num) Num {
	if x.k == small && y.k == small && y.c != math.MinInt64 {
		if b := -y.c; x.e == y.e { // AddCoef(x, −y)'s usual case
			if s, ok := addSame(x.c, b); ok {
				return Num{c: s, e: x.e, fit: x.fit || y.fit}
			}
		}
		if c, e, ok := AddCoef(x.c, x.e, -y.c, y.e); ok {
			return Num{c: c, e: e, fit: x.fit || y.fit}
		}
	}
	if x.giveUp(y) {
		return None()
	}
	return Of(x.Dec().Sub(y.Dec()))
}

// Abs is x.Abs().
func (x Num) Abs() Num {
	if x.k == small && x.c >= 0 {
		return x
	}
	return x.absSlow()
}

func (x Num) absSlow() Num {
	if x.k == large && !x.d.IsNegative() {
		return x
	}
	return x.Neg()
}

// Mul is x.Mul(y).
func (x Num) Mul(y Num) Num {
	if x.k == small && y.k == small {
		if p, ok := MulCoef(x.c, y.c); ok {
			if e, ok := mulExp(x.e, y.e); ok {
				return Num{c: p, e: e, fit: x.fit || y.fit}
			}
		}
	}
	if x.giveUp(y) {
		return None()
	}
	return Of(x.Dec().Mul(y.Dec()))
}

// Quo is x.DivRound(y, places) for y ≠ 0.
func (x Num) Quo(y Num, places int32) Num {
	if x.k == small && y.k == small {
		if q, ok := QuoCoef(x.c, x.e, y.c, y.e, places); ok {
			return Num{c: q, e: -places, fit: x.fit || y.fit}
		}
	}
	if x.giveUp(y) {
		return None()
	}
	return Of(x.Dec().DivRound(y.Dec(), places))
}

// Cmp is x.Cmp(y); ok is false only when x or y is Fit and the two could not be compared on
// int64 coefficients (then the caller compares the decimals).
func (x Num) Cmp(y Num) (c int, ok bool) {
	if x.k == small && y.k == small {
		if c, ok := cmpCoef(x.c, x.e, y.c, y.e); ok {
			return c, true
		}
	}
	if x.giveUp(y) {
		return 0, false
	}
	return x.Dec().Cmp(y.Dec()), true
}

// IsZero is x.Dec().IsZero() (false when x is not OK).
func (x Num) IsZero() bool {
	switch x.k {
	case small:
		return x.c == 0
	case large:
		return x.d.IsZero()
	}
	return false
}
