package sizing

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

// qtyDecimal is Qty as its contract states it, in decimal arithmetic only: notional/price
// rounded down to a multiple of step, zero when the quotient is not positive and finite or
// the step is not positive.
func qtyDecimal(notional, price float64, step decimal.Decimal) decimal.Decimal {
	q := notional / price
	if !(q > 0) || math.IsInf(q, 0) || step.Sign() <= 0 {
		return decimal.Zero
	}
	return decimal.NewFromFloat(q).Div(step).Floor().Mul(step)
}

// qtySteps are the steps the property tests size on: powers of ten from 10^-12 to 10^4 (the
// integer and float paths), the same with trailing zeros in the coefficient, steps that are
// not powers of ten (the decimal path), and steps outside int64 or not positive.
var qtySteps = []string{"0.000000000001", "0.00000001", "0.001", "0.01", "0.1", "1", "10", "1000", "10000",
	"0.0010", "0.10", "1.0", "100", "0.5", "0.25", "5", "0.003", "12345", "1e-20", "1e19",
	"10000000000000000000000", "0", "-0.001"}

// checkQty compares Qty with qtyDecimal (value and exponent) for one input.
func checkQty(t *testing.T, notional, price float64, step decimal.Decimal) {
	t.Helper()
	got, want := Qty(notional, price, step), qtyDecimal(notional, price, step)
	if got.Cmp(want) != 0 || got.Exponent() != want.Exponent() {
		t.Fatalf("Qty(%v, %v, step %s) = %s (exp %d), want %s (exp %d)", notional, price, step,
			got, got.Exponent(), want, want.Exponent())
	}
}

// TestQtyIsDecimalFloor checks Qty, whose float and integer paths (qtyFloat, qtyPow10) stand
// for the decimal floor, against the decimal expression itself on inputs from the whole
// float64 range rather than near a step: notionals and prices of every magnitude from
// subnormal to 1e308 and either sign, zeros, infinities and NaN, quotients just around a
// whole number of steps (a step times an integer, one float either side), and every step of
// qtySteps. It fails unless the paths without digits answer a large share of the inputs.
func TestQtyIsDecimalFloor(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 99))
	steps := make([]decimal.Decimal, len(qtySteps))
	for k, s := range qtySteps {
		steps[k] = decimal.RequireFromString(s)
	}
	special := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), math.MaxFloat64,
		math.SmallestNonzeroFloat64, 0x1p-1022, 1, -1, 1e-300, 1e300}
	var fast int
	const n = 300_000
	for k := range n {
		step := steps[r.IntN(len(steps))]
		var notional, price float64
		switch k % 4 {
		case 0: // any magnitude, either sign
			notional = math.Ldexp(1+r.Float64(), r.IntN(2100)-1075)
			price = math.Ldexp(1+r.Float64(), r.IntN(2100)-1075)
			if r.IntN(8) == 0 {
				notional = -notional
			}
			if r.IntN(8) == 0 {
				price = special[r.IntN(len(special))]
			}
			if r.IntN(16) == 0 {
				notional = special[r.IntN(len(special))]
			}
		case 1: // an entry's size: 1 .. 1e7 USDT at prices 1e-6 .. 1e6
			notional = math.Pow(10, r.Float64()*7)
			price = math.Pow(10, r.Float64()*12-6)
		default: // a quotient of an integer number of steps, a few floats either side
			w := math.Floor(math.Pow(10, r.Float64()*14))
			price = math.Pow(10, r.Float64()*8-3)
			notional = w * step.InexactFloat64() * price
			for range r.IntN(4) {
				notional = math.Nextafter(notional, math.Inf(r.IntN(2)*2-1))
			}
		}
		checkQty(t, notional, price, step)
		if q := notional / price; q > 0 && !math.IsInf(q, 0) && step.Sign() > 0 {
			if _, ok := qtyPow10(q, step); ok {
				fast++
			}
		}
	}
	if fast < n/3 {
		t.Errorf("the paths without decimal arithmetic answered %d of %d inputs: the test does not exercise them", fast, n)
	}
}

// FuzzQty is TestQtyIsDecimalFloor on fuzzed notionals, prices and steps.
func FuzzQty(f *testing.F) {
	f.Add(1000.0, 43000.05, int64(1), int32(-3))
	f.Add(0.3, 0.1, int64(1), int32(-1))
	f.Add(1e300, 1e-300, int64(5), int32(-1))
	f.Add(7.0, 0.001, int64(10), int32(-4))
	f.Fuzz(func(t *testing.T, notional, price float64, c int64, e int32) {
		checkQty(t, notional, price, decimal.New(c, e%40))
	})
}
