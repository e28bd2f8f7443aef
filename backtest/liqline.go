package backtest

import "github.com/bt-backtest/bt/backtest/margin"

// LiqPricePoint is a position's state from Time on, recorded whenever the ledger changed the
// position (a fill, a liquidation, a funding settlement, a margin transfer, a leverage or
// rules switch), never per bar: the report draws each position's liquidation price as a step
// line over its life and, for an isolated position, its own margin ratio between these
// points. Figures are float64 estimates for charts; the ledger stays exact.
//
// An isolated position's liquidation price only changes at such events, so its step line is
// exact. A cross position's moves with the account's other positions and the cross wallet
// between its own events; its points hold the liquidation price at the event, the other
// positions at their marks then.
type LiqPricePoint struct {
	Time   int64  // Unix ms: the event's time (a fill's time)
	Symbol string // the position's symbol
	// Side is the position's leg in hedge mode (margin.Long or margin.Short), margin.Both in
	// one-way mode: each leg has its own line.
	Side     margin.PositionSide
	Isolated bool // isolated margin (else cross)
	// Qty is the signed size after the event (> 0 long, < 0 short); 0: the position closed.
	Qty   float64
	Entry float64 // entry price after the event
	// LiqPrice is the liquidation price after the event; 0 when there is none (flat, or a
	// position that cannot be liquidated).
	LiqPrice float64
	// Wallet is an isolated position's own wallet (its margin) after the event; 0 for cross.
	Wallet float64
	// Mark is the symbol's mark price at the event, MaintMargin the position's maintenance
	// margin at that mark (0 when flat): with LiqPrice they give the position's maintenance
	// margin at other prices by linear interpolation within its bracket.
	Mark, MaintMargin float64
}

// liqLine records LiqPricePoints at ledger events: last holds, per position (symbol i's
// one-way position or LONG leg at i, its SHORT leg at n+i), the index in pts of its latest
// point (-1 none), so that an event that changes nothing is not recorded twice and a flat
// position records only its closing point.
type liqLine struct {
	pts  []LiqPricePoint
	last []int
}

// noteLiq records position s of symbol i after a ledger event of the symbol (called by
// refreshLeg). Events only: never per bar. A cross position's liquidation price also moves with
// the other positions and the cross wallet; it is recorded at its own events only (the chart
// says so), which keeps the record as small as the fills.
func (a *account) noteLiq(i int, s *posState) {
	if a.cfg.NoLiqPrices {
		return
	}
	l := &a.liqs
	if l.last == nil {
		l.last = make([]int, 2*len(a.syms)) // room for hedge-mode SHORT legs
		for k := range l.last {
			l.last[k] = -1
		}
	}
	a.noteLiqOf(i, s)
}

func (a *account) noteLiqOf(i int, s *posState) {
	l := &a.liqs
	sym := &a.syms[i]
	k := i
	if s.side == margin.Short {
		k += len(a.syms)
	}
	prev := l.last[k]
	if s.qty == 0 && (prev < 0 || l.pts[prev].Qty == 0) {
		return // flat, and already recorded flat (or never open)
	}
	p := LiqPricePoint{Time: a.now, Symbol: sym.inst.Symbol, Side: s.side, Isolated: s.isolated, Qty: s.qty, Entry: s.entry}
	if s.qty != 0 {
		if lp, ok := a.acct.LegLiquidationPrice(i, s.side); ok {
			p.LiqPrice = lp.InexactFloat64()
		}
		if s.isolated {
			p.Wallet = s.isoWallet
		}
		p.Mark = a.acct.Mark(i)
		abs := s.qty
		if abs < 0 {
			abs = -abs
		}
		if p.Mark > 0 {
			p.MaintMargin = sym.brk.MaintenanceMargin(abs * p.Mark)
		}
	}
	if prev >= 0 {
		q := l.pts[prev]
		if q.Qty == p.Qty && q.Entry == p.Entry && q.LiqPrice == p.LiqPrice && q.Wallet == p.Wallet && q.Isolated == p.Isolated {
			return // nothing the chart draws changed
		}
		if q.Time == p.Time {
			l.pts[prev] = p // one point per time: the latest state
			return
		}
	}
	l.last[k] = len(l.pts)
	l.pts = append(l.pts, p)
}
