package sizing

import (
	"context"
	"fmt"
	"math"
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
