package margin

import "github.com/shopspring/decimal"

// PathPoint is a point on a straight path of the marks: parameter S in [0, 1] of the segment
// From→To, on which every symbol's mark moves as NextLiquidation's path rule says. It is
// where Liquidate executes: From and To the segment NextLiquidation was given, S what it
// returned (S = 0: the threshold was already met at From).
type PathPoint struct {
	From, To []float64 // every symbol's mark at the segment's start and end (NaN: unchanged)
	S        float64   // where on the segment, 0 = From, 1 = To
}

// Liquidate executes every liquidation due at point p of a mark path, as NextLiquidation
// finds it (p.S = 0: the threshold was already met at p.From, i.e. the bar opened through
// it, so positions close at p.From); below, from, to and s are p.From, p.To and p.S. Isolated positions close at their liquidation
// price; cross positions all close at the marks at s. It appends the records to out.
//
// Liquidate first sets every symbol's mark to its mark at s. A component (an isolated
// position, or the cross account) is due when the s at which NextLiquidation's rule puts its
// threshold is <= s; whether it opened through its threshold (Gap) is decided per component
// at `from`. Positions are always
// closed in full (no partial or stepwise liquidation). Open orders are not touched: the
// caller cancels them, as Binance does first.
//
// Execution prices lie on the instrument's tick grid, rounded against the position (a long
// closes at the tick at or below its trigger price, a short at the tick at or above it): a
// modelling assumption (Binance's engine fills the liquidation order in the book, on the
// grid, and the price it gets is not in the data), conservative by at most one tick, which
// keeps every booked amount free of sub-cent dust. Money amounts (realized PnL, clearance
// fees) are rounded to MoneyPlaces; insurance draws and margins follow from them exactly.
//
// Isolated position: it is triggered at its liquidation price LP (exact, from the formula;
// TriggerMark) or, when it gapped through, at the `from` mark, and closes at that price
// rounded to the tick against the position (Price). Realized PnL r = qty×(price − entry) goes
// into its isolated wallet; a negative remainder is drawn from the insurance fund and the
// wallet set to 0; the clearance fee is min(remainder, |qty|×price×LiquidationFee); what is
// left returns to the cross wallet. MarginLost = min(isolated wallet, −r). With Config.AutoAddMargin the
// position is first topped up from the wallet, at the trigger mark, to a margin ratio of 0.5
// (isolated wallet = 2·MM − uPnL, rounded up to MoneyPlaces) when MaxAddable allows it; it
// then survives and no record is written (the caller screens the rest of the path again).
//
// Cross account: every cross position closes at its mark at s, rounded to the tick against
// the position.
// Realized PnL of all of them goes to the wallet; a negative wallet is reset to 0 by an
// insurance-fund draw; clearance fees |qty|×price×LiquidationFee are charged in full when the
// remaining wallet covers them all, else the remaining wallet is charged, split pro rata by
// those nominal fees (see crossClearance). Records come in symbol-name order (isolated ones first), so
// they do not depend on the order the instruments were listed in: MarginLost = −r of that
// position (negative for a winner); the account's InsuranceDraw is on the first record of the
// cascade; Cascade = the number of cross positions closed. Bankruptcy prices are the
// formula's with MMR = cum = TMM = 0 and the others at their marks at s.
func (a *Account) Liquidate(t int64, p PathPoint, out []Liquidation) []Liquidation {
	from, to, s := p.From, p.To, p.S
	type due struct {
		i   int
		gap bool
	}
	var isoDue []due
	for j := range a.iso {
		i := a.iso[j].i
		if si, hit := a.isoS(i, from, to); hit && si <= s {
			isoDue = append(isoDue, due{i, a.isoHit(i, a.pathMark(i, from))})
		}
	}
	sc, crossDue := a.crossS(from, to)
	crossDue = crossDue && sc <= s
	crossGapped := crossDue && sc == 0
	// marks at s; the isolated "from" marks are needed for gaps, so keep them first
	fromMarks := a.scratch
	for i := range a.slots {
		fromMarks[i] = a.pathMark(i, from)
	}
	for i := range a.slots {
		p1 := a.pathMark(i, to)
		switch {
		case s == 0:
			a.marks[i] = fromMarks[i]
		case s == 1:
			a.marks[i] = p1
		default:
			a.marks[i] = interp(fromMarks[i], p1, s)
		}
	}
	for _, d := range isoDue {
		out = a.liquidateIsolated(t, d.i, d.gap, fromMarks[d.i], out)
	}
	if crossDue {
		out = a.liquidateCross(t, crossGapped, out)
	}
	a.refreshAll()
	a.invariants()
	return out
}

func (a *Account) liquidateIsolated(t int64, i int, gapped bool, fromMark float64, out []Liquidation) []Liquidation {
	s := &a.slots[i]
	trigger := s.lpDec()
	if gapped {
		trigger = decimal.NewFromFloat(fromMark)
	}
	if a.autoAdd {
		u := s.qty.Mul(trigger.Sub(s.entry))
		need := a.mmAt(i, trigger).Mul(decimal.NewFromInt(2)).Sub(u).Sub(s.isoW).RoundUp(MoneyPlaces)
		if need.IsPositive() && need.Cmp(a.MaxAddable()) <= 0 {
			a.setWallet(a.walletDec().Sub(need))
			s.isoW = s.isoW.Add(need)
			a.refresh(i)
			return out
		}
	}
	rec := Liquidation{Time: t, Symbol: s.inst.Symbol, Side: s.side, Mode: Isolated, Qty: s.qty, Entry: s.entry,
		TriggerMark: trigger, Gap: gapped, Cascade: 1}
	price := tickAgainst(trigger, s.inst.TickSize, s.qty.Sign())
	rec.Price = price
	rec.Bankruptcy = s.entry.Sub(s.isoW.DivRound(s.qty, QuotientPlaces))
	r := money(s.qty.Mul(price.Sub(s.entry)))
	rec.RealizedPnL = r
	a.realized.add(r)
	rec.MarginLost = decimal.Min(s.isoW, r.Neg())
	w := s.isoW.Add(r)
	if w.IsNegative() {
		rec.InsuranceDraw = w.Neg()
		a.insurance = a.insurance.Add(rec.InsuranceDraw)
		w = zero
	}
	rec.Fee = decimal.Min(w, money(s.qty.Abs().Mul(price).Mul(s.inst.LiquidationFee)))
	a.clearance = a.clearance.Add(rec.Fee)
	w = w.Sub(rec.Fee)
	a.setWallet(a.walletDec().Add(w))
	s.isoW, s.qty, s.entry, s.avOK = zero, zero, zero, false
	a.refresh(i)
	return append(out, rec)
}

func (a *Account) liquidateCross(t int64, gapped bool, out []Liquidation) []Liquidation {
	idx := make([]int, len(a.cross))
	for j := range a.cross {
		idx[j] = a.cross[j].i
	}
	start := len(out)
	prices := make([]decimal.Decimal, len(a.slots))
	marks := func(k int) decimal.Decimal { return prices[k] }
	for _, k := range idx {
		s := &a.slots[k]
		prices[k] = tickAgainst(decimal.NewFromFloat(a.marks[k]), s.inst.TickSize, s.qty.Sign())
	}
	wallet0 := a.walletDec()
	total := zero
	for _, k := range idx {
		s := &a.slots[k]
		rec := Liquidation{Time: t, Symbol: s.inst.Symbol, Side: s.side, Mode: Cross, Qty: s.qty, Entry: s.entry,
			TriggerMark: decimal.NewFromFloat(a.marks[k]), Price: prices[k], Gap: gapped, Cascade: len(idx)}
		if r, err := a.crossLiq(k, wallet0, marks, true); err == nil {
			rec.Bankruptcy = r.Bankruptcy
		}
		r := money(s.qty.Mul(prices[k].Sub(s.entry)))
		rec.RealizedPnL = r
		rec.MarginLost = r.Neg()
		total = total.Add(r)
		out = append(out, rec)
	}
	a.realized.add(total)
	a.setWallet(a.walletDec().Add(total))
	if w := a.walletDec(); w.IsNegative() {
		out[start].InsuranceDraw = w.Neg()
		a.insurance = a.insurance.Sub(w)
		a.setWallet(zero)
	}
	fees := crossClearance(a.walletDec(), nominal(a, idx, prices))
	for j, k := range idx {
		s := &a.slots[k]
		out[start+j].Fee = fees[j]
		a.setWallet(a.walletDec().Sub(fees[j]))
		a.clearance = a.clearance.Add(fees[j])
		s.qty, s.entry, s.avOK = zero, zero, false
	}
	return out
}

// nominal returns each liquidated leg's clearance fee before any cap: its liquidated notional
// |qty| × price × its symbol's rate, rounded to MoneyPlaces.
func nominal(a *Account, idx []int, prices []decimal.Decimal) []decimal.Decimal {
	out := make([]decimal.Decimal, len(idx))
	for j, k := range idx {
		s := &a.slots[k]
		out[j] = money(s.qty.Abs().Mul(prices[k]).Mul(s.inst.LiquidationFee))
	}
	return out
}

// crossClearance allocates a cross liquidation's clearance fees: each leg pays its nominal fee
// when the wallet left after the realized PnL covers them all; otherwise the whole wallet is
// charged, split pro rata by the legs' nominal fees (liquidated notional × rate, so by
// liquidated notional when the rates are equal; docs/margin.md §7), each share rounded to
// MoneyPlaces and the rounding remainder given to the leg with the largest nominal fee (the
// first such in the cascade's order on a tie). No leg pays more than its nominal fee plus that
// remainder, and the split does not depend on the symbols' names.
func crossClearance(wallet decimal.Decimal, nom []decimal.Decimal) []decimal.Decimal {
	total := zero
	big := 0
	for j, n := range nom {
		total = total.Add(n)
		if n.Cmp(nom[big]) > 0 {
			big = j
		}
	}
	if total.Cmp(wallet) <= 0 {
		return nom
	}
	out := make([]decimal.Decimal, len(nom))
	if !wallet.IsPositive() {
		for j := range out {
			out[j] = zero
		}
		return out
	}
	sum := zero
	for j, n := range nom {
		out[j] = wallet.Mul(n).DivRound(total, MoneyPlaces)
		sum = sum.Add(out[j])
	}
	out[big] = out[big].Add(wallet.Sub(sum))
	return out
}

// tickAgainst rounds price p to a multiple of tick against a position of sign side: down for
// a long (the liquidation sells), up for a short (it buys). p on the grid is returned as is.
func tickAgainst(p, tick decimal.Decimal, side int) decimal.Decimal {
	q, r := p.QuoRem(tick, 0) // q truncated toward zero, r with the sign of p
	switch {
	case r.IsZero():
		return p
	case side > 0 && r.IsNegative():
		q = q.Sub(one)
	case side < 0 && r.IsPositive():
		q = q.Add(one)
	}
	return q.Mul(tick)
}
