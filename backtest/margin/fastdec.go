package margin

import (
	"math"
	"math/bits"

	"github.com/shopspring/decimal"

	"github.com/bt-backtest/bt/internal/exact"
)

// Exact fast paths for the ledger's most frequent decimal questions. Each answers exactly as
// the decimal expression named in its comment and falls back to that expression when an
// operand's coefficient does not fit in 64 bits; none allocates on the fast path.

// moneyZero is money(x) for any zero x: Round(MoneyPlaces) gives 0 at exponent −MoneyPlaces.
var moneyZero = decimal.New(0, -MoneyPlaces)

// multipleOf reports whether x is an integer multiple of unit (> 0): x.Mod(unit).IsZero().
// With x = a·10^ea and unit = b·10^eb, x/unit = a·10^(ea−eb)/b is an integer iff b divides
// a·10^(ea−eb) (ea >= eb), or b·10^(eb−ea) divides a (ea < eb).
func multipleOf(x, unit decimal.Decimal) bool {
	return multipleOfFix(exact.FixOf(x), exact.FixOf(unit), x, unit)
}

// multipleOfFix is multipleOf(x, unit) for the Decimals whose Fix are xf and uf.
func multipleOfFix(xf, uf exact.Fix, x, unit decimal.Decimal) bool {
	if m, ok := multipleFix(xf, uf); ok {
		return m
	}
	return x.Mod(unit).IsZero()
}

// multipleFix is multipleOf on the Fix alone: ok is false when it cannot tell (a Fix holds no
// value, the unit is not positive, or the exponents are too far apart for its int64 path).
func multipleFix(xf, uf exact.Fix) (m, ok bool) {
	a, ea, ok := xf.Coef()
	b, eb, ok2 := uf.Coef()
	if ok && ok2 && b > 0 {
		ua, ub := exact.AbsU(a), uint64(b)
		if ea >= eb {
			if d := int64(ea) - int64(eb); d < int64(len(exact.Pow10)) {
				hi, lo := bits.Mul64(ua, exact.Pow10[d])
				return bits.Rem64(hi, lo, ub) == 0, true
			}
		} else {
			d := int64(eb) - int64(ea)
			if d >= int64(len(exact.Pow10)) {
				return ua == 0, true // the divisor is at least 10^20 > |a|
			}
			hi, lo := bits.Mul64(ub, exact.Pow10[d])
			if hi != 0 {
				return ua == 0, true // the divisor exceeds 2^64 > |a|
			}
			return ua%lo == 0, true
		}
	}
	return false, false
}

// moneyProduct is money(x.Mul(y).Mul(z)), negated when neg: the product's coefficient is
// computed in 128 bits and rounded as Decimal.Round(MoneyPlaces) rounds (truncate to one more
// decimal, add ±5, truncate), giving the same value and exponent. A zero result, or a
// coefficient beyond 64 bits, takes the decimal expression.
func moneyProduct(neg bool, x, y, z decimal.Decimal) decimal.Decimal {
	r, _ := moneyProductFix(neg, exact.FixOf(x), exact.FixOf(y), exact.FixOf(z), x, y, z)
	return r
}

// moneyProductFix is moneyProduct(neg, x, y, z) for the Decimals whose Fix are xf, yf and zf,
// with the result's Fix.
func moneyProductFix(neg bool, xf, yf, zf exact.Fix, x, y, z decimal.Decimal) (decimal.Decimal, exact.Fix) {
	cx, ex, ok1 := xf.Coef()
	cy, ey, ok2 := yf.Coef()
	cz, ez, ok3 := zf.Coef()
	if ok1 && ok2 && ok3 {
		if n, ok := moneyCoef(cx, ex, cy, ey, cz, ez); ok {
			if neg {
				n = -n
			}
			return decimal.New(n, -MoneyPlaces), exact.FixNew(n, -MoneyPlaces)
		}
	}
	if neg {
		x = x.Neg()
	}
	r := money(x.Mul(y).Mul(z))
	return r, exact.FixOf(r)
}

func moneyProductSmall(x, y, z decimal.Decimal) (int64, bool) {
	cx, ex, ok1 := exact.Coef(x)
	cy, ey, ok2 := exact.Coef(y)
	cz, ez, ok3 := exact.Coef(z)
	if !ok1 || !ok2 || !ok3 {
		return 0, false
	}
	return moneyCoef(cx, ex, cy, ey, cz, ez)
}

// moneyCoefFix is moneyCoef on Fix operands (ok false when one holds no value).
func moneyCoefFix(x, y, z exact.Fix) (int64, bool) {
	cx, ex, ok1 := x.Coef()
	cy, ey, ok2 := y.Coef()
	cz, ez, ok3 := z.Coef()
	if !ok1 || !ok2 || !ok3 {
		return 0, false
	}
	return moneyCoef(cx, ex, cy, ey, cz, ez)
}

// floatFix is the exact.Fix of decimal.NewFromFloat(f) (no value for NaN and ±Inf), read by
// exact.FloatCoef without making the Decimal.
func floatFix(f float64) exact.Fix {
	c, e, ok := exact.FloatCoef(f)
	if !ok {
		return exact.Fix{}
	}
	return exact.FixNew(c, e)
}

// moneyCoef is moneyProductSmall on coefficients and exponents.
func moneyCoef(cx int64, ex int32, cy int64, ey int32, cz int64, ez int32) (int64, bool) {
	h1, l1 := bits.Mul64(exact.AbsU(cx), exact.AbsU(cy))
	if h1 != 0 {
		return 0, false
	}
	hi, lo := bits.Mul64(l1, exact.AbsU(cz))
	neg := (cx < 0) != (cy < 0) != (cz < 0)
	e := int64(ex) + int64(ey) + int64(ez)
	var u uint64
	switch k := -MoneyPlaces - e; {
	case k == 0: // Round returns the product itself
		if hi != 0 {
			return 0, false
		}
		u = lo
	case k < 0: // exact: the product times 10^-k
		if -k >= int64(len(exact.Pow10)) || hi != 0 {
			return 0, false
		}
		h, l := bits.Mul64(lo, exact.Pow10[-k])
		if h != 0 {
			return 0, false
		}
		u = l
	default: // truncate to MoneyPlaces+1 decimals, add 5, truncate the last one
		if k-1 >= int64(len(exact.Pow10)) {
			return 0, false
		}
		d := exact.Pow10[k-1]
		if hi >= d {
			return 0, false // the truncated quotient needs more than 64 bits
		}
		t, _ := bits.Div64(hi, lo, d)
		if t > math.MaxUint64-5 {
			return 0, false
		}
		u = (t + 5) / 10
	}
	if u == 0 || u > math.MaxInt64 {
		return 0, false
	}
	if neg {
		return -int64(u), true
	}
	return int64(u), true
}

// quoProductInt is x.Mul(y).DivRound(decimal.NewFromInt(n), places) for n > 0 (an initial
// margin: notional / leverage): DivRound's quotient truncated to places decimals and rounded
// half away from zero by the exact remainder, computed on the 128-bit product of the
// coefficients; the same value and exponent (DivRound's result depends only on the values).
// A zero result, or coefficients too long, take the decimal expression.
func quoProductInt(x, y decimal.Decimal, n int64, places int32) decimal.Decimal {
	if q, ok := quoProductIntSmall(x, y, n, places); ok {
		return decimal.New(q, -places)
	}
	return x.Mul(y).DivRound(decimal.NewFromInt(n), places)
}

func quoProductIntSmall(x, y decimal.Decimal, n int64, places int32) (int64, bool) {
	return quoProductIntCoef(exact.FixOf(x), exact.FixOf(y), n, places)
}

// quoProductIntFix is quoProductInt(x, y, n, places) for the Decimals whose Fix are xf and
// yf, with the result's Fix.
func quoProductIntFix(xf, yf exact.Fix, x, y decimal.Decimal, n int64, places int32) (decimal.Decimal, exact.Fix) {
	if q, ok := quoProductIntCoef(xf, yf, n, places); ok {
		return decimal.New(q, -places), exact.FixNew(q, -places)
	}
	r := x.Mul(y).DivRound(decimal.NewFromInt(n), places)
	return r, exact.FixOf(r)
}

// quoProductIntCoef is quoProductIntSmall on Fix operands.
func quoProductIntCoef(xf, yf exact.Fix, n int64, places int32) (int64, bool) {
	cx, ex, ok1 := xf.Coef()
	cy, ey, ok2 := yf.Coef()
	if !ok1 || !ok2 || n <= 0 {
		return 0, false
	}
	hi, lo := bits.Mul64(exact.AbsU(cx), exact.AbsU(cy))
	b := uint64(n)
	// x·y/n = P·10^(ex+ey)/n; at `places` decimals: P·10^e / n with e = ex + ey + places
	switch e := int64(ex) + int64(ey) + int64(places); {
	case e > 0:
		if e >= int64(len(exact.Pow10)) {
			return 0, false
		}
		h1, l1 := bits.Mul64(lo, exact.Pow10[e])
		h2, l2 := bits.Mul64(hi, exact.Pow10[e])
		if h2 != 0 {
			return 0, false
		}
		var c uint64
		h1, c = bits.Add64(h1, l2, 0)
		if c != 0 {
			return 0, false
		}
		hi, lo = h1, l1
	case e < 0:
		if -e >= int64(len(exact.Pow10)) {
			return 0, false
		}
		h, l := bits.Mul64(b, exact.Pow10[-e])
		if h != 0 {
			return 0, false
		}
		b = l
	}
	if hi >= b {
		return 0, false // the quotient needs more than 64 bits
	}
	q, r := bits.Div64(hi, lo, b)
	if r >= b-r { // 2r >= b without overflow: round away from zero
		q++
	}
	if q == 0 || q > math.MaxInt64 {
		return 0, false
	}
	if (cx < 0) != (cy < 0) {
		return -int64(q), true
	}
	return int64(q), true
}

// bracketScreen returns the index of the bracket of floors holding notional n (a float64
// within a few 1e-16 of the exact notional) when n is clear of every floor by the relative
// band screenEps, so that the exact index (Table.index: the highest bracket with notional >=
// floor) is the same; ok is false near a floor.
func bracketScreen(floors []float64, n float64) (int, bool) {
	k := floatBracket(floors, 0, n)
	if k > 0 && !(n > floors[k]*(1+screenEps)) {
		return 0, false
	}
	if k+1 < len(floors) && !(n < floors[k+1]*(1-screenEps)) {
		return 0, false
	}
	return k, n >= 0
}

// Float64 returns the float64 nearest to x, the same as x.InexactFloat64() (exact.Float64,
// checked by its TestFloat64CorrectlyRounded on averaged entry prices too), without its big.Rat arithmetic for coefficients longer than 15 digits,
// such as an averaged entry price or a liquidation price at QuotientPlaces decimals.
func Float64(x decimal.Decimal) float64 { return exact.Float64(x) }

// sumQuo is a.Add(b).DivRound(x.Mul(y), places) for x·y ≠ 0 (isoLiqPrice's (WB − Q·E + cum) /
// (Q·(MMR ∓ 1))): the sum and the product on int64 coefficients, the quotient of up to 128 bits
// truncated to places decimals and rounded half away from zero by the exact remainder, as
// DivRound does; the same value and exponent (−places). Operands too long take the decimal
// expression.
func sumQuo(a, b, x, y decimal.Decimal, places int32) decimal.Decimal {
	if hi, lo, neg, ok := sumQuoSmall(a, b, x, y, places); ok {
		return exact.Dec128(hi, lo, neg, -places)
	}
	return a.Add(b).DivRound(x.Mul(y), places)
}

func sumQuoSmall(a, b, x, y decimal.Decimal, places int32) (hi, lo uint64, neg, ok bool) {
	return sumQuoCoef(exact.Fit(a), exact.Fit(b), exact.Fit(x), exact.Fit(y), places)
}

// sumQuoCoef is sumQuoSmall on operands held on int64 coefficients (any int64
// coefficients); ok is false when one is not.
func sumQuoCoef(a, b, x, y exact.Num, places int32) (hi, lo uint64, neg, ok bool) {
	ca, ea, oka := a.Small()
	cb, eb, okb := b.Small()
	cx, ex, okx := x.Small()
	cy, ey, oky := y.Small()
	if bits.UintSize != 64 || !oka || !okb || !okx || !oky {
		return 0, 0, false, false
	}
	// the sum at the lesser exponent; both terms below 10^18·10^d with d <= 1 fit in int64
	en := min(ea, eb)
	sa, sb := int64(ea)-int64(en), int64(eb)-int64(en)
	if sa > 18 || sb > 18 {
		return 0, 0, false, false
	}
	ha, la := bits.Mul64(exact.AbsU(ca), exact.Pow10[sa])
	hb, lb := bits.Mul64(exact.AbsU(cb), exact.Pow10[sb])
	if ha != 0 || hb != 0 || la > math.MaxInt64 || lb > math.MaxInt64 {
		return 0, 0, false, false
	}
	va, vb := int64(la), int64(lb)
	if ca < 0 {
		va = -va
	}
	if cb < 0 {
		vb = -vb
	}
	n := va + vb // |va|, |vb| < 2^63: the sum of two such fits unless both are large
	if (va >= 0) == (vb >= 0) && (n >= 0) != (va >= 0) {
		return 0, 0, false, false
	}
	ph, pl := bits.Mul64(exact.AbsU(cx), exact.AbsU(cy))
	if ph != 0 || pl == 0 {
		return 0, 0, false, false
	}
	neg = (n < 0) != ((cx < 0) != (cy < 0))
	// n·10^en / (p·10^(ex+ey)) at places decimals: |n|·10^k / p
	qh, ql, ok := exact.QuoRound(exact.AbsU(n), pl, int64(en)-int64(ex)-int64(ey)+int64(places))
	if !ok {
		return 0, 0, false, false
	}
	if qh == 0 && ql == 0 {
		neg = false
	}
	return qh, ql, neg, true
}
