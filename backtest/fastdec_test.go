package backtest

import (
	"context"
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/bt-backtest/bt/backtest/margin"
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

// randFloat returns a float64 as bars carry them (prices on a grid, with float noise), or
// one of any magnitude and sign, or a value at float64's limits.
func randFloat(r *rand.Rand) float64 {
	switch r.IntN(6) {
	case 0:
		return math.Round(r.Float64()*1e7) / math.Pow(10, float64(r.IntN(8)))
	case 1:
		return r.Float64() * math.Pow(10, float64(r.IntN(40)-20))
	case 2:
		return -r.Float64() * math.Pow(10, float64(r.IntN(600)-300))
	case 3:
		return []float64{0, math.Copysign(0, -1), 1, -1, math.MaxFloat64, math.SmallestNonzeroFloat64,
			-math.MaxFloat64, 1 << 53, 1<<53 + 2, 0.1, 0.3, 123456789012345678}[r.IntN(12)]
	case 4:
		return math.Float64frombits(r.Uint64()&^(0x7ff<<52) | uint64(r.IntN(0x7ff))<<52) // not Inf/NaN
	}
	return 60000 + r.Float64()*1000
}

// TestFloatCoefIsNewFromFloat checks floatCoef against decimal.NewFromFloat (coefficient and
// exponent) and refuses NaN and ±Inf.
func TestFloatCoefIsNewFromFloat(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 31))
	for range 200000 {
		f := randFloat(r)
		c, e, ok := floatCoef(f)
		want := decimal.NewFromFloat(f)
		if !ok || !sameDec(decimal.New(c, e), want) {
			t.Fatalf("floatCoef(%v) = %d e%d %v, want %s (exp %d)", f, c, e, ok, want, want.Exponent())
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if _, _, ok := floatCoef(f); ok {
			t.Errorf("floatCoef(%v) ok", f)
		}
	}
}

// TestSlipFloatAgrees checks slipFloat and onTickFloat against the expressions they replace,
// slip(decimal.NewFromFloat(f)) and onTick(decimal.NewFromFloat(f)), value and exponent, with
// and without slippage (2 bps, 1/3 bps whose factor has 17 digits) on power-of-ten ticks and
// others.
func TestSlipFloatAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 32))
	ticks := []decimal.Decimal{d("0.1"), d("0.01"), d("0.0001"), d("1"), d("0.5"), d("0.00001")}
	fast := 0
	for k := range 60000 {
		bps := []float64{0, 2, 1.0 / 3}[k%3]
		a := &account{cfg: &Config{SlippageBps: bps}, syms: []symState{{}}}
		a.syms[0].inst.TickSize = ticks[k%len(ticks)]
		b := decimal.NewFromFloat(bps).Div(decimal.NewFromInt(10000))
		a.slipUp, a.slipDown = decimal.NewFromInt(1).Add(b), decimal.NewFromInt(1).Sub(b)
		f := randFloat(r)
		if k%2 == 0 {
			f = math.Abs(math.Round(r.Float64()*1e7)/10) + 0.1
		}
		if math.Abs(f) > 1e30 || math.Abs(f) < 1e-30 {
			continue // Decimal's own Div of such magnitudes is slow; the int64 path refuses them anyway
		}
		for _, side := range []Side{Buy, Sell} {
			got, want := a.slipFloat(f, side, 0), a.slip(decimal.NewFromFloat(f), side, 0)
			if !sameDec(got, want) {
				t.Fatalf("slipFloat(%v, %v, tick %s, %v bps) = %s (exp %d), want %s (exp %d)", f, side,
					a.syms[0].inst.TickSize, bps, got, got.Exponent(), want, want.Exponent())
			}
		}
		got, want := onTickFloat(f, a.syms[0].inst.TickSize, tickNearest), onTick(decimal.NewFromFloat(f), a.syms[0].inst.TickSize, tickNearest)
		if !sameDec(got, want) {
			t.Fatalf("onTickFloat(%v, %s) = %s, want %s", f, a.syms[0].inst.TickSize, got, want)
		}
		if c, e, ok := floatCoef(f); ok {
			if _, ok := onTickCoef(c, e, a.syms[0].inst.TickSize, tickUp); ok {
				fast++
			}
		}
	}
	if fast < 20000 {
		t.Fatalf("only %d prices on the int64 path", fast)
	}
}

// TestOpenOrderIMAgrees runs the chaos traders (one-way and hedge mode: limit, market, stop
// and reduce-only orders, attached children, partly reducing orders) with updateOpenOrders
// comparing openOrderIM, the int64 path, with the decimal loop at every call (value and
// exponent; a difference panics).
func TestOpenOrderIMAgrees(t *testing.T) {
	symbols := []string{"AAA", "BBB", "CCC"}
	defer func() { checkOpenOrderIM = false }()
	checkOpenOrderIM, openOrderIMChecked = true, 0
	var switches int
	for seed := uint64(1); seed <= 3; seed++ {
		k, m, f := market(seed, symbols, 300)
		if _, err := Run(context.Background(), chaosConfig(symbols, false), newChaos, NewSliceSource(symbols, Batches(k, m, f))); err != nil {
			t.Fatal(err)
		}
		cfg := chaosConfig(symbols, false)
		cfg.PositionMode = margin.Hedge
		if _, err := Run(context.Background(), cfg, func() Strategy { return &hedgeChaos{n: map[string]int{}, switches: &switches} },
			NewSliceSource(symbols, Batches(k, m, f))); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d open-order margins compared", openOrderIMChecked)
	if openOrderIMChecked < 1000 {
		t.Fatalf("only %d open-order margins on the int64 path: the test is void", openOrderIMChecked)
	}
}

// TestQuoIntPosAgrees checks quoIntPos against DivRound (value and exponent) on sums of
// order notionals and leverages 1 to 125, with quotients past 2^63 and 2^64.
func TestQuoIntPosAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 33))
	wide := 0
	for k := range 200000 {
		c := r.Int64N(math.MaxInt64) + 1
		if k%2 == 0 {
			c = r.Int64N(1e12) + 1
		}
		e := int32(r.IntN(30) - 22)
		n := int64(r.IntN(125) + 1)
		places := int32(16)
		if k%5 == 0 {
			places = int32(r.IntN(20))
		}
		got, ok := quoIntPos(c, e, n, places)
		want := decimal.New(c, e).DivRound(decimal.NewFromInt(n), places)
		if !ok {
			continue
		}
		if !sameDec(got, want) {
			t.Fatalf("quoIntPos(%d, %d, %d, %d) = %s, want %s", c, e, n, places, got, want)
		}
		if got.NumDigits() > 19 {
			wide++
		}
	}
	if wide < 10000 {
		t.Fatalf("only %d quotients past 19 digits", wide)
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
		if got := dec128(c.hi, c.lo, c.neg, -3); !sameDec(got, decimal.NewFromBigInt(want, -3)) {
			t.Errorf("dec128(%d, %d, %v) = %s, want %s", c.hi, c.lo, c.neg, got, decimal.NewFromBigInt(want, -3))
		}
	}
}

// edgeNumDec returns fastRandDec's values, or a coefficient at the int64 path's limits (18
// and 19 digits, 2^63 − 1, its negative, past 2^63).
func edgeNumDec(r *rand.Rand) decimal.Decimal {
	e := int32(r.IntN(23) - 20)
	switch r.IntN(6) {
	case 0:
		c := []int64{999_999_999_999_999_999, -999_999_999_999_999_999, 1_000_000_000_000_000_000,
			math.MaxInt64, -math.MaxInt64, 1 << 62, 1}[r.IntN(7)]
		return decimal.New(c, e)
	case 1:
		return decimal.New(math.MaxInt64, e).Add(decimal.New(int64(r.IntN(3)), e))
	}
	return fastRandDec(r)
}

// checkNum compares each num operation on x and y, held as numOf gives them and also as big
// nums, with the Decimal operation (value and exponent); it returns how many int64 results
// it saw.
func checkNum(t *testing.T, x, y decimal.Decimal) (fast int) {
	t.Helper()
	for _, big := range []bool{false, true} {
		nx, ny := numOf(x), numOf(y)
		if big {
			nx, ny = num{big: true, d: x}, num{big: true, d: y}
		}
		check := func(op string, got num, want decimal.Decimal) {
			t.Helper()
			if !sameDec(got.dec(), want) {
				t.Fatalf("num %s(%s, %s) big=%v = %s (exp %d), want %s (exp %d)", op, x, y, big, got.dec(), got.dec().Exponent(), want, want.Exponent())
			}
			if !got.big {
				fast++
			}
		}
		check("dec", nx, x)
		check("add", nx.add(ny), x.Add(y))
		check("sub", nx.sub(ny), x.Sub(y))
		check("mul", nx.mul(ny), x.Mul(y))
		if !y.IsZero() {
			check("quo12", nx.quo(ny, 12), x.DivRound(y, 12))
		}
		if got, want := nx.cmp(ny), x.Cmp(y); got != want {
			t.Fatalf("num cmp(%s, %s) big=%v = %d, want %d", x, y, big, got, want)
		}
		if nx.isZero() != x.IsZero() {
			t.Fatalf("num isZero(%s) big=%v = %v", x, big, nx.isZero())
		}
	}
	return fast
}

// TestNumAgrees checks the round-trip bookkeeping's num (trackFill, closeTrade) against
// Decimal on 100,000 pairs of random decimals of 1 to 22 digits, zeros and coefficients at
// the int64 limits; every operation is also checked with its operands held as Decimals. It
// fails unless both paths are taken.
func TestNumAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 34))
	fast, all := 0, 0
	for range 100000 {
		fast += checkNum(t, edgeNumDec(r), edgeNumDec(r))
		all += 12
	}
	t.Logf("%d of ~%d results on the int64 path", fast, all)
	if fast < all/10 || fast > all*3/4 {
		t.Fatalf("%d of ~%d results on the int64 path: the test does not exercise both", fast, all)
	}
}

// FuzzNumAgrees is TestNumAgrees on fuzzed coefficients and exponents.
func FuzzNumAgrees(f *testing.F) {
	f.Add(int64(12), int32(-3), int64(600001), int32(-1))
	f.Add(int64(math.MaxInt64), int32(0), int64(-1), int32(-18))
	f.Add(int64(-999_999_999_999_999_999), int32(-16), int64(7), int32(2))
	f.Fuzz(func(t *testing.T, a int64, ea int32, b int64, eb int32) {
		checkNum(t, decimal.New(a, ea%40), decimal.New(b, eb%40))
	})
}
