package swing

import (
	"math/big"
	"testing"

	"github.com/bt-backtest/bt/internal/exact"
	"github.com/shopspring/decimal"
)

// TestShortSize: shortSize is qty.Abs(), value and exponent, whatever the last short entry
// was; it returns that entry's Decimal only for its exact negation (same coefficient and
// exponent: no allocation), and Abs's otherwise: 1.0 at exponent −1 against −1, a different coefficient, a
// positive entry's sign, no entry, a coefficient beyond int64.
func TestShortSize(t *testing.T) {
	big20, _ := new(big.Int).SetString("123456789012345678901", 10)
	huge := decimal.NewFromBigInt(big20, -3)
	entries := []decimal.Decimal{decimal.New(5, -3), decimal.New(50, -4), decimal.New(10, -1),
		decimal.New(1, 0), decimal.New(1, 2), decimal.New(100, 0), decimal.New(7, -8), huge}
	positions := []decimal.Decimal{decimal.New(-5, -3), decimal.New(-50, -4), decimal.New(-10, -1),
		decimal.New(-1, 0), decimal.New(-1, 2), decimal.New(-100, 0), decimal.New(-6, -3),
		decimal.New(-7, -8), huge.Neg()}
	for _, withEntry := range []bool{false, true} {
		for _, e := range entries {
			for _, p := range positions {
				s := &Strategy{shortQ: make([]entryQty, 2)}
				if withEntry {
					rememberShort(s, 1, e)
				}
				got, want := s.shortSize(1, p), p.Abs()
				if !got.Equal(want) || got.Exponent() != want.Exponent() {
					t.Fatalf("entry %v (%v): shortSize(%v) = %v exp %d, want %v exp %d",
						e, withEntry, p, got, got.Exponent(), want, want.Exponent())
				}
			}
		}
	}
	// the entry's own negation: its Decimal, no allocation (Abs makes one)
	s := &Strategy{shortQ: make([]entryQty, 1)}
	e := decimal.New(123, -3)
	rememberShort(s, 0, e)
	p := e.Neg()
	if n := testing.AllocsPerRun(100, func() { _ = s.shortSize(0, p) }); n != 0 {
		t.Fatalf("shortSize of the entry's negation allocates %v times", n)
	}
}

// rememberShort keeps qty as symbol i's short entry, as rebalance does with sizing.QtyCoef's
// coefficient.
func rememberShort(s *Strategy, i int, qty decimal.Decimal) {
	c, e, ok := exact.Coef(qty)
	s.shortQ[i] = entryQty{q: qty, c: c, e: e, ok: ok}
}
