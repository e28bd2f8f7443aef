package backtest

import (
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

// onTickFloat is onTick(decimal.NewFromFloat(f), tick, r) without the intermediate decimal.
func onTickFloat(f float64, tick decimal.Decimal, r tickRounding) decimal.Decimal {
	if c, e, ok := exact.FloatCoef(f); ok {
		if d, ok := onTickCoef(c, e, tick, r); ok {
			return d
		}
	}
	return onTick(decimal.NewFromFloat(f), tick, r)
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
