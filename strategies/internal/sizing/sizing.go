package sizing

import (
	"math"
	"sync"
	"time"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/shopspring/decimal"
)

type instrumenter interface {
	Instrument(symbol string) (margin.Instrument, bool)
}

// book is the default bracket book, built once and only read (DefaultInstrument needs one;
// tick and step do not depend on it).
var book = sync.OnceValue(margin.DefaultBook)

// Filters returns symbol's price tick and quantity step: from the broker's instrument when it
// exposes one, else margin.DefaultInstrument(symbol, refPrice), refPrice being the open of the
// symbol's first bar in the run (the price the engine derives default filters from).
func Filters(br *backtest.Broker, symbol string, refPrice float64) (tick, step decimal.Decimal) {
	if br != nil {
		if in, ok := any(br).(instrumenter); ok {
			if inst, ok := in.Instrument(symbol); ok && inst.TickSize.Sign() > 0 && inst.StepSize.Sign() > 0 {
				return inst.TickSize, inst.StepSize
			}
		}
	}
	inst := margin.DefaultInstrument(symbol, refPrice, time.Time{}, book())
	return inst.TickSize, inst.StepSize
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
