package swing

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/strategies/indicator"
	"github.com/bt-backtest/bt/strategies/internal/sizing"
	"github.com/bt-backtest/bt/strategies/param"
	"github.com/shopspring/decimal"
)

// Name is the strategy's registry name.
const Name = "swing"

// Summary is the one-line description the CLI prints.
const Summary = "trend-following swing trader over several correlated altcoins (EMA cross, fixed margin fraction)"

// Parameters.
var (
	ParamSymbols = param.Spec{Name: "symbols", Default: "", Doc: "comma-separated symbols to trade; empty: every symbol of the data"}
	ParamFast    = param.Spec{Name: "fast", Default: "72", Doc: "fast EMA period in bars"}
	ParamSlow    = param.Spec{Name: "slow", Default: "288", Doc: "slow EMA period in bars (> fast)"}
	ParamSize    = param.Spec{Name: "size", Default: "0.05", Doc: "initial margin per position as a fraction of equity at entry (0, 1]"}
	ParamShort   = param.Spec{Name: "short", Default: "true", Doc: "also hold shorts when the fast EMA is below the slow one"}
)

// Params lists the parameters with their defaults.
var Params = []param.Spec{ParamSymbols, ParamFast, ParamSlow, ParamSize, ParamShort}

// Strategy is the swing trader. Use New; one instance runs per account.
type Strategy struct {
	size  float64
	short bool

	syms   []string
	traded []bool // by symbol ID
	fast   []*indicator.EMA
	slow   []*indicator.EMA
	want   []int8            // desired side at the last close: +1, −1, 0
	side   []int8            // side last acted on
	last   []float64         // last close
	qstep  []decimal.Decimal // quantity step of the symbol's instrument
	minNot []float64         // minimum notional of an entry, from the instrument
	seen   []int64           // step counter of the symbol's last bar
	step   int64             // counts OnStep calls, from 1
}

// New returns a swing trader; its parameters are read in Start.
func New() backtest.Strategy { return &Strategy{} }

// Start reads the parameters and allocates the state. The strategy trades at the account's
// leverage of each symbol, read when it sizes an entry.
func (s *Strategy) Start(br *backtest.Broker) error {
	r := param.NewReader(Name, br.Param)
	list := r.List(ParamSymbols)
	fast := r.Int(ParamFast, 1, 100000)
	slow := r.Int(ParamSlow, 2, 100000)
	r.Check(fast < slow, ParamFast, fmt.Sprint(fast), fmt.Sprintf("must be below slow (%d)", slow))
	s.size = r.Float(ParamSize, 1e-9, 1)
	s.short = r.Bool(ParamShort)
	if err := r.Err(); err != nil {
		return err
	}
	s.syms = br.Symbols()
	n := len(s.syms)
	s.traded = make([]bool, n)
	if len(list) == 0 {
		for i := range s.traded {
			s.traded[i] = true
		}
	}
	for _, name := range list {
		i := slices.Index(s.syms, name)
		if i < 0 {
			return &param.Error{Strategy: Name, Name: ParamSymbols.Name, Value: name, Reason: "not in the data (its symbols: " + strings.Join(s.syms, ", ") + ")"}
		}
		s.traded[i] = true
	}
	s.fast = make([]*indicator.EMA, n)
	s.slow = make([]*indicator.EMA, n)
	s.want = make([]int8, n)
	s.side = make([]int8, n)
	s.last = make([]float64, n)
	s.qstep = make([]decimal.Decimal, n)
	s.minNot = make([]float64, n)
	s.seen = make([]int64, n)
	s.step = 1
	for i := range n {
		if !s.traded[i] {
			continue
		}
		inst, _ := br.Instrument(s.syms[i])
		s.qstep[i], s.minNot[i] = inst.StepSize, inst.MinNotional.InexactFloat64()
		s.fast[i] = indicator.NewEMA(fast)
		s.slow[i] = indicator.NewEMA(slow)
	}
	return nil
}

// OnBar updates the symbol's EMAs with the bar's close.
func (s *Strategy) OnBar(br *backtest.Broker, b backtest.Bar) error {
	i := b.ID
	if i < 0 || i >= len(s.traded) || !s.traded[i] {
		return nil
	}
	f, okF := s.fast[i].Update(b.Close)
	w, okS := s.slow[i].Update(b.Close)
	s.last[i] = b.Close
	s.seen[i] = s.step
	if !okF || !okS {
		return nil
	}
	s.want[i] = signal(f, w, s.short)
	return nil
}

// signal is the desired side: +1 when fast > slow, −1 when fast < slow and shorts are allowed,
// else 0. Equal EMAs mean no trend.
func signal(fast, slow float64, short bool) int8 {
	switch {
	case fast > slow:
		return 1
	case fast < slow && short:
		return -1
	}
	return 0
}

// OnStep acts on every traded symbol that had a bar at this timestamp and whose trend flipped.
func (s *Strategy) OnStep(br *backtest.Broker, t int64) error {
	var equity float64
	for i, ok := range s.traded {
		if !ok || s.seen[i] != s.step || s.want[i] == s.side[i] {
			continue
		}
		if equity == 0 {
			equity = br.Equity()
		}
		s.rebalance(br, i, equity)
	}
	s.step++
	return nil
}

// rebalance moves symbol i from s.side[i] to s.want[i].
func (s *Strategy) rebalance(br *backtest.Broker, i int, equity float64) {
	sym := s.syms[i]
	want := s.want[i]
	s.side[i] = want
	pos := br.Position(sym)
	if q := pos.Qty.Sign(); q != 0 && int8(q) != want {
		side := backtest.Sell
		if q < 0 {
			side = backtest.Buy
		}
		// A rejection is recorded by the engine; the next flip tries again.
		_, _ = br.Submit(backtest.Order{Symbol: sym, Side: side, Type: backtest.Market, Qty: pos.Qty.Abs(), ReduceOnly: true, Tag: "swing exit"})
	} else if q != 0 {
		return // already on the wanted side
	}
	if want == 0 || equity <= 0 {
		return
	}
	notional := s.size * equity * float64(br.Position(sym).Leverage)
	if notional < s.minNot[i] {
		return // too small to trade: the exchange would refuse it (see the package doc)
	}
	qty := sizing.Qty(notional, s.last[i], s.qstep[i])
	if qty.Sign() <= 0 {
		return
	}
	side := backtest.Buy
	if want < 0 {
		side = backtest.Sell
	}
	_, _ = br.Submit(backtest.Order{Symbol: sym, Side: side, Type: backtest.Market, Qty: qty, Tag: "swing entry"})
}
