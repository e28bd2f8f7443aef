package sizing

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/shopspring/decimal"
)

func TestQtyAndPrice(t *testing.T) {
	d := decimal.RequireFromString
	for _, c := range []struct {
		notional, price float64
		step, want      string
	}{
		{1000, 100000, "0.001", "0.01"},  // 0.01 BTC exactly
		{1234, 100000, "0.001", "0.012"}, // 0.01234 rounds down
		{50, 100000, "0.001", "0"},       // less than one step
		{1000, 0.2, "1", "5000"},
		{999.9, 0.2, "1", "4999"},
		{1000, 0, "1", "0"},
		{math.NaN(), 1, "1", "0"},
	} {
		if got := Qty(c.notional, c.price, d(c.step)); !got.Equal(d(c.want)) {
			t.Errorf("Qty(%v, %v, %s) = %s, want %s", c.notional, c.price, c.step, got, c.want)
		}
	}
	for _, c := range []struct {
		p          float64
		tick, want string
	}{
		{100123.456, "0.1", "100123.5"},
		{0.123456, "0.0001", "0.1235"},
		{-1, "0.1", "0"},
	} {
		if got := Price(c.p, d(c.tick)); !got.Equal(d(c.want)) {
			t.Errorf("Price(%v, %s) = %s, want %s", c.p, c.tick, got, c.want)
		}
	}
}

// symbolProbe records what Symbol returns in Start for each of its symbols.
type symbolProbe struct {
	syms []string
	got  []string
}

func (p *symbolProbe) Start(br *backtest.Broker) error {
	for _, sym := range p.syms {
		id, inst, ok := Symbol(br, sym)
		p.got = append(p.got, fmt.Sprintf("%s %d %s %s %t", sym, id, inst.TickSize, inst.StepSize, ok))
	}
	return nil
}

func (p *symbolProbe) OnBar(*backtest.Broker, backtest.Bar) error { return nil }

// TestSymbol: in Start, Symbol gives the instrument the engine trades. BTCUSDT has its real
// filters of the bars' date, 2024-01-01 (the engine's filters are dated, issue 10); FOOUSDT, unknown, gets the default derived from its first open 2.5 (tick
// 10^(⌊log10 p⌋−4), step 10^(−⌈log10 p⌉)); BARUSDT's coarser grid comes from
// Config.Instruments; a symbol not in the data is not found. IDs follow the engine's
// (sorted) symbol order.
func TestSymbol(t *testing.T) {
	syms := []string{"BTCUSDT", "FOOUSDT", "BARUSDT"}
	const t0 = 1704067200000 // 2024-01-01 00:00 UTC
	bars := append(backtest.OHLC("BTCUSDT", t0, 60_000, [4]float64{100000, 100000, 100000, 100000}),
		backtest.OHLC("FOOUSDT", t0, 60_000, [4]float64{2.5, 2.5, 2.5, 2.5})...)
	bars = append(bars, backtest.OHLC("BARUSDT", t0, 60_000, [4]float64{100, 100, 100, 100})...)
	bar := margin.DefaultInstrument("BARUSDT", 100, time.Time{}, nil)
	bar.TickSize, bar.StepSize, bar.MinQty = decimal.RequireFromString("0.5"), decimal.NewFromInt(1), decimal.NewFromInt(1)
	var probes []*symbolProbe
	newProbe := func() backtest.Strategy {
		p := &symbolProbe{syms: append(syms, "NOPEUSDT")}
		probes = append(probes, p)
		return p
	}
	src := backtest.NewSliceSource(syms, backtest.Batches(bars, nil, nil))
	if _, err := backtest.Run(context.Background(), backtest.Config{Instruments: []margin.Instrument{bar}}, newProbe, src); err != nil {
		t.Fatal(err)
	}
	want := []string{"BTCUSDT 1 0.1 0.001 true", "FOOUSDT 2 0.0001 0.1 true", "BARUSDT 0 0.5 1 true", "NOPEUSDT -1 0 0 false"}
	if len(probes) == 0 {
		t.Fatal("no strategy started")
	}
	for _, p := range probes {
		if !slices.Equal(p.got, want) {
			t.Errorf("got %q, want %q", p.got, want)
		}
	}
}

// TestQtyPow10SameDecimal checks Qty's integer path against the decimal arithmetic it
// replaces (NewFromFloat(q).Div(step).Floor().Mul(step)): the same coefficient and exponent,
// hence the same string and the same figures downstream, for quotients over 30 orders of
// magnitude, quotients a hair below and above whole steps, and steps that are and are not
// powers of ten (those take the decimal path).
func TestQtyPow10SameDecimal(t *testing.T) {
	steps := []string{"1", "0.1", "0.001", "0.00001", "0.00000001", "10", "100", "0.10", "0.0010", "1000",
		"5", "0.0025", "0.5", "3"}
	rng := rand.New(rand.NewPCG(15, 7))
	var qs []float64
	for range 5000 {
		qs = append(qs, math.Exp(rng.Float64()*69-34)) // 1.7e-15 … 9e14
	}
	for _, whole := range []float64{1, 3, 7, 48.54, 0.056, 1e6, 123456.789, 0.001, 1e-8, 3e14} {
		qs = append(qs, whole, math.Nextafter(whole, 0), math.Nextafter(whole, math.Inf(1)),
			math.Nextafter(math.Nextafter(whole, 0), 0), whole*(1-1e-16), whole*(1+1e-16))
	}
	qs = append(qs, 2.9999999999999996, 0.09999999999999999, 0.0009999999999999998, 9.999999999999998e-5,
		99999.99999999999, 5e-324, math.MaxFloat64, 9.223372036854776e18, 1e17, 1e18, 1e19)
	var fast int
	for _, st := range steps {
		step := decimal.RequireFromString(st)
		for _, q := range qs {
			want := decimal.NewFromFloat(q).Div(step).Floor().Mul(step)
			got, ok := qtyPow10(q, step)
			if !ok {
				got = Qty(q, 1, step)
			} else {
				fast++
			}
			if got.Cmp(want) != 0 || got.Exponent() != want.Exponent() || got.String() != want.String() {
				t.Fatalf("Qty(%v, step %s) = %s (exp %d, integer path %v), want %s (exp %d)",
					q, st, got, got.Exponent(), ok, want, want.Exponent())
			}
		}
	}
	if fast < len(qs)*4 {
		t.Errorf("the integer path took only %d of %d cases", fast, len(qs)*len(steps))
	}
	if _, ok := qtyPow10(1.5, decimal.RequireFromString("0.0025")); ok {
		t.Error("a step of 0.0025 took the integer path")
	}
	milli := decimal.RequireFromString("0.001")
	if n := testing.AllocsPerRun(100, func() { Qty(1234.5, 3.21, milli) }); n > 2 {
		t.Errorf("Qty allocates %v times, want at most 2 (the result's coefficient)", n)
	}
}

// TestQtyFloatSameDecimal checks qtyFloat, the path without q's digits, against the decimal
// arithmetic on quotients near its edges: fractions of a step around 1e-3 and 1 − 1e-3 (where
// it hands over to the digits), whole steps a few ulps off, and quotients up to its 2^40
// bound, on power-of-ten steps from 10^-8 to 10^3. It fails unless both paths are taken often.
func TestQtyFloatSameDecimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 8))
	steps := []string{"0.00000001", "0.001", "0.1", "1", "1000", "0.0010", "10"}
	fracs := []float64{0, 1e-3, 1 - 1e-3, 5e-4, 2e-3, 0.5, 0.999, 1e-12, 1 - 1e-12}
	var float, digits int
	for k := range 200000 {
		step := decimal.RequireFromString(steps[k%len(steps)])
		n := math.Floor(math.Exp(rng.Float64() * 28)) // 1 … 1.4e12 steps (past 2^40)
		fr := fracs[rng.IntN(len(fracs))]
		if rng.IntN(2) == 0 {
			fr += (rng.Float64() - 0.5) * 1e-4
		}
		x := n + fr
		q := x * step.InexactFloat64()
		for range rng.IntN(3) {
			q = math.Nextafter(q, math.Inf(rng.IntN(2)*2-1))
		}
		if !(q > 0) {
			continue
		}
		want := decimal.NewFromFloat(q).Div(step).Floor().Mul(step)
		c := step.CoefficientInt64()
		j := 0
		for c > 1 && c%10 == 0 {
			c /= 10
			j++
		}
		if _, ok := qtyFloat(q, int(step.Exponent())+j, step.Exponent(), j); ok {
			float++
		} else {
			digits++
		}
		got := Qty(q, 1, step)
		if got.Cmp(want) != 0 || got.Exponent() != want.Exponent() {
			t.Fatalf("Qty(%v, step %s) = %s (exp %d), want %s (exp %d)", q, step, got, got.Exponent(), want, want.Exponent())
		}
	}
	if float < 50000 || digits < 50000 {
		t.Errorf("paths taken: %d without digits, %d with", float, digits)
	}
}

// BenchmarkQty sizes an entry on a power-of-ten step (the integer path) and on a step that is
// not one (the decimal path).
func BenchmarkQty(b *testing.B) {
	for _, st := range []string{"0.001", "0.0025"} {
		step := decimal.RequireFromString(st)
		b.Run("step="+st, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Qty(2500, 88482.9, step)
			}
		})
	}
}
