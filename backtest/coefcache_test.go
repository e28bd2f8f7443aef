package backtest

import (
	"math/big"
	"testing"

	"github.com/bt-backtest/bt/internal/exact"
	"github.com/shopspring/decimal"
)

// TestCoefCacheAndCmpAbsCoef: the account's exact.FixMemo qtyC gives exact.Coef of the Decimal it is given, read in
// any order (a Decimal equal in value at another exponent, the zero Decimal, a coefficient
// beyond int64, the one it read last again), and cmpAbsCoef is exact.CmpAbs for every pair,
// with q's coefficient given or not: equal sizes at different exponents, opposite signs,
// sizes one unit of the last place apart.
func TestCoefCacheAndCmpAbsCoef(t *testing.T) {
	b21, _ := new(big.Int).SetString("123456789012345678901", 10)
	huge := decimal.NewFromBigInt(b21, -3)
	xs := []decimal.Decimal{{}, decimal.New(0, -3), decimal.New(5, -3), decimal.New(50, -4), decimal.New(-5, -3),
		decimal.New(1, 0), decimal.New(10, -1), decimal.New(1, 2), decimal.New(-100, 0), decimal.New(101, 0),
		decimal.New(-99, 0), decimal.New(999999999999999999, -18), decimal.New(-1, 0), decimal.New(1, -20),
		decimal.New(1, 20), huge, huge.Neg()}
	a := &account{}
	hits := 0
	for round := 0; round < 2; round++ {
		for _, x := range xs {
			for _, y := range xs {
				for _, z := range []decimal.Decimal{x, x, y} { // x again: a hit
					last, _, set := a.qtyC.Last()
					hit := set && last == z
					c, e, ok := a.qtyC.Of(z).Coef()
					wc, we, wok := exact.Coef(z)
					if c != wc || e != we || ok != wok {
						t.Fatalf("of(%v) = %d, %d, %v, want %d, %d, %v", z, c, e, ok, wc, we, wok)
					}
					if hit {
						hits++
					}
				}
				qc, qe, qok := exact.Coef(x)
				for _, known := range []bool{true, false} {
					got := a.cmpAbsCoef(x, qc, qe, qok && known, y)
					if want := exact.CmpAbs(x, y); got != want {
						t.Fatalf("cmpAbsCoef(%v, %v) = %d, want %d (coefficient given: %v)", x, y, got, want, known)
					}
				}
			}
		}
	}
	if hits < 2*len(xs)*len(xs) {
		t.Fatalf("only %d hits", hits)
	}
}
