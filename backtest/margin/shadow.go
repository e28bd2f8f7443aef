package margin

import "math"

// LegFloats returns the float64 shadows the ledger keeps of symbol i's position on side ps
// (see PositionOf for the sides): its quantity (signed), its isolated wallet, and for an open
// isolated position its liquidation price with liqOK = the price is > 0, as
// LegLiquidationPrice answers it (liq is NaN and liqOK false otherwise). Each float is the one
// nearest to the exact value (exact.Float64 of the Decimal PositionOf and LegLiquidationPrice
// give: qty and the isolated wallet as InexactFloat64 gives them), taken from what the last
// refresh of the position computed, without making a Decimal. A side the position mode does
// not have is flat: 0, 0, NaN, false.
func (a *Account) LegFloats(i int, ps PositionSide) (qty, isoWallet, liq float64, liqOK bool) {
	k, err := a.slotOf(i, ps)
	if err != nil {
		return 0, 0, math.NaN(), false
	}
	s := &a.slots[k]
	liq = math.NaN()
	if s.mode == Isolated && !s.qty.IsZero() {
		liq, liqOK = s.flp, s.lpQ.positive()
	}
	return s.fq, s.fiso, liq, liqOK
}
