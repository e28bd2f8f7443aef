package exacttest

import (
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/shopspring/decimal"
)

// Same reports whether x and y have the same value and the same exponent.
func Same(x, y decimal.Decimal) bool { return x.Equal(y) && x.Exponent() == y.Exponent() }

// RandDec returns a decimal with a random coefficient of 1 to 25 digits (either sign, zero
// now and then, decimal.Zero and the zero Decimal among them) and an exponent in [-24, 3]:
// both the int64 fast paths and their fallbacks. Every fourth value has a short coefficient
// (a quantity, price or fee), so that most pairs take the fast path.
func RandDec(r *rand.Rand) decimal.Decimal {
	switch r.IntN(30) {
	case 0:
		return decimal.Zero
	case 1:
		return decimal.Decimal{}
	case 2:
		return decimal.New(0, int32(r.IntN(20))-16)
	}
	digits := 1 + r.IntN(25)
	if r.IntN(4) == 0 {
		digits = 1 + r.IntN(7)
	}
	b := make([]byte, 0, 32)
	if r.IntN(2) == 0 {
		b = append(b, '-')
	}
	b = append(b, byte('1'+r.IntN(9)))
	for range digits - 1 {
		b = append(b, byte('0'+r.IntN(10)))
	}
	b = append(b, 'e')
	b = strconv.AppendInt(b, int64(r.IntN(28)-24), 10)
	d, err := decimal.NewFromString(string(b))
	if err != nil {
		panic(err)
	}
	return d
}

// EdgeDec returns a decimal whose coefficient sits at one of the fast paths' limits (18 and 19
// digits, 2^63 ± 1, their negatives, zero, one) at an exponent in [-20, 2], a tick price or a
// step quantity, or a random one.
func EdgeDec(r *rand.Rand) decimal.Decimal {
	e := int32(r.IntN(23) - 20)
	switch r.IntN(8) {
	case 0:
		return decimal.New(0, e)
	case 1:
		c := []int64{1, -1, 999_999_999_999_999_999, -999_999_999_999_999_999, 1_000_000_000_000_000_000,
			math.MaxInt64, math.MinInt64 + 1, math.MaxInt64 / 2, math.MinInt64 / 2, 1 << 62, -(1 << 62)}[r.IntN(11)]
		return decimal.New(c, e)
	case 2: // 2^63 and beyond
		return decimal.New(math.MaxInt64, e).Add(decimal.New(int64(r.IntN(3)), e))
	case 3: // a tick price, a step quantity
		return decimal.New(int64(r.IntN(2_000_000))-1_000_000, -int32(r.IntN(4)))
	}
	return RandDec(r)
}

// RandFloat returns a float64 as bars carry them (prices on a grid, with float noise), or
// one of any magnitude and sign, or a value at float64's limits.
func RandFloat(r *rand.Rand) float64 {
	switch r.IntN(6) {
	case 0:
		return math.Round(r.Float64()*1e7) / math.Pow(10, float64(r.IntN(8)))
	case 1:
		return r.Float64() * math.Pow(10, float64(r.IntN(40)-20))
	case 2:
		return -r.Float64() * math.Pow(10, float64(r.IntN(600)-300))
	case 3:
		return []float64{0, math.Copysign(0, -1), 1, -1, math.MaxFloat64, math.SmallestNonzeroFloat64,
			-math.MaxFloat64, 1 << 53, 1<<53 + 2, 0.1, 0.3, 123456789012345678}[r.IntN(12)]
	case 4:
		return math.Float64frombits(r.Uint64()&^(0x7ff<<52) | uint64(r.IntN(0x7ff))<<52) // not Inf/NaN
	}
	return 60000 + r.Float64()*1000
}
