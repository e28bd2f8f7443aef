package backtest

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/shopspring/decimal"
)

// fastRandDec returns a decimal with a random coefficient of 1 to 22 digits (either sign, zero
// now and then, decimal.Zero and the zero Decimal among them) and an exponent in [-20, 2]:
// both the int64 fast paths and their fallbacks. Every fourth value has a short coefficient
// (a quantity, price or fee), so that most pairs take the fast path.
func fastRandDec(r *rand.Rand) decimal.Decimal {
	switch r.IntN(30) {
	case 0:
		return decimal.Zero
	case 1:
		return decimal.Decimal{}
	case 2:
		return decimal.New(0, int32(r.IntN(20))-16)
	}
	digits := 1 + r.IntN(22)
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
	b = strconv.AppendInt(b, int64(r.IntN(23)-20), 10)
	d, err := decimal.NewFromString(string(b))
	if err != nil {
		panic(err)
	}
	return d
}

// sameDec reports whether x and y have the same coefficient and exponent (not only value).
func sameDec(x, y decimal.Decimal) bool {
	return x.Exponent() == y.Exponent() && x.Coefficient().Cmp(y.Coefficient()) == 0
}

// TestFastDecAgreesWithDecimal checks each fast path against the decimal expression it
// replaces, on random values of every length and on the values a fill books (quantities at a
// step, prices at a tick, fees at 8 decimals, the 12-decimal quotients), comparing value and
// exponent; it fails if the fast path is never taken.
func TestFastDecAgreesWithDecimal(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 7))
	fast := 0
	for k := range 300000 {
		x, y, z := fastRandDec(r), fastRandDec(r), fastRandDec(r)
		if k%5 == 0 { // a fill's values: quantity, price, money
			x = decimal.New(int64(r.IntN(1_000_000))-500_000, -3)
			y = decimal.New(int64(r.IntN(10_000_000)), -int32(r.IntN(3)))
			z = decimal.New(int64(r.IntN(1e12))-5e11, -8)
		}
		if got, want := decAdd(x, y), x.Add(y); !sameDec(got, want) {
			t.Fatalf("decAdd(%s, %s) = %s e%d, want %s e%d", x, y, got, got.Exponent(), want, want.Exponent())
		}
		if got, want := decSub(x, y), x.Sub(y); !sameDec(got, want) {
			t.Fatalf("decSub(%s, %s) = %s e%d, want %s e%d", x, y, got, got.Exponent(), want, want.Exponent())
		}
		if got, want := decMulAdd(z, x, y), z.Add(x.Mul(y)); !sameDec(got, want) {
			t.Fatalf("decMulAdd(%s, %s, %s) = %s e%d, want %s e%d", z, x, y, got, got.Exponent(), want, want.Exponent())
		}
		if got, want := decCmp(x, y), x.Cmp(y); got != want {
			t.Fatalf("decCmp(%s, %s) = %d, want %d", x, y, got, want)
		}
		if got, want := decMin(x, y), decimal.Min(x, y); !sameDec(got, want) {
			t.Fatalf("decMin(%s, %s) = %s, want %s", x, y, got, want)
		}
		if !y.IsZero() {
			places := int32(r.IntN(17))
			if k%3 == 0 {
				places = 12
			}
			got, want := decQuo(x, y, places), x.DivRound(y, places)
			if !sameDec(got, want) {
				t.Fatalf("decQuo(%s, %s, %d) = %s e%d, want %s e%d", x, y, places, got, got.Exponent(), want, want.Exponent())
			}
			if _, ok := quoCoef(x, y, places); ok {
				fast++
			}
		}
	}
	if fast < 30000 {
		t.Fatalf("only %d quotients took the fast path: the test does not exercise it", fast)
	}
	// halves round away from zero, either sign
	for _, c := range [][2]string{{"1", "8"}, {"-1", "8"}, {"5", "-2"}, {"1", "3"}, {"2", "3"}, {"-2", "3"}} {
		x, y := decimal.RequireFromString(c[0]), decimal.RequireFromString(c[1])
		for places := int32(0); places < 4; places++ {
			if got, want := decQuo(x, y, places), x.DivRound(y, places); !sameDec(got, want) {
				t.Fatalf("decQuo(%s, %s, %d) = %s, want %s", x, y, places, got, want)
			}
		}
	}
}

// TestFastDecOverflowFallsBack checks sums and products next to int64's limits.
func TestFastDecOverflowFallsBack(t *testing.T) {
	big18 := decimal.New(999_999_999_999_999_999, 0)
	for _, c := range [][3]decimal.Decimal{
		{big18, big18, big18},
		{big18.Neg(), big18, big18.Neg()},
		{decimal.New(9e17, -2), decimal.New(9e17, 0), decimal.New(3e9, -1)},
		{decimal.New(1, -30), decimal.New(1, 0), decimal.New(1, 0)},
	} {
		x, y, z := c[0], c[1], c[2]
		if got, want := decAdd(x, y), x.Add(y); !sameDec(got, want) {
			t.Fatalf("decAdd(%s, %s) = %s, want %s", x, y, got, want)
		}
		if got, want := decSub(x, y.Neg()), x.Sub(y.Neg()); !sameDec(got, want) {
			t.Fatalf("decSub(%s, %s) = %s, want %s", x, y.Neg(), got, want)
		}
		if got, want := decMulAdd(x, y, z), x.Add(y.Mul(z)); !sameDec(got, want) {
			t.Fatalf("decMulAdd(%s, %s, %s) = %s, want %s", x, y, z, got, want)
		}
		if got, want := decQuo(x, z, 12), x.DivRound(z, 12); !sameDec(got, want) {
			t.Fatalf("decQuo(%s, %s) = %s, want %s", x, z, got, want)
		}
	}
}
