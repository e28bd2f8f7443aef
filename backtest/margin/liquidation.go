package margin

import (
	"fmt"
	"math"

	"github.com/bt-backtest/bt/internal/exact"
	"github.com/shopspring/decimal"
)

// QuotientPlaces is the number of decimal places kept by the divisions of this package whose
// results are not money moved between wallets: liquidation and bankruptcy prices, and entry
// prices averaged over several fills. Binance's calculator shows liquidation prices with 2
// decimals; LiqResult keeps 16 and callers round for display.
const QuotientPlaces = 16

// MoneyPlaces is the number of decimal places of every amount this package books: USDT's 8
// decimals. Realized PnL, trading fees, funding payments and clearance fees are rounded to it
// half away from zero (money); initial margin moved into an isolated wallet and margin
// released pro rata on a partial close are divided to it; insurance draws follow from these
// exactly. So the running totals and the wallets stay on the 1e-8 grid (given an initial
// wallet on it) and conservation holds exactly, without sub-unit dust.
const MoneyPlaces = 8

// money rounds a booked amount to MoneyPlaces, half away from zero.
func money(x decimal.Decimal) decimal.Decimal { return x.Round(MoneyPlaces) }

var (
	one  = decimal.NewFromInt(1)
	zero = decimal.Decimal{}
)

// LiquidationPrice computes the one-way liquidation price as Binance's calculator does
// (docs/margin.md §4):
//
//	LP = (WB − TMM1 + UPNL1 + cum − side·Q·EP) / (Q·MMR − side·Q)
//
// with WB the isolated wallet (isolated; OtherMM = OtherPnL = 0) or the cross wallet balance
// (cross; OtherMM and OtherPnL of the other cross positions at their current marks). It is
// the mark price at which margin balance equals maintenance margin.
//
// Without an MMR/Cum override the bracket is re-checked: the formula is evaluated with the
// bracket that holds the notional Q·LP, as Binance's FAQ prescribes. Because the maintenance
// margin is continuous and the margin balance moves faster than it, exactly one bracket is
// consistent (two adjacent ones give the same price at a floor); it is found by starting from
// the bracket of Q·EP and moving to the bracket of the resulting notional until it is stable,
// with a scan of all brackets as a fallback. The bankruptcy price uses MMR = cum = TMM1 = 0.
//
// Prices are rounded to QuotientPlaces decimals; Price may be <= 0 (Binance shows "--").
// With overrides, both MMR and Cum must be given and Bracket is 0. Errors wrap
// ErrInvalidInput or ErrBadBrackets.
func LiquidationPrice(in LiqInput) (LiqResult, error) {
	if in.Side != 1 && in.Side != -1 {
		return LiqResult{}, fmt.Errorf("%w: side %d, want +1 (long) or -1 (short)", ErrInvalidInput, in.Side)
	}
	if !in.Qty.IsPositive() {
		return LiqResult{}, fmt.Errorf("%w: quantity %s must be > 0", ErrInvalidInput, in.Qty)
	}
	if !in.Entry.IsPositive() {
		return LiqResult{}, fmt.Errorf("%w: entry price %s must be > 0", ErrInvalidInput, in.Entry)
	}
	if (in.MMR == nil) != (in.Cum == nil) {
		return LiqResult{}, fmt.Errorf("%w: give both MMR and cum, or neither", ErrInvalidInput)
	}
	if in.MMR == nil {
		if err := in.Brackets.Validate(); err != nil {
			return LiqResult{}, err
		}
	}
	return liquidationPrice(in)
}

// LiquidationPriceFloat is the float64 counterpart of LiquidationPrice, for per-bar estimates
// (the engine's cross liquidation price of a trade at a bar's close): the same formula
//
//	LP = (WB − TMM1 + UPNL1 + cum − side·Q·EP) / (Q·MMR − side·Q)
//
// evaluated with the bracket of the current notional Q·Mark and re-checked, while the LP is
// positive, with the bracket that holds Q·LP until the bracket is stable. It agrees with
// LiquidationPrice to float64 rounding (TestLiquidationPriceFloatAgrees); a result <= 0 means
// there is none, as with LiquidationPrice. It does not allocate. No ledger decision rests on
// it.
func LiquidationPriceFloat(in FloatLiqInput) float64 {
	side, q := float64(in.Side), in.Qty
	base := in.Wallet - in.OtherMM + in.OtherPnL
	solve := func(b FloatBracket) float64 {
		return (base + b.Cum - float64(side*q*in.Entry)) / (float64(q*b.MMR) - float64(side*q))
	}
	b := in.Brackets.For(float64(q * in.Mark))
	lp := solve(b)
	for range len(in.Brackets) {
		n := 0.0 // a non-positive LP falls in bracket 1, as in LiquidationPrice
		if lp > 0 {
			n = float64(q * lp)
		}
		next := in.Brackets.For(n)
		if next == b {
			break
		}
		b = next
		lp = solve(b)
	}
	return lp
}

// LiquidationDistance returns the relative distance |mark − lp| / mark from a mark to a
// liquidation price, 1 when there is no liquidation price (lp <= 0 or NaN) or no mark. It is
// the engine's Trade.MinLiqDistance measure, a float64 estimate by definition.
func LiquidationDistance(mark, lp float64) float64 {
	if lp > 0 && mark > 0 {
		return math.Abs(mark-lp) / mark
	}
	return 1
}

// liquidationPrice is LiquidationPrice without the input checks and the validation of the
// table, for Account, whose tables are validated once by NewAccount (Validate costs more than
// the formula). Its input must pass LiquidationPrice's checks.
func liquidationPrice(in LiqInput) (LiqResult, error) {
	side := decimal.NewFromInt(int64(in.Side))
	// base = WB − TMM1 + UPNL1 − side·Q·EP; LP = (base + cum) / (Q·MMR − side·Q)
	base := in.Wallet.Sub(in.OtherMM).Add(in.OtherPnL).Sub(side.Mul(in.Qty).Mul(in.Entry))
	solve := func(mmr, cum decimal.Decimal) (decimal.Decimal, bool) {
		den := in.Qty.Mul(mmr.Sub(side))
		if den.IsZero() {
			return zero, false
		}
		return base.Add(cum).DivRound(den, QuotientPlaces), true
	}
	bpBase := in.Wallet.Add(in.OtherPnL).Sub(side.Mul(in.Qty).Mul(in.Entry))
	bp := bpBase.DivRound(in.Qty.Mul(side.Neg()), QuotientPlaces)

	if in.MMR != nil {
		lp, ok := solve(*in.MMR, *in.Cum)
		if !ok {
			return LiqResult{}, fmt.Errorf("%w: MMR %s makes the formula singular", ErrInvalidInput, *in.MMR)
		}
		return LiqResult{Price: lp, Bankruptcy: bp,
			MaintenanceMargin: notionalAt(in.Qty, lp).Mul(*in.MMR).Sub(*in.Cum),
			MMR:               *in.MMR, Cum: *in.Cum}, nil
	}
	t := in.Brackets
	consistent := func(k int) (decimal.Decimal, bool) {
		lp, ok := solve(t[k].MMR, t[k].Cum)
		if !ok {
			return zero, false
		}
		return lp, t.index(notionalAt(in.Qty, lp)) == k
	}
	k := t.index(in.Qty.Mul(in.Entry))
	for range len(t) {
		lp, ok := solve(t[k].MMR, t[k].Cum)
		if !ok {
			break
		}
		next := t.index(notionalAt(in.Qty, lp))
		if next == k {
			return result(t[k], lp, bp, in.Qty), nil
		}
		k = next
	}
	for k := range t { // cannot happen with a valid table; kept as a safety net
		if lp, ok := consistent(k); ok {
			return result(t[k], lp, bp, in.Qty), nil
		}
	}
	return LiqResult{}, fmt.Errorf("%w: no bracket is consistent with the liquidation price", ErrBadBrackets)
}

// isoLiqPrice is liquidationPrice(...).Price of an isolated position (OtherMM = OtherPnL = 0)
// of slot s's table: qty signed, qe = qty × entry (exact.Of), wallet its isolated wallet. It
// solves the same quotients with the same bracket search, so the price is the same (a
// DivRound quotient depends only on the values divided: base = wallet − qe is wallet −
// side·|qty|·entry), but it skips the bankruptcy price and the result's other fields, and
// takes the per-bracket MMR − side (slot.mmrLong, mmrShort) and every bracket figure's
// exact.Fix precomputed. ok is false when liquidationPrice would fail (impossible with a
// validated table). The price is returned as the quotient found (liqQuote: a Decimal made
// when read).
//
// The bracket of the price's notional is screened in float64 on the slot's float floors
// (bracketScreen), exactly only near a floor. lpf is the float64 nearest to the price
// (exact.Float64 of its Decimal), computed from the quotient's words.
func isoLiqPrice(s *slot, qty decimal.Decimal, qe exact.Num, wallet decimal.Decimal) (lp liqQuote, lpf float64, ok bool) {
	t := s.inst.Brackets
	mmrSide, mmrSideF := s.mmrLong, s.mmrLongF
	if qty.IsNegative() {
		mmrSide, mmrSideF = s.mmrShort, s.mmrShortF
	}
	qtyF := s.qtyC.of(qty)
	qf := qtyF.Abs()
	base := exact.Fix{} // wallet − qe on int64 coefficients when it fits
	if c, e, ok := qe.Small(); ok {
		wf := exact.Fix{}
		if wallet == s.isoW { // the position's isolated wallet (refreshSlot): its Fix is cached
			wf = s.isoWC.of(wallet)
		} else {
			wf = exact.FixOf(wallet)
		}
		base = wf.Sub(exact.FixNew(c, e))
	}
	qtyZero := qty.IsZero()
	solve := func(k int) (liqQuote, float64, bool) {
		if m := mmrSideF[k]; qtyZero || m.OK() && m.Sign() == 0 || !m.OK() && mmrSide[k].IsZero() { // Q·(MMR ∓ 1) = 0
			return liqQuote{}, math.NaN(), false
		}
		// (base + cum).DivRound(Q·(MMR ∓ 1), QuotientPlaces) on int64 coefficients
		if base.OK() && qf.OK() && s.cumF[k].OK() && mmrSideF[k].OK() {
			if hi, lo, neg, ok := sumQuoCoef(base.Num(), s.cumF[k].Num(), qf.Num(), mmrSideF[k].Num(), QuotientPlaces); ok {
				return liqQuote{hi: hi, lo: lo, neg: neg}, exact.Float128(hi, lo, neg, -QuotientPlaces), true
			}
		}
		lp := sumQuo(wallet.Sub(qe.Dec()), t[k].Cum, qty.Abs(), mmrSide[k], QuotientPlaces)
		return liqQuote{dec: true, d: lp}, exact.Float64(lp), true
	}
	// the bracket of notional |qty|·lp (lp <= 0: bracket 1)
	bracketAt := func(lp liqQuote, lpf float64) int {
		if !lp.positive() {
			return t.index(zero)
		}
		if qf.OK() {
			if k, ok := bracketScreen(s.ffloor, float64(qf.Float()*lpf)); ok {
				return k
			}
		}
		return t.index(notionalAt(qty.Abs(), lp.Dec()))
	}
	k := -1
	if c, e, ok := qe.Small(); ok {
		k = tableIndexFix(s.floorF, exact.FixNew(c, e).Abs())
	}
	if k < 0 {
		k = t.index(qe.Dec().Abs())
	}
	for range len(t) {
		lp, lpf, ok := solve(k)
		if !ok {
			break
		}
		next := bracketAt(lp, lpf)
		if next == k {
			return lp, lpf, true
		}
		k = next
	}
	for k := range t { // cannot happen with a valid table; kept as a safety net
		if lp, lpf, ok := solve(k); ok && bracketAt(lp, lpf) == k {
			return lp, lpf, true
		}
	}
	return liqQuote{dec: true, d: zero}, math.NaN(), false
}

// liqQuote is a liquidation price as isoLiqPrice finds it: the 128-bit quotient
// ±(hi·2^64 + lo)·10^−QuotientPlaces, or the Decimal d (dec) when it took the decimal
// expression. Dec makes it a Decimal (exact.Dec128, the Decimal sumQuo gives).
type liqQuote struct {
	hi, lo   uint64
	neg, dec bool
	d        decimal.Decimal
}

// Dec is the price as a Decimal.
func (q liqQuote) Dec() decimal.Decimal {
	if q.dec {
		return q.d
	}
	return exact.Dec128(q.hi, q.lo, q.neg, -QuotientPlaces)
}

// positive is q.Dec().IsPositive().
func (q liqQuote) positive() bool {
	if q.dec {
		return q.d.IsPositive()
	}
	return !q.neg && q.hi|q.lo != 0
}

// tableIndexFix is the bracket table's index(n) for n >= 0 on its floors as exact.Fix
// (slot.floorF), or -1 when a floor cannot be compared with n on int64 coefficients.
func tableIndexFix(floorF []exact.Fix, n exact.Fix) int {
	k := 0
	for j := 1; j < len(floorF); j++ {
		c, ok := n.Cmp(floorF[j])
		if !ok {
			return -1
		}
		if c < 0 {
			break
		}
		k = j
	}
	return k
}

// notionalAt is Q·max(P, 0): a non-positive liquidation price falls in bracket 1.
func notionalAt(q, p decimal.Decimal) decimal.Decimal {
	if !p.IsPositive() {
		return zero
	}
	return q.Mul(p)
}

func result(b Bracket, lp, bp, q decimal.Decimal) LiqResult {
	return LiqResult{Price: lp, Bankruptcy: bp,
		MaintenanceMargin: notionalAt(q, lp).Mul(b.MMR).Sub(b.Cum),
		MMR:               b.MMR, Cum: b.Cum, Bracket: b.Bracket}
}

// hedgeLiqInput is the input of the general liquidation-price formula with both legs of one
// symbol open in hedge mode, cross margin (docs/margin.md §4.1).
type hedgeLiqInput struct {
	Long, LongEntry   decimal.Decimal // LONG leg: size > 0, entry
	Short, ShortEntry decimal.Decimal // SHORT leg: absolute size > 0, entry
	Wallet            decimal.Decimal // the cross wallet balance
	OtherMM, OtherPnL decimal.Decimal // TMM1, UPNL1: the other symbols' cross positions
	Brackets          Table
}

// hedgeLiquidationPrice is Binance's general formula (docs/margin.md §4.1) with both legs of
// contract 1 open, L long at EPL and S short at EPS:
//
//	LP = (WB − TMM1 + UPNL1 + cumL + cumS − L·EPL + S·EPS) / (L·MMRL + S·MMRS − L + S)
//
// the mark at which WB + UPNL1 + L·(P − EPL) − S·(P − EPS) = TMM1 + MM_L(P) + MM_S(P). Each leg
// takes the bracket of its own notional at the LP (L·LP, S·LP: a [bt] choice, the reference is
// unclear), re-checked as in LiquidationPrice: from the brackets of the entry notionals, move
// to those of the resulting notionals until both are stable, with a scan of all pairs as a
// fallback. The bankruptcy price is the formula with MMR = cum = TMM1 = 0, (WB + UPNL1 − L·EPL
// + S·EPS) / (S − L); with L = S the pair has no price risk and no bankruptcy price (0). The
// result's MMR, Cum and Bracket are the LONG leg's; MaintenanceMargin is both legs' at the LP.
func hedgeLiquidationPrice(in hedgeLiqInput) (LiqResult, error) {
	t := in.Brackets
	base := in.Wallet.Sub(in.OtherMM).Add(in.OtherPnL).Sub(in.Long.Mul(in.LongEntry)).Add(in.Short.Mul(in.ShortEntry))
	solve := func(kl, ks int) (decimal.Decimal, bool) {
		den := in.Long.Mul(t[kl].MMR.Sub(one)).Add(in.Short.Mul(t[ks].MMR.Add(one)))
		if den.IsZero() {
			return zero, false
		}
		return base.Add(t[kl].Cum).Add(t[ks].Cum).DivRound(den, QuotientPlaces), true
	}
	var bp decimal.Decimal
	if d := in.Short.Sub(in.Long); !d.IsZero() {
		bp = in.Wallet.Add(in.OtherPnL).Sub(in.Long.Mul(in.LongEntry)).Add(in.Short.Mul(in.ShortEntry)).
			DivRound(d, QuotientPlaces)
	}
	res := func(kl, ks int, lp decimal.Decimal) LiqResult {
		mm := notionalAt(in.Long, lp).Mul(t[kl].MMR).Sub(t[kl].Cum).
			Add(notionalAt(in.Short, lp).Mul(t[ks].MMR).Sub(t[ks].Cum))
		return LiqResult{Price: lp, Bankruptcy: bp, MaintenanceMargin: mm, MMR: t[kl].MMR, Cum: t[kl].Cum,
			Bracket: t[kl].Bracket}
	}
	kl, ks := t.index(in.Long.Mul(in.LongEntry)), t.index(in.Short.Mul(in.ShortEntry))
	for range 2 * len(t) {
		lp, ok := solve(kl, ks)
		if !ok {
			break
		}
		nl, ns := t.index(notionalAt(in.Long, lp)), t.index(notionalAt(in.Short, lp))
		if nl == kl && ns == ks {
			return res(kl, ks, lp), nil
		}
		kl, ks = nl, ns
	}
	for kl := range t {
		for ks := range t {
			if lp, ok := solve(kl, ks); ok && t.index(notionalAt(in.Long, lp)) == kl && t.index(notionalAt(in.Short, lp)) == ks {
				return res(kl, ks, lp), nil
			}
		}
	}
	return LiqResult{}, fmt.Errorf("%w: no bracket pair is consistent with the liquidation price", ErrBadBrackets)
}

// HedgeFloatLiqInput is the input of HedgeLiquidationPriceFloat: both legs of one symbol in
// hedge mode, cross margin, in float64.
type HedgeFloatLiqInput struct {
	Long, LongEntry   float64 // LONG leg size (> 0) and entry
	Short, ShortEntry float64 // SHORT leg absolute size (> 0) and entry
	Wallet            float64 // the cross wallet balance
	OtherMM, OtherPnL float64 // TMM1 and UPNL1 of the other symbols' cross positions
	Mark              float64 // the bracket search starts from the legs' notionals at it
	Brackets          FloatTable
}

// HedgeLiquidationPriceFloat is the float64 counterpart of the general formula with both legs
// (docs/margin.md §4.1), the shared liquidation price of a symbol's two cross legs, for
// per-bar estimates: LiquidationPriceFloat's bracket re-check on each leg's own notional. It
// does not allocate; a result <= 0 means there is none.
func HedgeLiquidationPriceFloat(in HedgeFloatLiqInput) float64 {
	base := in.Wallet - in.OtherMM + in.OtherPnL - float64(in.Long*in.LongEntry) + float64(in.Short*in.ShortEntry)
	solve := func(bl, bs FloatBracket) float64 {
		return (base + bl.Cum + bs.Cum) / (float64(in.Long*(bl.MMR-1)) + float64(in.Short*(bs.MMR+1)))
	}
	bl, bs := in.Brackets.For(float64(in.Long*in.Mark)), in.Brackets.For(float64(in.Short*in.Mark))
	lp := solve(bl, bs)
	for range 2 * len(in.Brackets) {
		nl, ns := 0.0, 0.0
		if lp > 0 {
			nl, ns = float64(in.Long*lp), float64(in.Short*lp)
		}
		xl, xs := in.Brackets.For(nl), in.Brackets.For(ns)
		if xl == bl && xs == bs {
			break
		}
		bl, bs = xl, xs
		lp = solve(bl, bs)
	}
	return lp
}
