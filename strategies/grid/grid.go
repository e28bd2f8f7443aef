package grid

import (
	"math"
	"strings"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/bt-backtest/bt/strategies/internal/sizing"
	"github.com/bt-backtest/bt/strategies/param"
	"github.com/shopspring/decimal"
)

// Name is the strategy's registry name.
const Name = "grid"

// Summary is the one-line description the CLI prints.
const Summary = "neutral grid bot: limit orders on a price grid, reduce-only take-profits one level away"

// Parameters.
var (
	ParamSymbol  = param.Spec{Name: "symbol", Default: "BTCUSDT", Doc: "the perpetual to trade"}
	ParamLevels  = param.Spec{Name: "levels", Default: "5", Doc: "grid levels on each side of the center"}
	ParamSpacing = param.Spec{Name: "spacing", Default: "0.01", Doc: "relative distance between levels"}
	ParamAmount  = param.Spec{Name: "amount", Default: "500", Doc: "notional per level in USDT"}
)

// Params lists the parameters with their defaults.
var Params = []param.Spec{ParamSymbol, ParamLevels, ParamSpacing, ParamAmount}

// slot is one order the grid is waiting on.
type slot struct {
	level int  // the entry's level
	tp    bool // a take-profit (else an entry)
}

// Strategy is the grid bot. Use New; one instance runs per account.
type Strategy struct {
	symbol  string
	id      int
	levels  int
	spacing float64
	amount  float64

	center  float64
	lo, hi  float64 // the outermost levels' prices, set with center
	tick    decimal.Decimal
	step    decimal.Decimal
	orders  map[backtest.OrderID]slot // open grid orders
	tps     int                       // take-profits waiting
	rebuild bool
}

// New returns a grid bot; its parameters are read in Start.
func New() backtest.Strategy { return &Strategy{} }

// Start reads the parameters. The grid trades at the account's leverage of the symbol.
func (s *Strategy) Start(br *backtest.Broker) error {
	r := param.NewReader(Name, br.Param)
	s.symbol = r.String(ParamSymbol)
	s.levels = r.Int(ParamLevels, 1, 100)
	s.spacing = r.Float(ParamSpacing, 1e-4, 0.5)
	s.amount = r.Float(ParamAmount, 1e-6, 1e12)
	if err := r.Err(); err != nil {
		return err
	}
	id, inst, ok := sizing.Symbol(br, s.symbol)
	if !ok {
		return &param.Error{Strategy: Name, Name: ParamSymbol.Name, Value: s.symbol, Reason: "not in the data (its symbols: " + strings.Join(br.Symbols(), ", ") + ")"}
	}
	s.id, s.tick, s.step = id, inst.TickSize, inst.StepSize
	s.orders = make(map[backtest.OrderID]slot)
	s.rebuild = true
	return nil
}

// price returns level k's price.
func (s *Strategy) price(k int) float64 { return s.center * math.Pow(1+s.spacing, float64(k)) }

// place submits the entry (tp=false) or take-profit of level k.
func (s *Strategy) place(br *backtest.Broker, k int, tp bool, qty decimal.Decimal) {
	side, at := backtest.Buy, k
	if k > 0 {
		side = backtest.Sell
	}
	if tp {
		side = -side
		at = k + 1
		if k > 0 {
			at = k - 1
		}
	}
	if inst, ok := br.Instrument(s.symbol); ok { // the grids in force today: the filters are dated
		s.tick, s.step = inst.TickSize, inst.StepSize
	}
	px := sizing.Price(s.price(at), s.tick)
	if qty.Sign() == 0 {
		qty = sizing.Qty(s.amount, s.price(k), s.step)
	}
	if px.Sign() <= 0 || qty.Sign() <= 0 {
		return
	}
	tag := "grid entry"
	if tp {
		tag = "grid take-profit"
	}
	id, err := br.Submit(backtest.Order{Symbol: s.symbol, Side: side, Type: backtest.Limit,
		Qty: qty, Price: px, ReduceOnly: tp, Tag: tag})
	if err != nil {
		return // recorded by the engine
	}
	s.orders[id] = slot{level: k, tp: tp}
	if tp {
		s.tps++
	}
}

// OnBar builds or rebuilds the grid at the symbol's bar close.
func (s *Strategy) OnBar(br *backtest.Broker, b backtest.Bar) error {
	if b.ID != s.id {
		return nil
	}
	if !s.rebuild {
		if (b.Close >= s.lo && b.Close <= s.hi) || s.tps > 0 || !br.Position(s.symbol).Qty.IsZero() {
			return nil
		}
	}
	if len(s.orders) > 0 {
		_ = br.CancelAll(s.symbol)
		clear(s.orders)
		s.tps = 0
	}
	s.rebuild = false
	s.center = b.Close
	s.lo, s.hi = s.price(-s.levels), s.price(s.levels)
	for k := 1; k <= s.levels; k++ {
		s.place(br, -k, false, decimal.Zero)
		s.place(br, k, false, decimal.Zero)
	}
	return nil
}

// OnFill places the take-profit of a filled entry, or the entry again after its
// take-profit filled.
func (s *Strategy) OnFill(br *backtest.Broker, f backtest.FillRecord) {
	sl, ok := s.orders[f.OrderID]
	if !ok || f.Symbol != s.symbol {
		return
	}
	delete(s.orders, f.OrderID)
	if sl.tp {
		s.tps--
		s.place(br, sl.level, false, decimal.Zero)
		return
	}
	s.place(br, sl.level, true, f.Qty)
}

// OnLiquidation rebuilds the grid at the next bar close.
func (s *Strategy) OnLiquidation(br *backtest.Broker, l margin.Liquidation) {
	if l.Symbol == s.symbol {
		s.rebuild = true
	}
}
