package exact

import (
	"math"

	"github.com/shopspring/decimal"
)

// Fix is a decimal value c·10^e held on an int64 coefficient, in 16 bytes, or no value (OK
// false): a value whose coefficient has more than 18 digits, or the result of an operation
// that did not fit. Each operation gives the value and the exponent of the Decimal operation
// it stands for (a sum at the lesser exponent, a product at the sum of the exponents), or no
// value; it never falls back to Decimal arithmetic: the caller does that when a result is not
// OK. An operation with an operand that is not OK is not OK. The zero Fix is no value.
type Fix struct {
	c  int64
	e  int32
	ok bool
}

// FixOf is x as a Fix (no value when its coefficient has more than 18 digits).
func FixOf(x decimal.Decimal) Fix {
	c, e, ok := Coef(x)
	return Fix{c, e, ok}
}

// FixMemo remembers the Fix of the Decimal it read last: Decimals are immutable, so the
// identical Decimal (the same coefficient pointer and exponent) has the same Fix. A value
// read again and again (a position's quantity, entry or wallet) costs one coefficient read.
// The zero FixMemo remembers nothing.
type FixMemo struct {
	d     decimal.Decimal
	f     Fix
	valid bool
}

// Of is FixOf(x), remembered.
func (m *FixMemo) Of(x decimal.Decimal) Fix {
	if m.valid && x == m.d { // (small enough to be inlined; read is not)
		return m.f
	}
	return m.read(x)
}

// read remembers and returns FixOf(x).
func (m *FixMemo) read(x decimal.Decimal) Fix {
	m.d, m.f, m.valid = x, FixOf(x), true
	return m.f
}

// Put remembers f as the Fix of d; f must hold d's value at d's exponent (FixOf(d) where
// FixOf reads d; a sum of Fixes that FixOf would not read is fine when it has them).
func (m *FixMemo) Put(d decimal.Decimal, f Fix) { m.d, m.f, m.valid = d, f, true }

// Last returns the Decimal remembered and its Fix; ok is false when there is none.
func (m *FixMemo) Last() (d decimal.Decimal, f Fix, ok bool) { return m.d, m.f, m.valid }

// FixNew is c·10^e as a Fix.
func FixNew(c int64, e int32) Fix { return Fix{c, e, true} }

// OK reports whether x holds a value.
func (x Fix) OK() bool { return x.ok }

// Coef returns x's coefficient and exponent; ok is false when x holds no value.
func (x Fix) Coef() (c int64, e int32, ok bool) { return x.c, x.e, x.ok }

// Dec is x as a Decimal (decimal.New: value and exponent); x must be OK.
func (x Fix) Dec() decimal.Decimal { return decimal.New(x.c, x.e) }

// Num is x as a Num that falls back to Decimal arithmetic (New); x must be OK.
func (x Fix) Num() Num { return Num{c: x.c, e: x.e} }

// Float is the float64 nearest to x (CoefFloat, as InexactFloat64 of x.Dec()); x must be OK.
func (x Fix) Float() float64 { return CoefFloat(x.c, x.e) }

// Sign is −1, 0 or +1 as x is negative, zero or positive; x must be OK (a Fix that holds no value
// may keep a coefficient: Fix{}.Add(FixNew(1, 0)) is not OK and its Sign is 1).
func (x Fix) Sign() int { return CmpInt(x.c, 0) }

// Add is x.Add(y).
func (x Fix) Add(y Fix) Fix {
	if x.e == y.e { // AddCoef's usual case, without its call
		if s, ok := addSame(x.c, y.c); ok {
			return Fix{s, x.e, x.ok && y.ok}
		}
		return Fix{}
	}
	c, e, ok := addCoefScaled(x.c, x.e, y.c, y.e)
	return Fix{c, e, ok && x.ok && y.ok}
}

// Sub is x.Sub(y).
func (x Fix) Sub(y Fix) Fix { return x.Add(y.Neg()) }

// Neg is x.Neg().
func (x Fix) Neg() Fix { return Fix{-x.c, x.e, x.ok && x.c != math.MinInt64} }

// Abs is x.Abs().
func (x Fix) Abs() Fix {
	if x.c < 0 {
		return x.Neg()
	}
	return x
}

// Mul is x.Mul(y).
func (x Fix) Mul(y Fix) Fix {
	p, ok := MulCoef(x.c, y.c)
	e, ok2 := mulExp(x.e, y.e)
	return Fix{p, e, ok && ok2 && x.ok && y.ok}
}

// Cmp is x.Cmp(y); ok is false when x or y holds no value, or when the two cannot be brought
// to one exponent in an int64 and their signs do not decide (then the caller compares the
// decimals).
func (x Fix) Cmp(y Fix) (int, bool) {
	if x.e == y.e { // cmpCoef's usual case, without its call
		return CmpInt(x.c, y.c), x.ok && y.ok
	}
	c, ok := cmpCoefScaled(x.c, x.e, y.c, y.e)
	return c, ok && x.ok && y.ok
}

// NumOf is the Num of d whose Fix is x (x = FixOf(d)): on its int64 coefficient when x is OK,
// else holding d, falling back to Decimal arithmetic as Of(d) does, without reading d's
// coefficient again.
func NumOf(x Fix, d decimal.Decimal) Num {
	if x.ok {
		return Num{c: x.c, e: x.e}
	}
	return Num{k: large, d: d}
}
