package breakout

import (
	"strings"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/strategies/param"
	"github.com/shopspring/decimal"
)

// Parameters, with their defaults: bt strategies lists them, an experiment sets them under
// strategy.params (or bt run --set strategy.params.period=48).
var (
	ParamSymbol = param.Spec{Name: "symbol", Default: "BTCUSDT", Doc: "the perpetual to trade"}
	ParamPeriod = param.Spec{Name: "period", Default: "24", Doc: "bars of the breakout channel"}
	ParamSize   = param.Spec{Name: "size", Default: "0.2", Doc: "margin per entry as a fraction of equity"}
)

// Params lists the parameters in documentation order.
var Params = []param.Spec{ParamSymbol, ParamPeriod, ParamSize}

// Strategy is the breakout trader. bt creates one per account with New.
type Strategy struct {
	symbol string
	period int
	size   float64
	step   decimal.Decimal // the symbol's quantity step
}

// New returns a breakout trader; its parameters are read in Start.
func New() backtest.Strategy { return &Strategy{} }

// Start reads and checks the parameters (bt reports a bad one as the experiment's error).
func (s *Strategy) Start(br *backtest.Broker) error {
	r := param.NewReader("breakout", br.Param)
	s.symbol = r.String(ParamSymbol)
	s.period = r.Int(ParamPeriod, 2, 10000)
	s.size = r.Float(ParamSize, 0.001, 1)
	if err := r.Err(); err != nil {
		return err
	}
	inst, ok := br.Instrument(s.symbol)
	if !ok {
		return &param.Error{Strategy: "breakout", Name: ParamSymbol.Name, Value: s.symbol, Reason: "not in the data (its symbols: " + strings.Join(br.Symbols(), ", ") + ")"}
	}
	s.step = inst.StepSize
	return nil
}

// OnBar acts at the close of each bar of the symbol.
func (s *Strategy) OnBar(br *backtest.Broker, b backtest.Bar) error {
	if b.Symbol != s.symbol {
		return nil
	}
	bars := br.Bars(s.symbol, s.period+1) // the channel and this bar, oldest first
	if len(bars) < s.period+1 {
		return nil
	}
	prev := bars[:len(bars)-1]
	pos := br.Position(s.symbol)
	switch {
	case pos.Qty.IsZero() && b.Close > highest(prev):
		margin := s.size * br.Equity()
		notional := margin * float64(pos.Leverage)
		qty := decimal.NewFromFloat(notional / b.Close).Div(s.step).Floor().Mul(s.step)
		if qty.IsPositive() {
			// A rejection (too little margin, below the minimum notional) is recorded by bt.
			_, _ = br.Submit(backtest.Order{Symbol: s.symbol, Side: backtest.Buy, Type: backtest.Market, Qty: qty, Tag: "breakout"})
		}
	case pos.Qty.IsPositive() && b.Close < lowest(prev[len(prev)-s.period/2:]):
		_, _ = br.Submit(backtest.Order{Symbol: s.symbol, Side: backtest.Sell, Type: backtest.Market, Qty: pos.Qty, ReduceOnly: true, Tag: "exit"})
	}
	return nil
}

func highest(bars []backtest.Bar) float64 {
	h := bars[0].High
	for _, b := range bars[1:] {
		h = max(h, b.High)
	}
	return h
}

func lowest(bars []backtest.Bar) float64 {
	l := bars[0].Low
	for _, b := range bars[1:] {
		l = min(l, b.Low)
	}
	return l
}
