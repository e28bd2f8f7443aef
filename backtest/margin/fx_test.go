package margin

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

// sameDec reports whether x and y have the same value and the same exponent.
func sameDec(x, y decimal.Decimal) bool { return x.Equal(y) && x.Exponent() == y.Exponent() }

// edgeDec returns a decimal whose coefficient sits at one of the fast paths' limits (18 and 19
// digits, 2^63 ± 1, their negatives, zero, one) at an exponent in [-20, 2], or a random one.
func edgeDec(r *rand.Rand) decimal.Decimal {
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
	return randDec(r)
}

// checkFx compares every fx operation and the decimal helpers built on them with Decimal's
// own arithmetic on x and y: value and exponent, the float conversion with InexactFloat64. It
// returns how many of the operations took the int64 path.
func checkFx(t *testing.T, x, y, z decimal.Decimal) (fast int) {
	t.Helper()
	vx, vy, vz := fxOf(x), fxOf(y), fxOf(z)
	check := func(op string, r fx, got, want decimal.Decimal) {
		t.Helper()
		if !sameDec(got, want) {
			t.Fatalf("%s(%s, %s, %s) = %s (exp %d), want %s (exp %d)", op, x, y, z, got, got.Exponent(), want, want.Exponent())
		}
		if r.ok {
			fast++
			if !sameDec(r.dec(), want) {
				t.Fatalf("fx %s(%s, %s, %s) = %s (exp %d), want %s (exp %d)", op, x, y, z, r.dec(), r.e, want, want.Exponent())
			}
			if f, w := r.float(), want.InexactFloat64(); f != w {
				t.Fatalf("fx %s(%s, %s, %s).float() = %v, want %v", op, x, y, z, f, w)
			}
		}
	}
	check("add", vx.add(vy), addDec(x, y), x.Add(y))
	check("sub", vx.sub(vy), subDec(x, y), x.Sub(y))
	check("mul", vx.mul(vy), mulDec(x, y), x.Mul(y))
	check("addDiff", vx.add(vy.sub(vz)), addDiff(x, y, z), x.Add(y.Sub(z)))
	check("addDiff2", vx.sub(vz).add(vy), addDiff(x, y, z), x.Sub(z).Add(y))
	check("abs", vx.abs(), x.Abs(), x.Abs())
	check("neg", vx.neg(), x.Neg(), x.Neg())
	if got, want := cmpAbs(x, y), x.Abs().Cmp(y.Abs()); got != want {
		t.Fatalf("cmpAbs(%s, %s) = %d, want %d", x, y, got, want)
	}
	if c, ok := vx.cmp(vy); ok && c != x.Cmp(y) {
		t.Fatalf("fx cmp(%s, %s) = %d, want %d", x, y, c, x.Cmp(y))
	}
	if vx.ok {
		if f, w := coefFloat(vx.c, vx.e), x.InexactFloat64(); f != w {
			t.Fatalf("coefFloat(%s) = %v, want %v", x, f, w)
		}
	}
	return fast
}

// TestFxAgrees checks the int64 fast paths of the ledger's sums, differences, products and
// comparisons against Decimal on 100,000 operand sets: random decimals of 1 to 25 digits,
// coefficients at the fast path's limits (18/19 digits, 2^63 ± 1, negative, zero) and tick
// prices and step quantities. It fails when the fast path is rarely taken or never refused.
func TestFxAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 21))
	fast, ops := 0, 0
	for range 100000 {
		fast += checkFx(t, edgeDec(r), edgeDec(r), edgeDec(r))
		ops += 7
	}
	t.Logf("%d of %d operations on the int64 path", fast, ops)
	if fast < ops/5 || fast > ops*9/10 {
		t.Fatalf("%d of %d operations fast: the test does not exercise both paths", fast, ops)
	}
}

// TestFxOverflowFallsBack checks the boundaries: a sum, a product or a rescale past 2^63 is
// refused (not ok), and the helpers then give Decimal's result.
func TestFxOverflowFallsBack(t *testing.T) {
	big18 := decimal.New(999_999_999_999_999_999, 0)
	cases := []struct {
		name string
		r    fx
	}{
		{"sum past 2^63", fxOf(big18).add(fxOf(big18)).add(fxOf(big18)).add(fxOf(big18)).add(fxOf(big18)).add(fxOf(big18)).add(fxOf(big18)).add(fxOf(big18)).add(fxOf(big18)).add(fxOf(big18))},
		{"product past 2^63", fxOf(decimal.New(4_000_000_000, 0)).mul(fxOf(decimal.New(4_000_000_000, 0)))},
		{"rescale past 2^63", fxOf(decimal.New(10, 0)).add(fxOf(decimal.New(1, -18)))},
		{"19 digits", fxOf(decimal.New(1_000_000_000_000_000_000, 0))},
		{"-2^63", fx{math.MinInt64 + 1, 0, true}.add(fx{-1, 0, true})},
		{"exponent past int32", fx{1, math.MaxInt32, true}.mul(fx{1, 1, true})},
	}
	for _, c := range cases {
		if c.r.ok {
			t.Errorf("%s: ok (%d e%d), want refused", c.name, c.r.c, c.r.e)
		}
	}
	x := decimal.New(9e17, 0)
	if got, want := addDec(x, x.Mul(decimal.New(10, 0))), x.Add(x.Mul(decimal.New(10, 0))); !sameDec(got, want) {
		t.Errorf("addDec past 2^63 = %s, want %s", got, want)
	}
	if got, want := mulDec(x, x), x.Mul(x); !sameDec(got, want) {
		t.Errorf("mulDec past 2^63 = %s, want %s", got, want)
	}
	if got, want := cmpAbs(x.Mul(x), x.Neg()), 1; got != want {
		t.Errorf("cmpAbs past 2^63 = %d, want %d", got, want)
	}
	if c, ok := fxOf(decimal.New(5, 0)).cmp(fxOf(decimal.New(-1, -20))); !ok || c != 1 {
		t.Errorf("cmp of different signs beyond one exponent = %d %v, want 1 true", c, ok)
	}
}

// TestCoefFloatAgrees checks coefFloat against InexactFloat64 over the coefficient range
// (up to ±2^63, across the exact-division limit 2^53) and exponents from -340 to 310
// (subnormals, overflow to ±Inf).
func TestCoefFloatAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 22))
	for k := range 200000 {
		var c int64
		switch k % 4 {
		case 0:
			c = r.Int64N(1 << 54)
		case 1:
			c = (1 << 53) + r.Int64N(64) - 32
		case 2:
			c = r.Int64()
		default:
			c = r.Int64N(1_000_000_000)
		}
		if r.IntN(2) == 0 {
			c = -c
		}
		e := int32(r.IntN(45) - 30)
		if k%50 == 0 {
			e = int32(r.IntN(650) - 340)
		}
		if got, want := coefFloat(c, e), decimal.New(c, e).InexactFloat64(); got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("coefFloat(%d, %d) = %v, want %v", c, e, got, want)
		}
	}
}

// FuzzFxAgrees is TestFxAgrees on fuzzed coefficients and exponents.
func FuzzFxAgrees(f *testing.F) {
	f.Add(int64(12), int32(-3), int64(600001), int32(-1), int64(0), int32(0))
	f.Add(int64(math.MaxInt64), int32(0), int64(1), int32(0), int64(-1), int32(-18))
	f.Add(int64(-999_999_999_999_999_999), int32(-16), int64(999_999_999_999_999_999), int32(2), int64(7), int32(-8))
	f.Fuzz(func(t *testing.T, a int64, ea int32, b int64, eb int32, c int64, ec int32) {
		ea, eb, ec = ea%40, eb%40, ec%40 // Decimal's own rescale of a huge exponent gap is slow
		checkFx(t, decimal.New(a, ea), decimal.New(b, eb), decimal.New(c, ec))
	})
}

// TestOpenCostAgrees checks openCost against the decimal expression it computes, initial
// margin + fee + |openQ|·max(0, side·(price − mark)), on a position marked above and below
// the price, at tick prices and at marks of many digits.
func TestOpenCostAgrees(t *testing.T) {
	a, err := NewAccount(Config{Wallet: d("100000"), Instruments: []Instrument{DefaultInstrument("BTCUSDT", 60000, snap24, nil)}})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(15, 23))
	fast := 0
	for k := range 20000 {
		openQ := decimal.New(int64(r.IntN(20000))-10000, -3)
		if openQ.IsZero() {
			continue
		}
		price := decimal.New(int64(r.IntN(1_000_000))+1, -1)
		mark := float64(r.IntN(1_000_000)+1) / 10
		if k%3 == 0 {
			mark = 60000 + r.Float64()*1000
		}
		a.SetMark(0, mark)
		if k%7 == 0 {
			a.SetMark(0, math.NaN())
		}
		im, fee := decimal.New(int64(r.IntN(1e9)), -8), decimal.New(int64(r.IntN(1e7)), -8)
		if k%11 == 0 {
			im = randDec(r)
		}
		absO := openQ.Abs()
		got := a.openCost(0, openQ, absO, price, im, fee)
		want := im.Add(fee)
		if !math.IsNaN(a.slots[0].mark) {
			dd := price.Sub(a.markDec(0))
			if openQ.IsNegative() {
				dd = dd.Neg()
			}
			if dd.IsPositive() {
				want = want.Add(absO.Mul(dd))
				fast++
			}
		}
		if !sameDec(got, want) {
			t.Fatalf("openCost(%s at %s, mark %v, im %s, fee %s) = %s, want %s", openQ, price, mark, im, fee, got, want)
		}
	}
	if fast < 1000 {
		t.Fatalf("only %d costs with an open loss: the test is void", fast)
	}
}

// TestLazySumAgrees checks lazySum against adding each term with Decimal.Add (value and
// exponent), read after every term and only at the end, on runs of money amounts with now
// and then a term past the int64 path (20+ digits, or 2^63 − 1), a zero and a term at
// another exponent.
func TestLazySumAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 24))
	pending := 0
	for run := range 2000 {
		var s, every lazySum
		var want decimal.Decimal
		for range 1 + r.IntN(60) {
			x := decimal.New(r.Int64N(2e12)-1e12, -MoneyPlaces)
			switch r.IntN(20) {
			case 0:
				x = edgeDec(r)
			case 1:
				x = decimal.New(0, int32(r.IntN(10)-12))
			case 2:
				x = decimal.New(math.MaxInt64, -MoneyPlaces)
			}
			if run%2 == 0 {
				x = decimal.New(r.Int64N(1e6), -MoneyPlaces) // only int64 terms
			}
			want = want.Add(x)
			s.add(x)
			every.add(x)
			if s.pend.ok {
				pending++
			}
			if got := every.value(); !sameDec(got, want) {
				t.Fatalf("run %d: read after each term: %s (exp %d), want %s (exp %d)", run, got, got.Exponent(), want, want.Exponent())
			}
		}
		if got := s.value(); !sameDec(got, want) {
			t.Fatalf("run %d: %s (exp %d), want %s (exp %d)", run, got, got.Exponent(), want, want.Exponent())
		}
	}
	if pending < 10000 {
		t.Fatalf("only %d terms pending: the int64 path is not exercised", pending)
	}
}

// TestFloat128Agrees checks float128 and dec128 against big.Int arithmetic and InexactFloat64
// on coefficients up to 2^128 (both sides of 2^63, 2^64 and 10^19·2^64) at exponents −30 to
// 10, and the tableIndexFx bracket search against Table.index.
func TestFloat128Agrees(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 25))
	for k := range 100000 {
		hi, lo := r.Uint64()>>uint(r.IntN(64)), r.Uint64()
		switch k % 5 {
		case 0:
			hi = 0
		case 1:
			hi, lo = 0, lo>>1
		case 2:
			hi = 1e19 + uint64(r.IntN(3)) - 1
		}
		if k%7 == 0 {
			lo = lo % 1e19 // r's leading zeros
		}
		neg := r.IntN(2) == 0
		e := int32(r.IntN(41) - 30)
		v := new(big.Int).Lsh(new(big.Int).SetUint64(hi), 64)
		v.Or(v, new(big.Int).SetUint64(lo))
		if neg {
			v.Neg(v)
		}
		want := decimal.NewFromBigInt(v, e)
		got := dec128(hi, lo, neg, e)
		if !sameDec(got, want) {
			t.Fatalf("dec128(%d, %d, %v, %d) = %s, want %s", hi, lo, neg, e, got, want)
		}
		if f, w := float128(hi, lo, neg, e), want.InexactFloat64(); f != w {
			t.Fatalf("float128(%d, %d, %v, %d) = %v, want %v", hi, lo, neg, e, f, w)
		}
	}
	tb := DefaultBook()
	tables := []Table{}
	for _, sym := range tb.Symbols()[:5] {
		tab, _, _ := tb.Table(sym, snap24)
		tables = append(tables, tab)
	}
	for k := range 20000 {
		tab := tables[k%len(tables)]
		n := decimal.New(r.Int64N(1e15), -int32(r.IntN(8)))
		if k%3 == 0 { // at a floor
			n = tab[r.IntN(len(tab))].Floor
		}
		if got, want := tableIndexFx(tab, fxOf(n)), tab.index(n); got != want && got != -1 {
			t.Fatalf("tableIndexFx(%s) = %d, want %d", n, got, want)
		}
	}
}

// TestAvgEntryAgrees checks avgEntry against the decimal expression (value and exponent) on
// additions to positions at tick prices (the first average), to averaged entries (20+ digits:
// the expression), and on random operands of every length; it fails unless the int64 path
// is taken.
func TestAvgEntryAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 26))
	fast := 0
	for k := range 100000 {
		qty := decimal.New(r.Int64N(1_000_000)+1, -int32(r.IntN(4)))
		openQ := decimal.New(r.Int64N(1_000_000)+1, -int32(r.IntN(4)))
		entry := decimal.New(r.Int64N(10_000_000)+1, -int32(r.IntN(3)))
		price := decimal.New(r.Int64N(10_000_000)+1, -int32(r.IntN(3)))
		switch k % 4 {
		case 1: // an averaged entry
			entry = entry.DivRound(decimal.New(r.Int64N(7)+1, 0), QuotientPlaces)
		case 2:
			qty, openQ, entry, price = randDec(r), randDec(r), randDec(r).Abs(), randDec(r).Abs()
			if qty.IsZero() || openQ.IsZero() {
				continue
			}
		}
		if k%2 == 0 {
			qty = qty.Neg() // a short
		}
		if qty.Sign() != openQ.Sign() {
			openQ = openQ.Neg()
		}
		want := qty.Abs().Mul(entry).Add(openQ.Abs().Mul(price)).DivRound(qty.Add(openQ).Abs(), QuotientPlaces)
		got := avgEntry(qty, entry, openQ, price)
		if !sameDec(got, want) {
			t.Fatalf("avgEntry(%s, %s, %s, %s) = %s (exp %d), want %s (exp %d)", qty, entry, openQ, price, got, got.Exponent(), want, want.Exponent())
		}
		q, o := fxOf(qty).abs(), fxOf(openQ).abs()
		if _, _, _, ok := sumQuoCoef(q.mul(fxOf(entry)), o.mul(fxOf(price)), fxOf(qty).add(fxOf(openQ)).abs(), fx{1, 0, true}, QuotientPlaces); ok {
			fast++
		}
	}
	if fast < 30000 {
		t.Fatalf("only %d averages on the int64 path", fast)
	}
}
