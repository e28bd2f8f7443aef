package exact

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/bt-backtest/bt/internal/exact/exacttest"
	"github.com/shopspring/decimal"
)

// limit127 is 2^127, the bound of a Wide's coefficient.
var limit127 = new(big.Int).Lsh(big.NewInt(1), 127)

// fits127 reports whether x's coefficient brought to exponent e (<= x's) is below 2^127.
func fits127(x decimal.Decimal, e int32) bool {
	c := x.Coefficient()
	c.Mul(c, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(x.Exponent())-int64(e)), nil))
	return c.CmpAbs(limit127) < 0
}

// randWideDec is a decimal for the Wide tests: RandDec's or EdgeDec's, or one with a
// coefficient of 19 to 39 digits (around 2^64 and 2^127) at an exponent in [-20, 2].
func randWideDec(r *rand.Rand) decimal.Decimal {
	switch r.IntN(4) {
	case 0:
		return exacttest.EdgeDec(r)
	case 1:
		return exacttest.RandDec(r)
	}
	// a random coefficient of 61 to 130 bits
	c := new(big.Int).SetUint64(r.Uint64() | 1<<63)
	c.Lsh(c, 64).Or(c, new(big.Int).SetUint64(r.Uint64()))
	c.Rsh(c, uint(r.IntN(68)))
	switch r.IntN(4) {
	case 0: // just below or at 2^127
		c.Sub(limit127, big.NewInt(int64(r.IntN(3))))
	case 1: // 10^k − 1, 10^k
		c.Exp(big.NewInt(10), big.NewInt(int64(19+r.IntN(20))), nil)
		c.Sub(c, big.NewInt(int64(r.IntN(2))))
	}
	if r.IntN(2) == 0 {
		c.Neg(c)
	}
	return decimal.NewFromBigInt(c, int32(r.IntN(23)-20))
}

// TestWideAgrees compares every Wide operation with Decimal's own arithmetic: WideOf, Dec and
// Float round trip (value, exponent, InexactFloat64), == is "the same value and exponent",
// and Add and Sub give Decimal's value and exponent whenever the result fits below 2^127 (ok
// false otherwise, and only then).
func TestWideAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(127, 64))
	wide, sums := 0, 0
	for range 300_000 {
		x, y := randWideDec(r), randWideDec(r)
		wx, okx := WideOf(x)
		wy, oky := WideOf(y)
		if okx != fits127(x, x.Exponent()) || oky != fits127(y, y.Exponent()) {
			t.Fatalf("WideOf(%s) ok %v, WideOf(%s) ok %v", x, okx, y, oky)
		}
		if !okx || !oky {
			continue
		}
		if x.NumDigits() > 18 {
			wide++
		}
		for _, c := range []struct {
			d decimal.Decimal
			w Wide
		}{{x, wx}, {y, wy}} {
			if got := c.w.Dec(); !exacttest.Same(got, c.d) {
				t.Fatalf("WideOf(%s).Dec() = %s (exp %d)", c.d, got, got.Exponent())
			}
			if got, want := c.w.Float(), c.d.InexactFloat64(); math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("WideOf(%s).Float() = %v, want %v", c.d, got, want)
			}
			if c.w.IsZero() != c.d.IsZero() || c.w.Exp() != c.d.Exponent() {
				t.Fatalf("WideOf(%s): IsZero %v, Exp %d", c.d, c.w.IsZero(), c.w.Exp())
			}
		}
		if (wx == wy) != exacttest.Same(x, y) {
			t.Fatalf("WideOf(%s) == WideOf(%s) is %v", x, y, wx == wy)
		}
		if n := wx.Neg(); !exacttest.Same(n.Dec(), x.Neg()) {
			t.Fatalf("-%s = %s", x, n.Dec())
		}
		for _, op := range []struct {
			name string
			got  func() (Wide, bool)
			want decimal.Decimal
		}{{"+", func() (Wide, bool) { return wx.Add(wy) }, x.Add(y)},
			{"-", func() (Wide, bool) { return wx.Sub(wy) }, x.Sub(y)}} {
			w, ok := op.got()
			e := min(x.Exponent(), y.Exponent())
			fits := fits127(x, e) && fits127(y, e) && fits127(op.want, e)
			if ok != fits {
				t.Fatalf("%s %s %s: ok %v, the result fits: %v", x, op.name, y, ok, fits)
			}
			if !ok {
				continue
			}
			if got := w.Dec(); !exacttest.Same(got, op.want) {
				t.Fatalf("%s %s %s = %s (exp %d), want %s (exp %d)", x, op.name, y, got, got.Exponent(), op.want, op.want.Exponent())
			}
			if d, _ := WideOf(op.want); d != w {
				t.Fatalf("%s %s %s: %+v, WideOf of the sum %+v", x, op.name, y, w, d)
			}
			if x.NumDigits() > 18 || y.NumDigits() > 18 {
				sums++
			}
		}
	}
	if wide < 50_000 || sums < 50_000 {
		t.Fatalf("only %d wide values and %d wide sums", wide, sums)
	}
}

// A Wide's coefficient stays below 2^127: NewWide refuses more, a sum reaching it is not ok.
func TestWideLimits(t *testing.T) {
	if _, ok := NewWide(1<<63, 0, false, 0); ok {
		t.Fatal("NewWide(2^127) ok")
	}
	max, ok := NewWide(1<<63-1, math.MaxUint64, false, -4)
	if !ok {
		t.Fatal("NewWide(2^127 − 1) not ok")
	}
	if _, ok := max.Add(WideFix(1, -4)); ok {
		t.Fatal("(2^127 − 1) + 1 ok")
	}
	if w, ok := max.Sub(WideFix(1, -4)); !ok || w.Dec().Cmp(max.Dec().Sub(decimal.New(1, -4))) != 0 {
		t.Fatal("(2^127 − 1) − 1")
	}
	if _, ok := max.Add(WideFix(0, -5)); ok {
		t.Fatal("(2^127 − 1)·10 ok")
	}
	if z, ok := max.Neg().Add(max); !ok || z != WideFix(0, -4) || z.Neg() != z {
		t.Fatalf("x − x = %+v", z)
	}
}
