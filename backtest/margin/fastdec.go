package margin

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"

	"github.com/shopspring/decimal"
)

// Exact fast paths for the ledger's most frequent decimal questions. Each answers exactly as
// the decimal expression named in its comment and falls back to that expression when an
// operand's coefficient does not fit in 64 bits; none allocates on the fast path.

// moneyZero is money(x) for any zero x: Round(MoneyPlaces) gives 0 at exponent −MoneyPlaces.
var moneyZero = decimal.New(0, -MoneyPlaces)

// pow10u64[k] is 10^k.
var pow10u64 = [20]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
	1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

// small returns x's coefficient and exponent when the coefficient has at most 18 digits (so it
// fits in an int64).
func small(x decimal.Decimal) (c int64, e int32, ok bool) {
	if x.NumDigits() > 18 {
		return 0, 0, false
	}
	return x.CoefficientInt64(), x.Exponent(), true
}

// absU is |c| as a uint64.
func absU(c int64) uint64 {
	if c < 0 {
		return uint64(-c)
	}
	return uint64(c)
}

// multipleOf reports whether x is an integer multiple of unit (> 0): x.Mod(unit).IsZero().
// With x = a·10^ea and unit = b·10^eb, x/unit = a·10^(ea−eb)/b is an integer iff b divides
// a·10^(ea−eb) (ea >= eb), or b·10^(eb−ea) divides a (ea < eb).
func multipleOf(x, unit decimal.Decimal) bool {
	a, ea, ok := small(x)
	b, eb, ok2 := small(unit)
	if ok && ok2 && b > 0 {
		ua, ub := absU(a), uint64(b)
		if ea >= eb {
			if d := int64(ea) - int64(eb); d < int64(len(pow10u64)) {
				hi, lo := bits.Mul64(ua, pow10u64[d])
				return bits.Rem64(hi, lo, ub) == 0
			}
		} else {
			d := int64(eb) - int64(ea)
			if d >= int64(len(pow10u64)) {
				return ua == 0 // the divisor is at least 10^20 > |a|
			}
			hi, lo := bits.Mul64(ub, pow10u64[d])
			if hi != 0 {
				return ua == 0 // the divisor exceeds 2^64 > |a|
			}
			return ua%lo == 0
		}
	}
	return x.Mod(unit).IsZero()
}

// toFloat returns the float64 nearest to x, as x.InexactFloat64 does (all the paths below round
// correctly, so the results are identical): a coefficient of up to 15 digits with a small
// negative exponent is converted by InexactFloat64's own exact division, one of up to 18
// digits is parsed from its digits written into a stack buffer, and a longer one (such as
// qty × entry with a 16-decimal entry) is parsed from its decimal string, avoiding big.Rat
// arithmetic.
func toFloat(x decimal.Decimal) float64 {
	e := x.Exponent()
	n := x.NumDigits()
	if e <= 0 && e >= -22 && n <= 15 {
		return x.InexactFloat64()
	}
	if n <= 18 {
		var buf [32]byte
		b := strconv.AppendInt(buf[:0], x.CoefficientInt64(), 10)
		b = append(b, 'e')
		b = strconv.AppendInt(b, int64(e), 10)
		if f, err := strconv.ParseFloat(string(b), 64); err == nil {
			return f
		}
	} else if f, err := strconv.ParseFloat(x.String(), 64); err == nil {
		return f
	}
	return x.InexactFloat64()
}

// moneyProduct is money(x.Mul(y).Mul(z)), negated when neg: the product's coefficient is
// computed in 128 bits and rounded as Decimal.Round(MoneyPlaces) rounds (truncate to one more
// decimal, add ±5, truncate), giving the same value and exponent. A zero result, or a
// coefficient beyond 64 bits, takes the decimal expression.
func moneyProduct(neg bool, x, y, z decimal.Decimal) decimal.Decimal {
	if n, ok := moneyProductSmall(x, y, z); ok {
		if neg {
			n = -n
		}
		return decimal.New(n, -MoneyPlaces)
	}
	if neg {
		x = x.Neg()
	}
	return money(x.Mul(y).Mul(z))
}

func moneyProductSmall(x, y, z decimal.Decimal) (int64, bool) {
	cx, ex, ok1 := small(x)
	cy, ey, ok2 := small(y)
	cz, ez, ok3 := small(z)
	if !ok1 || !ok2 || !ok3 {
		return 0, false
	}
	return moneyCoef(cx, ex, cy, ey, cz, ez)
}

// moneyProductFx is moneyProduct(neg, x, y.dec(), one) for an ok y.
func moneyProductFx(neg bool, x decimal.Decimal, y fx) decimal.Decimal {
	if cx, ex, ok := small(x); ok {
		if n, ok := moneyCoef(cx, ex, y.c, y.e, 1, 0); ok {
			if neg {
				n = -n
			}
			return decimal.New(n, -MoneyPlaces)
		}
	}
	return moneyProduct(neg, x, y.dec(), one)
}

// moneyCoef is moneyProductSmall on coefficients and exponents.
func moneyCoef(cx int64, ex int32, cy int64, ey int32, cz int64, ez int32) (int64, bool) {
	h1, l1 := bits.Mul64(absU(cx), absU(cy))
	if h1 != 0 {
		return 0, false
	}
	hi, lo := bits.Mul64(l1, absU(cz))
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
		if -k >= int64(len(pow10u64)) || hi != 0 {
			return 0, false
		}
		h, l := bits.Mul64(lo, pow10u64[-k])
		if h != 0 {
			return 0, false
		}
		u = l
	default: // truncate to MoneyPlaces+1 decimals, add 5, truncate the last one
		if k-1 >= int64(len(pow10u64)) {
			return 0, false
		}
		d := pow10u64[k-1]
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
	cx, ex, ok1 := small(x)
	cy, ey, ok2 := small(y)
	if !ok1 || !ok2 || n <= 0 {
		return 0, false
	}
	hi, lo := bits.Mul64(absU(cx), absU(cy))
	b := uint64(n)
	// x·y/n = P·10^(ex+ey)/n; at `places` decimals: P·10^e / n with e = ex + ey + places
	switch e := int64(ex) + int64(ey) + int64(places); {
	case e > 0:
		if e >= int64(len(pow10u64)) {
			return 0, false
		}
		h1, l1 := bits.Mul64(lo, pow10u64[e])
		h2, l2 := bits.Mul64(hi, pow10u64[e])
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
		if -e >= int64(len(pow10u64)) {
			return 0, false
		}
		h, l := bits.Mul64(b, pow10u64[-e])
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

// Float64 returns the float64 nearest to x, the same as x.InexactFloat64() (TestToFloat-
// CorrectlyRounded), without its big.Rat arithmetic for coefficients longer than 15 digits,
// such as an averaged entry price or a liquidation price at QuotientPlaces decimals.
func Float64(x decimal.Decimal) float64 { return toFloat(x) }

// sumQuo is a.Add(b).DivRound(x.Mul(y), places) for x·y ≠ 0 (isoLiqPrice's (WB − Q·E + cum) /
// (Q·(MMR ∓ 1))): the sum and the product on int64 coefficients, the quotient of up to 128 bits
// truncated to places decimals and rounded half away from zero by the exact remainder, as
// DivRound does; the same value and exponent (−places). Operands too long take the decimal
// expression.
func sumQuo(a, b, x, y decimal.Decimal, places int32) decimal.Decimal {
	if hi, lo, neg, ok := sumQuoSmall(a, b, x, y, places); ok {
		return dec128(hi, lo, neg, -places)
	}
	return a.Add(b).DivRound(x.Mul(y), places)
}

// dec128 is the Decimal ±(hi·2^64 + lo)·10^e: decimal.New when the coefficient fits in an
// int64, else a copy of a big.Int on the stack.
func dec128(hi, lo uint64, neg bool, e int32) decimal.Decimal {
	if hi == 0 && lo <= math.MaxInt64 {
		n := int64(lo)
		if neg {
			n = -n
		}
		return decimal.New(n, e)
	}
	var v big.Int
	v.SetBits([]big.Word{big.Word(lo), big.Word(hi)}) // 64-bit words: sumQuoCoef's guard
	if neg {
		v.Neg(&v)
	}
	return decimal.NewFromBigInt(&v, e)
}

// float128 is toFloat(dec128(hi, lo, neg, e)): the coefficient's decimal digits written into
// a stack buffer and parsed by strconv (correctly rounded, as toFloat).
func float128(hi, lo uint64, neg bool, e int32) float64 {
	if hi == 0 && lo <= math.MaxInt64 {
		n := int64(lo)
		if neg {
			n = -n
		}
		return coefFloat(n, e)
	}
	const d19 = 1e19
	if hi >= d19 { // the quotient by 10^19 would not fit in 64 bits
		return toFloat(dec128(hi, lo, neg, e))
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

func sumQuoSmall(a, b, x, y decimal.Decimal, places int32) (hi, lo uint64, neg, ok bool) {
	return sumQuoCoef(fxOf(a), fxOf(b), fxOf(x), fxOf(y), places)
}

// sumQuoCoef is sumQuoSmall on ok fx operands (any int64 coefficients).
func sumQuoCoef(a, b, x, y fx, places int32) (hi, lo uint64, neg, ok bool) {
	if bits.UintSize != 64 || !a.ok || !b.ok || !x.ok || !y.ok {
		return 0, 0, false, false
	}
	ca, ea, cb, eb, cx, ex, cy, ey := a.c, a.e, b.c, b.e, x.c, x.e, y.c, y.e
	// the sum at the lesser exponent; both terms below 10^18·10^d with d <= 1 fit in int64
	en := min(ea, eb)
	sa, sb := int64(ea)-int64(en), int64(eb)-int64(en)
	if sa > 18 || sb > 18 {
		return 0, 0, false, false
	}
	ha, la := bits.Mul64(absU(ca), pow10u64[sa])
	hb, lb := bits.Mul64(absU(cb), pow10u64[sb])
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
	ph, pl := bits.Mul64(absU(cx), absU(cy))
	if ph != 0 || pl == 0 {
		return 0, 0, false, false
	}
	neg = (n < 0) != ((cx < 0) != (cy < 0))
	num, den := absU(n), pl
	// n·10^en / (p·10^(ex+ey)) at places decimals: num·10^k / den
	var nh, nl uint64 = 0, num
	switch k := int64(en) - int64(ex) - int64(ey) + int64(places); {
	case k > 0:
		if k >= int64(len(pow10u64)) {
			return 0, 0, false, false
		}
		nh, nl = bits.Mul64(num, pow10u64[k])
	case k < 0:
		if -k >= int64(len(pow10u64)) {
			return 0, 0, false, false
		}
		h, l := bits.Mul64(den, pow10u64[-k])
		if h != 0 {
			return 0, 0, false, false
		}
		den = l
	}
	qh, r := nh/den, nh%den
	ql, r := bits.Div64(r, nl, den)
	if r >= den-r { // 2r >= den: away from zero
		var c uint64
		ql, c = bits.Add64(ql, 1, 0)
		qh += c
	}
	if qh == 0 && ql == 0 {
		neg = false
	}
	return qh, ql, neg, true
}
