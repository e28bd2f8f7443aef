package replay

import (
	"fmt"
	"os"
	"strings"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/bt-backtest/bt/strategies/param"
)

// Name is the strategy's registry name.
const Name = "replay"

// Summary is the one-line description the CLI prints.
const Summary = "replays a trade log CSV (time,symbol,side,type,qty,price,leverage,reduce_only[,position_side]) to compare margin modes"

// ParamFile names the trade log.
var ParamFile = param.Spec{Name: "file", Required: true, Doc: "trade log CSV: time,symbol,side,type,qty,price,leverage,reduce_only, optionally position_side (LONG/SHORT in hedge mode)"}

// Params lists the parameters.
var Params = []param.Spec{ParamFile}

// Strategy replays a trade log. Use New (reads the file named by the `file` parameter in
// Start) or NewFromTrades.
type Strategy struct {
	trades []Trade
	given  bool
	queue  [][]int // per symbol ID: indexes into trades, in time order
	next   []int   // per symbol ID: next queue position
}

// New returns a replayer of the log named by the `file` parameter.
func New() backtest.Strategy { return &Strategy{} }

// NewFromTrades returns a replayer of trades already parsed (sorted by time); it ignores the
// `file` parameter.
func NewFromTrades(trades []Trade) *Strategy { return &Strategy{trades: trades, given: true} }

// Start reads and parses the log and checks that its symbols are in the data.
func (s *Strategy) Start(br *backtest.Broker) error {
	if !s.given {
		r := param.NewReader(Name, br.Param)
		file := r.String(ParamFile)
		if err := r.Err(); err != nil {
			return err
		}
		f, err := os.Open(file)
		if err != nil {
			return fmt.Errorf("%s: %w", Name, err)
		}
		defer f.Close()
		if s.trades, err = Parse(f, file); err != nil {
			return err
		}
	}
	// every row's position side must fit the run's position mode: refused before the first
	// bar rather than row by row
	hedge := br.PositionMode() == margin.Hedge
	for _, t := range s.trades {
		switch {
		case hedge && t.PositionSide == margin.Both:
			return fmt.Errorf("%s: row %d: the run is in hedge mode, so every order needs position_side LONG or SHORT (the log gives none)", Name, t.Row)
		case !hedge && t.PositionSide != margin.Both:
			return fmt.Errorf("%s: row %d: position_side %s needs hedge mode (position_mode: hedge, or bt run --position-mode hedge); this run is one-way", Name, t.Row, t.PositionSide)
		}
	}
	syms := br.Symbols()
	s.queue = make([][]int, len(syms))
	s.next = make([]int, len(syms))
	for k, t := range s.trades {
		id := -1
		for i, sym := range syms {
			if sym == t.Symbol {
				id = i
				break
			}
		}
		if id < 0 {
			return fmt.Errorf("%s: row %d: symbol %s is not in the data (its symbols: %s)", Name, t.Row, t.Symbol, strings.Join(syms, ", "))
		}
		s.queue[id] = append(s.queue[id], k)
	}
	return nil
}

// OnBar submits every logged order of the bar's symbol whose time is at or before the bar's
// close.
func (s *Strategy) OnBar(br *backtest.Broker, b backtest.Bar) error {
	if b.ID < 0 || b.ID >= len(s.queue) {
		return nil
	}
	q := s.queue[b.ID]
	for s.next[b.ID] < len(q) {
		t := &s.trades[q[s.next[b.ID]]]
		if t.Time > b.End {
			break
		}
		s.next[b.ID]++
		if t.Leverage > 0 && br.Position(t.Symbol).Leverage != t.Leverage {
			// A refused leverage change is the engine's to record; the order goes on.
			_ = br.SetLeverage(t.Symbol, t.Leverage)
		}
		o := backtest.Order{Symbol: t.Symbol, Side: t.Side, Type: t.Type, Qty: t.Qty, Price: t.Price,
			ReduceOnly: t.ReduceOnly, Tag: fmt.Sprintf("replay row %d", t.Row), PositionSide: t.PositionSide}
		_, _ = br.Submit(o) // a rejection is recorded by the engine
	}
	return nil
}
