package metrics

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

// decSum's value is the decimal sum of its terms, the same number (Equal) with the same float
// and the same quotient, on money-like terms (8 decimals, as fees, PnL and funding are), on
// terms at other exponents, zeros, terms beyond 18 digits and sums that overflow an int64;
// sub subtracts. It fails if the int64 path, the decimal path or the overflow is never taken.
func TestDecSumIsDecimalSum(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 2))
	term := func() decimal.Decimal {
		switch k := r.IntN(20); {
		case k < 12: // money: 8 decimals
			return decimal.New(r.Int64N(2_000_000_000_000)-1_000_000_000_000, -8)
		case k < 14:
			return decimal.New(r.Int64N(2000)-1000, -int32(r.IntN(17)))
		case k == 14:
			return decimal.Zero
		case k == 15:
			return decimal.Decimal{}
		case k == 16: // 19+ digits
			v, _ := new(big.Int).SetString("123456789012345678901234", 10)
			if r.IntN(2) == 0 {
				v.Neg(v)
			}
			return decimal.NewFromBigInt(v, -8)
		case k == 17: // near int64's limits: sums overflow
			return decimal.New(math.MaxInt64/10*int64(1-2*r.IntN(2)), -8)
		default:
			return decimal.New(999_999_999_999_999_999*int64(1-2*r.IntN(2)), -8)
		}
	}
	var fast, slow, overflow int
	for trial := 0; trial < 3000; trial++ {
		var s decSum
		want := decimal.Decimal{}
		for i := r.IntN(60); i > 0; i-- {
			x := term()
			if trial%10 == 0 { // 18-digit terms of one sign: the int64 sum overflows
				x = decimal.New(999_999_999_999_999_999-r.Int64N(1000), -8)
			}
			if r.IntN(4) == 0 {
				s.sub(x)
				want = want.Sub(x)
			} else {
				s.add(x)
				want = want.Add(x)
			}
		}
		got := s.value()
		if !got.Equal(want) || got.InexactFloat64() != want.InexactFloat64() || got.Sign() != want.Sign() {
			t.Fatalf("trial %d: sum %s (%v), want %s (%v)", trial, got, got.InexactFloat64(), want, want.InexactFloat64())
		}
		if d := decimal.New(3, -1); !want.IsZero() && !got.Div(d).Equal(want.Div(d)) {
			t.Fatalf("trial %d: quotients differ", trial)
		}
		if s.fast {
			fast++
		}
		if !s.rest.IsZero() {
			slow++
		}
		if trial%10 == 0 && !s.rest.IsZero() {
			overflow++
		}
	}
	if fast < 100 || slow < 100 || overflow < 100 {
		t.Errorf("int64 path in %d trials, decimal path in %d, overflow in %d: a path is not exercised", fast, slow, overflow)
	}
}
