package exact

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/bt-backtest/bt/internal/exact/exacttest"
	"github.com/shopspring/decimal"
)

// checkDec compares the decimal helpers with Decimal's own arithmetic on x, y and z (value
// and exponent); it returns how many quotients took the int64 path.
func checkDec(t *testing.T, x, y, z decimal.Decimal, places int32) (fast int) {
	t.Helper()
	for _, c := range []struct {
		op        string
		got, want decimal.Decimal
	}{
		{"Add", Add(x, y), x.Add(y)},
		{"Sub", Sub(x, y), x.Sub(y)},
		{"Mul", Mul(x, y), x.Mul(y)},
		{"MulAdd", MulAdd(z, x, y), z.Add(x.Mul(y))},
	} {
		if !exacttest.Same(c.got, c.want) {
			t.Fatalf("%s(%s, %s, %s) = %s e%d, want %s e%d", c.op, x, y, z, c.got, c.got.Exponent(), c.want, c.want.Exponent())
		}
	}
	if got, want := Cmp(x, y), x.Cmp(y); got != want {
		t.Fatalf("Cmp(%s, %s) = %d, want %d", x, y, got, want)
	}
	if got, want := CmpAbs(x, y), x.Abs().Cmp(y.Abs()); got != want {
		t.Fatalf("CmpAbs(%s, %s) = %d, want %d", x, y, got, want)
	}
	if !y.IsZero() {
		if got, want := Quo(x, y, places), x.DivRound(y, places); !exacttest.Same(got, want) {
			t.Fatalf("Quo(%s, %s, %d) = %s e%d, want %s e%d", x, y, places, got, got.Exponent(), want, want.Exponent())
		}
		a, ea, ok1 := Coef(x)
		b, eb, ok2 := Coef(y)
		if _, ok := QuoCoef(a, ea, b, eb, places); ok && ok1 && ok2 {
			fast++
		}
	}
	return fast
}

// TestDecAgrees checks each decimal helper against the decimal expression it stands for, on
// random values of every length, values at the int64 limits and the values a fill books
// (quantities at a step, prices at a tick, fees at 8 decimals, 12-decimal quotients),
// comparing value and exponent; it fails if the quotient's fast path is rarely taken.
func TestDecAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 7))
	fast := 0
	for k := range 300000 {
		x, y, z := exacttest.RandDec(r), exacttest.RandDec(r), exacttest.RandDec(r)
		switch k % 5 {
		case 0: // a fill's values: quantity, price, money
			x = decimal.New(int64(r.IntN(1_000_000))-500_000, -3)
			y = decimal.New(int64(r.IntN(10_000_000)), -int32(r.IntN(3)))
			z = decimal.New(int64(r.IntN(1e12))-5e11, -8)
		case 1:
			x, y, z = exacttest.EdgeDec(r), exacttest.EdgeDec(r), exacttest.EdgeDec(r)
		}
		places := int32(r.IntN(17))
		if k%3 == 0 {
			places = 12
		}
		fast += checkDec(t, x, y, z, places)
	}
	if fast < 30000 {
		t.Fatalf("only %d quotients took the fast path: the test does not exercise it", fast)
	}
	// halves round away from zero, either sign
	for _, c := range [][2]string{{"1", "8"}, {"-1", "8"}, {"5", "-2"}, {"1", "3"}, {"2", "3"}, {"-2", "3"}} {
		x, y := decimal.RequireFromString(c[0]), decimal.RequireFromString(c[1])
		for places := int32(0); places < 4; places++ {
			if got, want := Quo(x, y, places), x.DivRound(y, places); !exacttest.Same(got, want) {
				t.Fatalf("Quo(%s, %s, %d) = %s, want %s", x, y, places, got, want)
			}
		}
	}
}

// TestDecOverflowFallsBack checks sums, products and comparisons next to int64's limits.
func TestDecOverflowFallsBack(t *testing.T) {
	big18 := decimal.New(999_999_999_999_999_999, 0)
	for _, c := range [][3]decimal.Decimal{
		{big18, big18, big18},
		{big18.Neg(), big18, big18.Neg()},
		{decimal.New(9e17, -2), decimal.New(9e17, 0), decimal.New(3e9, -1)},
		{decimal.New(1, -30), decimal.New(1, 0), decimal.New(1, 0)},
		{decimal.New(-(1 << 62), 0), decimal.New(-(1 << 62), 0), decimal.New(1, 0)}, // a sum of −2^63
	} {
		x, y, z := c[0], c[1], c[2]
		checkDec(t, x, y, z, 12)
		checkDec(t, x, y.Neg(), z, 12)
	}
	x := decimal.New(9e17, 0)
	if got, want := CmpAbs(x.Mul(x), x.Neg()), 1; got != want {
		t.Errorf("CmpAbs past 2^63 = %d, want %d", got, want)
	}
}

// checkNum compares every Num operation on x, y and z, made by Of, by Of from Decimals
// past the int64 path, and by Fit, with Decimal's own arithmetic: value and exponent, the
// float conversion with InexactFloat64. An Of result must always be there; a Fit result
// must be there exactly when the operands and result fit. It returns how many results were
// on the int64 path.
func checkNum(t *testing.T, x, y, z decimal.Decimal) (fast int) {
	t.Helper()
	for _, mode := range []string{"Of", "Of/large", "Fit"} {
		nx, ny, nz := Of(x), Of(y), Of(z)
		switch mode {
		case "Of/large":
			nx, ny, nz = Num{k: large, d: x}, Num{k: large, d: y}, Num{k: large, d: z}
		case "Fit":
			nx, ny, nz = Fit(x), Fit(y), Fit(z)
		}
		check := func(op string, got Num, want decimal.Decimal) {
			t.Helper()
			if !got.OK() {
				if mode != "Fit" {
					t.Fatalf("%s %s(%s, %s, %s): not OK", mode, op, x, y, z)
				}
				return
			}
			if !exacttest.Same(got.Dec(), want) {
				t.Fatalf("%s %s(%s, %s, %s) = %s (exp %d), want %s (exp %d)", mode, op, x, y, z, got.Dec(), got.Dec().Exponent(), want, want.Exponent())
			}
			if f, w := got.Float(), want.InexactFloat64(); f != w {
				t.Fatalf("%s %s(%s, %s, %s).Float() = %v, want %v", mode, op, x, y, z, f, w)
			}
			if got.IsZero() != want.IsZero() {
				t.Fatalf("%s %s(%s, %s, %s).IsZero() = %v", mode, op, x, y, z, got.IsZero())
			}
			if _, _, ok := got.Small(); ok {
				fast++
			}
		}
		check("dec", nx, x)
		check("Add", nx.Add(ny), x.Add(y))
		check("Sub", nx.Sub(ny), x.Sub(y))
		check("Mul", nx.Mul(ny), x.Mul(y))
		check("AddSub", nx.Add(ny.Sub(nz)), x.Add(y.Sub(z)))
		check("SubAdd", nx.Sub(nz).Add(ny), x.Sub(z).Add(y))
		check("Abs", nx.Abs(), x.Abs())
		check("Neg", nx.Neg(), x.Neg())
		if !y.IsZero() {
			check("Quo12", nx.Quo(ny, 12), x.DivRound(y, 12))
		}
		c, ok := nx.Cmp(ny)
		if !ok && mode != "Fit" {
			t.Fatalf("%s Cmp(%s, %s): not ok", mode, x, y)
		}
		if ok && c != x.Cmp(y) {
			t.Fatalf("%s Cmp(%s, %s) = %d, want %d", mode, x, y, c, x.Cmp(y))
		}
	}
	return fast
}

// TestNumAgrees checks Num against Decimal on 100,000 operand sets: random decimals of 1 to
// 25 digits, coefficients at the fast path's limits (18/19 digits, 2^63 ± 1, negative, zero)
// and tick prices and step quantities. It fails unless both the int64 path and the others
// are taken.
func TestNumAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 21))
	fast, ops := 0, 0
	for range 100000 {
		fast += checkNum(t, exacttest.EdgeDec(r), exacttest.EdgeDec(r), exacttest.EdgeDec(r))
		ops += 3 * 10
	}
	t.Logf("%d of ~%d results on the int64 path", fast, ops)
	if fast < ops/10 || fast > ops*3/4 {
		t.Fatalf("%d of ~%d results on the int64 path: the test does not exercise both", fast, ops)
	}
}

// TestNumOverflow checks the boundaries: a sum, a product or a rescale past 2^63 gives up
// under Fit and falls back to Decimal under Of.
func TestNumOverflow(t *testing.T) {
	big18 := decimal.New(999_999_999_999_999_999, 0)
	for _, mk := range []func(decimal.Decimal) Num{Fit, Of} {
		sum := mk(big18)
		for range 9 {
			sum = sum.Add(mk(big18))
		}
		sum9 := mk(big18) // 9·big18, on the int64 path (19 digits)
		for range 8 {
			sum9 = sum9.Add(mk(big18))
		}
		cases := []struct {
			name string
			r    Num
			want decimal.Decimal
		}{
			{"sum past 2^63", sum, big18.Mul(decimal.New(10, 0))},
			{"product past 2^63", mk(decimal.New(4e9, 0)).Mul(mk(decimal.New(4e9, 0))), decimal.New(4e9, 0).Mul(decimal.New(4e9, 0))},
			{"rescale past 2^63", mk(decimal.New(10, 0)).Add(mk(decimal.New(1, -18))), decimal.RequireFromString("10.000000000000000001")},
			{"19 digits", mk(decimal.New(1e18, 0)), decimal.New(1e18, 0)},
			{"-2^63", mk(decimal.New(math.MinInt64+1, 0)).Add(mk(decimal.New(-1, 0))), decimal.New(math.MinInt64, 0)},
			{"sum below -2^63", sum9.Neg().Add(mk(big18.Neg())), big18.Mul(decimal.New(-10, 0))},
			{"difference past 2^63", sum9.Sub(mk(big18.Neg())), big18.Mul(decimal.New(10, 0))},
			{"difference below -2^63", sum9.Neg().Sub(mk(big18)), big18.Mul(decimal.New(-10, 0))},
		}
		fit := mk(decimal.New(1, 0)).fit
		if fit { // Decimal.Mul itself panics on it
			cases = append(cases, struct {
				name string
				r    Num
				want decimal.Decimal
			}{"exponent past int32", mk(decimal.New(1, math.MaxInt32)).Mul(mk(decimal.New(1, 1))), decimal.Decimal{}})
		}
		for _, c := range cases {
			if _, _, ok := c.r.Small(); ok {
				t.Errorf("%s: on the int64 path (%d e%d), want refused", c.name, c.r.c, c.r.e)
			}
			if c.r.OK() == fit {
				t.Errorf("%s: OK = %v under fit = %v", c.name, c.r.OK(), fit)
			}
			if !fit && !exacttest.Same(c.r.Dec(), c.want) {
				t.Errorf("%s: %s, want %s", c.name, c.r.Dec(), c.want)
			}
		}
	}
	if c, ok := Fit(decimal.New(5, 0)).Cmp(Fit(decimal.New(-1, -20))); !ok || c != 1 {
		t.Errorf("Cmp of different signs beyond one exponent = %d %v, want 1 true", c, ok)
	}
	if (Num{}).Dec().Exponent() != 0 || !(Num{}).IsZero() || !(Num{}).OK() {
		t.Errorf("the zero Num is not 0 at exponent 0")
	}
}

// FuzzNumAgrees is TestNumAgrees on fuzzed coefficients and exponents.
func FuzzNumAgrees(f *testing.F) {
	f.Add(int64(12), int32(-3), int64(600001), int32(-1), int64(0), int32(0))
	f.Add(int64(math.MaxInt64), int32(0), int64(1), int32(0), int64(-1), int32(-18))
	f.Add(int64(-999_999_999_999_999_999), int32(-16), int64(999_999_999_999_999_999), int32(2), int64(7), int32(-8))
	f.Fuzz(func(t *testing.T, a int64, ea int32, b int64, eb int32, c int64, ec int32) {
		ea, eb, ec = ea%40, eb%40, ec%40 // Decimal's own rescale of a huge exponent gap is slow
		x, y, z := decimal.New(a, ea), decimal.New(b, eb), decimal.New(c, ec)
		checkNum(t, x, y, z)
		checkDec(t, x, y, z, 12)
	})
}

// TestCoefFloatAgrees checks CoefFloat against InexactFloat64 over the coefficient range
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
		if got, want := CoefFloat(c, e), decimal.New(c, e).InexactFloat64(); got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("CoefFloat(%d, %d) = %v, want %v", c, e, got, want)
		}
	}
}

// TestFloat64CorrectlyRounded checks Float64 against big.Rat's correctly rounded conversion
// (InexactFloat64) on random decimals of every length and on averaged entry prices at 16
// decimals.
func TestFloat64CorrectlyRounded(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 2))
	for k := range 100000 {
		x := exacttest.RandDec(r)
		if k%2 == 0 {
			x = decimal.New(int64(r.IntN(1e12))+1, -int32(r.IntN(6))).DivRound(decimal.New(int64(r.IntN(999))+1, 0), 16)
		}
		want, _ := x.Rat().Float64()
		if got := Float64(x); got != want || got != x.InexactFloat64() {
			t.Fatalf("Float64(%s) = %v, want %v", x, got, want)
		}
	}
}

// TestFloat128Agrees checks Float128 and Dec128 against big.Int arithmetic and InexactFloat64
// on coefficients up to 2^128 (both sides of 2^63, 2^64 and 10^19·2^64) at exponents −30 to
// 10.
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
		got := Dec128(hi, lo, neg, e)
		if !exacttest.Same(got, want) {
			t.Fatalf("Dec128(%d, %d, %v, %d) = %s, want %s", hi, lo, neg, e, got, want)
		}
		if f, w := Float128(hi, lo, neg, e), want.InexactFloat64(); f != w {
			t.Fatalf("Float128(%d, %d, %v, %d) = %v, want %v", hi, lo, neg, e, f, w)
		}
	}
	for _, c := range []struct {
		hi, lo uint64
		neg    bool
	}{{0, math.MaxInt64, false}, {0, 1 << 63, true}, {1, 0, false}, {math.MaxUint64, math.MaxUint64, true}} {
		want := new(big.Int).Lsh(new(big.Int).SetUint64(c.hi), 64)
		want.Or(want, new(big.Int).SetUint64(c.lo))
		if c.neg {
			want.Neg(want)
		}
		if got := Dec128(c.hi, c.lo, c.neg, -3); !exacttest.Same(got, decimal.NewFromBigInt(want, -3)) {
			t.Errorf("Dec128(%d, %d, %v) = %s, want %s", c.hi, c.lo, c.neg, got, decimal.NewFromBigInt(want, -3))
		}
	}
}

// TestFastPathsDoNotAllocate checks that the int64 paths allocate nothing beyond the
// Decimal they return.
func TestFastPathsDoNotAllocate(t *testing.T) {
	x, y := decimal.New(123456, -3), decimal.New(-98765, -1)
	n := testing.AllocsPerRun(100, func() {
		a, b := Fit(x), Of(y)
		r := a.Add(b).Sub(b).Mul(b).Abs().Neg().Quo(b, 12)
		if _, ok := r.Cmp(a); !ok || Cmp(x, y) == 0 || CmpAbs(x, y) == 0 || r.Float() == 0 {
			t.Fatal("unexpected")
		}
	})
	if n != 0 {
		t.Fatalf("%v allocations per run, want 0", n)
	}
}

// Float64 agrees with InexactFloat64 (both round correctly) on short and long coefficients.
func TestFloat64Cases(t *testing.T) {
	for _, s := range []string{"0", "1", "-0.001", "60000.1", "123456789012345", "1234567890123456",
		"-59045.2261306532663317", "0.1234567890123456789012345", "1e30", "-3e-30", "9007199254740993",
		"60000.0666666666666667", "-180000.2000000000000001"} {
		x := decimal.RequireFromString(s)
		if got, want := Float64(x), x.InexactFloat64(); got != want {
			t.Errorf("Float64(%s) = %v, want %v", s, got, want)
		}
	}
}

// TestQuoRoundAgrees checks QuoRound against big.Int arithmetic (num·10^k / den rounded half
// away from zero) on random operands, exact halves and quotients past 64 bits; it fails
// unless both 64-bit and wider quotients are seen.
func TestQuoRoundAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 40))
	wide := 0
	for i := range 200000 {
		num, den := r.Uint64()>>uint(r.IntN(64)), r.Uint64()>>uint(r.IntN(64))|1
		k := int64(r.IntN(41) - 20)
		if i%5 == 0 { // an exact half
			num, den, k = 2*uint64(r.IntN(1e6))+1, 2, 0
		}
		qh, ql, ok := QuoRound(num, den, k)
		n, d := new(big.Int).SetUint64(num), new(big.Int).SetUint64(den)
		p := new(big.Int).Exp(big.NewInt(10), big.NewInt(max(k, -k)), nil)
		if k >= 0 {
			n.Mul(n, p)
		} else {
			d.Mul(d, p)
		}
		if want := k > -20 && k < 20 && d.BitLen() <= 64; ok != want {
			t.Fatalf("QuoRound(%d, %d, %d) ok = %v, want %v", num, den, k, ok, want)
		}
		if !ok {
			continue
		}
		q, rem := new(big.Int).QuoRem(n, d, new(big.Int))
		if rem.Lsh(rem, 1).Cmp(d) >= 0 {
			q.Add(q, big.NewInt(1))
		}
		got := new(big.Int).Lsh(new(big.Int).SetUint64(qh), 64)
		got.Or(got, new(big.Int).SetUint64(ql))
		if got.Cmp(q) != 0 {
			t.Fatalf("QuoRound(%d, %d, %d) = %s, want %s", num, den, k, got, q)
		}
		if qh != 0 {
			wide++
		}
	}
	if wide < 1000 {
		t.Fatalf("only %d quotients past 64 bits", wide)
	}
}

// TestFloatCoefIsNewFromFloat checks FloatCoef against decimal.NewFromFloat (coefficient and
// exponent) and refuses NaN and ±Inf.
func TestFloatCoefIsNewFromFloat(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 31))
	for range 200000 {
		f := exacttest.RandFloat(r)
		c, e, ok := FloatCoef(f)
		want := decimal.NewFromFloat(f)
		if !ok || !exacttest.Same(decimal.New(c, e), want) {
			t.Fatalf("FloatCoef(%v) = %d e%d %v, want %s (exp %d)", f, c, e, ok, want, want.Exponent())
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if _, _, ok := FloatCoef(f); ok {
			t.Errorf("FloatCoef(%v) ok", f)
		}
	}
}
