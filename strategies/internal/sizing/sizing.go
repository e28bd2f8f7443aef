package sizing

import (
	"math"
	"slices"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/bt-backtest/bt/internal/exact"
	"github.com/shopspring/decimal"
)

// Symbol returns symbol's ID in the run (its index in br.Symbols(), the ID of its bars) and
// its instrument as the run trades it; ok is false when the data does not hold symbol.
func Symbol(br *backtest.Broker, symbol string) (id int, inst margin.Instrument, ok bool) {
	id = slices.Index(br.Symbols(), symbol)
	if id < 0 {
		return -1, margin.Instrument{}, false
	}
	inst, ok = br.Instrument(symbol)
	return id, inst, ok
}

// Qty returns notional/price rounded down to a multiple of step (zero when less than one
// step, or when the inputs are not positive and finite).
func Qty(notional, price float64, step decimal.Decimal) decimal.Decimal {
	q := notional / price
	if !(q > 0) || math.IsInf(q, 0) || step.Sign() <= 0 {
		return decimal.Zero
	}
	if d, ok := qtyPow10(q, step); ok {
		return d
	}
	return decimal.NewFromFloat(q).Div(step).Floor().Mul(step)
}

// qtyPow10 is Qty's integer path for a step whose coefficient is a power of ten (0.001, 1,
// 0.10, ...), the usual case: the same Decimal (coefficient and exponent) as
// NewFromFloat(q).Div(step).Floor().Mul(step), without big-integer arithmetic. q (> 0, finite)
// is the shortest decimal that reads back as q, m·10^e (m < 10^17, as NewFromFloat takes it),
// and step is 10^E (coefficient c = 10^j, exponent es, E = es + j). The quotient m·10^(e−E)
// has at most 16 fractional digits when E − e ≤ 16, so Div's rounding to 16 digits leaves it
// exact and Floor truncates it: n = m·10^(e−E), or m / 10^(E−e); the product with step is
// n·c at exponent es. ok is false where that does not hold (more fractional digits, a
// coefficient that is not a power of ten, an int64 overflow): the caller takes the decimal
// path.
func qtyPow10(q float64, step decimal.Decimal) (decimal.Decimal, bool) {
	if step.NumDigits() > 18 { // beyond int64: not a step
		return decimal.Decimal{}, false
	}
	c := step.CoefficientInt64()
	j := 0
	for c > 1 && c%10 == 0 {
		c /= 10
		j++
	}
	if c != 1 {
		return decimal.Decimal{}, false
	}
	E := int(step.Exponent()) + j
	if d, ok := qtyFloat(q, E, step.Exponent(), j); ok {
		return d, true
	}
	m, e32, ok := exact.FloatCoef(q) // q = m·10^e, m < 10^17
	if !ok {
		return decimal.Decimal{}, false
	}
	e := int(e32)
	var n int64
	switch d := e - E; {
	case d >= 0:
		if d > 18 {
			return decimal.Decimal{}, false
		}
		p := int64(exact.Pow10[d])
		if m > math.MaxInt64/p {
			return decimal.Decimal{}, false
		}
		n = m * p
	case d >= -16:
		n = m / int64(exact.Pow10[-d])
	default:
		return decimal.Decimal{}, false
	}
	cj := int64(exact.Pow10[j]) // j ≤ 18: c was an int64
	if n > math.MaxInt64/cj {
		return decimal.Decimal{}, false
	}
	return decimal.New(n*cj, step.Exponent()), true
}

// float64Pow10[k] is 10^k, exact in float64 for k <= 22.
var float64Pow10 = [23]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
	1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// qtyFloat is qtyPow10's path without q's decimal digits, for quotients clear of a whole step:
// with D the shortest decimal of q (|D − q| <= 2^-53·q) and x = D/10^E the quotient in steps,
// the float x' = fl(q·10^-E) (one rounding of an exact power of ten) is within 2^-52·x of x,
// less than 2.5e-4 for x < 2^40. When x' is at least 1e-3 away from every integer, x lies
// strictly between the same two integers, so does Div's quotient rounded to 16 decimals, and
// Floor gives n = ⌊x'⌋ at exponent 0; the product with the step (coefficient 10^j at exponent
// es) is n·10^j at es. ok is false near a whole step (a quantity on the step grid is exactly
// whole: those take the digits) and out of that range.
func qtyFloat(q float64, E int, es int32, j int) (decimal.Decimal, bool) {
	var x float64
	switch {
	case E <= 0 && E >= -22:
		x = q * float64Pow10[-E]
	case E > 0 && E <= 22:
		x = q / float64Pow10[E]
	default:
		return decimal.Decimal{}, false
	}
	if !(x < 1<<40) {
		return decimal.Decimal{}, false
	}
	n := math.Floor(x)
	if fr := x - n; !(fr >= 1e-3 && fr <= 1-1e-3) {
		return decimal.Decimal{}, false
	}
	cj := int64(exact.Pow10[j]) // j <= 18
	if int64(n) > math.MaxInt64/cj {
		return decimal.Decimal{}, false
	}
	return decimal.New(int64(n)*cj, es), true
}

// Price returns p rounded to the nearest multiple of tick (zero when p is not positive and
// finite).
func Price(p float64, tick decimal.Decimal) decimal.Decimal {
	if !(p > 0) || math.IsInf(p, 0) || tick.Sign() <= 0 {
		return decimal.Zero
	}
	return decimal.NewFromFloat(p).Div(tick).Round(0).Mul(tick)
}
