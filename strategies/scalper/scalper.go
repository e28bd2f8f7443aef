package scalper

import (
	"fmt"
	"math"
	"strings"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/strategies/indicator"
	"github.com/bt-backtest/bt/strategies/internal/sizing"
	"github.com/bt-backtest/bt/strategies/param"
	"github.com/shopspring/decimal"
)

// Name is the strategy's registry name.
const Name = "scalper"

// Summary is the one-line description the CLI prints.
const Summary = "BTCUSDT Bollinger+RSI mean-reversion scalper with tight attached stop-loss/take-profit"

// Parameters.
var (
	ParamSymbol  = param.Spec{Name: "symbol", Default: "BTCUSDT", Doc: "the perpetual to trade"}
	ParamPeriod  = param.Spec{Name: "period", Default: "20", Doc: "Bollinger period in bars"}
	ParamK       = param.Spec{Name: "k", Default: "2", Doc: "Bollinger width in standard deviations"}
	ParamRSI     = param.Spec{Name: "rsi", Default: "14", Doc: "RSI period in bars"}
	ParamRSILow  = param.Spec{Name: "rsi_low", Default: "30", Doc: "RSI at or below which a long may open"}
	ParamRSIHigh = param.Spec{Name: "rsi_high", Default: "70", Doc: "RSI at or above which a short may open"}
	ParamStop    = param.Spec{Name: "stop", Default: "0.005", Doc: "stop-loss distance as a fraction of price"}
	ParamTake    = param.Spec{Name: "take", Default: "0.01", Doc: "take-profit distance as a fraction of price"}
	ParamRisk    = param.Spec{Name: "risk", Default: "0.01", Doc: "fraction of equity lost when the stop is hit"}
	ParamMaxBars = param.Spec{Name: "maxbars", Default: "12", Doc: "bars after which an open position is closed at market; 0: never"}
)

// Params lists the parameters with their defaults.
var Params = []param.Spec{ParamSymbol, ParamPeriod, ParamK, ParamRSI, ParamRSILow, ParamRSIHigh,
	ParamStop, ParamTake, ParamRisk, ParamMaxBars}

// Strategy is the scalper. Use New; one instance runs per account.
type Strategy struct {
	symbol          string
	id              int
	stop, take      float64
	risk            float64
	rsiLow, rsiHigh float64
	maxBars         int

	bb         *indicator.Bollinger
	rsi        *indicator.RSI
	tick, step decimal.Decimal // the symbol's grids
	held       int             // bars the current position has been open
}

// New returns a scalper; its parameters are read in Start.
func New() backtest.Strategy { return &Strategy{} }

// Start reads the parameters. The strategy trades at the account's leverage of the symbol,
// read when it sizes an entry.
func (s *Strategy) Start(br *backtest.Broker) error {
	r := param.NewReader(Name, br.Param)
	s.symbol = r.String(ParamSymbol)
	period := r.Int(ParamPeriod, 2, 100000)
	k := r.Float(ParamK, 0.1, 10)
	rsi := r.Int(ParamRSI, 1, 100000)
	s.rsiLow = r.Float(ParamRSILow, 0, 100)
	s.rsiHigh = r.Float(ParamRSIHigh, 0, 100)
	r.Check(s.rsiLow < s.rsiHigh, ParamRSILow, fmt.Sprint(s.rsiLow), fmt.Sprintf("must be below rsi_high (%g)", s.rsiHigh))
	s.stop = r.Float(ParamStop, 1e-5, 0.5)
	s.take = r.Float(ParamTake, 1e-5, 10)
	s.risk = r.Float(ParamRisk, 1e-6, 1)
	s.maxBars = r.Int(ParamMaxBars, 0, 1<<30)
	if err := r.Err(); err != nil {
		return err
	}
	id, inst, ok := sizing.Symbol(br, s.symbol)
	if !ok {
		return &param.Error{Strategy: Name, Name: ParamSymbol.Name, Value: s.symbol, Reason: "not in the data (its symbols: " + strings.Join(br.Symbols(), ", ") + ")"}
	}
	s.id, s.tick, s.step = id, inst.TickSize, inst.StepSize
	s.bb = indicator.NewBollinger(period, k)
	s.rsi = indicator.NewRSI(rsi)
	return nil
}

// OnBar runs the entry and time-stop rules at the symbol's bar close.
func (s *Strategy) OnBar(br *backtest.Broker, b backtest.Bar) error {
	if b.ID != s.id {
		return nil
	}
	_, okB := s.bb.Update(b.Close)
	rsi, okR := s.rsi.Update(b.Close)
	pos := br.Position(s.symbol)
	if q := pos.Qty.Sign(); q != 0 {
		s.held++
		if s.maxBars > 0 && s.held >= s.maxBars {
			side := backtest.Sell
			if q < 0 {
				side = backtest.Buy
			}
			_ = br.CancelAll(s.symbol)
			_, _ = br.Submit(backtest.Order{Symbol: s.symbol, Side: side, Type: backtest.Market,
				Qty: pos.Qty.Abs(), ReduceOnly: true, Tag: "scalper time stop"})
			s.held = 0
		}
		return nil
	}
	s.held = 0
	if !okB || !okR {
		return nil
	}
	_, upper, lower := s.bb.Bands()
	var side backtest.Side
	switch {
	case b.Close < lower && rsi <= s.rsiLow:
		side = backtest.Buy
	case b.Close > upper && rsi >= s.rsiHigh:
		side = backtest.Sell
	default:
		return nil
	}
	if len(br.OpenOrders(s.symbol)) > 0 { // an entry still waiting (allocates: only on signals)
		return nil
	}
	if inst, ok := br.Instrument(s.symbol); ok { // the grids in force today: the filters are dated
		s.tick, s.step = inst.TickSize, inst.StepSize
	}
	equity := br.Equity()
	notional := math.Min(s.risk*equity/s.stop, 0.9*equity*float64(pos.Leverage)) // pos is flat: read above
	qty := sizing.Qty(notional, b.Close, s.step)
	if qty.Sign() <= 0 {
		return nil
	}
	dir := float64(side)
	o := backtest.Order{Symbol: s.symbol, Side: side, Type: backtest.Market, Qty: qty,
		StopLoss:   sizing.Price(b.Close*(1-dir*s.stop), s.tick),
		TakeProfit: sizing.Price(b.Close*(1+dir*s.take), s.tick),
		Tag:        "scalper entry"}
	_, _ = br.Submit(o) // a rejection is recorded by the engine
	return nil
}
