package margin

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/bt-backtest/bt/internal/exact"
	"github.com/bt-backtest/bt/internal/exact/exacttest"
	"github.com/shopspring/decimal"
)

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
			im = exacttest.RandDec(r)
		}
		absO := openQ.Abs()
		got := a.openCost(0, openQ, absO, price, im, fee)
		want := im.Add(fee)
		if !math.IsNaN(a.marks[0]) {
			dd := price.Sub(a.markDec(0))
			if openQ.IsNegative() {
				dd = dd.Neg()
			}
			if dd.IsPositive() {
				want = want.Add(absO.Mul(dd))
				fast++
			}
		}
		if !exacttest.Same(got, want) {
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
				x = exacttest.EdgeDec(r)
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
			if s.pend.OK() {
				pending++
			}
			if got := every.value(); !exacttest.Same(got, want) {
				t.Fatalf("run %d: read after each term: %s (exp %d), want %s (exp %d)", run, got, got.Exponent(), want, want.Exponent())
			}
		}
		if got := s.value(); !exacttest.Same(got, want) {
			t.Fatalf("run %d: %s (exp %d), want %s (exp %d)", run, got, got.Exponent(), want, want.Exponent())
		}
	}
	if pending < 10000 {
		t.Fatalf("only %d terms pending: the int64 path is not exercised", pending)
	}
}

// TestTableIndexFixAgrees checks the tableIndexFix bracket search (on the floors as exact.Fix,
// as a slot holds them) against Table.index on notionals of up to 15 digits and at the floors;
// it fails when fewer than 19 of 20 searches are answered on int64 coefficients, or when fewer
// than 1000 of 2000 19-digit notionals, whose comparisons overflow, make it give up.
func TestTableIndexFixAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 25))
	tb := DefaultBook()
	tables, floors := []Table{}, [][]exact.Fix{}
	for _, sym := range tb.Symbols()[:5] {
		tab, _, _ := tb.Table(sym, snap24)
		tables = append(tables, tab)
		var f []exact.Fix
		for _, b := range tab {
			f = append(f, exact.FixOf(b.Floor))
		}
		floors = append(floors, f)
	}
	answered := 0
	for k := range 20000 {
		tab := tables[k%len(tables)]
		n := decimal.New(r.Int64N(1e15), -int32(r.IntN(8)))
		if k%3 == 0 { // at a floor
			n = tab[r.IntN(len(tab))].Floor
		}
		got, want := tableIndexFix(floors[k%len(tables)], exact.FixOf(n)), tab.index(n)
		if got != want && got != -1 {
			t.Fatalf("tableIndexFix(%s) = %d, want %d", n, got, want)
		}
		if got >= 0 {
			answered++
		}
	}
	if answered < 19000 {
		t.Fatalf("only %d of 20000 searches answered on int64 coefficients", answered)
	}
	// notionals of 19 digits at exponent -13 (10^5 to 9·10^5), past the first floors: a higher
	// floor at that exponent has no int64 coefficient, where tableIndexFix gives up (-1)
	gaveUp := 0
	for k := range 2000 {
		n := decimal.New(1e18+r.Int64N(8e18), -13)
		got, want := tableIndexFix(floors[k%len(tables)], exact.FixOf(n)), tables[k%len(tables)].index(n)
		if got == -1 {
			gaveUp++
		} else if got != want {
			t.Fatalf("tableIndexFix(%s) = %d, want %d", n, got, want)
		}
	}
	t.Logf("%d of 2000 searches of 19-digit notionals gave up", gaveUp)
	if gaveUp < 1000 {
		t.Fatalf("only %d of 2000 searches of 19-digit notionals gave up", gaveUp)
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
			qty, openQ, entry, price = exacttest.RandDec(r), exacttest.RandDec(r), exacttest.RandDec(r).Abs(), exacttest.RandDec(r).Abs()
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
		if !exacttest.Same(got, want) {
			t.Fatalf("avgEntry(%s, %s, %s, %s) = %s (exp %d), want %s (exp %d)", qty, entry, openQ, price, got, got.Exponent(), want, want.Exponent())
		}
		q, o := exact.Fit(qty).Abs(), exact.Fit(openQ).Abs()
		if _, _, _, ok := sumQuoCoef(q.Mul(exact.Fit(entry)), o.Mul(exact.Fit(price)), exact.Fit(qty).Add(exact.Fit(openQ)).Abs(), exact.New(1, 0), QuotientPlaces); ok {
			fast++
		}
	}
	if fast < 30000 {
		t.Fatalf("only %d averages on the int64 path", fast)
	}
}

// TestAddDiffAgrees checks addDiff against both orders of the decimal expression (value and
// exponent) on operands at the int64 limits, tick prices and random lengths.
func TestAddDiffAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 21))
	for range 100000 {
		x, y, z := exacttest.EdgeDec(r), exacttest.EdgeDec(r), exacttest.EdgeDec(r)
		got := addDiff(x, y, z)
		if want := x.Add(y.Sub(z)); !exacttest.Same(got, want) {
			t.Fatalf("addDiff(%s, %s, %s) = %s (exp %d), want %s (exp %d)", x, y, z, got, got.Exponent(), want, want.Exponent())
		}
		if want := x.Sub(z).Add(y); !exacttest.Same(got, want) {
			t.Fatalf("addDiff(%s, %s, %s) = %s, want x − z + y = %s", x, y, z, got, want)
		}
	}
}

// TestFixCacheAgrees checks fixCache's add and sub against Decimal.Add and Sub (value and
// exponent), and that what it caches is the result's Fix, on random and edge values, zeros at
// many exponents (a zero plus y is y itself when the zero's exponent is not lower) and money
// amounts; it fails unless both the int64 path and the zero case are taken.
func TestFixCacheAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 32))
	var zeroCase, fast int
	pick := func() decimal.Decimal {
		switch r.IntN(5) {
		case 0:
			return decimal.New(0, int32(r.IntN(30)-26))
		case 1:
			return decimal.New(r.Int64N(2e12)-1e12, -MoneyPlaces)
		case 2:
			return exacttest.EdgeDec(r)
		}
		return exacttest.RandDec(r)
	}
	for range 100000 {
		x, y := pick(), pick()
		var c fixCache
		got := c.add(x, exact.FixOf(y), y)
		if want := x.Add(y); !exacttest.Same(got, want) {
			t.Fatalf("add(%s, %s) = %s (exp %d), want %s (exp %d)", x, y, got, got.Exponent(), want, want.Exponent())
		}
		if got == y && x.IsZero() {
			zeroCase++
		}
		if d, f, _ := c.Last(); d == got && !sameFix(f, got) {
			t.Fatalf("add(%s, %s) cached %v for %s", x, y, f, got)
		}
		if d, _, _ := c.Last(); d == got {
			fast++
		}
		got = c.sub(x, exact.FixOf(y), y)
		if want := x.Sub(y); !exacttest.Same(got, want) {
			t.Fatalf("sub(%s, %s) = %s (exp %d), want %s (exp %d)", x, y, got, got.Exponent(), want, want.Exponent())
		}
		if d, f, _ := c.Last(); d == got && !sameFix(f, got) {
			t.Fatalf("sub(%s, %s) cached %v for %s", x, y, f, got)
		}
		if f := c.of(got); !sameFix(f, got) {
			t.Fatalf("of(%s) = %v", got, f)
		}
	}
	if zeroCase < 1000 || fast < 10000 {
		t.Fatalf("zero case %d, int64 path %d: the test does not exercise them", zeroCase, fast)
	}
}

// sameFix reports whether f is a Fix of x: x's value and exponent, or no value when x's
// coefficient has more than 18 digits (a result may hold 19 digits that fit in an int64).
func sameFix(f exact.Fix, x decimal.Decimal) bool {
	if f.OK() {
		return exacttest.Same(f.Dec(), x)
	}
	return !exact.FixOf(x).OK()
}

// TestOpenOrdersSumAgrees tells an account open-order margins at random, through SetOpenOrders
// (a Decimal) and SetOpenOrdersWide (a 128-bit coefficient), and compares the sum it keeps
// (Σ slot margins, 128-bit while it fits, a Decimal made when read) and the available balance
// with the Decimal arithmetic SetOpenOrders did before (the same margin again at its exponent
// leaves the sum as it is; otherwise Σ.Add(new.Sub(old))): value, exponent and float. It
// fails unless most sums stayed on 128 bits and some took the Decimal fallback.
func TestOpenOrdersSumAgrees(t *testing.T) {
	var insts []Instrument
	for k := range 6 {
		insts = append(insts, DefaultInstrument(string(rune('A'+k))+"USDT", 100, snap24, nil))
	}
	a, err := NewAccount(Config{Wallet: d("100000"), Instruments: insts})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(15, 128))
	var sum decimal.Decimal
	old := make([]decimal.Decimal, len(insts))
	wide, big := 0, 0
	for n := range 40_000 {
		k := r.IntN(len(insts))
		var im decimal.Decimal
		switch r.IntN(10) {
		case 0:
			im = decimal.Decimal{}
		case 1:
			im = decimal.New(0, -int32(r.IntN(17)))
		case 2: // the same margin again, or an equal one at another exponent
			im = old[k]
			if r.IntN(2) == 0 {
				im = im.Mul(decimal.New(1, -int32(r.IntN(3))))
			}
		case 3: // a short decimal
			im = decimal.New(int64(r.IntN(1_000_000)), -int32(r.IntN(9)))
		case 4: // beyond 2^127 now and then
			im = exacttest.RandDec(r).Abs()
			if r.IntN(50) == 0 {
				im = decimal.New(1, 40).Add(im)
			}
		default: // a 16-decimal quotient, notional / leverage
			im = decimal.New(int64(r.IntN(1e9)), -int32(r.IntN(4))).DivRound(decimal.NewFromInt(int64(1+r.IntN(25))), 16)
		}
		orders := 1 + r.IntN(3)
		if w := im.Coefficient().Bits(); n%2 == 0 && !im.IsNegative() && len(w) <= 2 && im.NumDigits() < 39 {
			var hi, lo uint64
			if len(w) > 0 {
				lo = uint64(w[0])
			}
			if len(w) > 1 {
				hi = uint64(w[1])
			}
			a.SetOpenOrdersWide(k, orders, hi, lo, im.Exponent())
		} else {
			a.SetOpenOrders(k, orders, im)
		}
		if !(im.Exponent() == old[k].Exponent() && im.Exponent() >= sum.Exponent() && im.Equal(old[k])) {
			sum = sum.Add(im.Sub(old[k]))
		}
		old[k] = im
		if a.orderIMSum.big {
			big++
		} else {
			wide++
		}
		if f, want := a.orderIMSum.float(), sum.InexactFloat64(); math.Float64bits(f) != math.Float64bits(want) {
			t.Fatalf("step %d: open-order margin %v as float, want %v", n, f, want)
		}
		if got := a.orderIMSum.dec(); !exacttest.Same(got, sum) {
			t.Fatalf("step %d: open-order margin %s (exp %d), want %s (exp %d)", n, got, got.Exponent(), sum, sum.Exponent())
		}
		if got, want := a.Available(), d("100000").Sub(sum); !exacttest.Same(got, want) {
			t.Fatalf("step %d: available %s (exp %d), want %s (exp %d)", n, got, got.Exponent(), want, want.Exponent())
		}
		if a.slots[k].nOrders != orders {
			t.Fatalf("step %d: %d orders, want %d", n, a.slots[k].nOrders, orders)
		}
	}
	if wide < 30_000 || big < 100 {
		t.Fatalf("sums on 128 bits %d, as Decimals %d", wide, big)
	}
	check(t, a)
}

// TestWideDecAddAgrees adds and subtracts random decimals (money amounts, 16-decimal
// quotients, values beyond 64 and 128 bits, zeros at many exponents) to a wideDec, as apply,
// bookClose and fund move the wallet, and compares it with Decimal.Add/Sub after every step:
// value and exponent, float (InexactFloat64) and num. It fails unless most steps stayed on
// 128 bits and some fell back to Decimals.
func TestWideDecAddAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 129))
	wide, big := 0, 0
	for range 200 {
		var x wideDec
		var want decimal.Decimal
		if r.IntN(2) == 0 {
			want = decimal.New(int64(r.IntN(1e9)), -int32(r.IntN(8)))
			x.setDec(want)
		}
		for range 200 {
			var y decimal.Decimal
			switch r.IntN(60) {
			case 0:
				y = exacttest.EdgeDec(r)
			case 1:
				y = exacttest.RandDec(r)
			case 2, 3, 4, 5, 6:
				y = decimal.New(0, -int32(r.IntN(20)))
			default:
				y = decimal.New(int64(r.IntN(2e9))-1e9, -MoneyPlaces)
			}
			sub := r.IntN(2) == 0
			x.addFix(exact.FixOf(y), y, sub)
			if sub {
				want = want.Sub(y)
			} else {
				want = want.Add(y)
			}
			if x.big {
				big++
			} else {
				wide++
			}
			if f := x.float(); math.Float64bits(f) != math.Float64bits(want.InexactFloat64()) {
				t.Fatalf("float %v, want %v", f, want.InexactFloat64())
			}
			if got := x.dec(); !exacttest.Same(got, want) {
				t.Fatalf("%s (exp %d), want %s (exp %d)", got, got.Exponent(), want, want.Exponent())
			}
			if got := x.num().Dec(); !exacttest.Same(got, want) {
				t.Fatalf("num %s (exp %d), want %s (exp %d)", got, got.Exponent(), want, want.Exponent())
			}
		}
	}
	if wide < 20_000 || big < 100 {
		t.Fatalf("sums on 128 bits %d, as Decimals %d", wide, big)
	}
}

// TestSetOpenOrdersZeroIsSetDec: setDec's shortcut for decimal.Zero (the engine's "no order
// reserves", through SetOpenOrders) leaves the slot holding exactly what the general
// conversion (exact.WideOf) makes of it; a zero at another exponent (0.000), which the
// shortcut may not take, too, and decimal.Zero again after it.
func TestSetOpenOrdersZeroIsSetDec(t *testing.T) {
	a, err := NewAccount(Config{Wallet: d("1000"), Instruments: []Instrument{DefaultInstrument("AUSDT", 100, snap24, nil)}})
	if err != nil {
		t.Fatal(err)
	}
	a.SetOpenOrders(0, 2, d("12.5"))
	for _, z := range []decimal.Decimal{decimal.Zero, decimal.New(0, -3), decimal.Zero} {
		w, ok := exact.WideOf(z) // the general conversion, not setDec's shortcut
		want := wideDec{w: w, big: !ok, d: z, dok: true}
		a.SetOpenOrders(0, 1, z)
		if got := a.slots[0].orderIM; got != want {
			t.Fatalf("SetOpenOrders(%s, exp %d) holds %+v, exact.WideOf makes %+v", z, z.Exponent(), got, want)
		}
		if s := a.orderIMSum.dec(); !s.IsZero() {
			t.Fatalf("open-order sum %s after the margin went to zero", s)
		}
	}
	// decimal.Zero again where the slot holds it: only the count changes
	held := a.slots[0].orderIM
	for n := range 3 {
		a.SetOpenOrders(0, n, decimal.Zero)
		if got := a.slots[0]; got.nOrders != n || got.orderIM != held || !a.orderIMSum.dec().IsZero() {
			t.Fatalf("SetOpenOrders(0, %d, 0) again: %d orders, margin %+v (was %+v), sum %s", n, got.nOrders,
				got.orderIM, held, a.orderIMSum.dec())
		}
	}
}
