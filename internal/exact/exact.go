package exact

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"

	"github.com/shopspring/decimal"
)

// Pow10 holds 10^k at index k (read only).
var Pow10 = [20]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
	1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

// Coef returns x's coefficient and exponent when the coefficient has at most 18 digits (so
// it fits in an int64); ok is false otherwise.
func Coef(x decimal.Decimal) (c int64, e int32, ok bool) {
	if x.NumDigits() > 18 {
		return 0, 0, false
	}
	return x.CoefficientInt64(), x.Exponent(), true
}

// AbsU is |c| as a uint64.
func AbsU(c int64) uint64 {
	if c < 0 {
		return uint64(-c)
	}
	return uint64(c)
}

// Scale returns c·10^k (k >= 0) when it fits in an int64 (magnitude below 2^63).
func Scale(c int64, k int64) (int64, bool) {
	if k == 0 {
		return c, true
	}
	if k < 0 || k >= int64(len(Pow10)) {
		return 0, false
	}
	hi, lo := bits.Mul64(AbsU(c), Pow10[k])
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	if c < 0 {
		return -int64(lo), true
	}
	return int64(lo), true
}

// AddCoef is a·10^ea + b·10^eb at the lesser exponent, as Decimal.Add rescales and adds; ok
// is false when a term or the sum does not fit (the sum's magnitude is below 2^63, so that
// it can be negated).
func AddCoef(a int64, ea int32, b int64, eb int32) (c int64, e int32, ok bool) {
	if ea != eb {
		return addCoefScaled(a, ea, b, eb)
	}
	// the usual case, no rescale (AddCoef is over the inlining budget: Fix.Add, Num.Add and
	// Num.Sub take this case in place with addSame)
	if s, ok := addSame(a, b); ok {
		return s, ea, true
	}
	return 0, 0, false
}

// addSame is a + b with ok false when the sum overflows or is −2^63 (whose magnitude cannot
// be negated): it overflowed when its sign differs from both operands' (a and b of one sign,
// s of the other). Small enough to be inlined.
func addSame(a, b int64) (int64, bool) {
	s := a + b
	return s, (a^s)&(b^s) >= 0 && s != math.MinInt64
}

// addCoefScaled is AddCoef for different exponents: only the term at the greater exponent is
// rescaled (Scale of the other, by 10^0, is that term itself).
func addCoefScaled(a int64, ea int32, b int64, eb int32) (c int64, e int32, ok bool) {
	if ea < eb { // a + b = b + a: a is the term to rescale, b stays at the lesser exponent
		a, ea, b, eb = b, eb, a, ea
	}
	if int64(ea)-int64(eb) >= int64(len(Pow10)) {
		return 0, 0, false // a gap Scale cannot take gives up, for a zero term too
	}
	if a == 0 { // (a sum's zero start) 0·10^k + b is b, −2^63 excepted as below
		return b, eb, b != math.MinInt64
	}
	sa, ok := Scale(a, int64(ea)-int64(eb))
	if !ok {
		return 0, 0, false
	}
	s, ok := addSame(sa, b)
	return s, eb, ok // (ok false: overflow, or a coefficient that could not be negated)
}

// MulCoef is a·b when it fits in an int64 (magnitude below 2^63).
func MulCoef(a, b int64) (int64, bool) {
	hi, lo := bits.Mul64(AbsU(a), AbsU(b))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	if (a < 0) != (b < 0) {
		return -int64(lo), true
	}
	return int64(lo), true
}

// CmpInt is −1, 0 or +1 as a is less than, equal to or greater than b.
func CmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpCoef compares a·10^ea with b·10^eb; ok is false when they cannot be brought to one
// exponent in an int64 and their signs do not decide.
func cmpCoef(a int64, ea int32, b int64, eb int32) (int, bool) {
	if ea == eb { // the usual case (cmpCoef is over the inlining budget: Fix.Cmp repeats it)
		return CmpInt(a, b), true
	}
	return cmpCoefScaled(a, ea, b, eb)
}

// cmpCoefScaled is cmpCoef for different exponents.
func cmpCoefScaled(a int64, ea int32, b int64, eb int32) (int, bool) {
	if a == 0 || b == 0 { // a sign decides, at any exponents
		return CmpInt(a, b), true
	}
	e := min(ea, eb)
	sa, ok1 := Scale(a, int64(ea)-int64(e))
	sb, ok2 := Scale(b, int64(eb)-int64(e))
	if ok1 && ok2 {
		return CmpInt(sa, sb), true
	}
	if a == 0 || b == 0 || (a < 0) != (b < 0) {
		return CmpInt(a, b), true
	}
	return 0, false
}

// QuoCoef is the coefficient of (a·10^ea).DivRound(b·10^eb, places) (exponent −places):
// the quotient truncated to places decimals and rounded half away from zero by the exact
// remainder, as DivRound rounds; ok is false for b = 0 or when it does not fit in an int64.
func QuoCoef(a int64, ea int32, b int64, eb int32, places int32) (int64, bool) {
	if b == 0 {
		return 0, false
	}
	ua, ub := AbsU(a), AbsU(b)
	// x/y at places decimals: a·10^k / b with k = ea − eb + places
	var hi, lo uint64 = 0, ua
	switch k := int64(ea) - int64(eb) + int64(places); {
	case k > 0:
		if k >= int64(len(Pow10)) {
			return 0, false
		}
		hi, lo = bits.Mul64(ua, Pow10[k])
	case k < 0:
		if -k >= int64(len(Pow10)) {
			return 0, false
		}
		h, l := bits.Mul64(ub, Pow10[-k])
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

// QuoRound is num·10^k / den (den > 0; for k < 0, num / (den·10^−k)) as a 128-bit quotient
// qh·2^64 + ql, truncated and rounded half away from zero by the exact remainder, as
// DivRound rounds; ok is false when 10^|k| has more than 19 digits or den·10^−k does not fit
// in 64 bits.
func QuoRound(num, den uint64, k int64) (qh, ql uint64, ok bool) {
	var hi, lo uint64 = 0, num
	switch {
	case k > 0:
		if k >= int64(len(Pow10)) {
			return 0, 0, false
		}
		hi, lo = bits.Mul64(num, Pow10[k])
	case k < 0:
		if -k >= int64(len(Pow10)) {
			return 0, 0, false
		}
		h, l := bits.Mul64(den, Pow10[-k])
		if h != 0 {
			return 0, 0, false
		}
		den = l
	}
	qh, r := hi/den, hi%den
	ql, r = bits.Div64(r, lo, den)
	if r >= den-r { // 2r >= den: away from zero
		var c uint64
		ql, c = bits.Add64(ql, 1, 0)
		qh += c
	}
	return qh, ql, true
}

// Add is x.Add(y).
func Add(x, y decimal.Decimal) decimal.Decimal {
	if a, ea, ok := Coef(x); ok {
		if b, eb, ok := Coef(y); ok {
			if c, e, ok := AddCoef(a, ea, b, eb); ok {
				return decimal.New(c, e)
			}
		}
	}
	return x.Add(y)
}

// Sub is x.Sub(y).
func Sub(x, y decimal.Decimal) decimal.Decimal {
	if a, ea, ok := Coef(x); ok {
		if b, eb, ok := Coef(y); ok {
			if c, e, ok := AddCoef(a, ea, -b, eb); ok {
				return decimal.New(c, e)
			}
		}
	}
	return x.Sub(y)
}

// mulExp is ex + ey when it is an int32.
func mulExp(ex, ey int32) (int32, bool) {
	e := int64(ex) + int64(ey)
	return int32(e), e >= math.MinInt32 && e <= math.MaxInt32
}

// Mul is x.Mul(y).
func Mul(x, y decimal.Decimal) decimal.Decimal {
	if a, ea, ok := Coef(x); ok {
		if b, eb, ok := Coef(y); ok {
			if p, ok := MulCoef(a, b); ok {
				if e, ok := mulExp(ea, eb); ok {
					return decimal.New(p, e)
				}
			}
		}
	}
	return x.Mul(y)
}

// MulAdd is acc.Add(x.Mul(y)).
func MulAdd(acc, x, y decimal.Decimal) decimal.Decimal {
	if a, ea, ok := Coef(acc); ok {
		if cx, ex, ok := Coef(x); ok {
			if cy, ey, ok := Coef(y); ok {
				p, ok := MulCoef(cx, cy)
				if e, ok2 := mulExp(ex, ey); ok && ok2 {
					if c, e, ok := AddCoef(a, ea, p, e); ok {
						return decimal.New(c, e)
					}
				}
			}
		}
	}
	return acc.Add(x.Mul(y))
}

// Cmp is x.Cmp(y).
func Cmp(x, y decimal.Decimal) int {
	if a, ea, ok := Coef(x); ok {
		if b, eb, ok := Coef(y); ok {
			if c, ok := cmpCoef(a, ea, b, eb); ok {
				return c
			}
		}
	}
	return x.Cmp(y)
}

// CmpAbs is x.Abs().Cmp(y.Abs()).
func CmpAbs(x, y decimal.Decimal) int {
	if a, ea, ok := Coef(x); ok {
		if b, eb, ok := Coef(y); ok {
			// |a|, |b| < 10^18: the negations fit
			if c, ok := cmpCoef(int64(AbsU(a)), ea, int64(AbsU(b)), eb); ok {
				return c
			}
		}
	}
	return x.Abs().Cmp(y.Abs())
}

// Quo is x.DivRound(y, places) for y ≠ 0: the quotient truncated to places decimals and
// rounded half away from zero by the exact remainder, with exponent −places.
func Quo(x, y decimal.Decimal, places int32) decimal.Decimal {
	if a, ea, ok := Coef(x); ok {
		if b, eb, ok := Coef(y); ok {
			if q, ok := QuoCoef(a, ea, b, eb, places); ok {
				return decimal.New(q, -places)
			}
		}
	}
	return x.DivRound(y, places)
}

// Dec128 is the Decimal ±(hi·2^64 + lo)·10^e: decimal.New when the coefficient fits in an
// int64, else a copy of a big.Int on the stack (one big.Int and its words, as New allocates).
// It needs 64-bit words (bits.UintSize == 64), as the 128-bit paths producing hi and lo check.
func Dec128(hi, lo uint64, neg bool, e int32) decimal.Decimal {
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

// Float128 is Float64(Dec128(hi, lo, neg, e)): for −19 <= e < 0 and a quotient below 2^64
// the 128-bit quotient rounded once (quoFloat), else the coefficient's decimal digits written
// into a stack buffer and parsed by strconv (correctly rounded either way, as Float64).
func Float128(hi, lo uint64, neg bool, e int32) float64 {
	if hi == 0 && lo <= math.MaxInt64 {
		n := int64(lo)
		if neg {
			n = -n
		}
		return CoefFloat(n, e)
	}
	if e < 0 && e >= -19 {
		if f, ok := quoFloat(hi, lo, int(-e)); ok { // correctly rounded: the same float
			if neg {
				f = -f
			}
			return f
		}
	}
	const d19 = 1e19
	if hi >= d19 { // the quotient by 10^19 would not fit in 64 bits
		return Float64(Dec128(hi, lo, neg, e))
	}
	q, r := bits.Div64(hi, lo, d19) // hi:lo = q·10^19 + r
	var buf [64]byte
	b := buf[:0]
	if neg {
		b = append(b, '-')
	}
	if q != 0 {
		b = strconv.AppendUint(b, q, 10)
		for p := uint64(d19 / 10); p > 1 && r < p; p /= 10 {
			b = append(b, '0') // r's leading zeros up to 19 digits
		}
	}
	b = strconv.AppendUint(b, r, 10)
	b = append(b, 'e')
	b = strconv.AppendInt(b, int64(e), 10)
	f, _ := strconv.ParseFloat(string(b), 64)
	return f
}

// float64Pow10[k] is 10^k, exact in float64 for k <= 22.
var float64Pow10 = [23]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
	1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// CoefFloat is the float64 nearest to c·10^e: one correctly rounded division (or product) of
// two exact float64 values when c is within ±2^53 and |e| <= 22, else for −19 <= e < 0 the
// 128-bit quotient rounded once (quoFloat), else strconv's correctly rounded parse of the
// digits written into a stack buffer. Every path rounds correctly, so the result is
// InexactFloat64's (TestCoefFloatAgrees).
func CoefFloat(c int64, e int32) float64 {
	if c >= -1<<53 && c <= 1<<53 {
		switch {
		case e <= 0 && e >= -22:
			return float64(c) / float64Pow10[-e]
		case e > 0 && e <= 22:
			return float64(float64(c) * float64Pow10[e])
		}
	}
	if e < 0 && e >= -19 && c != 0 {
		if f, ok := quoFloat(0, AbsU(c), int(-e)); ok { // correctly rounded: the same float
			if c < 0 {
				f = -f
			}
			return f
		}
	}
	var buf [32]byte
	b := strconv.AppendInt(buf[:0], c, 10)
	b = append(b, 'e')
	b = strconv.AppendInt(b, int64(e), 10)
	f, _ := strconv.ParseFloat(string(b), 64) // out of range: ±Inf or ±0, as InexactFloat64
	return f
}

// Float64 returns the float64 nearest to x, as x.InexactFloat64 does (all the paths below
// round correctly, so the results are identical): a coefficient of up to 15 digits with a
// small negative exponent is converted by InexactFloat64's own exact division, one of up to
// 18 digits by CoefFloat, and a longer one (such as
// qty × entry with a 16-decimal entry) is parsed from its decimal string, avoiding big.Rat
// arithmetic.
func Float64(x decimal.Decimal) float64 {
	e := x.Exponent()
	n := x.NumDigits()
	if e <= 0 && e >= -22 && n <= 15 {
		return x.InexactFloat64()
	}
	if n <= 18 {
		return CoefFloat(x.CoefficientInt64(), e)
	} else if f, err := strconv.ParseFloat(x.String(), 64); err == nil {
		return f
	}
	return x.InexactFloat64()
}

// FloatCoef returns the coefficient and exponent of decimal.NewFromFloat(f), the shortest
// decimal that reads back as f, read the way NewFromFloat reads it from strconv's 'e' format
// (at most 17 digits), without its big.Int; ok is false for NaN and ±Inf (NewFromFloat
// panics on them).
func FloatCoef(f float64) (int64, int32, bool) {
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
