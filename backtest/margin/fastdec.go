package margin

import (
	"math/bits"
	"strconv"

	"github.com/shopspring/decimal"
)

// Exact fast paths for the ledger's most frequent decimal questions. Each answers exactly as
// the decimal expression named in its comment and falls back to that expression when an
// operand's coefficient does not fit in 64 bits; none allocates on the fast path.

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
