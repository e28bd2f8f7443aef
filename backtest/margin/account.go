package margin

import (
	"fmt"
	"iter"
	"math"
	"slices"
	"sort"

	"github.com/bt-backtest/bt/internal/exact"
	"github.com/shopspring/decimal"
)

// DefaultLeverage is the leverage every symbol starts with (capped at the maximum of its first
// bracket when that is lower).
const DefaultLeverage = 20

// Account is one USDT futures account: a wallet, and per symbol a margin mode, a leverage and
// its position: at most one net position in one-way mode (position side Both), a LONG and a
// SHORT position ("legs") in hedge mode (docs/margin.md §4.1). Symbols are addressed by their
// index in the instruments slice given to NewAccount; a method without a position side acts on
// the symbol's Both position in one-way mode and on its LONG leg in hedge mode (the ...Leg
// methods name the leg). Every ledger quantity is exact decimal.
//
// Internally each position is a slot: slot i is symbol i's Both (one-way) or LONG (hedge)
// position, and in hedge mode slot n+i (n symbols) is its SHORT leg. Both legs of a symbol
// share its margin mode, leverage, mark and open orders (counted on slot i).
//
// Methods taking a symbol index i panic if i is out of range (a programmer error). An Account
// is not safe for concurrent use.
type Account struct {
	slots []slot
	nsym  int  // number of symbols (len(slots) in one-way mode, half of it in hedge mode)
	hedge bool // hedge (dual-side) position mode
	// cross wallet balance (isolated wallets excluded): on 128 bits, its Decimal made when
	// read (walletDec). walletGen names the value: every change sets it to a new number
	// (++walletSeq), restore brings back the saved wallet with its own
	wallet               wideDec
	walletGen, walletSeq uint64
	initial              decimal.Decimal
	autoAdd              bool

	// running totals for the conservation check (realized PnL, fees and funding are summed
	// when read: see lazySum)
	realized, fees, funding lazySum
	clearance, insurance    decimal.Decimal

	// float64 shadows of the ledger, refreshed whenever it changes (see refresh)
	iso            []isoHot   // compact screening data of the open isolated positions
	cross          []crossHot // compact screening data of the open cross positions
	fWallet        float64    // wallet
	consts         hotConsts  // see hot: read them through a.hot()
	scratch        []float64
	exactDecisions int   // screening decisions taken by exact arithmetic (for tests)
	byName         []int // slot indices sorted by symbol name, then LONG before SHORT
	rank           []int // rank[k]: slot k's position in byName
	open           []int // the slots with an open position, in slot order
	// marks[k] is slot k's current mark (NaN: none yet; in hedge mode both legs of a symbol
	// hold the symbol's mark, set by SetMark), and fqs[k] is slot.fq side by side with it
	// (refreshSlot writes both; Check compares), so that Equity's loop reads two dense arrays
	marks, fqs []float64
	fWalletGen uint64 // walletGen of fWallet

	// decimal aggregates, updated incrementally by refreshSlot: on int64 coefficients
	// (exact.Fix, 16 bytes each) while every step fits; from the first step that does not,
	// for the account's life, the exact.Of Nums in aggN (which fall back to Decimal
	// arithmetic). Each has the value and exponent of the Decimal sum it stands for.
	agg  aggs[exact.Fix]
	aggN *aggs[exact.Num] // the aggregates when not nil (agg and the slots' Fix are then void)

	// available-balance cache (see available): Σ open-order margin (Σ slot.orderIM, each
	// term added as Decimal.Add adds), and Σ of the cached contributions avC of the slots with
	// avIn set
	orderIMSum wideDec
	avSum      decimal.Decimal
}

// slot is one position's state: a symbol's one-way position or one leg of it in hedge mode.
type slot struct {
	sym     int          // symbol index
	side    PositionSide // Both (one-way), Long or Short (hedge)
	inst    Instrument
	mode    Mode
	lev     int
	qty     decimal.Decimal // signed
	entry   decimal.Decimal
	isoW    decimal.Decimal
	nOrders int
	orderIM wideDec // the initial margin the symbol's open orders reserve

	// float64 shadows
	fq, fabs, fqe float64         // qty, |qty|, qty·entry
	fiso          float64         // isolated wallet
	lpQ           liqQuote        // isolated liquidation price (exact formula; see lpDec)
	lp            decimal.Decimal // lpQ as a Decimal, when lpMade
	lpMade        bool
	flp           float64
	ffloor        []float64 // bracket floors, MMRs and cums as float64
	fmmr, fcum    []float64
	fMinNotional  float64 // the instrument's minimum notional as float64
	// the instrument's step and tick sizes, minimum and maximum quantity as exact.Fix
	stepF, tickF, minQtyF, maxQtyF exact.Fix
	// the exact.Fix of qty, entry and isoW (see fixCache), and of the last fill's fee rate
	// (the engine passes its symbol's taker or maker rate, the same Decimal fill after fill)
	qtyC, entryC, isoWC, rateC fixCache
	fundRate                   floatFixMemo // the last funding rate's Fix (fund)
	// per bracket MMR − side of a long (MMR − 1) and of a short (MMR + 1): the liquidation
	// price's denominator over the quantity
	mmrLong, mmrShort []decimal.Decimal
	// the exact.Fix of mmrLong, mmrShort and of each bracket's floor and cum
	mmrLongF, mmrShortF, floorF, cumF []exact.Fix

	// contribution to the account aggregates as last seen by refreshSlot, and the values it
	// was computed from: refreshSlot redoes only what depends on a changed value (decimals are
	// immutable, so an unchanged value is the identical Decimal). stale forces a full refresh
	// (a new instrument or margin mode).
	// seenQE and seenIsoN are the contributions qty·entry and seenIso as exact.Of Nums when
	// the account's aggregates are Nums (aggN), else seenQEF and seenIsoF are, as Fix
	seenQE, seenIsoN       exact.Num
	seenQEF, seenIsoF      exact.Fix
	seenIso                decimal.Decimal
	seenQty, seenEntry     decimal.Decimal
	seenCross, seenIsoMode bool
	stale                  bool
	inHot                  hotList // the screening list holding the slot (see refreshHot)
	mkF                    float64 // mark whose decimal is cached in mkD
	mkD                    decimal.Decimal

	// cached terms of a cross liquidation price (crossTerms): uPnL and maintenance margin at
	// the mark whose bits are liqMark, for the quantity and entry liqQty, liqEntry
	liqU, liqMM      exact.Num       // on int64 coefficients when ok
	liqUd, liqMMd    decimal.Decimal // the terms liqU, liqMM could not hold (not OK)
	liqQty, liqEntry decimal.Decimal
	liqMark          uint64
	liqOK            bool

	// cached contribution to the available balance: qty·(mark − entry) − |qty|·mark/lev of
	// an open cross position, valid while avOK and the mark's bits are avMark. Every change
	// of qty, entry, lev or mode clears avOK. avIn: avC is counted in Account.avSum.
	avC        decimal.Decimal
	avMark     uint64
	avOK, avIn bool
}

// NewAccount returns a flat account. Every symbol starts in Cross mode at leverage 20
// (DefaultLeverage, or the first bracket's maximum when lower). Instruments must have
// positive tick and step sizes, a valid bracket table and distinct symbols; errors wrap
// ErrInvalidInput or ErrBadBrackets.
func NewAccount(cfg Config) (*Account, error) {
	if cfg.Wallet.IsNegative() {
		return nil, fmt.Errorf("%w: initial wallet %s < 0", ErrInvalidInput, cfg.Wallet)
	}
	if cfg.PositionMode > Hedge {
		return nil, fmt.Errorf("%w: unknown position mode %d", ErrInvalidInput, cfg.PositionMode)
	}
	a := &Account{initial: cfg.Wallet, autoAdd: cfg.AutoAddMargin, agg: aggs[exact.Fix]{fix0, fix0, fix0}}
	a.setWallet(cfg.Wallet)
	seen := map[string]bool{}
	for k, in := range cfg.Instruments {
		if seen[in.Symbol] {
			return nil, fmt.Errorf("%w: instrument %d: duplicate symbol %q", ErrInvalidInput, k, in.Symbol)
		}
		seen[in.Symbol] = true
		if err := checkInstrument(in); err != nil {
			return nil, err
		}
		s := slot{sym: k, lev: min(DefaultLeverage, in.Brackets[0].MaxLeverage), seenQEF: fix0, seenIsoF: fix0}
		s.setInstrument(in)
		a.slots = append(a.slots, s)
	}
	a.nsym = len(a.slots)
	a.marks = make([]float64, a.nsym)
	for k := range a.marks {
		a.marks[k] = math.NaN()
	}
	a.setLegs(cfg.PositionMode == Hedge)
	return a, nil
}

// setLegs lays the slots out for one-way (hedge false) or hedge mode, with every position
// flat: in hedge mode slot i becomes symbol i's LONG leg and slot n+i its SHORT leg, a copy of
// its settings. It rebuilds the screening lists' capacity and the name order.
func (a *Account) setLegs(hedge bool) {
	n := a.nsym
	a.hedge = hedge
	a.slots = a.slots[:n]
	side := Both
	if hedge {
		side = Long
	}
	for k := range a.slots {
		a.slots[k].side = side
	}
	if hedge {
		for k := range n {
			o := &a.slots[k]
			s := slot{sym: k, side: Short, mode: o.mode, lev: o.lev, seenQEF: fix0, seenIsoF: fix0}
			s.setInstrument(o.inst)
			a.slots = append(a.slots, s)
		}
	}
	m := len(a.slots)
	a.iso = make([]isoHot, 0, m)
	a.cross = make([]crossHot, 0, m)
	a.scratch = make([]float64, m)
	a.byName = make([]int, m)
	for k := range a.byName {
		a.byName[k] = k
	}
	sort.Slice(a.byName, func(x, y int) bool {
		s, t := &a.slots[a.byName[x]], &a.slots[a.byName[y]]
		if s.inst.Symbol != t.inst.Symbol {
			return s.inst.Symbol < t.inst.Symbol
		}
		return s.side < t.side
	})
	a.rank = make([]int, m)
	for r, k := range a.byName {
		a.rank[k] = r
	}
	a.open = make([]int, 0, m)
	a.fqs = make([]float64, m)
	a.marks = a.marks[:n] // a SHORT leg's mark is its symbol's
	for k := n; k < m; k++ {
		a.marks = append(a.marks, a.marks[k-n])
	}
	a.refreshAll()
}

// SetPositionMode sets the account's position mode, one-way or hedge (Binance's
// dualSidePosition, account-wide). It is refused while any symbol has open orders
// (ErrPositionModeWithOrders, Binance -4067) or an open position (ErrPositionModeWithPosition,
// Binance -4068), as a *RejectError naming the first such symbol. Setting the mode the account
// already has is a no-op (Binance answers -4059 "no need to change"). It allocates: call it
// between trades, not every step.
func (a *Account) SetPositionMode(m PositionMode) error {
	if m > Hedge {
		return fmt.Errorf("%w: unknown position mode %d", ErrInvalidInput, m)
	}
	if (m == Hedge) == a.hedge {
		return nil
	}
	for k := range a.nsym {
		if a.slots[k].nOrders > 0 {
			return reject(a.slots[k].inst.Symbol, "position mode", ErrPositionModeWithOrders)
		}
	}
	for k := range a.slots {
		if !a.slots[k].qty.IsZero() {
			return reject(a.slots[k].inst.Symbol, "position mode", ErrPositionModeWithPosition)
		}
	}
	a.setLegs(m == Hedge)
	a.invariants()
	return nil
}

// PositionMode returns the account's position mode.
func (a *Account) PositionMode() PositionMode {
	if a.hedge {
		return Hedge
	}
	return OneWay
}

// legs returns symbol i's slots: i and, in hedge mode, its SHORT leg n+i (else -1).
func (a *Account) legs(i int) (int, int) {
	_ = a.slots[i] // bounds check on the symbol index
	if a.hedge {
		return i, a.nsym + i
	}
	return i, -1
}

// slotOf returns the slot of symbol i's position side ps, or ErrPositionSide when ps does not
// match the position mode (Both in hedge mode, Long or Short in one-way mode).
func (a *Account) slotOf(i int, ps PositionSide) (int, error) {
	if i < 0 || i >= a.nsym {
		panic(fmt.Sprintf("margin: symbol index %d out of range [0, %d)", i, a.nsym))
	}
	switch {
	case !a.hedge && ps == Both:
		return i, nil
	case a.hedge && ps == Long:
		return i, nil
	case a.hedge && ps == Short:
		return a.nsym + i, nil
	}
	return 0, ErrPositionSide
}

// sibling returns the other leg of slot k in hedge mode, -1 in one-way mode.
func (a *Account) sibling(k int) int {
	switch {
	case !a.hedge:
		return -1
	case k < a.nsym:
		return k + a.nsym
	}
	return k - a.nsym
}

// checkInstrument validates an instrument's filters, fee and bracket table.
func checkInstrument(in Instrument) error {
	if !in.TickSize.IsPositive() || !in.StepSize.IsPositive() {
		return fmt.Errorf("%w: instrument %s: tick and step sizes must be > 0", ErrInvalidInput, in.Symbol)
	}
	if in.LiquidationFee.IsNegative() || in.MinNotional.IsNegative() || in.MinQty.IsNegative() || in.MaxQty.IsNegative() {
		return fmt.Errorf("%w: instrument %s: negative filter or fee", ErrInvalidInput, in.Symbol)
	}
	if err := in.Brackets.Validate(); err != nil {
		return fmt.Errorf("instrument %s: %w", in.Symbol, err)
	}
	return nil
}

// setInstrument installs a validated instrument in the slot with the float64 copy of its
// brackets. The slot keeps its own copy of the table, so that the unvalidated
// liquidationPrice is safe even if the caller later modifies its slice.
func (s *slot) setInstrument(in Instrument) {
	in.Brackets = slices.Clone(in.Brackets)
	s.inst = in
	s.stale, s.liqOK = true, false
	s.fMinNotional = in.MinNotional.InexactFloat64()
	s.stepF, s.tickF = exact.FixOf(in.StepSize), exact.FixOf(in.TickSize)
	s.minQtyF, s.maxQtyF = exact.FixOf(in.MinQty), exact.FixOf(in.MaxQty)
	s.ffloor, s.fmmr, s.fcum = s.ffloor[:0], s.fmmr[:0], s.fcum[:0]
	s.mmrLong, s.mmrShort = nil, nil // new slices: a saved copy of the slot keeps the old ones
	s.mmrLongF, s.mmrShortF, s.floorF, s.cumF = nil, nil, nil, nil
	for _, b := range in.Brackets {
		s.mmrLong = append(s.mmrLong, b.MMR.Sub(one))
		s.mmrShort = append(s.mmrShort, b.MMR.Add(one))
		s.mmrLongF = append(s.mmrLongF, exact.FixOf(s.mmrLong[len(s.mmrLong)-1]))
		s.mmrShortF = append(s.mmrShortF, exact.FixOf(s.mmrShort[len(s.mmrShort)-1]))
		s.floorF = append(s.floorF, exact.FixOf(b.Floor))
		s.cumF = append(s.cumF, exact.FixOf(b.Cum))
		s.ffloor = append(s.ffloor, b.Floor.InexactFloat64())
		s.fmmr = append(s.fmmr, b.MMR.InexactFloat64())
		s.fcum = append(s.fcum, b.Cum.InexactFloat64())
	}
}

// SetInstrument replaces symbol i's instrument, for rules that change over time: the bracket
// table in force from a date on (Binance changes it for every open position at once), the
// filters and the clearance fee rate. The symbol must stay the same. Open positions keep
// their quantity, entry, margin and leverage; their maintenance margin and liquidation price
// follow the new table from now on (the caller screens for liquidation next: a position may
// be past its threshold under the new table). Filters apply to orders from now on. Errors
// wrap ErrInvalidInput or ErrBadBrackets, and leave the account unchanged.
//
// It allocates (the table is copied and the screening data rebuilt): call it when the rules
// change, not every step.
func (a *Account) SetInstrument(i int, in Instrument) error {
	s := &a.slots[i]
	if in.Symbol != s.inst.Symbol {
		return fmt.Errorf("%w: instrument %s given for symbol %s", ErrInvalidInput, in.Symbol, s.inst.Symbol)
	}
	if err := checkInstrument(in); err != nil {
		return err
	}
	s.setInstrument(in)
	s.avOK = false
	if _, j := a.legs(i); j >= 0 {
		a.slots[j].setInstrument(in)
		a.slots[j].avOK = false
	}
	a.refreshAll()
	a.invariants()
	return nil
}

// Instrument returns symbol i's instrument.
func (a *Account) Instrument(i int) Instrument { return a.slots[i].inst }

// Len returns the number of symbols.
func (a *Account) Len() int { return a.nsym }

// SetMode sets the margin mode of symbol i, of both legs in hedge mode (errors: open position
// on either leg, open orders). Setting the mode it already has is a no-op (Binance answers
// -4046 "no need to change").
func (a *Account) SetMode(i int, m Mode) error {
	s := &a.slots[i]
	if s.mode == m {
		return nil
	}
	_, j := a.legs(i)
	if !s.qty.IsZero() || j >= 0 && !a.slots[j].qty.IsZero() {
		return reject(s.inst.Symbol, "mode", ErrModeChangeWithPosition)
	}
	if s.nOrders > 0 {
		return reject(s.inst.Symbol, "mode", ErrModeChangeWithOrders)
	}
	s.mode, s.avOK, s.stale = m, false, true
	if j >= 0 {
		a.slots[j].mode, a.slots[j].avOK, a.slots[j].stale = m, false, true
	}
	a.refreshAll()
	a.invariants()
	return nil
}

// Mode returns the margin mode of symbol i.
func (a *Account) Mode(i int) Mode { return a.slots[i].mode }

// SetLeverage sets the leverage of symbol i, of both legs in hedge mode (errors: above the
// bracket maximum for the position's notional, lowering on an open isolated position).
//
// The notional is |qty| × mark (entry price before the first mark), in hedge mode the sum of
// both legs' (Binance counts long and short together against a bracket's position limit,
// docs/margin.md §4.1); a flat symbol is checked against its first bracket. Raising the
// leverage of an isolated position leaves its isolated wallet (and so its liquidation price)
// unchanged. Lowering the leverage of an open cross position is refused with
// ErrInsufficientMargin when the larger initial margin would make the available balance
// negative.
func (a *Account) SetLeverage(i int, lev int) error {
	s := &a.slots[i]
	if lev < 1 {
		return reject(s.inst.Symbol, "leverage", ErrInvalidLeverage)
	}
	_, j := a.legs(i)
	q := s.qty.Abs()
	if j >= 0 {
		q = q.Add(a.slots[j].qty.Abs())
	}
	notional := q.Mul(a.markDec(i))
	if lev > s.inst.Brackets.MaxLeverage(notional) {
		return reject(s.inst.Symbol, "leverage", ErrLeverageTooHigh)
	}
	set := func(lev int) {
		s.lev, s.avOK = lev, false
		if j >= 0 {
			a.slots[j].lev, a.slots[j].avOK = lev, false
		}
	}
	if q.IsZero() || lev >= s.lev {
		set(lev)
		return nil
	}
	if s.mode == Isolated {
		return reject(s.inst.Symbol, "leverage", ErrLeverageReduceIsolated)
	}
	old := s.lev
	set(lev)
	if a.available().IsNegative() {
		set(old)
		return reject(s.inst.Symbol, "leverage", ErrInsufficientMargin)
	}
	return nil
}

// Leverage returns the leverage of symbol i.
func (a *Account) Leverage(i int) int { return a.slots[i].lev }

// SetOpenOrders tells the account how many orders symbol i has open (on either leg) and the
// initial margin they reserve (counted in the available balance; blocks margin-mode and
// position-mode changes).
func (a *Account) SetOpenOrders(i int, n int, initialMargin decimal.Decimal) {
	if s := &a.slots[i]; initialMargin == (decimal.Decimal{}) && !s.orderIM.big && s.orderIM.w == (exact.Wide{}) &&
		a.orderIMSum.exp() <= 0 {
		// decimal.Zero (setDec: the zero Wide, exponent 0) where the slot holds that zero:
		// setOpenOrders' "the same margin again", without making the wideDec
		s.nOrders = n
		return
	}
	var im wideDec
	im.setDec(initialMargin)
	a.setOpenOrders(i, n, im)
}

// SetOpenOrdersWide is SetOpenOrders with the initial margin given as the 128-bit
// coefficient (hi·2^64 + lo)·10^e (a 16-decimal quotient): the same margin, value and
// exponent, kept without a Decimal until one is read.
func (a *Account) SetOpenOrdersWide(i int, n int, hi, lo uint64, e int32) {
	var im wideDec
	if w, ok := exact.NewWide(hi, lo, false, e); ok {
		im.w = w
	} else {
		im.setDec(exact.Dec128(hi, lo, false, e))
	}
	a.setOpenOrders(i, n, im)
}

func (a *Account) setOpenOrders(i int, n int, im wideDec) {
	s := &a.slots[i]
	s.nOrders = n
	if im.exp() == s.orderIM.exp() && im.exp() >= a.orderIMSum.exp() && im.equal(&s.orderIM) {
		// the same margin again (value and exponent): the sum would keep its value and its
		// exponent (a sum's exponent changes only to a smaller one of its terms')
		return
	}
	a.orderIMSum.addDiff(&im, &s.orderIM) // Σ + (new − old)
	s.orderIM = im
}

// Apply books fill f on symbol i: checks filters (step, tick, min notional), reduce-only and
// the initial margin against the available balance (when the position grows), then updates
// the position, realized PnL and fee, and the isolated wallet. Rejections are *RejectError.
//
// The rules, in order:
//   - Qty non-zero, Price > 0 (ErrInvalidOrder); |Qty| a multiple of the step size
//     (ErrStepSize), >= MinQty (ErrMinQty) and, when MaxQty is set, <= MaxQty (ErrMaxQty);
//     Price a multiple of the tick size (ErrTickSize).
//   - A fill that would open, increase or flip the position is refused when ReduceOnly
//     (ErrReduceOnly; a reduce-only fill larger than the position is refused too: the caller
//     clamps it), when |Qty|×Price < MinNotional (ErrMinNotional; fills that only reduce are
//     exempt, as on Binance), or when the leverage exceeds the bracket maximum of the
//     resulting notional |new qty|×Price (ErrLeverageTooHigh).
//   - A flip is booked as a close of the whole position followed by an open of the rest.
//   - The cost of the opening part, initial margin |open qty|×Price/leverage + open loss
//     |open qty|×max(0, side×(Price − mark)) + the fee of the whole fill, must not exceed the
//     available balance after the closing part (ErrInsufficientMargin). For an isolated
//     position it must also not exceed MaxAddable: isolated margin comes out of the wallet,
//     not out of cross positions' unrealized profit.
//
// Booking: realized PnL = closed qty × (Price − entry) × side, rounded to MoneyPlaces (see
// money). Cross: it goes to the wallet.
// Isolated: it goes to the isolated wallet first; then a share |closed|/|qty before| of the
// isolated wallet (all of it when the position closes) is released to the wallet, rounded to
// MoneyPlaces. Should a close at a price beyond the bankruptcy price leave the isolated wallet
// negative, the shortfall is drawn from the insurance fund (an isolated loss never exceeds
// its margin). Opening an isolated position (or adding to it) moves the initial margin of the
// added quantity, rounded to MoneyPlaces, from the wallet into the isolated wallet. The entry
// price is the quantity-weighted average, rounded to QuotientPlaces. The trading fee
// |Qty|×Price×FeeRate, rounded to MoneyPlaces (negative for a rebate), is always paid from
// the cross wallet,
// also for isolated positions, so that the isolated wallet right after an open equals the
// initial margin, as Binance's calculator assumes. A symbol without a mark takes the fill
// price as its mark.
//
// Hedge mode: f.PositionSide names the leg (Long or Short; Both, or a side in one-way mode, is
// ErrPositionSide). A fill of the leg's direction (a buy on LONG, a sell on SHORT) opens or
// increases it; the other direction only reduces it: closing more than the leg holds, or
// closing a flat leg, is ErrReduceOnly (a leg never flips). The leverage check counts both
// legs' notional (see SetLeverage).
func (a *Account) Apply(i int, f Fill) (FillResult, error) {
	return a.ApplyFix(i, f, exact.FixOf(f.Qty), exact.FixOf(f.Price))
}

// ApplyFix is Apply for a fill whose quantity's and price's exact.Fix the caller has read
// already: qF and pF must be exact.FixOf(f.Qty) and exact.FixOf(f.Price) (value, exponent and
// OK), which the ledger then does not read again.
func (a *Account) ApplyFix(i int, f Fill, qF, pF exact.Fix) (FillResult, error) {
	k, err := a.slotOf(i, f.PositionSide)
	if err != nil {
		return FillResult{}, reject(a.slots[i].inst.Symbol, "order", err)
	}
	return a.apply(k, f, qF, pF, false)
}

// CanOpen checks, without booking, whether an order of qty (signed like Fill.Qty) at price on
// symbol i would pass the filters and margin checks (used when an order is placed). The fee is
// not counted. It returns a *RejectError. In hedge mode use CanOpenLeg.
func (a *Account) CanOpen(i int, qty, price decimal.Decimal, reduceOnly bool) error {
	return a.CanOpenLeg(i, Both, qty, price, reduceOnly)
}

// CanOpenLeg is CanOpen on symbol i's position side ps (Both in one-way mode, Long or Short in
// hedge mode; a mismatch is ErrPositionSide).
func (a *Account) CanOpenLeg(i int, ps PositionSide, qty, price decimal.Decimal, reduceOnly bool) error {
	k, err := a.slotOf(i, ps)
	if err != nil {
		return reject(a.slots[i].inst.Symbol, "order", err)
	}
	qF, pF := exact.FixOf(qty), exact.FixOf(price)
	switch a.canOpenFast(k, qF, pF, reduceOnly) { // without booking
	case 1:
		return nil
	case -1:
		return reject(a.slots[k].inst.Symbol, "order", ErrInsufficientMargin)
	}
	_, err = a.apply(k, Fill{Qty: qty, Price: price, ReduceOnly: reduceOnly, PositionSide: ps}, qF, pF, true)
	return err
}

// CanOpenLegSure reports whether CanOpenLeg(i, ps, decimal.New(qc, qe), decimal.New(pc, pe),
// reduceOnly) surely returns nil, answered without making the Decimals (the order path's
// quantity and reference price are at hand as coefficients). False: ask CanOpenLeg, which
// decides (and tells why it refuses).
func (a *Account) CanOpenLegSure(i int, ps PositionSide, qc int64, qe int32, pc int64, pe int32, reduceOnly bool) bool {
	const max18 = 999_999_999_999_999_999 // a Fix holds at most 18 digits (as FixOf makes them)
	if qc < -max18 || qc > max18 || pc < -max18 || pc > max18 {
		return false
	}
	k, err := a.slotOf(i, ps)
	return err == nil && a.canOpenFast(k, exact.FixNew(qc, qe), exact.FixNew(pc, pe), reduceOnly) > 0
}

// savedState is what apply changes before it may have to undo the fill (restore): slot i's
// position, isolated wallet and cached available-balance contribution, and the account's
// wallet, realized PnL, fees and insurance draws. (Other slots' available-balance caches that
// a check refreshes stay: they hold the values at the current marks either way.)
type savedState struct {
	qty, entry, isoW, avC decimal.Decimal
	avMark                uint64
	avOK, avIn            bool
	realized, fees        lazySum
	wallet                wideDec
	walletGen             uint64
	insurance             decimal.Decimal
}

func (a *Account) save(i int) savedState {
	s := &a.slots[i]
	return savedState{qty: s.qty, entry: s.entry, isoW: s.isoW, avC: s.avC, avMark: s.avMark, avOK: s.avOK,
		avIn: s.avIn, realized: a.realized, fees: a.fees, wallet: a.wallet, walletGen: a.walletGen, insurance: a.insurance}
}

func (a *Account) restore(i int, st savedState) {
	// The slot's cached available-balance contribution comes back with it; avSum follows.
	a.dropAvail(i)
	s := &a.slots[i]
	s.qty, s.entry, s.isoW, s.avC, s.avMark, s.avOK, s.avIn = st.qty, st.entry, st.isoW, st.avC, st.avMark, st.avOK, st.avIn
	if s.avIn {
		a.avSum = a.avSum.Add(s.avC)
	}
	// the saved wallet and its walletGen: what was computed from it holds again
	a.wallet, a.walletGen, a.realized, a.fees, a.insurance = st.wallet, st.walletGen, st.realized, st.fees, st.insurance
}

// apply books (or, dry, only checks) fill f on slot i; qF and pF are exact.FixOf(f.Qty) and
// exact.FixOf(f.Price).
func (a *Account) apply(i int, f Fill, qF, pF exact.Fix, dry bool) (FillResult, error) {
	s := &a.slots[i]
	sym := s.inst.Symbol
	bad := func(err error) (FillResult, error) { return FillResult{}, reject(sym, "order", err) }
	if f.Qty.IsZero() || !f.Price.IsPositive() {
		return bad(ErrInvalidOrder)
	}
	// each decimal's coefficient is read once (exact.Fix: qF, pF); every step below answers
	// as the decimal expression it stands for, falling back to it when a Fix holds no value
	if !multipleOfFix(qF, s.stepF, f.Qty, s.inst.StepSize) { // |Qty| a multiple of the step
		return bad(ErrStepSize)
	}
	if cmpAbs(qF, s.minQtyF, f.Qty, s.inst.MinQty) < 0 {
		return bad(ErrMinQty)
	}
	if s.inst.MaxQty.IsPositive() && cmpAbs(qF, s.maxQtyF, f.Qty, s.inst.MaxQty) > 0 {
		return bad(ErrMaxQty)
	}
	if !multipleOfFix(pF, s.tickF, f.Price, s.inst.TickSize) {
		return bad(ErrTickSize)
	}
	cur := s.qty
	curF := s.qtyC.of(cur)
	var closeQ, openQ decimal.Decimal // signed parts of f.Qty
	var closeF, openF exact.Fix       // their Fix
	switch {
	case s.side == Long && f.Qty.IsPositive(), s.side == Short && f.Qty.IsNegative():
		openQ, openF = f.Qty, qF
	case s.side != Both:
		// a hedge leg is only reduced by the other direction; it never flips
		if cmpAbs(qF, curF, f.Qty, cur) > 0 {
			return bad(ErrReduceOnly)
		}
		closeQ, closeF = f.Qty, qF
	case cur.IsZero() || cur.Sign() == f.Qty.Sign():
		openQ, openF = f.Qty, qF
	case cmpAbs(qF, curF, f.Qty, cur) <= 0:
		closeQ, closeF = f.Qty, qF
	default:
		closeQ, closeF = cur.Neg(), curF.Neg()
		if openF = qF.Add(curF); openF.OK() {
			openQ = openF.Dec()
		} else {
			openQ = f.Qty.Add(cur)
			openF = exact.FixOf(openQ)
		}
	}
	opening := !openQ.IsZero()
	if f.ReduceOnly && opening {
		return bad(ErrReduceOnly)
	}
	fp := floatOf(pF, f.Price)
	if opening {
		if n := float64(math.Abs(floatOf(qF, f.Qty)) * fp); !(n > s.fMinNotional*(1+screenEps)) &&
			f.Qty.Abs().Mul(f.Price).Cmp(s.inst.MinNotional) < 0 {
			return bad(ErrMinNotional)
		}
		// the notional after the fill: |cur + Qty| (+ the other leg's |qty|) × Price
		j := a.sibling(i)
		qf := curF.Add(qF).Abs()
		if j >= 0 {
			o := &a.slots[j]
			qf = qf.Add(o.qtyC.of(o.qty).Abs())
		}
		var q decimal.Decimal
		var fq float64
		if qf.OK() {
			fq = qf.Float()
		} else {
			q = cur.Add(f.Qty).Abs()
			if j >= 0 {
				q = q.Add(a.slots[j].qty.Abs())
			}
			fq = q.InexactFloat64()
		}
		k, ok := bracketScreen(s.ffloor, float64(fq*fp))
		if !ok {
			if qf.OK() {
				q = qf.Dec()
			}
			k = s.inst.Brackets.index(q.Mul(f.Price))
		}
		if s.lev > s.inst.Brackets[k].MaxLeverage {
			return bad(ErrLeverageTooHigh)
		}
	}
	if dry && !opening && !checkMarginScreen {
		return FillResult{}, nil // a close passes every check left: only an opening part can lack margin
	}
	rF := exact.FixNew(0, 0) // FixOf(decimal.Zero), a check's rate
	if f.FeeRate != (decimal.Decimal{}) {
		rF = s.rateC.of(f.FeeRate)
	}
	// an order that only opens: the float screen decides the margin check when it safely can
	// (for a check only, nothing else is left to do when it passes)
	scr := 0
	closing := !closeQ.IsZero()
	if !closing && opening {
		fq := floatOf(openF, openQ)
		scr = a.marginScreen(i, fq, math.Abs(fq), fp, floatOf(rF, f.FeeRate), false)
		switch {
		case checkMarginScreen:
		case scr < 0:
			return bad(ErrInsufficientMargin)
		case scr > 0 && dry:
			return FillResult{}, nil
		}
	}
	st := a.save(i)
	var res FillResult
	if closing {
		res.RealizedPnL, res.pnlF = a.bookClose(i, closeQ, closeF, f.Price, pF)
		if opening {
			// a flip: the position is now flat, its float shadows stale; the screen leaves
			// it out and checks the opening part against the wallet after the close, with
			// the fee of the whole fill
			scr = a.marginScreen(i, floatOf(openF, openQ), math.Abs(floatOf(qF, f.Qty)), fp, floatOf(rF, f.FeeRate), true)
			switch {
			case checkMarginScreen:
			case scr < 0:
				a.restore(i, st)
				return bad(ErrInsufficientMargin)
			case scr > 0 && dry:
				a.restore(i, st)
				return FillResult{}, nil
			}
		}
	}
	var feeF exact.Fix
	res.Fee, feeF = moneyProductFix(f.Qty.IsNegative(), qF, pF, rF, f.Qty, f.Price, f.FeeRate) // |Qty|·Price·FeeRate
	if opening {
		// the initial margin |openQ|·Price/leverage, as a Decimal only when it is needed
		absOF := openF.Abs()
		var im decimal.Decimal
		imF := exact.Fix{}
		if q, ok := quoProductIntCoef(absOF, pF, int64(s.lev), MoneyPlaces); ok {
			imF = exact.FixNew(q, -MoneyPlaces)
		}
		if scr == 0 || checkMarginScreen || s.mode == Isolated {
			if imF.OK() {
				im = imF.Dec()
			} else {
				im = quoProductInt(openQ.Abs(), f.Price, int64(s.lev), MoneyPlaces)
			}
		}
		if scr == 0 || checkMarginScreen {
			cost := a.openCost(i, openQ, openQ.Abs(), f.Price, im, res.Fee)
			limit := a.available()
			if s.mode == Isolated {
				limit = decimal.Min(limit, a.MaxAddable())
			}
			short := cost.Cmp(limit) > 0
			if scr != 0 && short != (scr < 0) {
				panic(fmt.Sprintf("margin: %s: float margin screen %d, exact cost %s limit %s", sym, scr, cost, limit))
			}
			if short {
				a.restore(i, st)
				return bad(ErrInsufficientMargin)
			}
		}
		if s.qty.IsZero() {
			s.entry = f.Price
			s.entryC.Put(f.Price, pF) // (refresh reads it next)
		} else {
			s.entry = avgEntryFix(s.qtyC.of(s.qty), s.entryC.of(s.entry), openF, pF, s.qty, s.entry, openQ, f.Price)
		}
		s.qty, s.avOK = s.qtyC.add(s.qty, openF, openQ), false
		if s.mode == Isolated {
			a.walletAdd(imF, im, true)
			s.isoW = s.isoWC.add(s.isoW, imF, im)
		}
	}
	a.walletAdd(feeF, res.Fee, true)
	a.fees.addFix(feeF, res.Fee)
	if dry {
		a.restore(i, st)
		return FillResult{}, nil
	}
	if math.IsNaN(a.marks[i]) {
		a.marks[i] = fp
		if j := a.sibling(i); j >= 0 {
			a.marks[j] = fp
		}
	}
	res.PositionQty, res.EntryPrice, res.feeF = s.qty, s.entry, feeF
	if !closing {
		res.pnlF = fix0 // RealizedPnL is the zero Decimal: 0 at exponent 0
	}
	a.refresh(i)
	a.invariants()
	return res, nil
}

// cmpAbs is exact.CmpAbs(x, y) for the Decimals whose Fix are xf and yf.
func cmpAbs(xf, yf exact.Fix, x, y decimal.Decimal) int {
	if c, ok := xf.Abs().Cmp(yf.Abs()); ok {
		return c
	}
	return exact.CmpAbs(x, y)
}

// openCost is the cost of an opening part openQ (absO = |openQ|) at price: its initial margin
// im, the fee of the whole fill and the open loss |openQ|·max(0, side·(price − mark)).
func (a *Account) openCost(i int, openQ, absO, price, im, fee decimal.Decimal) decimal.Decimal {
	cost := exact.Add(im, fee)
	if math.IsNaN(a.marks[i]) {
		return cost
	}
	m := a.markDec(i)
	if d := exact.Fit(price).Sub(exact.Fit(m)); d.OK() {
		if openQ.IsNegative() {
			d = d.Neg()
		}
		if c, _, _ := d.Small(); c <= 0 {
			return cost
		}
		if r := exact.Fit(cost).Add(exact.Fit(absO).Mul(d)); r.OK() {
			return r.Dec()
		}
	}
	d := price.Sub(m)
	if openQ.IsNegative() {
		d = d.Neg()
	}
	if d.IsPositive() {
		cost = cost.Add(absO.Mul(d))
	}
	return cost
}

// bookClose closes closeQ (signed, opposite to the position, |closeQ| <= |qty|) at price and
// returns the realized PnL and its Fix; closeF and priceF are the Fix of closeQ and price.
func (a *Account) bookClose(i int, closeQ decimal.Decimal, closeF exact.Fix, price decimal.Decimal, priceF exact.Fix) (decimal.Decimal, exact.Fix) {
	s := &a.slots[i]
	r, rF := closePnLFix(closeF, priceF, s.entryC.of(s.entry), closeQ, price, s.entry)
	a.realized.addFix(rF, r)
	qty := s.qtyC.num(s.qty)
	newQ := s.qtyC.add(s.qty, closeF, closeQ)
	switch {
	case s.mode == Cross:
		a.walletAdd(rF, r, false)
	case newQ.IsZero() && !slowIsoClose && a.isoCloseFix(s, rF):
	default:
		s.isoW = s.isoWC.add(s.isoW, rF, r)
		if s.isoW.IsNegative() {
			a.insurance = a.insurance.Sub(s.isoW)
			s.isoW = zero
		}
		release := s.isoW
		if !newQ.IsZero() {
			// isoW·|closeQ| / |qty| at MoneyPlaces (DivRound), on int64 coefficients when
			// they fit
			release = s.isoWC.num(s.isoW).Mul(exact.NumOf(closeF, closeQ).Abs()).
				Quo(qty.Abs(), MoneyPlaces).Dec()
			if release.Cmp(s.isoW) > 0 {
				release = s.isoW
			}
		}
		var relF exact.Fix
		if release == s.isoW { // the whole wallet (a close, or a release capped at it): its Fix is cached
			relF = s.isoWC.of(release)
		} else {
			relF = exact.FixOf(release)
		}
		a.walletAdd(relF, release, false)
		s.isoW = s.isoWC.sub(s.isoW, relF, release)
	}
	s.qty, s.avOK = newQ, false
	if newQ.IsZero() {
		s.entry = zero
		s.entryC.Put(zero, fix0) // exact.FixOf(zero)
	}
	return r, rF
}

// isoCloseFix is bookClose's isolated full close on coefficients: when the isolated wallet
// plus the realized PnL rF is a Fix w >= 0 (no insurance draw), w − w fits and the wallet
// takes w without its Decimal, it releases w to the wallet and leaves the isolated wallet at
// w − w (0 at w's exponent), the values and exponents the Decimal steps give, without making
// the Decimal of w; else it reports false, having changed nothing.
func (a *Account) isoCloseFix(s *slot, rF exact.Fix) bool {
	w := s.isoWC.of(s.isoW).Add(rF)
	left := w.Sub(w)
	if !w.OK() || w.Sign() < 0 || !left.OK() || !a.wallet.tryAddFix(w) {
		return false
	}
	a.walletSeq++
	a.walletGen = a.walletSeq
	s.isoW = s.isoWC.set(left)
	if countIsoCloseFix {
		isoCloseFixed++
	}
	return true
}

// slowIsoClose makes bookClose take the Decimal steps for every isolated close (tests: the
// reference); with countIsoCloseFix, isoCloseFixed counts the closes isoCloseFix booked
// (tests only, not concurrent).
var (
	slowIsoClose     = false
	countIsoCloseFix bool
	isoCloseFixed    int
)

// closePnL is the realized PnL of closing closeQ (signed, opposite to the position) at price
// from entry, money(closeQ.Neg().Mul(price.Sub(entry))): the difference on int64
// coefficients when it fits, the product by moneyProduct's 128-bit path; a close at the
// entry realizes 0 at MoneyPlaces.
func closePnL(closeQ, price, entry decimal.Decimal) decimal.Decimal {
	r, _ := closePnLFix(exact.FixOf(closeQ), exact.FixOf(price), exact.FixOf(entry), closeQ, price, entry)
	return r
}

// closePnLFix is closePnL for the Decimals whose Fix are closeF, priceF and entryF, with the
// result's Fix.
func closePnLFix(closeF, priceF, entryF exact.Fix, closeQ, price, entry decimal.Decimal) (decimal.Decimal, exact.Fix) {
	if diff := priceF.Sub(entryF); diff.OK() {
		if diff.Sign() == 0 {
			return moneyZero, exact.FixNew(0, -MoneyPlaces)
		}
		if cq, eq, ok := closeF.Coef(); ok {
			cd, ed, _ := diff.Coef()
			if n, ok := moneyCoef(cq, eq, cd, ed, 1, 0); ok {
				return decimal.New(-n, -MoneyPlaces), exact.FixNew(-n, -MoneyPlaces)
			}
		}
		return moneyProductFix(true, closeF, diff, exact.FixNew(1, 0), closeQ, diff.Dec(), one)
	}
	if diff := price.Sub(entry); !diff.IsZero() {
		return moneyProductFix(true, closeF, exact.FixOf(diff), exact.FixNew(1, 0), closeQ, diff, one)
	}
	return moneyZero, exact.FixNew(0, -MoneyPlaces)
}

// AddMargin moves amount from the wallet into the isolated wallet of symbol i; a negative
// amount removes margin (up to the removable maximum Binance defines).
//
// Addable maximum (docs/margin.md §6): max(0, min(wallet − Σ isolated open-order margin − Σ cross
// maintenance margin, available balance)), else ErrInsufficientMargin. Removable maximum:
// max(0, min(isolated wallet, isolated wallet + qty×(mark − entry) − mark×|qty|/leverage)),
// else ErrRemoveTooMuch. Errors: ErrNotIsolated in cross mode, ErrNoPosition when flat. In
// hedge mode use AddLegMargin.
func (a *Account) AddMargin(i int, amount decimal.Decimal) error {
	return a.AddLegMargin(i, Both, amount)
}

// AddLegMargin is AddMargin on symbol i's position side ps (Both in one-way mode, Long or
// Short in hedge mode: each leg has its own isolated wallet).
func (a *Account) AddLegMargin(i int, ps PositionSide, amount decimal.Decimal) error {
	k, err := a.slotOf(i, ps)
	if err != nil {
		return reject(a.slots[i].inst.Symbol, "margin", err)
	}
	i = k
	s := &a.slots[i]
	if s.mode != Isolated {
		return reject(s.inst.Symbol, "margin", ErrNotIsolated)
	}
	if s.qty.IsZero() {
		return reject(s.inst.Symbol, "margin", ErrNoPosition)
	}
	switch {
	case amount.IsPositive():
		if amount.Cmp(a.MaxAddable()) > 0 {
			return reject(s.inst.Symbol, "margin", ErrInsufficientMargin)
		}
	case amount.IsNegative():
		if amount.Neg().Cmp(a.maxRemovable(i)) > 0 {
			return reject(s.inst.Symbol, "margin", ErrRemoveTooMuch)
		}
	default:
		return nil
	}
	a.setWallet(a.walletDec().Sub(amount))
	s.isoW = s.isoW.Add(amount)
	a.refresh(i)
	a.invariants()
	return nil
}

// MaxAddable returns the most margin AddMargin can move into an isolated wallet now.
func (a *Account) MaxAddable() decimal.Decimal {
	x := a.walletDec()
	for k := range a.slots {
		s := &a.slots[k]
		if s.mode == Isolated {
			x = x.Sub(s.orderIM.dec())
		} else if !s.qty.IsZero() {
			x = x.Sub(a.mmAt(k, a.markDec(k)))
		}
	}
	x = decimal.Min(x, a.available())
	return decimal.Max(x, zero)
}

// MaxRemovable returns the most margin AddMargin can remove from symbol i's isolated wallet
// now (0 when it is not an open isolated position; in hedge mode: its LONG leg's).
func (a *Account) MaxRemovable(i int) decimal.Decimal { return a.maxRemovable(i) }

// MaxRemovableLeg is MaxRemovable of symbol i's position side ps (0 on a mismatch).
func (a *Account) MaxRemovableLeg(i int, ps PositionSide) decimal.Decimal {
	k, err := a.slotOf(i, ps)
	if err != nil {
		return zero
	}
	return a.maxRemovable(k)
}

func (a *Account) maxRemovable(i int) decimal.Decimal {
	s := &a.slots[i]
	if s.mode != Isolated || s.qty.IsZero() {
		return zero
	}
	m := a.markDec(i)
	x := s.isoW.Add(s.qty.Mul(m.Sub(s.entry))).
		Sub(quoProductInt(m, s.qty.Abs(), int64(s.lev), MoneyPlaces))
	return decimal.Max(zero, decimal.Min(s.isoW, x))
}

// SetMark sets symbol i's current mark price (float, for screening; made exact only when the
// ledger needs it), of both legs in hedge mode. NaN means no mark yet.
func (a *Account) SetMark(i int, mark float64) {
	a.marks[i] = mark
	if a.hedge {
		a.marks[a.nsym+i] = mark
	}
}

// SetMarks sets every symbol's current mark at once: symbol i's is marks[i] (NaN: none yet),
// of both legs in hedge mode; marks holds one per symbol. It is SetMark for each symbol in
// one copy, for a caller that holds every symbol's mark in a row (the engine's path views).
func (a *Account) SetMarks(marks []float64) {
	n := copy(a.marks[:a.nsym], marks)
	if n != a.nsym {
		panic(fmt.Sprintf("margin: SetMarks with %d marks for %d symbols", len(marks), a.nsym))
	}
	if a.hedge {
		copy(a.marks[a.nsym:], marks)
	}
}

// Marks returns every symbol's current mark, Mark(i) at index i (in hedge mode the SHORT legs'
// follow the symbols'): the account's own slice, for a caller that reads many marks in a loop.
// Read it, never write it; SetMark and SetMarks change it, SetPositionMode may replace it.
func (a *Account) Marks() []float64 { return a.marks }

// Mark returns symbol i's current mark (NaN: none yet).
func (a *Account) Mark(i int) float64 { return a.marks[i] }

// Fund settles one funding payment on symbol i at time t: notional at mark × rate, paid by
// longs when rate > 0. It returns the signed amount credited to the account (0 when flat).
//
// The amount is −qty × mark × rate in decimal (mark and rate enter through their shortest
// decimal representation), rounded to MoneyPlaces; a NaN mark means the current mark. Cross
// positions pay from (or are paid into) the wallet. Isolated positions pay from their
// isolated wallet (an inference, docs/margin.md §8; Binance does not document it); a payment
// larger than the isolated wallet empties it and the rest is an insurance-fund draw, never a
// draw on the cross wallet (an isolated position never touches anything but its own margin),
// and the position, now without margin, is liquidated at the next screening. Errors: a NaN or
// infinite rate (ErrInvalidInput). In hedge mode both legs settle, each from its own margin
// (a LONG leg pays what the SHORT leg receives, each rounded on its own), and the sum is
// returned; FundLeg settles one leg.
func (a *Account) Fund(i int, t int64, rate float64, mark float64) (decimal.Decimal, error) {
	k, j := a.legs(i)
	markF := floatFix(mark)
	amt, err := a.fund(k, t, rate, mark, markF)
	if err != nil || j < 0 {
		return amt, err
	}
	amt2, err := a.fund(j, t, rate, mark, markF)
	return amt.Add(amt2), err
}

// FundLeg is Fund on symbol i's position side ps only (Both in one-way mode, Long or Short in
// hedge mode; a mismatch is ErrPositionSide).
func (a *Account) FundLeg(i int, ps PositionSide, t int64, rate float64, mark float64) (decimal.Decimal, error) {
	return a.FundLegFix(i, ps, t, rate, mark, floatFix(mark))
}

// FundLegFix is FundLeg for a mark whose exact.Fix the caller has read: markF must be
// floatFix(mark), the Fix of decimal.NewFromFloat(mark) (exact.FloatCoef's coefficient and
// exponent; no value for NaN and ±Inf).
func (a *Account) FundLegFix(i int, ps PositionSide, t int64, rate, mark float64, markF exact.Fix) (decimal.Decimal, error) {
	k, err := a.slotOf(i, ps)
	if err != nil {
		return zero, reject(a.slots[i].inst.Symbol, "funding", err)
	}
	return a.fund(k, t, rate, mark, markF)
}

// floatFixMemo remembers floatFix of the float64 it read last (by its bits).
type floatFixMemo struct {
	bits uint64
	f    exact.Fix
	set  bool
}

// of is floatFix(x), remembered.
func (m *floatFixMemo) of(x float64) exact.Fix {
	if b := math.Float64bits(x); !m.set || b != m.bits {
		m.bits, m.f, m.set = b, floatFix(x), true
	}
	return m.f
}

// fund books slot i's funding payment at rate and mark (markF: floatFix(mark)).
func (a *Account) fund(i int, t int64, rate float64, mark float64, markF exact.Fix) (decimal.Decimal, error) {
	s := &a.slots[i]
	if math.IsNaN(rate) || math.IsInf(rate, 0) || math.IsInf(mark, 0) {
		return zero, fmt.Errorf("%w: %s funding at %d: rate %v, mark %v", ErrInvalidInput, s.inst.Symbol, t, rate, mark)
	}
	if s.qty.IsZero() {
		return zero, nil
	}
	// −qty·mark·rate with the mark and the rate as their NewFromFloat decimals, on int64
	// coefficients (exact.FloatCoef reads the decimal NewFromFloat makes without making it)
	qF := s.qtyC.of(s.qty)
	var mF exact.Fix
	switch {
	case !math.IsNaN(mark):
		mF = markF
	case math.IsNaN(a.marks[i]): // markDec: the entry price
		mF = s.entryC.of(s.entry)
	default:
		mF = floatFix(a.marks[i])
	}
	var amt decimal.Decimal
	var amtF exact.Fix
	if n, ok := moneyCoefFix(qF, mF, s.fundRate.of(rate)); ok {
		amt, amtF = decimal.New(-n, -MoneyPlaces), exact.FixNew(-n, -MoneyPlaces)
	} else {
		m := a.markDec(i)
		if !math.IsNaN(mark) {
			m = decimal.NewFromFloat(mark)
		}
		r := decimal.NewFromFloat(rate)
		amt, amtF = moneyProductFix(true, qF, exact.FixOf(m), exact.FixOf(r), s.qty, m, r)
	}
	a.funding.addFix(amtF, amt)
	if s.mode == Cross {
		a.walletAdd(amtF, amt, false)
	} else {
		s.isoW = s.isoWC.add(s.isoW, amtF, amt)
		if s.isoW.IsNegative() {
			// isolation holds: what the isolated wallet cannot pay is the insurance fund's,
			// never the cross wallet's
			a.insurance = a.insurance.Sub(s.isoW)
			s.isoW = zero
		}
	}
	a.refresh(i)
	a.invariants()
	return amt, nil
}

// Position returns symbol i's position (in hedge mode its LONG leg; see PositionOf).
func (a *Account) Position(i int) Position { return a.position(i) }

// PositionOf returns symbol i's position on side ps: Both in one-way mode, the LONG or SHORT
// leg in hedge mode. A side the position mode does not have is returned flat.
func (a *Account) PositionOf(i int, ps PositionSide) Position {
	k, err := a.slotOf(i, ps)
	if err != nil {
		s := &a.slots[i]
		return Position{Symbol: s.inst.Symbol, Side: ps, Mode: s.mode, Leverage: s.lev}
	}
	return a.position(k)
}

// QtyFix is PositionOf(i, ps).Qty with its exact.Fix, which holds the quantity's value and
// exponent (exact.FixOf's, or a Fix sum's 19 digits) or no value: the ledger's memo, read
// without copying the Position or reading the coefficient again.
func (a *Account) QtyFix(i int, ps PositionSide) (decimal.Decimal, exact.Fix) {
	k, err := a.slotOf(i, ps)
	if err != nil {
		return decimal.Decimal{}, fix0 // PositionOf's flat side: exact.FixOf of the zero Decimal
	}
	s := &a.slots[k]
	return s.qty, s.qtyC.of(s.qty)
}

func (a *Account) position(k int) Position {
	s := &a.slots[k]
	return Position{Symbol: s.inst.Symbol, Side: s.side, Mode: s.mode, Leverage: s.lev, Qty: s.qty,
		Entry: s.entry, IsolatedWallet: s.isoW}
}

// Positions yields the open positions, in symbol index order, a symbol's LONG leg before its
// SHORT leg.
func (a *Account) Positions() iter.Seq[Position] {
	return func(yield func(Position) bool) {
		for i := range a.nsym {
			k, j := a.legs(i)
			if !a.slots[k].qty.IsZero() && !yield(a.position(k)) {
				return
			}
			if j >= 0 && !a.slots[j].qty.IsZero() && !yield(a.position(j)) {
				return
			}
		}
	}
}

// Wallet returns the cross wallet balance (isolated wallets excluded).
func (a *Account) Wallet() decimal.Decimal { return a.walletDec() }

// WalletFloat is Wallet().InexactFloat64(), without making the Decimal.
func (a *Account) WalletFloat() float64 { return a.wallet.float() }

// walletDec is the wallet as a Decimal (made when first read after a change).
func (a *Account) walletDec() decimal.Decimal { return a.wallet.dec() }

// setWallet sets the wallet to w.
func (a *Account) setWallet(w decimal.Decimal) {
	a.wallet.setDec(w)
	a.walletSeq++
	a.walletGen = a.walletSeq
}

// walletAdd adds y (whose Fix is yf) to the wallet, or subtracts it when sub: the value and
// exponent of Decimal.Add (Sub), on 128 bits while they hold it.
func (a *Account) walletAdd(yf exact.Fix, y decimal.Decimal, sub bool) {
	a.wallet.addFix(yf, y, sub)
	a.walletSeq++
	a.walletGen = a.walletSeq
}

// Totals are the running sums the conservation check uses.
type Totals struct {
	InitialWallet  decimal.Decimal
	RealizedPnL    decimal.Decimal
	Fees           decimal.Decimal // trading fees paid
	Funding        decimal.Decimal // funding received (negative: paid)
	ClearanceFees  decimal.Decimal // liquidation clearance fees paid
	InsuranceDraws decimal.Decimal // shortfalls covered by the insurance fund
}

// Totals returns the running sums since NewAccount.
func (a *Account) Totals() Totals {
	return Totals{a.initial, a.realized.value(), a.fees.value(), a.funding.value(), a.clearance, a.insurance}
}

// InsuranceDraws returns Totals().InsuranceDraws without summing the other totals.
func (a *Account) InsuranceDraws() decimal.Decimal { return a.insurance }

// Snapshot values the account at the current marks (a symbol without a mark is valued at its
// entry price). Available = wallet + Σ cross uPnL (profits and losses, as Binance counts
// them for cross) − Σ cross initial margin (|qty| × mark / leverage) − Σ open-order margin of
// all symbols; isolated wallets are already out of the wallet. Ratios are +Inf when the
// margin balance they divide by is <= 0.
func (a *Account) Snapshot() Snapshot {
	var sn Snapshot
	var crossU, crossMM decimal.Decimal
	sn.Wallet = a.walletDec()
	for k := range a.slots {
		s := &a.slots[k]
		if s.qty.IsZero() {
			continue
		}
		m := a.markDec(k)
		u := s.qty.Mul(m.Sub(s.entry))
		mm := a.mmAt(k, m)
		sn.UnrealizedPnL = sn.UnrealizedPnL.Add(u)
		sn.MaintenanceMargin = sn.MaintenanceMargin.Add(mm)
		if s.mode == Cross {
			crossU = crossU.Add(u)
			crossMM = crossMM.Add(mm)
		} else {
			sn.IsolatedWallets = sn.IsolatedWallets.Add(s.isoW)
			sn.MaxMarginRatio = math.Max(sn.MaxMarginRatio, MarginRatio(mm, s.isoW.Add(u)))
		}
	}
	if len(a.cross) > 0 {
		sn.CrossMarginRatio = MarginRatio(crossMM, a.walletDec().Add(crossU))
		sn.MaxMarginRatio = math.Max(sn.MaxMarginRatio, sn.CrossMarginRatio)
	}
	sn.MarginBalance = a.walletDec().Add(sn.IsolatedWallets).Add(sn.UnrealizedPnL)
	sn.Available = a.available()
	return sn
}

// MarginRatio returns maintenance margin / margin balance, the ratio at which Binance
// liquidates when it reaches 1 (docs/margin.md §5), as a float64 from the exact figures; +Inf
// when the balance is <= 0. MarginRatioFloat is its float64 counterpart.
func MarginRatio(mm, balance decimal.Decimal) float64 {
	if !balance.IsPositive() {
		return math.Inf(1)
	}
	return mm.InexactFloat64() / balance.InexactFloat64()
}

// Available returns the available balance for new orders (see Snapshot).
func (a *Account) Available() decimal.Decimal { return a.available() }

// Each open cross position's contribution qty·(mark − entry) − |qty|·mark/leverage is cached
// per slot until its mark, quantity, entry, leverage or mode changes, and the sum of the
// cached contributions is kept up to date, so a call costs decimal work only for the slots
// that changed (Check compares it with a computation from scratch).
func (a *Account) available() decimal.Decimal {
	for k := range a.slots {
		s := &a.slots[k]
		if s.mode != Cross || s.qty.IsZero() {
			a.dropAvail(k)
			continue
		}
		if s.avIn && s.avOK && s.avMark == math.Float64bits(a.marks[k]) {
			continue
		}
		a.dropAvail(k)
		s.avC = a.availContribution(k)
		s.avMark, s.avOK, s.avIn = math.Float64bits(a.marks[k]), true, true
		a.avSum = a.avSum.Add(s.avC)
	}
	return a.walletDec().Sub(a.orderIMSum.dec()).Add(a.avSum)
}

// availContribution is open cross position k's term of the available balance.
func (a *Account) availContribution(k int) decimal.Decimal {
	s := &a.slots[k]
	m := a.markDec(k)
	return s.qty.Mul(m.Sub(s.entry)).Sub(quoProductInt(s.qty.Abs(), m, int64(s.lev), MoneyPlaces))
}

// dropAvail removes slot k's cached contribution from the sum.
func (a *Account) dropAvail(k int) {
	if s := &a.slots[k]; s.avIn {
		a.avSum = a.avSum.Sub(s.avC)
		s.avIn = false
	}
}

// availableSlow is available computed from scratch (for Check).
func (a *Account) availableSlow() decimal.Decimal {
	x := a.walletDec()
	for k := range a.slots {
		s := &a.slots[k]
		x = x.Sub(s.orderIM.dec())
		if s.mode == Cross && !s.qty.IsZero() {
			x = x.Add(a.availContribution(k))
		}
	}
	return x
}

// Equity is Snapshot().MarginBalance computed in float64 for per-bar curves (cheap).
func (a *Account) Equity() float64 {
	h := a.hot().equity
	if len(a.open) == 0 {
		// every slot flat: the loop below would add ±0 (or NaN, for a slot without a mark,
		// which sends it to equitySlow, which skips flat slots): its answer is h
		return h
	}
	// every slot's q·m in slot order, flat ones included: equitySlow's sum but for a flat
	// slot's term, ±0 for a finite mark. Adding ±0 leaves a sum as it is unless the sum is a
	// zero (whose sign it may change), so at every slot both running sums are equal or both
	// zeros: a result other than 0 and NaN is equitySlow's (a missing mark, NaN, makes the sum
	// NaN, as 0·±Inf does; TestEquityFast).
	fqs := a.fqs
	marks := a.marks[:len(fqs)]
	e := h
	for k, q := range fqs {
		e += float64(q * marks[k])
	}
	if e != 0 && e == e {
		return e
	}
	return a.equitySlow(h)
}

// equitySlow is Equity from the constant part h: the open positions in slot order (a flat
// slot's fq is 0, and an open one's may be 0 too, left out as well) at their marks, at the
// entry price before the first mark.
func (a *Account) equitySlow(h float64) float64 {
	e := h
	fqs := a.fqs
	marks := a.marks[:len(fqs)]
	for k, q := range fqs {
		if q == 0 {
			continue
		}
		if m := marks[k]; m == m {
			e += float64(q * m)
		} else { // no mark yet
			e += a.slots[k].fqe
		}
	}
	return e
}

// Risk is the account's risk at the current marks, in float64.
type Risk struct {
	UnrealizedPnL     float64 // all positions
	MaintenanceMargin float64 // all positions
	CrossMarginRatio  float64 // cross MM / cross margin balance (0 without cross positions)
	MaxMarginRatio    float64 // the highest ratio of the cross account and isolated positions
}

// Risk is the float64 counterpart of Snapshot's risk figures, computed from the ledger's
// float64 shadows without allocating, with FloatRisk over the open positions in symbol-name
// order. Ratios are +Inf when the margin balance they divide by is <= 0. Values agree with
// Snapshot to float64 rounding (the property test checks it).
func (a *Account) Risk() Risk {
	var r FloatRisk
	for _, k := range a.byName {
		s := &a.slots[k]
		if s.fq == 0 {
			continue
		}
		p := a.pathMark(k, nil)
		n := float64(s.fabs * p)
		j := floatBracket(s.ffloor, 0, n)
		r.Add(s.mode, maintenanceFloat(n, s.fmmr[j], s.fcum[j]), float64(s.fq*p)-s.fqe, s.fiso)
	}
	return r.Risk(a.fWallet)
}

// FloatRisk sums an account's float64 risk figures position by position, the float
// counterpart of Snapshot's: Add every open position, then Risk. The sums follow the order of
// the Add calls, so a caller that needs bit-identical figures keeps its order. The zero value
// is an account without positions.
type FloatRisk struct {
	MaintenanceMargin float64 // Σ MM of all positions added
	UnrealizedPnL     float64 // Σ uPnL of all positions added
	CrossMM           float64 // Σ MM of the cross positions
	CrossUPnL         float64 // Σ uPnL of the cross positions
	IsolatedMaxRatio  float64 // the highest isolated margin ratio (0: none)
}

// Add adds one open position: its maintenance margin mm (FloatTable.MaintenanceMargin of its
// notional at the mark), its unrealized PnL and, when isolated, its isolated wallet.
func (r *FloatRisk) Add(mode Mode, mm, upnl, isolatedWallet float64) {
	r.MaintenanceMargin += mm
	r.UnrealizedPnL += upnl
	if mode == Isolated {
		r.IsolatedMaxRatio = mathMax(r.IsolatedMaxRatio, MarginRatioFloat(mm, isolatedWallet+upnl))
		return
	}
	r.CrossMM += mm
	r.CrossUPnL += upnl
}

// Risk returns the account's figures with crossWallet the cross wallet balance: the cross
// margin ratio Σ cross MM / (crossWallet + Σ cross uPnL) (0 when the cross MM is 0, e.g. no
// cross position) and the highest ratio of the cross account and the isolated positions.
func (r *FloatRisk) Risk(crossWallet float64) Risk {
	out := Risk{UnrealizedPnL: r.UnrealizedPnL, MaintenanceMargin: r.MaintenanceMargin, MaxMarginRatio: r.IsolatedMaxRatio}
	if r.CrossMM > 0 {
		out.CrossMarginRatio = MarginRatioFloat(r.CrossMM, crossWallet+r.CrossUPnL)
		out.MaxMarginRatio = mathMax(out.MaxMarginRatio, out.CrossMarginRatio)
	}
	return out
}

// mathMax is math.Max(x, y), inlined: the builtin max, with math.Max's rule that +Inf wins
// over a NaN (TestMaxIsMathMax).
func mathMax(x, y float64) float64 {
	if x > math.MaxFloat64 || y > math.MaxFloat64 {
		return math.Inf(1)
	}
	return max(x, y)
}

// MarginRatioFloat is the float64 counterpart of MarginRatio, for per-bar figures: mm /
// balance, +Inf when the balance is <= 0 or NaN.
func MarginRatioFloat(mm, balance float64) float64 {
	if !(balance > 0) {
		return math.Inf(1)
	}
	return mm / balance
}

// LiquidationPriceOf returns symbol i's current liquidation price (cross: other positions at
// their current marks) and false when flat or when it is <= 0. In hedge mode it is the LONG
// leg's; see LegLiquidationPrice.
func (a *Account) LiquidationPriceOf(i int) (decimal.Decimal, bool) { return a.liqPriceOf(i) }

// LegLiquidationPrice is LiquidationPriceOf for symbol i's position side ps. Cross legs of one
// symbol share one liquidation price (docs/margin.md §4.1); isolated legs have their own.
func (a *Account) LegLiquidationPrice(i int, ps PositionSide) (decimal.Decimal, bool) {
	k, err := a.slotOf(i, ps)
	if err != nil {
		return zero, false
	}
	return a.liqPriceOf(k)
}

func (a *Account) liqPriceOf(i int) (decimal.Decimal, bool) {
	s := &a.slots[i]
	if s.qty.IsZero() {
		return zero, false
	}
	if s.mode == Isolated {
		return s.lpDec(), s.lpQ.positive()
	}
	if j := a.sibling(i); j < 0 || a.slots[j].qty.IsZero() {
		// one leg: liquidationPrice's price with the other cross positions at their marks,
		// their terms cached per position (crossTerms), the price solved as isoLiqPrice
		// solves it with the wallet − TMM1 + UPNL1 for the wallet (the same quotients)
		qe := a.seenQE(s)
		if s.qty != s.seenQty || s.entry != s.seenEntry {
			qe = exact.Of(s.qty).Mul(exact.Of(s.entry))
		}
		lp, _, ok := isoLiqPrice(s, s.qty, qe, a.crossLiqWallet(i))
		if !ok || !lp.positive() {
			return zero, false
		}
		return lp.Dec(), true
	}
	r, err := a.crossLiq(i, a.walletDec(), func(k int) decimal.Decimal { return a.markDec(k) }, false)
	if err != nil || !r.Price.IsPositive() {
		return zero, false
	}
	return r.Price, true
}

// crossLiqWallet is wallet − Σ MM + Σ uPnL of the cross positions other than i at their
// marks (crossTerms), the wallet of cross position i's one-leg liquidation price. Only its
// value matters there (isoLiqPrice's quotients and brackets depend on values), so it is
// summed on int64 coefficients while the terms fit.
func (a *Account) crossLiqWallet(i int) decimal.Decimal {
	w := exact.Fit(a.walletDec())
	for j := range a.cross {
		if k := a.cross[j].i; k != i {
			u, mm := a.crossTerms(k)
			if w = w.Sub(mm).Add(u); !w.OK() {
				break
			}
		}
	}
	if w.OK() {
		return w.Dec()
	}
	var tmm, upnl decimal.Decimal
	for j := range a.cross {
		if k := a.cross[j].i; k != i {
			u, mm := a.crossTerms(k)
			ud, mmd := s2d(u, a.slots[k].liqUd), s2d(mm, a.slots[k].liqMMd)
			upnl = upnl.Add(ud)
			tmm = tmm.Add(mmd)
		}
	}
	return a.walletDec().Sub(tmm).Add(upnl)
}

// s2d is x as a Decimal when ok, else d (the Decimal x could not hold).
func s2d(x exact.Num, d decimal.Decimal) decimal.Decimal {
	if x.OK() {
		return x.Dec()
	}
	return d
}

// crossTerms returns cross position k's unrealized PnL and maintenance margin at its mark
// (markDec), cached until its mark, quantity, entry or instrument changes: as exact.Fit Nums,
// each not OK when it did not fit (then in slot.liqUd, liqMMd).
func (a *Account) crossTerms(k int) (u, mm exact.Num) {
	s := &a.slots[k]
	if bits := math.Float64bits(a.marks[k]); !s.liqOK || s.liqMark != bits || s.liqQty != s.qty || s.liqEntry != s.entry {
		m := a.markDec(k)
		s.liqU, s.liqMM = exact.Fit(s.qty).Mul(exact.Fit(m).Sub(exact.Fit(s.entry))), a.mmFx(k, m)
		if !s.liqU.OK() {
			s.liqUd = s.qty.Mul(m.Sub(s.entry))
		}
		if !s.liqMM.OK() {
			s.liqMMd = a.mmAt(k, m)
		}
		s.liqMark, s.liqQty, s.liqEntry, s.liqOK = bits, s.qty, s.entry, true
	}
	return s.liqU, s.liqMM
}

// mmFx is mmAt(k, m) on int64 coefficients (not ok when a step does not fit).
func (a *Account) mmFx(k int, m decimal.Decimal) exact.Num {
	s := &a.slots[k]
	n := exact.Fit(s.qty).Abs().Mul(exact.Fit(m))
	c, e, ok := n.Small() // (a Fit Num that is OK is held on int64)
	if !ok {
		return exact.None()
	}
	t := s.inst.Brackets
	j := tableIndexFix(s.floorF, exact.FixNew(c, e))
	if j < 0 {
		return exact.None()
	}
	return n.Mul(exact.Fit(t[j].MMR)).Sub(exact.Fit(t[j].Cum))
}

// crossLiq evaluates the formula for cross position i with the other cross positions at
// marks(k); bankrupt=true zeroes TMM1 (the bankruptcy price is r.Bankruptcy either way). In
// hedge mode with both legs of the symbol open it is the general formula with both legs
// (docs/margin.md §4.1): the same price for either leg.
func (a *Account) crossLiq(i int, wallet decimal.Decimal, marks func(int) decimal.Decimal, bankrupt bool) (LiqResult, error) {
	s := &a.slots[i]
	sib := a.sibling(i)
	if sib >= 0 && a.slots[sib].qty.IsZero() {
		sib = -1
	}
	var tmm, upnl decimal.Decimal
	for j := range a.cross {
		k := a.cross[j].i
		if k == i || k == sib {
			continue
		}
		m := marks(k)
		o := &a.slots[k]
		upnl = upnl.Add(o.qty.Mul(m.Sub(o.entry)))
		if !bankrupt {
			tmm = tmm.Add(a.mmAt(k, m))
		}
	}
	if sib >= 0 {
		l, sh := &a.slots[i], &a.slots[sib]
		if l.side == Short {
			l, sh = sh, l
		}
		return hedgeLiquidationPrice(hedgeLiqInput{Long: l.qty, LongEntry: l.entry, Short: sh.qty.Neg(),
			ShortEntry: sh.entry, Wallet: wallet, OtherMM: tmm, OtherPnL: upnl, Brackets: s.inst.Brackets})
	}
	return liquidationPrice(LiqInput{Side: Side(s.qty.Sign()), Qty: s.qty.Abs(), Entry: s.entry,
		Wallet: wallet, OtherMM: tmm, OtherPnL: upnl, Brackets: s.inst.Brackets})
}

// mmAt is symbol k's maintenance margin at mark m.
func (a *Account) mmAt(k int, m decimal.Decimal) decimal.Decimal {
	s := &a.slots[k]
	return s.inst.Brackets.MaintenanceMargin(s.qty.Abs().Mul(m))
}

// markDec is symbol k's mark as a decimal (the entry price before the first mark).
// The conversion is cached per symbol until the mark changes.
func (a *Account) markDec(k int) decimal.Decimal {
	s := &a.slots[k]
	m := a.marks[k]
	if math.IsNaN(m) {
		return s.entry
	}
	if m != s.mkF {
		s.mkF, s.mkD = m, decimal.NewFromFloat(m)
	}
	return s.mkD
}

// refresh recomputes the float64 shadows of symbol i and of the account after a ledger change
// of slot i alone.
func (a *Account) refresh(i int) {
	a.refreshSlot(i)
	a.refreshHot(i)
	a.refreshWallet()
}

// refreshSlot recomputes symbol i's shadows and moves its contribution to the account's
// decimal aggregates from the values last seen to the current ones. Only what depends on a
// value that changed since the last refresh is redone: the aggregates, each updated with the
// same operations in the same order as a full refresh, end equal in value and exponent to
// what a full refresh gives (an aggregate's exponent is already at most that of every
// contribution in it, so subtracting and adding back an identical contribution changes
// nothing).
func (a *Account) refreshSlot(i int) {
	s := &a.slots[i]
	isoMode := s.mode == Isolated
	qeNew := s.stale || s.qty != s.seenQty || s.entry != s.seenEntry
	isoNew := s.stale || s.isoW != s.seenIso
	cross := s.mode == Cross && !s.qty.IsZero()
	if !qeNew && !isoNew && cross == s.seenCross && isoMode == s.seenIsoMode {
		return
	}
	if qeNew || cross != s.seenCross {
		s.avOK = false
	}
	var qe exact.Num
	if qf, ok := a.refreshSumsFix(i, qeNew, isoNew, cross); ok {
		qe = qf.Num()
	} else {
		qe = a.refreshSumsNum(i, qeNew, isoNew, cross)
	}
	s.seenIso, s.seenQty, s.seenEntry = s.isoW, s.qty, s.entry
	s.seenCross, s.seenIsoMode, s.stale = cross, isoMode, false

	s.lpQ, s.lpMade, s.flp = liqQuote{dec: true, d: zero}, false, math.NaN()
	if isoMode && !s.qty.IsZero() {
		// the table was validated by NewAccount
		if lp, lpf, ok := isoLiqPrice(s, s.qty, qe, s.isoW); ok {
			// !ok is impossible with a validated table; Check reports the NaN
			s.lpQ, s.flp = lp, lpf
		}
	}
}

// refreshSumsFix is refreshSumsNum on the aggregates' and slot i's Fix: it reports false,
// having changed nothing, when the account's aggregates are Nums or a step does not fit; else
// every aggregate has the value and exponent refreshSumsNum gives it, the slot's seen
// contributions and its shadows fq, fabs, fqe and fiso are set, and qe is its qty·entry.
func (a *Account) refreshSumsFix(i int, qeNew, isoNew, cross bool) (qe exact.Fix, ok bool) {
	if a.aggN != nil || forceAggNums {
		return exact.Fix{}, false
	}
	s := &a.slots[i]
	g := a.agg
	qe, w := s.seenQEF, s.seenIsoF
	var q exact.Fix
	if qeNew {
		q = s.qtyC.of(s.qty)
		qe = q.Mul(s.entryC.of(s.entry))
		g.allQE = g.allQE.Add(qe.Sub(s.seenQEF))
	}
	if isoNew {
		w = s.isoWC.of(s.isoW)
		g.isoSum = g.isoSum.Add(w.Sub(s.seenIsoF))
	}
	switch {
	case qeNew && cross && s.seenCross:
		g.crossQE = g.crossQE.Add(qe.Sub(s.seenQEF)) // as allQE
	case qeNew || cross != s.seenCross:
		if s.seenCross {
			g.crossQE = g.crossQE.Sub(s.seenQEF)
		}
		if cross {
			g.crossQE = g.crossQE.Add(qe)
		}
	}
	if !qe.OK() || !w.OK() || !g.allQE.OK() || !g.isoSum.OK() || !g.crossQE.OK() {
		return exact.Fix{}, false
	}
	a.agg, s.seenQEF, s.seenIsoF = g, qe, w
	if qeNew {
		s.fq = q.Float()
		a.fqs[i] = s.fq
		s.fabs = math.Abs(s.fq)
		s.fqe = qe.Float()
	}
	if isoNew {
		s.fiso = w.Float()
	}
	return qe, true
}

// refreshSumsNum moves slot i's contribution to the account's aggregates, as exact.Of Nums
// (aggN, made from the Fix ones at the first call), from the values last seen to the current
// ones, sets the slot's shadows fq, fabs, fqe and fiso and returns its qty·entry.
func (a *Account) refreshSumsNum(i int, qeNew, isoNew, cross bool) exact.Num {
	if a.aggN == nil {
		a.toNums()
	}
	s, g := &a.slots[i], a.aggN
	qe := s.seenQE
	if qeNew {
		q := s.qtyC.num(s.qty)
		qe = q.Mul(s.entryC.num(s.entry))
		// Σ + (qe − seen) has the value and the exponent (the least of the three) of
		// Σ − seen + qe
		g.allQE = g.allQE.Add(qe.Sub(s.seenQE))
		s.fq = q.Float()
		a.fqs[i] = s.fq
		s.fabs = math.Abs(s.fq)
		s.fqe = qe.Float()
	}
	if isoNew {
		w := s.isoWC.num(s.isoW)
		g.isoSum = g.isoSum.Add(w.Sub(s.seenIsoN))
		s.fiso = w.Float()
		s.seenIsoN = w
	}
	switch {
	case qeNew && cross && s.seenCross:
		g.crossQE = g.crossQE.Add(qe.Sub(s.seenQE)) // as allQE
	case qeNew || cross != s.seenCross:
		if s.seenCross {
			g.crossQE = g.crossQE.Sub(s.seenQE)
		}
		if cross {
			g.crossQE = g.crossQE.Add(qe)
		}
	}
	s.seenQE = qe
	return qe
}

// toNums moves the account's aggregates and the slots' seen contributions from their Fix to
// exact.Of Nums, for the account's life. (Every Fix there holds a value: refreshSumsFix
// stores only those; the zero Fix of an account or slot not made by NewAccount is 0 at
// exponent 0, the zero Num, as its Num.)
func (a *Account) toNums() {
	g := &a.agg
	a.aggN = &aggs[exact.Num]{g.crossQE.Num(), g.allQE.Num(), g.isoSum.Num()}
	for k := range a.slots {
		s := &a.slots[k]
		s.seenQE, s.seenIsoN = s.seenQEF.Num(), s.seenIsoF.Num()
	}
}

// aggs are the account's decimal aggregates: Σ qty·entry of the open cross positions, Σ
// qty·entry and Σ isolated wallets of every slot.
type aggs[N exact.Fix | exact.Num] struct {
	crossQE, allQE, isoSum N
}

// aggNums is the account's aggregates as Nums.
func (a *Account) aggNums() aggs[exact.Num] {
	if a.aggN != nil {
		return *a.aggN
	}
	g := &a.agg
	return aggs[exact.Num]{g.crossQE.Num(), g.allQE.Num(), g.isoSum.Num()}
}

// seenQE is slot s's contribution qty·entry to the aggregates, as last seen by refreshSlot.
func (a *Account) seenQE(s *slot) exact.Num {
	if a.aggN != nil {
		return s.seenQE
	}
	return s.seenQEF.Num()
}

// fix0 is 0 at exponent 0 as a Fix: the zero Num's value and exponent.
var fix0 = exact.FixNew(0, 0)

// forceAggNums makes refreshSlot keep the aggregates as Nums from the start (tests: the
// reference).
var forceAggNums = false

// lpDec is the slot's isolated liquidation price as a Decimal (made when first read after
// a refresh).
func (s *slot) lpDec() decimal.Decimal {
	if !s.lpMade {
		s.lp, s.lpMade = s.lpQ.Dec(), true
	}
	return s.lp
}

func (a *Account) refreshAll() {
	for k := range a.slots {
		a.refreshSlot(k)
		a.fqs[k] = a.slots[k].fq
	}
	a.refreshAccount()
}

// hotList names the screening list a slot is in: none (flat), a.iso or a.cross.
type hotList uint8

const (
	hotNone hotList = iota
	hotIso
	hotCross
)

// list returns the screening list slot s belongs in.
func (s *slot) list() hotList {
	switch {
	case s.qty.IsZero():
		return hotNone
	case s.mode == Cross:
		return hotCross
	}
	return hotIso
}

// crossHotOf and isoHotOf are slot k's screening entries.
func (a *Account) crossHotOf(k int) crossHot {
	s := &a.slots[k]
	h := crossHot{i: k, fq: s.fq, fabs: s.fabs, floor: s.ffloor, mmr: s.fmmr, cum: s.fcum}
	h.setBracket(0)
	return h
}

func (a *Account) isoHotOf(k int) isoHot {
	s := &a.slots[k]
	return newIsoHot(k, s.fq, s.flp)
}

// refreshAccount rebuilds the screening lists, the open slots and the account's float64
// constants.
func (a *Account) refreshAccount() {
	a.iso, a.cross, a.open = a.iso[:0], a.cross[:0], a.open[:0]
	// Built in symbol-name order, so that float sums, record order and the split of clearance
	// fees do not depend on the order the instruments were listed in.
	for _, k := range a.byName {
		s := &a.slots[k]
		switch s.inHot = s.list(); s.inHot {
		case hotCross:
			a.cross = append(a.cross, a.crossHotOf(k))
		case hotIso:
			a.iso = append(a.iso, a.isoHotOf(k))
		}
	}
	for k := range a.slots {
		if a.slots[k].inHot != hotNone {
			a.open = append(a.open, k)
		}
	}
	a.refreshWallet()
}

// refreshHot brings slot i's screening entry and its place among the open slots up to date
// after a change of slot i alone: the lists end as refreshAccount builds them (each entry as
// it makes it, in symbol-name order; the open slots in slot order).
func (a *Account) refreshHot(i int) {
	s := &a.slots[i]
	was, now := s.inHot, s.list()
	if was == now {
		switch now {
		case hotCross:
			a.cross[a.hotAt(hotCross, i)] = a.crossHotOf(i)
		case hotIso:
			a.iso[a.hotAt(hotIso, i)] = a.isoHotOf(i)
		}
		return
	}
	switch was {
	case hotCross:
		j := a.hotAt(hotCross, i)
		a.cross = slices.Delete(a.cross, j, j+1)
	case hotIso:
		j := a.hotAt(hotIso, i)
		a.iso = slices.Delete(a.iso, j, j+1)
	}
	switch now {
	case hotCross:
		a.cross = insertAt(a.cross, a.hotAfter(hotCross, i), a.crossHotOf(i))
	case hotIso:
		a.iso = insertAt(a.iso, a.hotAfter(hotIso, i), a.isoHotOf(i))
	}
	s.inHot = now
	if (was == hotNone) != (now == hotNone) {
		j := 0 // slices.BinarySearch(a.open, i) on a short list
		for j < len(a.open) && a.open[j] < i {
			j++
		}
		if j < len(a.open) && a.open[j] == i {
			a.open = append(a.open[:j], a.open[j+1:]...) // (ints: nothing to clear)
		} else {
			a.open = insertAt(a.open, j, i)
		}
	}
}

// insertAt is slices.Insert(s, j, v) for one value (0 <= j <= len(s)), without its general
// case's checks: v moves in at j, the elements from j one place up.
func insertAt[T any](s []T, j int, v T) []T {
	s = append(s, v)
	copy(s[j+1:], s[j:])
	s[j] = v
	return s
}

// hotAt returns the index of slot i's entry in list l (it is there).
func (a *Account) hotAt(l hotList, i int) int {
	if l == hotCross {
		for j := range a.cross {
			if a.cross[j].i == i {
				return j
			}
		}
	} else {
		for j := range a.iso {
			if a.iso[j].i == i {
				return j
			}
		}
	}
	panic(fmt.Sprintf("margin: slot %d missing from its screening list", i))
}

// hotAfter returns where slot i's entry goes in list l (not there): before the first entry
// of a later symbol name.
func (a *Account) hotAfter(l hotList, i int) int {
	r := a.rank[i]
	if l == hotCross {
		for j := range a.cross {
			if a.rank[a.cross[j].i] > r {
				return j
			}
		}
		return len(a.cross)
	}
	for j := range a.iso {
		if a.rank[a.iso[j].i] > r {
			return j
		}
	}
	return len(a.iso)
}

// refreshWallet updates the wallet's float64 shadow and marks the account's float constants
// for a check (see hot).
func (a *Account) refreshWallet() {

	if a.walletGen != a.fWalletGen {
		a.fWallet, a.fWalletGen = a.wallet.float(), a.walletGen
	}
	a.consts.ok = false
}

// hotConsts are the account's float64 constants of the screening and of Equity, computed when
// first read after a ledger change (see hot).
type hotConsts struct {
	ok, valid bool   // ok: checked since the last change; valid: ever computed
	walletGen uint64 // the values they were computed from: the wallet's, and
	nums      bool   // the aggregates aggF (nums false) or agg (the Nums, aggN)
	aggF      aggs[exact.Fix]
	agg       aggs[exact.Num]

	cross  float64 // Σcross Q·E − wallet
	scale  float64 // |Σcross Q·E| + |wallet| + 1: magnitude for the error bound
	equity float64 // wallet + Σ isolated wallets − Σ Q·E
}

// hot returns the account's float64 constants, recomputed (exactly, then rounded once) when
// a decimal they depend on changed since they were last computed. Every ledger change ends
// with refreshAccount, so they are always those of the current ledger, as if recomputed after
// every change.
func (a *Account) hot() *hotConsts {
	if a.consts.ok {
		return &a.consts
	}
	return a.hotSlow()
}

// hotSlow is hot after a ledger change.
func (a *Account) hotSlow() *hotConsts {
	c := &a.consts
	c.ok = true
	if a.aggN == nil {
		if c.valid && !c.nums && c.walletGen == a.walletGen && c.aggF == a.agg {
			return c
		}
		c.aggF, c.nums = a.agg, false
	} else {
		if c.valid && c.nums && c.walletGen == a.walletGen && c.agg == *a.aggN {
			return c
		}
		c.agg, c.nums = *a.aggN, true
	}
	c.valid, c.walletGen = true, a.walletGen
	if a.aggN == nil && !a.wallet.big && !forceAggNums {
		// on the Fix aggregates and the wallet's int64 coefficient (wideDec.num's), when
		// every step fits: the same exact values, rounded once
		if wc, ok := a.wallet.w.Int64(); ok {
			w, f := exact.FixNew(wc, a.wallet.w.Exp()), &a.agg
			cross, equity := f.crossQE.Sub(w), w.Add(f.isoSum).Sub(f.allQE)
			if cross.OK() && equity.OK() {
				c.cross = cross.Float()
				c.scale = math.Abs(f.crossQE.Float()) + math.Abs(a.fWallet) + 1
				c.equity = equity.Float()
				return c
			}
		}
	}
	g := a.aggNums()
	// exact.Of Nums: each result has the value of the Decimal expression (on int64
	// coefficients while it fits), rounded once to float64
	w := a.wallet.num()
	c.cross = g.crossQE.Sub(w).Float()
	c.scale = math.Abs(g.crossQE.Float()) + math.Abs(a.fWallet) + 1
	c.equity = w.Add(g.isoSum).Sub(g.allQE).Float()
	return c
}

// aggregates recomputes the decimal aggregates from scratch (for Check).
func (a *Account) aggregates() (crossQE, allQE, isoSum decimal.Decimal) {
	for k := range a.slots {
		s := &a.slots[k]
		qe := s.qty.Mul(s.entry)
		allQE = allQE.Add(qe)
		isoSum = isoSum.Add(s.isoW)
		if s.mode == Cross && !s.qty.IsZero() {
			crossQE = crossQE.Add(qe)
		}
	}
	return crossQE, allQE, isoSum
}
