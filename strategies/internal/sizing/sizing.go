package sizing

import (
	"math"
	"slices"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/shopspring/decimal"
)

// Symbol returns symbol's ID in the run (its index in br.Symbols(), the ID of its bars) and
// its instrument as the run trades it; ok is false when the data does not hold symbol.
func Symbol(br *backtest.Broker, symbol string) (id int, inst margin.Instrument, ok bool) {
	id = slices.Index(br.Symbols(), symbol)
	if id < 0 {
		return -1, margin.Instrument{}, false
	}
	inst, ok = br.Instrument(symbol)
	return id, inst, ok
}

// Qty returns notional/price rounded down to a multiple of step (zero when less than one
// step, or when the inputs are not positive and finite).
func Qty(notional, price float64, step decimal.Decimal) decimal.Decimal {
	q := notional / price
	if !(q > 0) || math.IsInf(q, 0) || step.Sign() <= 0 {
		return decimal.Zero
	}
	return decimal.NewFromFloat(q).Div(step).Floor().Mul(step)
}

// Price returns p rounded to the nearest multiple of tick (zero when p is not positive and
// finite).
func Price(p float64, tick decimal.Decimal) decimal.Decimal {
	if !(p > 0) || math.IsInf(p, 0) || tick.Sign() <= 0 {
		return decimal.Zero
	}
	return decimal.NewFromFloat(p).Div(tick).Round(0).Mul(tick)
}
