package backtest

import (
	"math/big"
	"testing"

	"github.com/bt-backtest/bt/internal/exact"
	"github.com/shopspring/decimal"
)

// TestCmpAbsFix: cmpAbsFix is exact.CmpAbs for every pair, with q's coefficient given or not
// and pos's Fix given or not: equal sizes at different exponents, opposite signs, sizes one
// unit of the last place apart, zeros, coefficients beyond int64, and a 19-digit position whose
// Fix (a Fix sum's) holds it where exact.FixOf does not.
func TestCmpAbsFix(t *testing.T) {
	b21, _ := new(big.Int).SetString("123456789012345678901", 10)
	huge := decimal.NewFromBigInt(b21, -3)
	xs := []decimal.Decimal{{}, decimal.New(0, -3), decimal.New(5, -3), decimal.New(50, -4), decimal.New(-5, -3),
		decimal.New(1, 0), decimal.New(10, -1), decimal.New(1, 2), decimal.New(-100, 0), decimal.New(101, 0),
		decimal.New(-99, 0), decimal.New(999999999999999999, -18), decimal.New(-1, 0), decimal.New(1, -20),
		decimal.New(1, 20), huge, huge.Neg(), decimal.New(1_000_000_000_000_000_001, -3),
		decimal.New(-1_000_000_000_000_000_001, -3)}
	for _, x := range xs {
		for _, y := range xs {
			qc, qe, qok := exact.Coef(x)
			yc, ye, yok := y.CoefficientInt64(), y.Exponent(), y.NumDigits() <= 19 // (the 19-digit ones fit an int64)
			for _, known := range []bool{true, false} {
				for _, posF := range []exact.Fix{exact.FixOf(y), {}, exact.FixNew(yc, ye)} {
					if posF.OK() && !yok {
						continue // not a Fix of y
					}
					got := cmpAbsFix(x, qc, qe, qok && known, y, posF)
					if want := exact.CmpAbs(x, y); got != want {
						t.Fatalf("cmpAbsFix(%v, %v, pos Fix %v) = %d, want %d (coefficient given: %v)", x, y, posF,
							got, want, known)
					}
				}
			}
		}
	}
}
