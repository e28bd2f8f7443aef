package margin

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/bt-backtest/bt/internal/exact"
	"github.com/bt-backtest/bt/internal/exact/exacttest"
	"github.com/shopspring/decimal"
)

// TestMultipleOfAgreesWithMod checks the fast step and tick test against Decimal.Mod, on
// random values and units and on multiples built to pass.
func TestMultipleOfAgreesWithMod(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 1))
	units := []decimal.Decimal{d("0.001"), d("0.1"), d("0.01"), d("1"), d("10"), d("0.5"), d("0.25"),
		d("0.0000001"), d("5"), d("100")}
	passed := 0
	for k := range 200000 {
		x := exacttest.RandDec(r)
		u := units[k%len(units)]
		if k%3 == 0 {
			u = exacttest.RandDec(r).Abs()
			if u.IsZero() {
				continue
			}
		}
		if k%2 == 0 { // a multiple of u
			x = u.Mul(decimal.New(int64(r.IntN(1_000_000))-500_000, int32(r.IntN(4))))
		}
		want := x.Mod(u).IsZero()
		if got := multipleOf(x, u); got != want {
			t.Fatalf("multipleOf(%s, %s) = %v, Mod says %v", x, u, got, want)
		}
		if want {
			passed++
		}
	}
	if passed < 50000 {
		t.Fatalf("only %d multiples: the test does not exercise the true case", passed)
	}
}

func mustFloat(f float64, _ bool) float64 { return f }

// TestIsoLiqPriceAgrees checks the isolated liquidation price of refreshSlot against
// LiquidationPrice on random isolated positions (both sides, every embedded table, wallets
// from near bankruptcy to fully collateralised, notionals across the brackets), and its float
// against InexactFloat64.
func TestIsoLiqPriceAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 3))
	book := DefaultBook()
	var tables []Table
	for _, sym := range book.Symbols() {
		for _, date := range book.Dates(sym) {
			tb, _ := book.TableAt(sym, date)
			tables = append(tables, tb)
		}
	}
	for n := range 20000 {
		tb := tables[n%len(tables)]
		var s slot
		s.setInstrument(Instrument{Symbol: "X", Brackets: tb})
		entry := decimal.New(int64(1+r.IntN(10_000_000)), -int32(r.IntN(5)))
		if n%3 == 0 { // an averaged entry with 16 decimals
			entry = entry.Add(decimal.New(int64(r.Uint64()>>12), -16))
		}
		qty := decimal.New(int64(1+r.IntN(100_000_000)), -int32(r.IntN(7)))
		side := 1
		if n%2 == 1 {
			qty, side = qty.Neg(), -1
		}
		notional := qty.Abs().Mul(entry)
		// isolated wallet between 0.1 % and 120 % of the notional, on the 1e-8 grid
		wallet := notional.Mul(decimal.New(int64(1+r.IntN(1200)), -3)).Round(MoneyPlaces)
		want, err := LiquidationPrice(LiqInput{Side: Side(side), Qty: qty.Abs(), Entry: entry, Wallet: wallet, Brackets: tb})
		q, gotF, ok := isoLiqPrice(&s, qty, exact.Of(qty.Mul(entry)), wallet)
		got := q.Dec()
		if q.positive() != got.IsPositive() {
			t.Fatalf("qty %s entry %s wallet %s: isoLiqPrice %s positive() = %v", qty, entry, wallet, got, q.positive())
		}
		if ok != (err == nil) || ok && (!got.Equal(want.Price) || got.Exponent() != want.Price.Exponent()) {
			t.Fatalf("qty %s entry %s wallet %s: isoLiqPrice %s %v, LiquidationPrice %s %v", qty, entry, wallet, got, ok, want.Price, err)
		}
		if ok && gotF != got.InexactFloat64() {
			t.Fatalf("qty %s entry %s wallet %s: isoLiqPrice's float %v, InexactFloat64 %v", qty, entry, wallet, gotF, got.InexactFloat64())
		}
	}
}

// SafeWithin never calls a path safe on which exact arithmetic finds a liquidation: the
// random sequences of the property test (marks near liquidation prices, both margin and
// position modes) ask it about every screened path (runProperty fails on a disagreement), and
// it answers both ways.
func TestSafeWithinNeverHidesALiquidation(t *testing.T) {
	safeCounts = [2]int{}
	for seed := uint64(1); seed <= 32; seed++ {
		runProperty(t, seed, 300)
	}
	t.Logf("SafeWithin: %d not safe, %d safe", safeCounts[0], safeCounts[1])
	if safeCounts[0] == 0 || safeCounts[1] == 0 {
		t.Errorf("SafeWithin answered %v: the comparison is void", safeCounts)
	}
}

// moneyProduct gives money(x·y·z) (negated on request) with the same value and exponent, on
// fills' quantity × price × fee rate, funding's quantity × mark × rate, and random decimals.
func TestMoneyProductAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 5))
	rates := []decimal.Decimal{d("0.0005"), d("0.0002"), d("0.0004"), d("-0.0001"), d("0.00045"), d("0")}
	fast := 0
	for n := range 200000 {
		var x, y, z decimal.Decimal
		switch n % 3 {
		case 0:
			x = decimal.New(r.Int64N(1e9)-5e8, -int32(r.IntN(6)))
			y = decimal.New(1+r.Int64N(1e8), -int32(r.IntN(5)))
			z = rates[n%len(rates)]
		case 1:
			x = decimal.New(r.Int64N(1e9)-5e8, -int32(r.IntN(6)))
			y = decimal.NewFromFloat(r.Float64() * 1e5)
			z = decimal.NewFromFloat(r.NormFloat64() * 1e-4)
		default:
			x, y, z = exacttest.RandDec(r), exacttest.RandDec(r), exacttest.RandDec(r)
		}
		neg := n%2 == 1
		xx := x
		if neg {
			xx = x.Neg()
		}
		want := money(xx.Mul(y).Mul(z))
		got := moneyProduct(neg, x, y, z)
		if !exacttest.Same(got, want) {
			t.Fatalf("moneyProduct(%v, %s, %s, %s) = %s (exp %d), want %s (exp %d)", neg, x, y, z, got, got.Exponent(), want, want.Exponent())
		}
		if _, ok := moneyProductSmall(x, y, z); ok {
			fast++
		}
	}
	if fast < 50000 {
		t.Fatalf("only %d products on the fast path", fast)
	}
}

// quoProductInt gives x.Mul(y).DivRound(n, places) with the same value and exponent, on
// initial margins (quantity × price / leverage at MoneyPlaces) and random decimals.
func TestQuoProductIntAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 6))
	fast := 0
	for k := range 200000 {
		var x, y decimal.Decimal
		switch k % 3 {
		case 0:
			x = decimal.New(r.Int64N(1e9)-5e8, -int32(r.IntN(6)))
			y = decimal.New(1+r.Int64N(1e8), -int32(r.IntN(5)))
		case 1:
			x = decimal.New(r.Int64N(1e9)-5e8, -int32(r.IntN(6)))
			y = decimal.NewFromFloat(r.Float64() * 1e5)
		default:
			x, y = exacttest.RandDec(r), exacttest.RandDec(r)
		}
		n := int64(1 + r.IntN(125))
		places := int32(MoneyPlaces)
		if k%5 == 0 {
			places = QuotientPlaces
		}
		want := x.Mul(y).DivRound(decimal.NewFromInt(n), places)
		got := quoProductInt(x, y, n, places)
		if !exacttest.Same(got, want) {
			t.Fatalf("quoProductInt(%s, %s, %d, %d) = %s (exp %d), want %s (exp %d)", x, y, n, places, got, got.Exponent(), want, want.Exponent())
		}
		if _, ok := quoProductIntSmall(x, y, n, places); ok {
			fast++
		}
	}
	if fast < 80000 {
		t.Fatalf("only %d quotients on the fast path", fast)
	}
}

// The cross liquidation price from cached per-position terms equals crossLiq's on every step
// of the property sequences (runProperty compares them).
func TestCrossLiqPriceCached(t *testing.T) {
	crossLPChecked, crossTermsFast = 0, 0
	for seed := uint64(1); seed <= 16; seed++ {
		runProperty(t, seed, 300)
	}
	if crossLPChecked < 1000 || crossTermsFast < 500 {
		t.Fatalf("only %d cross liquidation prices compared, %d with int64 terms", crossLPChecked, crossTermsFast)
	}
	t.Logf("%d cross liquidation prices compared, %d with int64 terms", crossLPChecked, crossTermsFast)
}

// SafeWithin on a hand-made case: 60000 USDT, long 1 BTC at 60000 at 10x (isolated: wallet
// 6000, liquidation price ~54270; cross: the whole wallet backs it, price ~300). Marks held
// within 59000–61000 are safe either way; a range reaching down to 50000 is not safe isolated
// (past the liquidation price); an empty range (+Inf, −Inf), the caller's "not boxed", is never
// safe.
func TestSafeWithinCases(t *testing.T) {
	inf := math.Inf(1)
	for _, m := range []Mode{Isolated, Cross} {
		a := newAcct(t, "60000", m, 10)
		a.SetMark(0, 60000)
		if _, err := a.Apply(0, Fill{Qty: d("1"), Price: d("60000")}); err != nil {
			t.Fatal(err)
		}
		nan := math.NaN()
		for _, c := range []struct {
			lo, hi float64
			want   bool
		}{{59000, 61000, true}, {50000, 61000, m == Cross}, {inf, -inf, false}, {nan, nan, true}} {
			if got := a.SafeWithin([]float64{c.lo, nan}, []float64{c.hi, nan}); got != c.want {
				t.Errorf("%v: SafeWithin [%v, %v] = %v, want %v", m, c.lo, c.hi, got, c.want)
			}
		}
	}
}

// bracketScreen's index, when it gives one, is Table.index's for the exact notional: random
// quantities × prices on every embedded table, a third of them exactly at a floor or a tick
// away from one.
func TestBracketScreenAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 7))
	book := DefaultBook()
	decided, close := 0, 0
	for _, sym := range book.Symbols() {
		for _, date := range book.Dates(sym) {
			tb, _ := book.TableAt(sym, date)
			var s slot
			s.setInstrument(Instrument{Symbol: sym, Brackets: tb})
			for n := range 5000 {
				q := decimal.New(1+r.Int64N(1e9), -int32(r.IntN(6)))
				p := decimal.New(1+r.Int64N(1e8), -int32(r.IntN(4)))
				if n%3 == 0 { // at a floor (q·p = floor), or one step beside it
					f := tb[r.IntN(len(tb))].Floor
					if f.IsZero() {
						continue
					}
					p = decimal.New(1, -2)
					q = f.Div(p).Add(decimal.New(int64(r.IntN(3)-1), -3))
				}
				exact := q.Mul(p)
				k, ok := bracketScreen(s.ffloor, float64(q.InexactFloat64()*p.InexactFloat64()))
				if !ok {
					close++
					continue
				}
				decided++
				if want := tb.index(exact); k != want {
					t.Fatalf("%s %s: notional %s: bracketScreen %d, index %d", sym, date, exact, k, want)
				}
			}
		}
	}
	if decided == 0 || close == 0 {
		t.Fatalf("bracketScreen decided %d, left %d: the comparison is void", decided, close)
	}
}

// bracketScreen never decides a notional that sits within float64's rounding of a floor: the
// exact notional is a hair below or above a floor (q·p = floor ∓ a few 1e-18 relative, q with
// 18 to 20 significant digits), where q·p in float64 rounds onto the floor itself. Without the
// band on either side of a floor the screen would put it in the wrong bracket.
func TestBracketScreenNearFloorsDefers(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 9))
	book := DefaultBook()
	prices := []decimal.Decimal{d("3"), d("7"), d("0.3"), d("150000"), d("60000.7"), d("0.07"), d("1.1")}
	checked, wrongWithoutBand := 0, 0
	for _, sym := range book.Symbols() {
		for _, date := range book.Dates(sym) {
			tb, _ := book.TableAt(sym, date)
			var s slot
			s.setInstrument(Instrument{Symbol: sym, Brackets: tb})
			for k := 1; k < len(tb); k++ {
				f := tb[k].Floor
				for range 8 {
					p := prices[r.IntN(len(prices))]
					q := f.DivRound(p, 20)
					switch r.IntN(3) {
					case 0: // just below the floor
						q = q.Sub(decimal.New(1+r.Int64N(9), -20))
					case 1: // just above it
						q = q.Add(decimal.New(1+r.Int64N(9), -20))
					}
					exact := q.Mul(p)
					if exact.Equal(f) {
						continue
					}
					n := float64(q.InexactFloat64() * p.InexactFloat64())
					want := tb.index(exact)
					if floatBracket(s.ffloor, 0, n) != want {
						wrongWithoutBand++
					}
					checked++
					if got, ok := bracketScreen(s.ffloor, n); ok && got != want {
						t.Fatalf("%s %s: notional %s (float %v) next to floor %s: bracketScreen %d, index %d", sym, date, exact, n, f, got, want)
					}
				}
			}
		}
	}
	if checked == 0 || wrongWithoutBand == 0 {
		t.Fatalf("checked %d notionals, %d that the float bracket alone gets wrong: the test is void", checked, wrongWithoutBand)
	}
}

// SafeWithin never calls a box of marks safe when a point of the box liquidates: random cross
// and isolated accounts with longs and shorts on two symbols, random boxes around the marks,
// and for every box called safe, NextLiquidation at each corner and at random points inside
// (a path that stays at that point) finds nothing. A long and a short on the same cross
// account have their adverse ends at opposite corners, which a straight path through the box
// need not visit.
func TestSafeWithinBoxCorners(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 10))
	var safe, unsafe, caught int
	for n := range 3000 {
		mode := Cross
		if n%3 == 0 {
			mode = Isolated
		}
		lev := 5 + r.IntN(46)
		a := newAcct(t, "10000", mode, lev)
		marks := []float64{60000, 3000}
		a.SetMark(0, marks[0])
		a.SetMark(1, marks[1])
		sides := []string{"", "-"}
		if r.IntN(2) == 0 {
			sides[0], sides[1] = "-", ""
		}
		if r.IntN(4) == 0 {
			sides[1] = sides[0]
		}
		// sized to use most of the wallet at the leverage: liquidations within a few percent
		qb := decimal.NewFromFloat(float64(int(float64(lev)*4000/60000*1000)) / 1000)
		qe := decimal.NewFromFloat(float64(int(float64(lev)*4000/3000*1000)) / 1000)
		if _, err := a.Apply(0, Fill{Qty: d(sides[0] + qb.String()), Price: d("60000")}); err != nil {
			continue
		}
		if _, err := a.Apply(1, Fill{Qty: d(sides[1] + qe.String()), Price: d("3000")}); err != nil {
			continue
		}
		lo, hi := make([]float64, 2), make([]float64, 2)
		for i := range 2 {
			w := 2 * r.Float64() / float64(lev)
			lo[i] = marks[i] * (1 - w*r.Float64())
			hi[i] = marks[i] * (1 + w*r.Float64())
		}
		if !a.SafeWithin(lo, hi) {
			unsafe++
			continue
		}
		safe++
		points := [][]float64{{lo[0], lo[1]}, {lo[0], hi[1]}, {hi[0], lo[1]}, {hi[0], hi[1]}}
		for range 4 {
			points = append(points, []float64{lo[0] + r.Float64()*(hi[0]-lo[0]), lo[1] + r.Float64()*(hi[1]-lo[1])})
		}
		for _, pt := range points {
			if s, hit := a.NextLiquidation(pt, pt); hit {
				t.Fatalf("%v lev %d, qty %s%s / %s%s: SafeWithin(%v, %v) is true, but the marks %v liquidate (s = %v)",
					mode, lev, sides[0], qb, sides[1], qe, lo, hi, pt, s)
			}
		}
		// the box grown to twice its size is often not safe: the test reaches the edge
		for i := range 2 {
			lo[i], hi[i] = marks[i]-2*(marks[i]-lo[i]), marks[i]+2*(hi[i]-marks[i])
		}
		if !a.SafeWithin(lo, hi) {
			caught++
		}
	}
	t.Logf("SafeWithin: %d boxes safe, %d not; %d safe boxes not safe at twice the size", safe, unsafe, caught)
	if safe == 0 || unsafe == 0 || caught == 0 {
		t.Fatalf("safe %d, unsafe %d, edge %d: the test is void", safe, unsafe, caught)
	}
}

// TestBookCloseRealizedAgrees checks bookClose's realized PnL (closePnL: moneyProduct(true,
// closeQ, price − entry, 1) or moneyZero at the entry) against the expression it replaced,
// money(closeQ.Neg().Mul(price − entry)), value and exponent: closes at a step, prices at a
// tick, entries at a tick (one fill), at the price or at QuotientPlaces (an average), and
// random values of every length.
func TestBookCloseRealizedAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 9))
	fast := 0
	for k := range 200000 {
		q, p, e := exacttest.RandDec(r), exacttest.RandDec(r), exacttest.RandDec(r)
		if k%2 == 0 {
			q = decimal.New(int64(r.IntN(2_000_000))-1_000_000, -3)
			p = decimal.New(int64(r.IntN(10_000_000))+1, -int32(r.IntN(3)))
			e = decimal.New(int64(r.IntN(10_000_000))+1, -int32(r.IntN(3)))
			if k%4 == 0 { // an averaged entry
				e = e.DivRound(decimal.New(int64(r.IntN(7))+1, 0), QuotientPlaces)
			}
		}
		if k%10 == 1 { // a close at the entry
			e = p
		}
		diff := p.Sub(e)
		got := closePnL(q, p, e)
		want := money(q.Neg().Mul(diff))
		if !exacttest.Same(got, want) {
			t.Fatalf("realized(%s, %s, %s) = %s (exp %d), want %s (exp %d)", q, p, e, got, got.Exponent(), want, want.Exponent())
		}
		if _, ok := moneyProductSmall(q, diff, one); ok {
			fast++
		}
	}
	if fast < 50000 {
		t.Fatalf("only %d fast products: the test does not exercise the fast path", fast)
	}
}

// TestSumQuoAgrees checks isoLiqPrice's quotient, sumQuo, against a.Add(b).DivRound(x.Mul(y),
// places), value and exponent, on liquidation-shaped operands (an isolated wallet minus Q·E,
// a bracket's cum, Q at a step, MMR ∓ 1; quotients beyond 64 bits) and random values.
func TestSumQuoAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 11))
	wide := 0
	for k := range 200000 {
		a, b, x, y := exacttest.RandDec(r), exacttest.RandDec(r), exacttest.RandDec(r), exacttest.RandDec(r)
		places := int32(r.IntN(20))
		if k%2 == 0 {
			q := decimal.New(int64(r.IntN(2_000_000))-1_000_000, -3)
			e := decimal.New(int64(r.IntN(10_000_000))+1, -int32(r.IntN(3)))
			w := decimal.New(int64(r.IntN(1e13)), -8)
			a = w.Sub(q.Mul(e))
			b = decimal.New(int64(r.IntN(1e9)), -int32(r.IntN(5)))
			x = q.Abs()
			y = decimal.New(int64(r.IntN(500))+1, -3).Sub(one)
			if k%4 == 0 {
				y = y.Add(decimal.New(2, 0))
			}
			places = QuotientPlaces
		}
		if (x.IsZero() || y.IsZero()) || x.Mul(y).IsZero() {
			continue
		}
		got, want := sumQuo(a, b, x, y, places), a.Add(b).DivRound(x.Mul(y), places)
		if !exacttest.Same(got, want) {
			t.Fatalf("sumQuo(%s, %s, %s, %s, %d) = %s (exp %d), want %s (exp %d)", a, b, x, y, places, got, got.Exponent(), want, want.Exponent())
		}
		if hi, _, _, ok := sumQuoSmall(a, b, x, y, places); ok && hi != 0 {
			wide++
		}
	}
	if wide < 20000 {
		t.Fatalf("only %d quotients beyond 64 bits: the test does not exercise the wide path", wide)
	}
}

// TestSumQuoCarry checks the round-up of a quotient whose low 64 bits are all ones (the carry
// into the high word): num·10^k / den = 2^64 − 1 + r/den with 2r >= den, found by search.
func TestSumQuoCarry(t *testing.T) {
	found := 0
	m := new(big.Int).SetUint64(math.MaxUint64)
	for den := int64(2); den < 200000 && found < 20; den++ {
		for k := int64(1); k < 19; k++ {
			p := new(big.Int).Exp(big.NewInt(10), big.NewInt(k), nil)
			// the r in [0, 10^k) making den·(2^64 − 1) + r a multiple of 10^k
			n := new(big.Int).Mul(big.NewInt(den), m)
			r := new(big.Int).Mod(new(big.Int).Neg(n), p)
			if !r.IsInt64() || 2*r.Int64() < den || r.Int64() >= den {
				continue
			}
			num := new(big.Int).Quo(n.Add(n, r), p)
			if !num.IsInt64() || num.Int64() >= 1e18 {
				continue
			}
			a, x := decimal.New(num.Int64(), 0), decimal.New(den, 0)
			got, want := sumQuo(a, zero, x, one, int32(k)), a.DivRound(x, int32(k))
			if !exacttest.Same(got, want) {
				t.Fatalf("sumQuo(%s, 0, %s, 1, %d) = %s, want %s", a, x, k, got, want)
			}
			found++
		}
	}
	if found == 0 {
		t.Fatal("no carrying quotient found: the test does not exercise the carry")
	}
}

// TestFundAmountAgrees checks the funding amount (moneyCoef on the NewFromFloat coefficients
// exact.FloatCoef reads) against the expression it replaced, moneyProduct(true, qty, mark,
// NewFromFloat(rate)) with the mark NewFromFloat(mark), the slot's mark or its entry (before
// any mark): value and exponent, on positions of every size at tick prices and averaged
// entries, rates and marks of many magnitudes, and zero amounts; the slot's memo of the last
// rate carried from payment to payment, a third of the rates the one before (it fails for a
// memo that keeps its first rate).
func TestFundAmountAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 31))
	fast := 0
	var prevRate float64
	var rateMemo floatFixMemo
	for n := range 20000 {
		a, err := NewAccount(Config{Wallet: decimal.NewFromInt(1e12),
			Instruments: []Instrument{DefaultInstrument("XUSDT", 100, snap24, nil)}})
		if err != nil {
			t.Fatal(err)
		}
		s := &a.slots[0]
		s.fundRate = rateMemo // the funding rate memo carried from payment to payment
		s.qty = decimal.New(int64(r.IntN(2_000_000))-1_000_000, -int32(r.IntN(6)))
		s.entry = decimal.New(int64(1+r.IntN(10_000_000)), -int32(r.IntN(4)))
		if n%4 == 0 { // an averaged entry
			s.entry = s.entry.DivRound(decimal.NewFromInt(int64(3+r.IntN(5))), QuotientPlaces)
		}
		// marks of many magnitudes, within what keeps the ledger's floats finite (the
		// invariants build checks Equity after the payment)
		randMark := func() float64 {
			if f := exacttest.RandFloat(r); math.Abs(f) < 1e9 {
				return f
			}
			return 100.5
		}
		mark, slotMark := math.NaN(), math.NaN()
		switch n % 3 {
		case 0:
			mark = randMark()
		case 1:
			slotMark = randMark()
		}
		a.marks[0] = slotMark
		rate := float64(r.NormFloat64() * math.Pow(10, float64(-2-r.IntN(6))))
		if n%50 == 49 {
			rate = 0
		}
		if n%3 == 1 {
			rate = prevRate // the slot's memo of the last rate read again
		}
		prevRate = rate
		m := a.markDec(0)
		if !math.IsNaN(mark) {
			m = decimal.NewFromFloat(mark)
		}
		want := moneyProduct(true, s.qty, m, decimal.NewFromFloat(rate))
		if n, ok := moneyCoefFix(s.qtyC.of(s.qty), exact.FixOf(m), floatFix(rate)); ok && n != 0 {
			fast++
		}
		got, err := a.fund(0, 0, rate, mark, floatFix(mark))
		if err != nil {
			t.Fatal(err)
		}
		rateMemo = s.fundRate
		if !exacttest.Same(got, want) {
			t.Fatalf("qty %s entry %s mark %v (slot %v) rate %v: %s (exp %d), want %s (exp %d)",
				s.qty, s.entry, mark, slotMark, rate, got, got.Exponent(), want, want.Exponent())
		}
	}
	if fast < 5000 {
		t.Fatalf("only %d amounts on the int64 path: the test does not exercise it", fast)
	}
}
