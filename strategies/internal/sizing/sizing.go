package sizing

import (
	"math"
	"sync"
	"time"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/shopspring/decimal"
)

// book is the default bracket book, built once and only read (DefaultInstrument needs one;
// tick and step do not depend on it).
var book = sync.OnceValue(margin.DefaultBook)

// Instrument returns symbol's instrument as the run trades it (Broker.Instrument), or, without
// a broker or for a symbol it does not know, margin.DefaultInstrument(symbol, refPrice),
// refPrice being the open of the symbol's first bar in the run (the price the engine derives
// default filters from).
func Instrument(br *backtest.Broker, symbol string, refPrice float64) margin.Instrument {
	if br != nil {
		if inst, ok := br.Instrument(symbol); ok && inst.TickSize.Sign() > 0 && inst.StepSize.Sign() > 0 {
			return inst
		}
	}
	return margin.DefaultInstrument(symbol, refPrice, time.Time{}, book())
}

// Filters returns symbol's price tick and quantity step (see Instrument).
func Filters(br *backtest.Broker, symbol string, refPrice float64) (tick, step decimal.Decimal) {
	inst := Instrument(br, symbol, refPrice)
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
