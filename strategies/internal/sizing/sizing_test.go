package sizing

import (
	"math"
	"testing"

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

func TestFilters(t *testing.T) {
	// Without a broker: the engine's default instruments. BTCUSDT has its real filters; other
	// symbols are derived from the reference price (tick 10^(⌊log10 p⌋−4), step 10^(−⌈log10 p⌉)).
	for _, c := range []struct {
		sym        string
		ref        float64
		tick, step string
	}{
		{"BTCUSDT", 100000, "0.1", "0.001"},
		{"FOOUSDT", 2.5, "0.0001", "0.1"},
		{"FOOUSDT", 100, "0.01", "0.01"},
	} {
		tick, step := Filters(nil, c.sym, c.ref)
		if tick.String() != c.tick || step.String() != c.step {
			t.Errorf("%s at %v: tick %s step %s, want %s %s", c.sym, c.ref, tick, step, c.tick, c.step)
		}
	}
}
