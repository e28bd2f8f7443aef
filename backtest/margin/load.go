package margin

import (
	"fmt"
	"math"

	"github.com/shopspring/decimal"
)

// Holding is an open position to load into an account (LoadAccount): signed quantity (> 0
// long), entry price, margin mode, the isolated wallet (isolated only) and the mark.
type Holding struct {
	Qty, Entry     decimal.Decimal
	Mode           Mode
	IsolatedWallet decimal.Decimal
	Mark           float64
}

// LoadAccount returns an account in the state a calculator is asked about (bt calc liq
// --account): cfg.Wallet is the cross wallet balance, and holdings[i] (one per instrument,
// in order; a zero Qty is flat) the position of cfg.Instruments[i]. In hedge mode
// (cfg.PositionMode) there are two holdings per instrument: holdings[i] is the LONG leg of
// cfg.Instruments[i] (Qty >= 0) and holdings[n+i] its SHORT leg (Qty <= 0), n instruments;
// the open legs of one symbol must have the same margin mode (a flat leg takes it). The
// account has no trade history: its totals start from this state, so Check holds. Errors
// (ErrInvalidInput) name the instrument: an isolated position without a positive isolated
// wallet, a cross position with one, a non-positive entry or mark, a NaN, a leg of the wrong
// sign, legs of one symbol in different margin modes.
func LoadAccount(cfg Config, holdings []Holding) (*Account, error) {
	want := len(cfg.Instruments)
	if cfg.PositionMode == Hedge {
		want *= 2
	}
	if len(holdings) != want {
		return nil, fmt.Errorf("%w: %d holdings for %d instruments in %s mode", ErrInvalidInput, len(holdings), len(cfg.Instruments), cfg.PositionMode)
	}
	a, err := NewAccount(cfg)
	if err != nil {
		return nil, err
	}
	n := len(cfg.Instruments)
	for i, h := range holdings {
		s := &a.slots[i]
		sym := s.inst.Symbol
		if h.Mode > Isolated {
			return nil, fmt.Errorf("%w: %s: unknown margin mode %d", ErrInvalidInput, sym, h.Mode)
		}
		if s.side != Both {
			sym += " " + s.side.String()
			if s.side == Long && h.Qty.IsNegative() || s.side == Short && h.Qty.IsPositive() {
				return nil, fmt.Errorf("%w: %s: quantity %s has the other leg's sign", ErrInvalidInput, sym, h.Qty)
			}
		}
		if s.side == Both {
			s.mode = h.Mode
		}
		if h.Qty.IsZero() {
			continue
		}
		if j := a.sibling(i); j >= 0 && !holdings[j].Qty.IsZero() && holdings[j].Mode != h.Mode {
			return nil, fmt.Errorf("%w: %s: both legs of a symbol share its margin mode (LONG %s, SHORT %s)",
				ErrInvalidInput, s.inst.Symbol, holdings[i%n].Mode, holdings[n+i%n].Mode)
		}
		s.mode = h.Mode
		if j := a.sibling(i); j >= 0 {
			a.slots[j].mode = h.Mode
		}
		switch {
		case !h.Entry.IsPositive():
			return nil, fmt.Errorf("%w: %s: entry price %s must be > 0", ErrInvalidInput, sym, h.Entry)
		case !(h.Mark > 0) || math.IsInf(h.Mark, 0):
			return nil, fmt.Errorf("%w: %s: mark %v must be > 0", ErrInvalidInput, sym, h.Mark)
		case h.Mode == Isolated && !h.IsolatedWallet.IsPositive():
			return nil, fmt.Errorf("%w: %s: an isolated position needs its isolated wallet (> 0)", ErrInvalidInput, sym)
		case h.Mode == Cross && !h.IsolatedWallet.IsZero():
			return nil, fmt.Errorf("%w: %s: a cross position has no isolated wallet (its margin is the cross wallet)", ErrInvalidInput, sym)
		}
		s.qty, s.entry, s.isoW, a.marks[i], s.avOK = h.Qty, h.Entry, h.IsolatedWallet, h.Mark, false
		a.initial = a.initial.Add(h.IsolatedWallet)
	}
	a.refreshAll()
	a.invariants()
	return a, nil
}

// PositionRisk is one open position's risk figures, by the engine's own rules: the
// liquidation price (isolated: its own wallet; cross: the cross wallet with the other cross
// positions held at their marks) and bankruptcy price from Binance's formula with the bracket
// re-check (docs/margin.md §4), and the maintenance margin and bracket at the current mark.
type PositionRisk struct {
	LiquidationPrice  decimal.Decimal // meaningful only when HasLiquidation
	HasLiquidation    bool            // false: the formula gives a price <= 0 (Binance shows "--")
	BankruptcyPrice   decimal.Decimal
	MaintenanceMargin decimal.Decimal // at the mark
	Bracket           int             // the bracket of the notional at the mark
}

// PositionRisk returns symbol i's risk figures; false when the symbol is flat. In hedge mode
// they are the LONG leg's; see PositionRiskOf.
func (a *Account) PositionRisk(i int) (PositionRisk, bool) { return a.positionRisk(i) }

// PositionRiskOf is PositionRisk of symbol i's position side ps (Both in one-way mode, Long or
// Short in hedge mode); false when that position is flat or the side does not match. Each leg
// has its own maintenance margin and bracket (of its own notional); cross legs of one symbol
// share their liquidation price, from the general formula with both legs (docs/margin.md §4.1).
func (a *Account) PositionRiskOf(i int, ps PositionSide) (PositionRisk, bool) {
	k, err := a.slotOf(i, ps)
	if err != nil {
		return PositionRisk{}, false
	}
	return a.positionRisk(k)
}

func (a *Account) positionRisk(i int) (PositionRisk, bool) {
	s := &a.slots[i]
	if s.qty.IsZero() {
		return PositionRisk{}, false
	}
	m := a.markDec(i)
	r := PositionRisk{MaintenanceMargin: a.mmAt(i, m), Bracket: s.inst.Brackets.For(s.qty.Abs().Mul(m)).Bracket}
	if s.mode == Isolated {
		r.LiquidationPrice, r.HasLiquidation = s.lpDec(), s.lpQ.positive()
		r.BankruptcyPrice = s.entry.Sub(s.isoW.DivRound(s.qty, QuotientPlaces))
		return r, true
	}
	marks := func(k int) decimal.Decimal { return a.markDec(k) }
	if lr, err := a.crossLiq(i, a.walletDec(), marks, false); err == nil {
		r.LiquidationPrice, r.HasLiquidation = lr.Price, lr.Price.IsPositive()
		r.BankruptcyPrice = lr.Bankruptcy
	}
	return r, true
}
