package margin

import (
	"math"

	"github.com/bt-backtest/bt/internal/exact"
)

// LegShadow is what the ledger keeps of one position leg for the engine's float mirror (see
// Leg).
type LegShadow struct {
	Qty            float64 // signed
	IsolatedWallet float64
	Liq            float64 // an open isolated position's liquidation price, else NaN
	LiqOK          bool    // Liq is a price > 0, as LegLiquidationPrice answers it
	Entry          float64
	Flat           bool // the quantity is zero
	Mode           Mode
	Leverage       int
}

// Leg returns the float64 shadows the ledger keeps of symbol i's position on side ps (see
// PositionOf for the sides), with its margin mode and leverage: its quantity (signed), its
// isolated wallet, its entry price, and for an open isolated position its liquidation price
// with LiqOK = the price is > 0, as LegLiquidationPrice answers it (Liq is NaN and LiqOK false
// otherwise). Each float is the one nearest to the exact value (exact.Float64 of the Decimal
// PositionOf and LegLiquidationPrice give: as InexactFloat64 gives it), taken from what the
// last refresh of the position computed or from the entry's Fix, without making a Decimal or
// copying the Position. A side the position mode does not have is flat: 0, 0, NaN, false, 0,
// with symbol i's mode and leverage (as PositionOf gives them).
func (a *Account) Leg(i int, ps PositionSide) LegShadow {
	k, err := a.slotOf(i, ps)
	if err != nil {
		s := &a.slots[i]
		return LegShadow{Liq: math.NaN(), Flat: true, Mode: s.mode, Leverage: s.lev}
	}
	s := &a.slots[k]
	l := LegShadow{Qty: s.fq, IsolatedWallet: s.fiso, Liq: math.NaN(), Flat: s.qty.IsZero(), Mode: s.mode,
		Leverage: s.lev}
	if ef := s.entryC.of(s.entry); ef.OK() {
		l.Entry = ef.Float()
	} else {
		l.Entry = exact.Float64(s.entry) // a 16-decimal average: without big.Rat
	}
	if s.mode == Isolated && !l.Flat {
		l.Liq, l.LiqOK = s.flp, s.lpQ.positive()
	}
	return l
}
