package sizing

import (
	"math"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/shopspring/decimal"
)

type instrumenter interface {
	Instrument(symbol string) (margin.Instrument, bool)
}

// known holds Binance USDⓈ-M PRICE_FILTER tickSize and LOT_SIZE stepSize of the sample's
// perpetuals. Where unsure, the value is a multiple of the exchange's (coarser is safe: the
// result is still on the exchange grid).
var known = map[string][2]string{
	"BTCUSDT":  {"0.1", "0.001"},
	"ETHUSDT":  {"0.1", "0.001"},
	"BNBUSDT":  {"0.01", "0.01"},
	"SOLUSDT":  {"0.01", "1"},
	"XRPUSDT":  {"0.0001", "0.1"},
	"DOGEUSDT": {"0.00001", "1"},
	"ADAUSDT":  {"0.0001", "1"},
	"LINKUSDT": {"0.001", "0.01"},
	"AVAXUSDT": {"0.001", "1"},
	"DOTUSDT":  {"0.001", "0.1"},
}

// Filters returns symbol's price tick and quantity step: from the broker's instrument when
// it exposes one, else from the built-in table, else derived from price: tick
// 10^(⌊log10 price⌋−4) and step 10^⌈log10(100/price)⌉ (a step worth at most about 100 USDT).
func Filters(br *backtest.Broker, symbol string, price float64) (tick, step decimal.Decimal) {
	if in, ok := any(br).(instrumenter); ok && br != nil {
		if inst, ok := in.Instrument(symbol); ok && inst.TickSize.Sign() > 0 && inst.StepSize.Sign() > 0 {
			return inst.TickSize, inst.StepSize
		}
	}
	if k, ok := known[symbol]; ok {
		return decimal.RequireFromString(k[0]), decimal.RequireFromString(k[1])
	}
	if !(price > 0) || math.IsInf(price, 0) {
		price = 1
	}
	tick = decimal.New(1, int32(math.Floor(math.Log10(price)))-4)
	step = decimal.New(1, int32(math.Ceil(math.Log10(100/price))))
	return tick, step
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
