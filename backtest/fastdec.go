package backtest

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"

	"github.com/shopspring/decimal"
)

// Exact fast paths for the round-trip bookkeeping of every fill (trackFill, closeTrade,
// updateOpenOrders). Each returns what the decimal expression named in its comment returns,
// the same value and the same exponent, computed on int64 coefficients when every operand's
// coefficient has at most 18 digits and the result fits; otherwise it evaluates that
// expression. A result is built with one decimal.New instead of a chain of big.Int
// operations (and rescalings) per step.

// pow10i[k] is 10^k.
var pow10i = [19]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
	1e14, 1e15, 1e16, 1e17, 1e18}

// coef returns x's coefficient and exponent when the coefficient has at most 18 digits.
func coef(x decimal.Decimal) (int64, int32, bool) {
	if x.NumDigits() > 18 {
		return 0, 0, false
	}
	return x.CoefficientInt64(), x.Exponent(), true
}

// scaleUp returns c·10^k when it fits in an int64 (magnitude below 2^63).
func scaleUp(c int64, k int64) (int64, bool) {
	if k == 0 {
		return c, true
	}
	if k < 0 || k >= int64(len(pow10i)) {
		return 0, false
	}
	u := uint64(c)
	if c < 0 {
		u = uint64(-c)
	}
	hi, lo := bits.Mul64(u, pow10i[k])
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	if c < 0 {
		return -int64(lo), true
	}
	return int64(lo), true
}

// addCoef is a·10^ea + b·10^eb at the lesser exponent, as Decimal.Add rescales and adds.
func addCoef(a int64, ea int32, b int64, eb int32) (int64, int32, bool) {
	e := min(ea, eb)
	a, ok1 := scaleUp(a, int64(ea)-int64(e))
	b, ok2 := scaleUp(b, int64(eb)-int64(e))
	if !ok1 || !ok2 {
		return 0, 0, false
	}
	s := a + b
	if (a >= 0) == (b >= 0) && (s >= 0) != (a >= 0) {
		return 0, 0, false // overflow
	}
	return s, e, true
}

// decAdd is x.Add(y).
func decAdd(x, y decimal.Decimal) decimal.Decimal {
	if a, ea, ok := coef(x); ok {
		if b, eb, ok := coef(y); ok {
			if c, e, ok := addCoef(a, ea, b, eb); ok {
				return decimal.New(c, e)
			}
		}
	}
	return x.Add(y)
}

// decSub is x.Sub(y).
func decSub(x, y decimal.Decimal) decimal.Decimal {
	if a, ea, ok := coef(x); ok {
		if b, eb, ok := coef(y); ok {
			if c, e, ok := addCoef(a, ea, -b, eb); ok {
				return decimal.New(c, e)
			}
		}
	}
	return x.Sub(y)
}

// decMulAdd is acc.Add(x.Mul(y)).
func decMulAdd(acc, x, y decimal.Decimal) decimal.Decimal {
	if a, ea, ok := coef(acc); ok {
		if cx, ex, ok := coef(x); ok {
			if cy, ey, ok := coef(y); ok {
				p, ok := mulCoef(cx, cy)
				if e := int64(ex) + int64(ey); ok && e >= math.MinInt32 && e <= math.MaxInt32 {
					if c, e, ok := addCoef(a, ea, p, int32(e)); ok {
						return decimal.New(c, e)
					}
				}
			}
		}
	}
	return acc.Add(x.Mul(y))
}

// mulCoef is a·b when it fits in an int64 (magnitude below 2^63).
func mulCoef(a, b int64) (int64, bool) {
	ua, ub := uint64(a), uint64(b)
	if a < 0 {
		ua = uint64(-a)
	}
	if b < 0 {
		ub = uint64(-b)
	}
	hi, lo := bits.Mul64(ua, ub)
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	if (a < 0) != (b < 0) {
		return -int64(lo), true
	}
	return int64(lo), true
}

// decCmp is x.Cmp(y).
func decCmp(x, y decimal.Decimal) int {
	if a, ea, ok := coef(x); ok {
		if b, eb, ok := coef(y); ok {
			e := min(ea, eb)
			a, ok1 := scaleUp(a, int64(ea)-int64(e))
			b, ok2 := scaleUp(b, int64(eb)-int64(e))
			if ok1 && ok2 {
				switch {
				case a < b:
					return -1
				case a > b:
					return 1
				}
				return 0
			}
		}
	}
	return x.Cmp(y)
}

// decMin is decimal.Min(x, y): y when it is smaller, else x.
func decMin(x, y decimal.Decimal) decimal.Decimal {
	if decCmp(y, x) < 0 {
		return y
	}
	return x
}

// decQuo is x.DivRound(y, places) for y ≠ 0: the quotient truncated to places decimals and
// rounded half away from zero by the exact remainder, with exponent −places.
func decQuo(x, y decimal.Decimal, places int32) decimal.Decimal {
	if q, ok := quoCoef(x, y, places); ok {
		return decimal.New(q, -places)
	}
	return x.DivRound(y, places)
}

func quoCoef(x, y decimal.Decimal, places int32) (int64, bool) {
	a, ea, ok1 := coef(x)
	b, eb, ok2 := coef(y)
	if !ok1 || !ok2 {
		return 0, false
	}
	return quoCoefs(a, ea, b, eb, places)
}

// quoCoefs is quoCoef on coefficients and exponents.
func quoCoefs(a int64, ea int32, b int64, eb int32, places int32) (int64, bool) {
	if b == 0 {
		return 0, false
	}
	ua, ub := uint64(a), uint64(b)
	if a < 0 {
		ua = uint64(-a)
	}
	if b < 0 {
		ub = uint64(-b)
	}
	// x/y at places decimals: a·10^k / b with k = ea − eb + places
	var hi, lo uint64 = 0, ua
	switch k := int64(ea) - int64(eb) + int64(places); {
	case k > 0:
		if k >= int64(len(pow10i)) {
			return 0, false
		}
		hi, lo = bits.Mul64(ua, pow10i[k])
	case k < 0:
		if -k >= int64(len(pow10i)) {
			return 0, false
		}
		h, l := bits.Mul64(ub, pow10i[-k])
		if h != 0 {
			return 0, false
		}
		ub = l
	}
	if hi >= ub {
		return 0, false // the quotient needs more than 64 bits
	}
	q, r := bits.Div64(hi, lo, ub)
	if r >= ub-r { // 2r >= divisor: away from zero
		q++
	}
	if q > math.MaxInt64 {
		return 0, false
	}
	if (a < 0) != (b < 0) {
		return -int64(q), true
	}
	return int64(q), true
}

// floatCoef returns the coefficient and exponent of decimal.NewFromFloat(f), the shortest
// decimal that reads back as f, read the way NewFromFloat reads it from strconv's 'e' format
// (at most 17 digits), without its big.Int; ok is false for NaN and ±Inf (NewFromFloat
// panics on them).
func floatCoef(f float64) (int64, int32, bool) {
	if f == 0 {
		return 0, 0, true // NewFromFloat(0) is New(0, 0)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, 0, false
	}
	var buf [32]byte
	b := strconv.AppendFloat(buf[:0], f, 'e', -1, 64)
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	var m int64
	nd, i := 0, 0
	for ; b[i] != 'e'; i++ {
		if b[i] != '.' {
			m = m*10 + int64(b[i]-'0')
			nd++
		}
	}
	i++
	esign := 1
	switch b[i] {
	case '-':
		esign = -1
		i++
	case '+':
		i++
	}
	e := 0
	for ; i < len(b); i++ {
		e = e*10 + int(b[i]-'0')
	}
	if neg {
		m = -m
	}
	return m, int32(esign*e - nd + 1), true
}

// onTickFloat is onTick(decimal.NewFromFloat(f), tick, r) without the intermediate decimal.
func onTickFloat(f float64, tick decimal.Decimal, r tickRounding) decimal.Decimal {
	if c, e, ok := floatCoef(f); ok {
		if d, ok := onTickCoef(c, e, tick, r); ok {
			return d
		}
	}
	return onTick(decimal.NewFromFloat(f), tick, r)
}

// decCmpAbs is x.Abs().Cmp(y.Abs()).
func decCmpAbs(x, y decimal.Decimal) int {
	if a, ea, ok := coef(x); ok {
		if b, eb, ok := coef(y); ok {
			if a < 0 {
				a = -a // |a| < 10^18
			}
			if b < 0 {
				b = -b
			}
			e := min(ea, eb)
			a, ok1 := scaleUp(a, int64(ea)-int64(e))
			b, ok2 := scaleUp(b, int64(eb)-int64(e))
			if ok1 && ok2 {
				switch {
				case a < b:
					return -1
				case a > b:
					return 1
				}
				return 0
			}
		}
	}
	return x.Abs().Cmp(y.Abs())
}

// dec128 is the Decimal ±(hi·2^64 + lo)·10^e: decimal.New when the coefficient fits in an
// int64, else a copy of a big.Int on the stack (one big.Int and its words, as New allocates).
func dec128(hi, lo uint64, neg bool, e int32) decimal.Decimal {
	if hi == 0 && lo <= math.MaxInt64 {
		n := int64(lo)
		if neg {
			n = -n
		}
		return decimal.New(n, e)
	}
	var v big.Int
	w := [2]big.Word{big.Word(lo), big.Word(hi)}
	v.SetBits(w[:])
	if neg {
		v.Neg(&v)
	}
	return decimal.NewFromBigInt(&v, e)
}

// quoIntPos is x.DivRound(decimal.NewFromInt(n), places) for x = c·10^e > 0 and n > 0: the
// quotient of up to 128 bits rounded half away from zero by the exact remainder, as DivRound
// rounds; ok is false when the operands are out of the int64 path's range.
func quoIntPos(c int64, e int32, n int64, places int32) (decimal.Decimal, bool) {
	if c <= 0 || n <= 0 || bits.UintSize != 64 {
		return decimal.Decimal{}, false
	}
	var hi, lo uint64 = 0, uint64(c)
	d := uint64(n)
	switch k := int64(e) + int64(places); {
	case k > 0:
		if k >= int64(len(pow10i)) {
			return decimal.Decimal{}, false
		}
		hi, lo = bits.Mul64(lo, pow10i[k])
	case k < 0:
		if -k >= int64(len(pow10i)) {
			return decimal.Decimal{}, false
		}
		h, l := bits.Mul64(d, pow10i[-k])
		if h != 0 {
			return decimal.Decimal{}, false
		}
		d = l
	}
	qh, r := hi/d, hi%d
	ql, r := bits.Div64(r, lo, d)
	if r >= d-r { // 2r >= d: away from zero
		var carry uint64
		ql, carry = bits.Add64(ql, 1, 0)
		qh += carry
	}
	if qh == 0 && ql == 0 {
		return decimal.Decimal{}, false // DivRound's zero: leave it to the expression
	}
	return dec128(qh, ql, false, -places), true
}

// num is a decimal value held as an int64 coefficient and an exponent while it fits (no
// allocation), else as a Decimal (big): each operation gives the value and the exponent of
// the Decimal operation it stands for, on int64 coefficients when both operands are held so
// and the result fits, else by that operation. The zero num is 0 at exponent 0, as
// decimal.Zero and the zero Decimal.
type num struct {
	c   int64
	e   int32
	big bool
	d   decimal.Decimal // the value when big
}

// numOf is x as a num.
func numOf(x decimal.Decimal) num {
	if c, e, ok := coef(x); ok {
		return num{c: c, e: e}
	}
	return num{big: true, d: x}
}

// dec is x as a Decimal (decimal.New on the int64 path).
func (x num) dec() decimal.Decimal {
	if x.big {
		return x.d
	}
	return decimal.New(x.c, x.e)
}

// add is x.Add(y).
func (x num) add(y num) num {
	if !x.big && !y.big {
		if c, e, ok := addCoef(x.c, x.e, y.c, y.e); ok {
			return num{c: c, e: e}
		}
	}
	return numOf(x.dec().Add(y.dec()))
}

// sub is x.Sub(y).
func (x num) sub(y num) num {
	if !x.big && !y.big {
		if c, e, ok := addCoef(x.c, x.e, -y.c, y.e); ok { // |y.c| < 2^63: −y.c fits
			return num{c: c, e: e}
		}
	}
	return numOf(x.dec().Sub(y.dec()))
}

// mul is x.Mul(y).
func (x num) mul(y num) num {
	if !x.big && !y.big {
		if p, ok := mulCoef(x.c, y.c); ok {
			if e := int64(x.e) + int64(y.e); e >= math.MinInt32 && e <= math.MaxInt32 {
				return num{c: p, e: int32(e)}
			}
		}
	}
	return numOf(x.dec().Mul(y.dec()))
}

// quo is x.DivRound(y, places) for y ≠ 0.
func (x num) quo(y num, places int32) num {
	if !x.big && !y.big {
		if q, ok := quoCoefs(x.c, x.e, y.c, y.e, places); ok {
			return num{c: q, e: -places}
		}
	}
	return numOf(x.dec().DivRound(y.dec(), places))
}

// cmp is x.Cmp(y).
func (x num) cmp(y num) int {
	if !x.big && !y.big {
		e := min(x.e, y.e)
		a, ok1 := scaleUp(x.c, int64(x.e)-int64(e))
		b, ok2 := scaleUp(y.c, int64(y.e)-int64(e))
		if ok1 && ok2 {
			switch {
			case a < b:
				return -1
			case a > b:
				return 1
			}
			return 0
		}
	}
	return x.dec().Cmp(y.dec())
}

// isZero is x.IsZero().
func (x num) isZero() bool {
	if x.big {
		return x.d.IsZero()
	}
	return x.c == 0
}
