package backtest

import (
	"math"
	"math/bits"

	"github.com/bt-backtest/bt/internal/exact"
	"github.com/shopspring/decimal"
)

// The engine's own exact fast paths (the shared ones are in package exact). Each returns what
// the decimal expression named in its comment returns, the same value and the same exponent,
// computed on int64 coefficients when every operand's coefficient has at most 18 digits and
// the result fits; otherwise it evaluates that expression.

// decMin is decimal.Min(x, y): y when it is smaller, else x.
func decMin(x, y decimal.Decimal) decimal.Decimal {
	if exact.Cmp(y, x) < 0 {
		return y
	}
	return x
}

// quoIntPos is x.DivRound(decimal.NewFromInt(n), places) for x = c·10^e > 0 and n > 0: the
// quotient of up to 128 bits rounded half away from zero by the exact remainder, as DivRound
// rounds; ok is false when the operands are out of the int64 path's range.
func quoIntPos(c int64, e int32, n int64, places int32) (decimal.Decimal, bool) {
	if c <= 0 || n <= 0 || bits.UintSize != 64 {
		return decimal.Decimal{}, false
	}
	qh, ql, ok := exact.QuoRound(uint64(c), uint64(n), int64(e)+int64(places))
	if !ok {
		return decimal.Decimal{}, false
	}
	if qh == 0 && ql == 0 {
		return decimal.Decimal{}, false // DivRound's zero: leave it to the expression
	}
	return exact.Dec128(qh, ql, false, -places), true
}

// cmpNum is x.Cmp(y) for Nums made by exact.Of (always comparable).
func cmpNum(x, y exact.Num) int {
	c, _ := x.Cmp(y)
	return c
}

// pxMemo remembers, per symbol, the last two prices the order path converted to decimals
// (their float64 bits and exact.FloatCoef's coefficient and exponent; bad: FloatCoef's ok was
// false), and the last close that Submit rounded to the tick for a market order's margin check
// (refBits, ref; refSet once ref holds one). A symbol's close is converted by Submit's
// reference price and by updateOpenOrders for every market order waiting on it, the next
// bar's open (often the same float) by the fill's slippage: each float converted once. The
// zero coefMemo holds FloatCoef(+0) = (0, 0, ok), which is right for the bits 0.
type pxMemo struct {
	coef    [2]coefMemo // the latest first
	refSet  bool
	refBits uint64
	ref     decimal.Decimal
}

// coefMemo is one float's exact.FloatCoef.
type coefMemo struct {
	bits uint64
	c    int64
	e    int32
	bad  bool
}

// floatCoef is exact.FloatCoef(f), remembered for symbol i's last two f.
func (a *account) floatCoef(i int, f float64) (int64, int32, bool) {
	m := &a.syms[i].px.coef
	b := math.Float64bits(f)
	if b == m[0].bits {
		return m[0].c, m[0].e, !m[0].bad
	}
	if b == m[1].bits {
		return m[1].c, m[1].e, !m[1].bad
	}
	c, e, ok := exact.FloatCoef(f)
	m[1] = m[0]
	m[0] = coefMemo{bits: b, c: c, e: e, bad: !ok}
	return c, e, ok
}

// marketRef is onTick(decimal.NewFromFloat(s.last), tick, tickNearest) for symbol i (Submit's reference price
// of a market order), remembered for the symbol's last close. The Decimal is shared by the
// records and checks that take it (Decimals are immutable).
func (a *account) marketRef(i int) decimal.Decimal {
	s := &a.syms[i]
	m := &s.px
	if b := math.Float64bits(s.last); !m.refSet || b != m.refBits {
		m.ref, m.refBits, m.refSet = a.onTickAt(i, s.last, s.inst.TickSize, tickNearest), b, true
	}
	return m.ref
}

// onTickAt is onTick(decimal.NewFromFloat(f), tick, r), f's coefficient from symbol i's memo.
func (a *account) onTickAt(i int, f float64, tick decimal.Decimal, r tickRounding) decimal.Decimal {
	if c, e, ok := a.floatCoef(i, f); ok {
		if d, ok := onTickCoef(c, e, tick, r); ok {
			return d
		}
	}
	return onTick(decimal.NewFromFloat(f), tick, r)
}
