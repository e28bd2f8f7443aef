package margin

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

// The float64 counterparts (FloatTable, MarginRatioFloat, LiquidationPriceFloat, FloatRisk)
// must agree with the exact figures to float64 rounding. Tolerances: a float64 sum or product
// carries a relative error of about 1e-16 per operation; the checks allow 1e-12 of the
// magnitudes involved (the formula's terms, not its possibly cancelling result), which no
// correct implementation approaches and any wrong bracket or sign exceeds by far.

// allTables returns every embedded table, named.
func allTables(t *testing.T) map[string]Table {
	t.Helper()
	b := DefaultBook()
	out := map[string]Table{}
	for _, sym := range b.Symbols() {
		for _, date := range b.Dates(sym) {
			tb, ok := b.TableAt(sym, date)
			if !ok {
				t.Fatalf("%s %s listed but not found", sym, date)
			}
			out[sym+" "+date] = tb
		}
	}
	if len(out) != 48 {
		t.Fatalf("%d embedded tables, want 48", len(out))
	}
	return out
}

// TestFloatTableAgrees: on every embedded table, at every floor, just below and above it, and
// at random notionals up to twice the top floor, FloatTable picks the bracket Table picks and
// its maintenance margin agrees.
func TestFloatTableAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for name, tb := range allTables(t) {
		ft := tb.Float()
		top := tb[len(tb)-1].Floor.InexactFloat64()
		var ns []float64
		for _, b := range tb {
			f := b.Floor.InexactFloat64()
			ns = append(ns, f, math.Nextafter(f, -1), math.Nextafter(f, math.Inf(1)), f*0.999, f*1.001)
		}
		for range 200 {
			ns = append(ns, rng.Float64()*2*top)
		}
		for _, n := range ns {
			if n < 0 {
				continue
			}
			nd := decimal.NewFromFloat(n)
			want, got := tb.For(nd), ft.For(n)
			if want.MMR.InexactFloat64() != got.MMR || want.Cum.InexactFloat64() != got.Cum {
				t.Errorf("%s: notional %v: float bracket %+v, exact bracket %d (MMR %s, cum %s)", name, n, got, want.Bracket, want.MMR, want.Cum)
			}
			mm, mmF := tb.MaintenanceMargin(nd).InexactFloat64(), ft.MaintenanceMargin(n)
			if math.Abs(mm-mmF) > 1e-12*math.Max(1, n) {
				t.Errorf("%s: notional %v: float MM %v, exact %v", name, n, mmF, mm)
			}
		}
		if got := ft.For(math.Inf(1)); got != ft[len(ft)-1] {
			t.Errorf("%s: notional +Inf in %+v, want the top bracket", name, got)
		}
	}
}

func TestMarginRatioFloat(t *testing.T) {
	for _, c := range []struct {
		mm, bal string
		want    float64
	}{
		{"50", "1000", 0.05},
		{"1000", "1000", 1},
		{"10", "0", math.Inf(1)},
		{"10", "-5", math.Inf(1)},
		{"0", "100", 0},
	} {
		exact := MarginRatio(d(c.mm), d(c.bal))
		fl := MarginRatioFloat(d(c.mm).InexactFloat64(), d(c.bal).InexactFloat64())
		if exact != c.want || fl != c.want {
			t.Errorf("ratio(%s, %s): exact %v, float %v, want %v", c.mm, c.bal, exact, fl, c.want)
		}
	}
	if r := MarginRatioFloat(1, math.NaN()); !math.IsInf(r, 1) {
		t.Errorf("ratio with a NaN balance = %v, want +Inf", r)
	}
}

func TestLiquidationDistance(t *testing.T) {
	for _, c := range []struct{ mark, lp, want float64 }{
		{100, 90, 0.1},
		{100, 125, 0.25},
		{100, 0, 1},
		{100, -3, 1},
		{100, math.NaN(), 1},
		{0, 90, 1},
		{math.NaN(), 90, 1},
	} {
		if got := LiquidationDistance(c.mark, c.lp); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("LiquidationDistance(%v, %v) = %v, want %v", c.mark, c.lp, got, c.want)
		}
	}
}

// liqCase is one random liquidation-price input, in float64 and exact.
type liqCase struct {
	fl FloatLiqInput
	ex LiqInput
}

// randomLiqCase draws a position on a random embedded table: isolated (no other positions) or
// cross with other positions' MM and uPnL, leverage 1–125, a mark within ±20% of the entry.
func randomLiqCase(rng *rand.Rand, tables []Table) liqCase {
	tb := tables[rng.IntN(len(tables))]
	side := Side(1)
	if rng.IntN(2) == 0 {
		side = -1
	}
	// quantities and prices on coarse grids, so that the float64 inputs are the decimals
	q := float64(1+rng.IntN(100000)) / 1000              // 0.001 .. 100
	entry := float64(1+rng.IntN(10000000)) / 100         // 0.01 .. 100,000
	lev := 1 + rng.IntN(125)                             //
	wallet := math.Round(q*entry/float64(lev)*100) / 100 // the initial margin
	var otherMM, otherPnL float64
	if rng.IntN(2) == 0 { // cross, with other positions
		wallet += float64(rng.IntN(1000000)) / 100
		otherMM = float64(rng.IntN(100000)) / 100
		otherPnL = float64(rng.IntN(200000)-100000) / 100
	}
	mark := math.Round(entry*(0.8+0.4*rng.Float64())*100) / 100
	dec := decimal.NewFromFloat
	return liqCase{
		fl: FloatLiqInput{Side: side, Qty: q, Entry: entry, Wallet: wallet, OtherMM: otherMM, OtherPnL: otherPnL,
			Mark: mark, Brackets: tb.Float()},
		ex: LiqInput{Side: side, Qty: dec(q), Entry: dec(entry), Wallet: dec(wallet), OtherMM: dec(otherMM),
			OtherPnL: dec(otherPnL), Brackets: tb},
	}
}

// checkLiqAgrees compares LiquidationPriceFloat with LiquidationPrice on c.
func checkLiqAgrees(t *testing.T, c liqCase) {
	t.Helper()
	r, err := LiquidationPrice(c.ex)
	if err != nil {
		t.Fatalf("%+v: %v", c.ex, err)
	}
	got := LiquidationPriceFloat(c.fl)
	in := c.fl
	// the magnitude of the formula's terms, divided by its smallest denominator Q·(1 − MMR)
	maxMMR := in.Brackets[len(in.Brackets)-1].MMR
	scale := (math.Abs(in.Wallet) + math.Abs(in.OtherMM) + math.Abs(in.OtherPnL) + in.Qty*in.Entry +
		in.Brackets[len(in.Brackets)-1].Cum) / (in.Qty * (1 - maxMMR))
	want := r.Price.InexactFloat64()
	if want <= 0 {
		if got > 1e-12*scale {
			t.Errorf("%+v: float LP %v, exact %v (none)", c.ex, got, want)
		}
		return
	}
	if math.Abs(got-want) > 1e-12*scale {
		t.Errorf("%+v: float LP %v, exact %v (bracket %d)", c.ex, got, want, r.Bracket)
	}
}

// TestLiquidationPriceFloatAgrees: LiquidationPriceFloat agrees with LiquidationPrice on random
// isolated and cross inputs on every embedded table, and on the documented vectors.
func TestLiquidationPriceFloatAgrees(t *testing.T) {
	var tables []Table
	for _, tb := range allTables(t) {
		tables = append(tables, tb)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		checkLiqAgrees(t, randomLiqCase(rng, tables))
	}
	// docs/margin.md §4: the bracket re-check vector, 57,281.5056 (bracket 2, entry in bracket 3)
	tb, _ := DefaultBook().TableAt("BTCUSDT", "2024-10-24")
	got := LiquidationPriceFloat(FloatLiqInput{Side: 1, Qty: 10.2, Entry: 60000, Wallet: 30600, Mark: 60000, Brackets: tb.Float()})
	if math.Abs(got-57281.5056) > 1e-4 {
		t.Errorf("tier-crossing vector: float LP %v, want 57281.5056", got)
	}
}

// FuzzLiquidationPriceFloat: the agreement for fuzzer-chosen seeds.
func FuzzLiquidationPriceFloat(f *testing.F) {
	for _, s := range []uint64{0, 1, 42} {
		f.Add(s)
	}
	tables := []Table{}
	b := DefaultBook()
	for _, sym := range b.Symbols() {
		for _, date := range b.Dates(sym) {
			tb, _ := b.TableAt(sym, date)
			tables = append(tables, tb)
		}
	}
	f.Fuzz(func(t *testing.T, seed uint64) {
		rng := rand.New(rand.NewPCG(seed, 5))
		for range 50 {
			checkLiqAgrees(t, randomLiqCase(rng, tables))
		}
	})
}

// TestFloatRiskOrder: FloatRisk sums in the order of the Add calls and takes the highest ratio
// of the isolated positions and the cross account (hand-worked).
func TestFloatRiskOrder(t *testing.T) {
	var r FloatRisk
	r.Add(Isolated, 10, -50, 100) // isolated ratio 10/50 = 0.2
	r.Add(Cross, 30, 20, 0)
	r.Add(Cross, 20, -10, 0)
	got := r.Risk(1000) // cross ratio 50 / (1000 + 10) = 0.0495…
	if got.MaintenanceMargin != 60 || got.UnrealizedPnL != -40 || got.MaxMarginRatio != 0.2 ||
		got.CrossMarginRatio != 50.0/1010 {
		t.Errorf("Risk = %+v", got)
	}
	if got := r.Risk(-20); !math.IsInf(got.CrossMarginRatio, 1) || !math.IsInf(got.MaxMarginRatio, 1) {
		t.Errorf("cross balance -10: Risk = %+v, want +Inf ratios", got)
	}
	var none FloatRisk
	if got := none.Risk(100); got != (Risk{}) {
		t.Errorf("no positions: Risk = %+v", got)
	}
}

// TestMaxIsMathMax: FloatRisk takes mathMax (inlined) where it took math.Max (an assembly
// call); the two agree on every pair of special and ordinary values, signed zeros and
// infinities included (+Inf wins over a NaN), and both give a NaN for a NaN otherwise. The
// builtin max alone fails it.
func TestMaxIsMathMax(t *testing.T) {
	vals := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), 1, -1,
		math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, math.MaxFloat64, -math.MaxFloat64, 0.5, 2.5e-3}
	for _, x := range vals {
		for _, y := range vals {
			got, want := mathMax(x, y), math.Max(x, y)
			if math.IsNaN(want) != math.IsNaN(got) || !math.IsNaN(want) && math.Float64bits(got) != math.Float64bits(want) {
				t.Errorf("max(%v, %v) = %v, math.Max %v", x, y, got, want)
			}
		}
	}
}
