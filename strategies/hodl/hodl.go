package hodl

import (
	"strings"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/strategies/internal/sizing"
	"github.com/bt-backtest/bt/strategies/param"
	"github.com/shopspring/decimal"
)

// Name is the strategy's registry name.
const Name = "hodl"

// Summary is the one-line description the CLI prints.
const Summary = "leveraged buy-and-hold / DCA: buy a fixed USDT amount every N bars at the account's leverage"

// Parameters.
var (
	ParamSymbol = param.Spec{Name: "symbol", Default: "BTCUSDT", Doc: "the perpetual to buy"}
	ParamAmount = param.Spec{Name: "amount", Default: "100", Doc: "USDT of margin committed per buy (notional = amount × leverage)"}
	ParamEvery  = param.Spec{Name: "every", Default: "24", Doc: "bars of the symbol between buys"}
	ParamMax    = param.Spec{Name: "max", Default: "0", Doc: "maximum number of buys; 0: no limit"}
)

// Params lists the parameters with their defaults.
var Params = []param.Spec{ParamSymbol, ParamAmount, ParamEvery, ParamMax}

// Strategy is the DCA buyer. Use New; one instance runs per account.
type Strategy struct {
	symbol  string
	id      int
	amount  float64
	amountD decimal.Decimal
	every   int
	max     int

	step decimal.Decimal // the symbol's quantity step
	bars int             // bars of the symbol seen
	buys int             // orders submitted
}

// New returns a DCA buyer; its parameters are read in Start.
func New() backtest.Strategy { return &Strategy{} }

// Start reads the parameters. The strategy trades at the account's leverage of the symbol
// (leverage.default or leverage.symbols of the experiment), read when it sizes a buy.
func (s *Strategy) Start(br *backtest.Broker) error {
	r := param.NewReader(Name, br.Param)
	s.symbol = r.String(ParamSymbol)
	s.amount = r.Float(ParamAmount, 1e-6, 1e12)
	s.every = r.Int(ParamEvery, 1, 1<<30)
	s.max = r.Int(ParamMax, 0, 1<<30)
	if err := r.Err(); err != nil {
		return err
	}
	s.amountD = decimal.NewFromFloat(s.amount)
	id, inst, ok := sizing.Symbol(br, s.symbol)
	if !ok {
		return &param.Error{Strategy: Name, Name: ParamSymbol.Name, Value: s.symbol, Reason: "not in the data (its symbols: " + strings.Join(br.Symbols(), ", ") + ")"}
	}
	s.id, s.step = id, inst.StepSize
	return nil
}

// OnBar buys on schedule.
func (s *Strategy) OnBar(br *backtest.Broker, b backtest.Bar) error {
	if b.ID != s.id {
		return nil
	}
	due := s.bars%s.every == 0
	s.bars++
	if !due || (s.max > 0 && s.buys >= s.max) {
		return nil
	}
	if br.Available().LessThan(s.amountD) {
		return nil
	}
	if inst, ok := br.Instrument(s.symbol); ok { // the step in force at this bar: filters are dated
		s.step = inst.StepSize
	}
	qty := sizing.Qty(s.amount*float64(br.Position(s.symbol).Leverage), b.Close, s.step)
	if qty.Sign() <= 0 {
		return nil
	}
	s.buys++
	// A rejection is recorded by the engine; the schedule carries on.
	_, _ = br.Submit(backtest.Order{Symbol: s.symbol, Side: backtest.Buy, Type: backtest.Market, Qty: qty, Tag: "dca"})
	return nil
}
