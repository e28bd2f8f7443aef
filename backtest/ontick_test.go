package backtest

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/bt-backtest/bt/internal/exact/exacttest"
	"github.com/shopspring/decimal"
)

// onTick gives the Decimal (value and exponent) of x.Div(tick).<rounding>.Mul(tick) for prices
// from float64 bars (as Submit and the fills make them), prices with slippage applied, and
// random decimals, on power-of-ten ticks in both spellings ("0.1", "0.10") and on ticks the
// fast path leaves to the expression ("0.5", "0.25").
func TestOnTickAgreesWithDiv(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 4))
	ticks := []decimal.Decimal{d("0.1"), d("0.10"), d("0.01"), d("0.001"), d("0.0001"), d("0.00001"), d("1"),
		d("10"), d("0.5"), d("0.25"), d("0.0000001"), d("100")}
	slip := d("1.0005")
	fast := 0
	for n := range 300000 {
		tick := ticks[n%len(ticks)]
		var x decimal.Decimal
		switch n % 4 {
		case 0:
			x = decimal.NewFromFloat(math.Round(r.Float64()*1e7) / math.Pow(10, float64(r.IntN(8))))
		case 1:
			x = decimal.NewFromFloat(r.Float64() * math.Pow(10, float64(r.IntN(12)-4)))
		case 2:
			x = decimal.NewFromFloat(r.Float64() * 1e5).Mul(slip)
		default:
			x = decimal.New(r.Int64N(2e18)-1e18, int32(r.IntN(24)-20))
		}
		for _, m := range []tickRounding{tickNearest, tickUp, tickDown} {
			q := x.Div(tick)
			switch m {
			case tickNearest:
				q = q.Round(0)
			case tickUp:
				q = q.Ceil()
			default:
				q = q.Floor()
			}
			want := q.Mul(tick)
			got := onTick(x, tick, m)
			if !exacttest.Same(got, want) {
				t.Fatalf("onTick(%s, %s, %d) = %s (exp %d), want %s (exp %d)", x, tick, m, got, got.Exponent(), want, want.Exponent())
			}
			if x.NumDigits() <= 15 && tick.Exponent() <= 0 && len(tick.String()) < 12 && tick.Coefficient().Int64()%5 != 0 {
				fast++
			}
		}
	}
	if fast < 100000 {
		t.Fatalf("only %d cases for the fast path", fast)
	}
}
