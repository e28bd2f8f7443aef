package exact

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/bt-backtest/bt/internal/exact/exacttest"
	"github.com/shopspring/decimal"
)

// fitsCoef reports whether x's coefficient brought to exponent e (<= x's) is within ±(2^63 − 1).
func fitsCoef(x decimal.Decimal, e int32) bool {
	c := x.Coefficient()
	c.Mul(c, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(x.Exponent())-int64(e)), nil))
	return c.CmpAbs(big.NewInt(math.MaxInt64)) <= 0
}

// checkFix compares every Fix operation on x and y with Decimal's own arithmetic: when the
// result is OK, value and exponent and the float; when it is not, an operand must have more
// than 18 digits, or the result (for a sum, a term brought to the lesser exponent, at most 19
// decimal places down) must not fit in an int64. It returns how many results were OK.
func checkFix(t *testing.T, x, y decimal.Decimal) (ok int) {
	t.Helper()
	fx, fy := FixOf(x), FixOf(y)
	if fx.OK() != (x.NumDigits() <= 18) {
		t.Fatalf("FixOf(%s).OK() = %v with %d digits", x, fx.OK(), x.NumDigits())
	}
	operands := fx.OK() && fy.OK()
	e := min(x.Exponent(), y.Exponent())
	// a sum brings both terms to the lesser exponent: it gives up on a gap of 20 or more
	// (10^gap has no uint64) or a term that does not fit there
	sumFits := fitsCoef(x, e) && fitsCoef(y, e) && max(x.Exponent(), y.Exponent())-e < 20
	check := func(op string, got Fix, want decimal.Decimal, fits bool) {
		t.Helper()
		if !got.OK() {
			if operands && fits && fitsCoef(want, want.Exponent()) {
				t.Fatalf("%s(%s, %s): not OK, want %s", op, x, y, want)
			}
			return
		}
		ok++
		if !exacttest.Same(got.Dec(), want) {
			t.Fatalf("%s(%s, %s) = %s (exp %d), want %s (exp %d)", op, x, y, got.Dec(), got.Dec().Exponent(), want, want.Exponent())
		}
		if f, w := got.Float(), want.InexactFloat64(); f != w {
			t.Fatalf("%s(%s, %s).Float() = %v, want %v", op, x, y, f, w)
		}
		if got.Sign() != want.Sign() {
			t.Fatalf("%s(%s, %s).Sign() = %d, want %d", op, x, y, got.Sign(), want.Sign())
		}
		if n := got.Num(); !exacttest.Same(n.Dec(), want) {
			t.Fatalf("%s(%s, %s).Num() = %s", op, x, y, n.Dec())
		}
	}
	check("FixOf", fx, x, true)
	check("Add", fx.Add(fy), x.Add(y), sumFits)
	check("Sub", fx.Sub(fy), x.Sub(y), sumFits)
	check("Mul", fx.Mul(fy), x.Mul(y), true)
	check("Neg", fx.Neg(), x.Neg(), true)
	check("Abs", fx.Abs(), x.Abs(), true)
	if c, ok := fx.Cmp(fy); ok && c != x.Cmp(y) {
		t.Fatalf("Cmp(%s, %s) = %d, want %d", x, y, c, x.Cmp(y))
	} else if !ok && operands && sumFits {
		t.Fatalf("Cmp(%s, %s): not ok", x, y)
	}
	return ok
}

// TestFixAgrees checks Fix against Decimal on 200,000 operand pairs: random decimals of 1 to
// 25 digits, coefficients at the limits (18/19 digits, 2^63 ± 1, negative, zero), tick
// prices and step quantities. It fails unless both OK and not-OK results occur often.
func TestFixAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	ok, all := 0, 0
	for k := range 200000 {
		x, y := exacttest.EdgeDec(r), exacttest.EdgeDec(r)
		if k%2 == 0 {
			x, y = exacttest.RandDec(r), exacttest.RandDec(r)
		}
		ok += checkFix(t, x, y)
		all += 6
	}
	t.Logf("%d of %d results OK", ok, all)
	if ok < all/5 || ok > all*9/10 {
		t.Fatalf("%d of %d results OK: the test does not exercise both", ok, all)
	}
}

// TestFixGivesUp checks the boundaries where a Fix must hold no value: a sum, a product or a
// rescale past 2^63, −2^63 (it could not be negated), 19 digits, an exponent past int32, and
// an operand without a value.
func TestFixGivesUp(t *testing.T) {
	big18 := FixNew(999_999_999_999_999_999, 0)
	sum := big18
	for range 9 {
		sum = sum.Add(big18)
	}
	for _, c := range []struct {
		name string
		r    Fix
	}{
		{"sum past 2^63", sum},
		{"product past 2^63", FixNew(4e9, 0).Mul(FixNew(4e9, 0))},
		{"rescale past 2^63", FixNew(10, 0).Add(FixNew(1, -18))},
		{"19 digits", FixOf(decimal.New(1e18, 0))},
		{"-2^63", FixNew(math.MinInt64+1, 0).Add(FixNew(-1, 0))},
		{"sum below -2^63", FixNew(math.MinInt64+5, -2).Add(FixNew(-10, -2))},
		{"difference past 2^63", FixNew(math.MaxInt64-5, -2).Sub(FixNew(-10, -2))},
		{"negated -2^63", FixNew(math.MinInt64, 0).Neg()},
		{"0 at a greater exponent + -2^63", FixNew(0, 2).Add(FixNew(math.MinInt64, 0))},
		{"-2^63 + 0 at a greater exponent", FixNew(math.MinInt64, -3).Add(FixNew(0, 0))},
		{"abs -2^63", FixNew(math.MinInt64, 0).Abs()},
		{"exponent past int32", FixNew(1, math.MaxInt32).Mul(FixNew(1, 1))},
		{"no value + 1", Fix{}.Add(FixNew(1, 0))},
		{"1 × no value", FixNew(1, 0).Mul(Fix{})},
		{"1 − no value", FixNew(1, 0).Sub(Fix{})},
	} {
		if c.r.OK() {
			t.Errorf("%s: OK (%d e%d), want no value", c.name, c.r.c, c.r.e)
		}
	}
	if _, ok := FixNew(1, 0).Cmp(Fix{}); ok {
		t.Errorf("Cmp with no value is ok")
	}
	if c, ok := FixNew(5, 0).Cmp(FixNew(-1, -20)); !ok || c != 1 {
		t.Errorf("Cmp of different signs beyond one exponent = %d %v, want 1 true", c, ok)
	}
	if r := FixNew(999_999_999_999_999_999, 0).Add(FixNew(1, 0)); !r.OK() || !exacttest.Same(r.Dec(), decimal.New(1e18, 0)) {
		t.Errorf("a 19-digit sum within int64: %v", r)
	}
}

// TestFixDoesNotAllocate checks that Fix operations allocate nothing.
func TestFixDoesNotAllocate(t *testing.T) {
	x, y := decimal.New(123456, -3), decimal.New(-98765, -1)
	n := testing.AllocsPerRun(100, func() {
		a, b := FixOf(x), FixOf(y)
		r := a.Add(b).Sub(b).Mul(b).Abs().Neg()
		if c, ok := r.Cmp(a); !ok || c == 0 || r.Float() == 0 {
			t.Fatal("unexpected")
		}
	})
	if n != 0 {
		t.Fatalf("%v allocations per run, want 0", n)
	}
}

// FuzzFixAgrees is TestFixAgrees on fuzzed coefficients and exponents.
func FuzzFixAgrees(f *testing.F) {
	f.Add(int64(12), int32(-3), int64(600001), int32(-1))
	f.Add(int64(math.MaxInt64), int32(0), int64(1), int32(0))
	f.Add(int64(math.MinInt64), int32(-2), int64(-1), int32(-18))
	f.Fuzz(func(t *testing.T, a int64, ea int32, b int64, eb int32) {
		ea, eb = ea%40, eb%40
		checkFix(t, decimal.New(a, ea), decimal.New(b, eb))
	})
}

// TestFixMemo: Of is FixOf of whatever it is given (the Decimal it read last again, an equal
// value at another exponent, a coefficient beyond int64), Last reports what it remembers, and
// Put's pair is what Of then answers for that Decimal.
func TestFixMemo(t *testing.T) {
	var m FixMemo
	if _, _, ok := m.Last(); ok {
		t.Fatal("the zero FixMemo remembers a Decimal")
	}
	huge, _ := decimal.NewFromString("123456789012345678901.5")
	xs := []decimal.Decimal{decimal.New(5, -3), decimal.New(5, -3), decimal.New(50, -4), {}, huge, huge, decimal.New(-7, 2)}
	for _, x := range xs {
		if got, want := m.Of(x), FixOf(x); got != want {
			t.Fatalf("Of(%s) = %v, want %v", x, got, want)
		}
		if d, f, ok := m.Last(); !ok || d != x || f != FixOf(x) {
			t.Fatalf("Last after Of(%s) = %s, %v, %v", x, d, f, ok)
		}
	}
	d := decimal.New(12, -1)
	m.Put(d, FixNew(12, -1))
	if got := m.Of(d); got != FixNew(12, -1) {
		t.Fatalf("Of after Put = %v", got)
	}
	// Of of the Decimal remembered answers from the memo without reading it: a Fix put against
	// Put's contract (1.20 for 1.2) comes back, and another Decimal of that value is read
	m.Put(d, FixNew(120, -2))
	if got := m.Of(d); got != FixNew(120, -2) {
		t.Fatalf("Of of the Decimal put = %v: not the memo's", got)
	}
	if got := m.Of(decimal.New(12, -1)); got != FixNew(12, -1) {
		t.Fatalf("Of of another 1.2 = %v, want FixOf's", got)
	}
}
