package backtest

import (
	"math"
	"math/bits"

	"github.com/bt-backtest/bt/internal/exact"
	"github.com/shopspring/decimal"
)

// The engine's own exact fast paths (the shared ones are in package exact). Each returns what
// the decimal expression named in its comment returns, the same value and the same exponent,
// computed on int64 coefficients when every operand's coefficient has at most 18 digits and
// the result fits; otherwise it evaluates that expression.

// decMin is decimal.Min(x, y): y when it is smaller, else x.
func decMin(x, y decimal.Decimal) decimal.Decimal {
	if exact.Cmp(y, x) < 0 {
		return y
	}
	return x
}

// quoIntPos is x.DivRound(decimal.NewFromInt(n), places) for x = c·10^e > 0 and n > 0: the
// quotient of up to 128 bits rounded half away from zero by the exact remainder, as DivRound
// rounds; ok is false when the operands are out of the int64 path's range.
func quoIntPos(c int64, e int32, n int64, places int32) (decimal.Decimal, bool) {
	qh, ql, ok := quoIntPosWords(c, e, n, places)
	if !ok {
		return decimal.Decimal{}, false
	}
	return exact.Dec128(qh, ql, false, -places), true
}

// quoIntPosWords is quoIntPos's quotient as its coefficient's words qh·2^64 + ql (exponent
// −places), without the Decimal; ok is false where quoIntPos's is (a zero quotient included).
func quoIntPosWords(c int64, e int32, n int64, places int32) (qh, ql uint64, ok bool) {
	if c <= 0 || n <= 0 || bits.UintSize != 64 {
		return 0, 0, false
	}
	qh, ql, ok = exact.QuoRound(uint64(c), uint64(n), int64(e)+int64(places))
	if !ok || qh == 0 && ql == 0 { // DivRound's zero: leave it to the expression
		return 0, 0, false
	}
	return qh, ql, true
}

// bigFloat is exact.Float64(x) (the float64 nearest to x, as InexactFloat64) for an x whose
// coefficient may pass int64, such as an isolated liquidation price at 16 decimals: a
// longer coefficient's copy read as up to 128 bits and converted by exact.Float128 instead of
// Float64's decimal string. Every path rounds correctly, so the results are the same.
func bigFloat(x decimal.Decimal) float64 {
	if x.NumDigits() <= 18 {
		return exact.Float64(x) // its int64 paths, without a copy
	}
	c := x.Coefficient()
	w := c.Bits()
	switch {
	case len(w) == 0:
		return 0
	case len(w) == 1 && bits.UintSize == 64:
		return exact.Float128(0, uint64(w[0]), c.Sign() < 0, x.Exponent())
	case len(w) == 2 && bits.UintSize == 64:
		return exact.Float128(uint64(w[1]), uint64(w[0]), c.Sign() < 0, x.Exponent())
	}
	return exact.Float64(x)
}

// cmpNum is x.Cmp(y) for Nums made by exact.Of (always comparable).
func cmpNum(x, y exact.Num) int {
	c, _ := x.Cmp(y)
	return c
}

// pxMemo remembers, per symbol, what the order path last converted: the last two prices it
// took as decimals (their float64 bits and exact.FloatCoef's coefficient and exponent; bad:
// FloatCoef's ok was false), the tick read for onTickCoef's int64 path (grid, once gridSet;
// switchRules clears gridSet, as the tick may change with the date), and the last Decimal it
// made for a price on that grid (dc·10^de, once dSet). A swing flip converts the symbol's
// close for Submit's reference price of the exit and of the entry (marketRefCoef; its Decimal
// only when the ledger's Decimal check runs) and for updateOpenOrders while the entry waits, and the next bar's open (often the same float) for each fill's
// slippage: each float is read once, and a price that comes out the same coefficient and
// exponent is the same Decimal (Decimals are immutable: the records and the ledger may share
// it). openOrderIM keeps its last quotient the same way (im). The zero coefMemo holds
// FloatCoef(+0) = (0, 0, ok), right for the bits 0.
type pxMemo struct {
	coef    [2]coefMemo // the latest first
	grid    tickGrid
	gridSet bool
	dSet    bool
	de      int32
	dc      int64
	d       decimal.Decimal

	// openOrderIM's last quotient: the sum imC·10^imE of its terms over leverage imLev
	imSet bool
	imE   int32
	imC   int64
	imLev int64
	imHi  uint64 // the quotient's words (exponent −DivisionPrecision)
	imLo  uint64

	// the last trade price closeTrade made (tradePx): coefficient trC at exponent trE
	trSet bool
	trE   int32
	trC   int64
	tr    decimal.Decimal
}

// tradePx is x.Dec() for a trade's entry or exit price on symbol i, the symbol's last one
// made again when x has its coefficient and exponent (a flip's exit and the next trade's
// entry fill at one price: the closing trade's exit price is the next one's entry price).
// Decimals are immutable, so two records may share one.
func (a *account) tradePx(i int, x exact.Num) decimal.Decimal {
	c, e, ok := x.Small()
	if !ok {
		return x.Dec()
	}
	m := &a.syms[i].px
	if m.trSet && c == m.trC && e == m.trE {
		return m.tr
	}
	d := x.Dec()
	m.tr, m.trC, m.trE, m.trSet = d, c, e, true
	return d
}

// pxFix is px's exact.Fix for a price of symbol i: the coefficient and exponent onTickMemo
// made it from when px is the Decimal it made last (a fill at the slipped open), else FixOf.
func (a *account) pxFix(i int, px decimal.Decimal) exact.Fix {
	if m := &a.syms[i].px; m.dSet && px == m.d {
		return exact.FixNew(m.dc, m.de)
	}
	return exact.FixOf(px)
}

// cmpAbsFix is exact.CmpAbs(q, pos) for a q whose coefficient and exponent are qc and qe
// when qok, and a pos whose Fix is posF (its value and exponent, or no value).
func cmpAbsFix(q decimal.Decimal, qc int64, qe int32, qok bool, pos decimal.Decimal, posF exact.Fix) int {
	if qok {
		if pc, pe, ok := posF.Coef(); ok { // |qc|, |pc| < 2^63 (a Fix is never −2^63): the negations fit
			if c, ok := exact.FixNew(int64(exact.AbsU(qc)), qe).Cmp(exact.FixNew(int64(exact.AbsU(pc)), pe)); ok {
				return c
			}
		}
	}
	return exact.CmpAbs(q, pos)
}

// coefMemo is one float's exact.FloatCoef.
type coefMemo struct {
	bits uint64
	c    int64
	e    int32
	bad  bool
}

// floatCoef is exact.FloatCoef(f), remembered for symbol i's last two f.
func (a *account) floatCoef(i int, f float64) (int64, int32, bool) {
	m := &a.syms[i].px.coef
	b := math.Float64bits(f)
	if b == m[0].bits {
		return m[0].c, m[0].e, !m[0].bad
	}
	if b == m[1].bits {
		return m[1].c, m[1].e, !m[1].bad
	}
	c, e, ok := a.gridCoef(i, f)
	if !ok {
		c, e, ok = exact.FloatCoef(f)
	}
	m[1] = m[0]
	m[0] = coefMemo{bits: b, c: c, e: e, bad: !ok}
	return c, e, ok
}

// float64Pow10[k] is 10^k, exact in float64 for k <= 22.
var float64Pow10 = [23]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
	1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// gridCoef is exact.FloatCoef(f) for a price f > 0 on symbol i's tick grid (as the data's
// prices are), without formatting f: n, the nearest whole number of ticks to f, gives the
// decimal D = n·tick (at most 15 significant digits); when D reads back as f (CoefFloat rounds
// correctly), D is the shortest decimal that does (two different decimals of at most 15
// significant digits never read back as the same float64, so a shorter one would be D), and
// its digits without trailing zeros are FloatCoef's. ok is false off the grid or out of range:
// the caller formats f.
func (a *account) gridCoef(i int, f float64) (int64, int32, bool) {
	g := a.grid(i)
	E := int(g.te) + int(g.m) // tick = 10^E
	if !g.ok || !(f > 0) || E < -22 || E > 22 {
		return 0, 0, false
	}
	var x float64
	if E <= 0 {
		x = f * float64Pow10[-E]
	} else {
		x = f / float64Pow10[E]
	}
	n := math.Round(x)
	if !(n >= 1 && n < 1e15/float64(g.tc) && math.Abs(x-n) <= 1e-6) {
		return 0, 0, false
	}
	c, e := int64(n)*g.tc, g.te
	if exact.CoefFloat(c, e) != f {
		return 0, 0, false
	}
	for c%10 == 0 {
		c /= 10
		e++
	}
	return c, e, true
}

// grid is symbol i's tick as onTickCoef's int64 path reads it, read once.
func (a *account) grid(i int) tickGrid {
	m := &a.syms[i].px
	if !m.gridSet {
		m.grid, m.gridSet = gridOf(a.syms[i].inst.TickSize), true
	}
	return m.grid
}

// onTickMemo is onTickCoef(c, e, tick, r) for symbol i's tick, with the symbol's memo.
func (a *account) onTickMemo(i int, c int64, e int32, r tickRounding) (decimal.Decimal, bool) {
	n, ne, ok := a.grid(i).round(c, e, r)
	m := &a.syms[i].px
	if !ok {
		return decimal.Decimal{}, false
	}
	if !m.dSet || n != m.dc || ne != m.de {
		m.d, m.dc, m.de, m.dSet = decimal.New(n, ne), n, ne, true
	}
	return m.d, true
}

// marketRefCoef is marketRef(i)'s coefficient and exponent when its int64 path gives them
// (marketRef is then decimal.New(c, e), or the symbol's last one of that coefficient and
// exponent); ok is false where marketRef takes the decimal expression.
func (a *account) marketRefCoef(i int) (c int64, e int32, ok bool) {
	if c, e, ok := a.floatCoef(i, a.lastOf(i)); ok {
		return a.grid(i).round(c, e, tickNearest)
	}
	return 0, 0, false
}

// marketRef is onTick(decimal.NewFromFloat(a.lastOf(i)), tick, tickNearest) for symbol i: Submit's
// reference price of a market order, the close on today's tick.
func (a *account) marketRef(i int) decimal.Decimal {
	f := a.lastOf(i)
	if c, e, ok := a.floatCoef(i, f); ok {
		if d, ok := a.onTickMemo(i, c, e, tickNearest); ok {
			return d
		}
	}
	return onTick(decimal.NewFromFloat(f), a.syms[i].inst.TickSize, tickNearest)
}
