package margin

import (
	"math"
	"testing"

	"github.com/shopspring/decimal"
)

// Margin add/remove on an isolated BTC long 1 @ 60,000 at 50x from a 2,000 wallet (isolated
// wallet 1,200, wallet 2,000 − 1,200 − 30 = 770).
//
// Removable maximum (docs/margin.md §6) = max(0, min(iso, iso + qty(mark − entry) − mark·|qty|/lev)):
// at mark 60,000: min(1,200, 1,200 + 0 − 1,200) = 0; at 61,000: min(1,200, 1,200 + 1,000 −
// 1,220) = 980. Removing 980 leaves 220 (LP (220 + 50 − 60,000)/(−0.995) = 60,030.15) and a
// wallet of 1,750, which is then the addable maximum (no cross positions, no orders). Adding
// it all leaves 1,970 (LP 57,980/0.995 = 58,271.36) and a wallet of 0.
func TestMarginAddRemove(t *testing.T) {
	a := newAcct(t, "2000", Isolated, 50)
	fill(t, a, 0, "1", "60000")
	eq(t, "wallet", a.Wallet(), "770")
	eq(t, "removable at entry", a.MaxRemovable(0), "0")
	isReject(t, a.AddMargin(0, d("-0.01")), ErrRemoveTooMuch)
	a.SetMark(0, 61000)
	eq(t, "removable at 61,000", a.MaxRemovable(0), "980")
	isReject(t, a.AddMargin(0, d("-980.01")), ErrRemoveTooMuch)
	must(t, a.AddMargin(0, d("-980")))
	check(t, a)
	eq(t, "isolated wallet", a.Position(0).IsolatedWallet, "220")
	eq(t, "wallet", a.Wallet(), "1750")
	lp, _ := a.LiquidationPriceOf(0)
	eq(t, "LP", lp, "60030.1507537688442211")
	eq(t, "addable", a.MaxAddable(), "1750")
	isReject(t, a.AddMargin(0, d("1750.01")), ErrInsufficientMargin)
	must(t, a.AddMargin(0, d("1750")))
	check(t, a)
	eq(t, "isolated wallet", a.Position(0).IsolatedWallet, "1970")
	eq(t, "wallet", a.Wallet(), "0")
	lp, _ = a.LiquidationPriceOf(0)
	eq(t, "LP", lp, "58271.3567839195979899")
	must(t, a.AddMargin(0, d("0")))
	isReject(t, a.AddMargin(1, d("1")), ErrNoPosition)
	c := newAcct(t, "2000", Cross, 50)
	fill(t, c, 0, "1", "60000")
	isReject(t, c.AddMargin(0, d("1")), ErrNotIsolated)
	eq(t, "removable in cross", c.MaxRemovable(0), "0")
}

// Every rejected action leaves the account exactly as it was.
func TestRejections(t *testing.T) {
	type state struct {
		p0, p1 Position
		w      string
		tot    Totals
	}
	snap := func(a *Account) state {
		return state{a.Position(0), a.Position(1), a.Wallet().String(), a.Totals()}
	}
	same := func(t *testing.T, name string, a *Account, before state) {
		t.Helper()
		after := snap(a)
		if after.w != before.w || !after.p0.Qty.Equal(before.p0.Qty) || !after.p1.Qty.Equal(before.p1.Qty) ||
			after.p0.Mode != before.p0.Mode || after.p1.Mode != before.p1.Mode ||
			after.p0.Leverage != before.p0.Leverage || after.p1.Leverage != before.p1.Leverage ||
			!after.p0.IsolatedWallet.Equal(before.p0.IsolatedWallet) || !after.p0.Entry.Equal(before.p0.Entry) ||
			!after.tot.Fees.Equal(before.tot.Fees) || !after.tot.RealizedPnL.Equal(before.tot.RealizedPnL) {
			t.Errorf("%s: state changed: %+v → %+v", name, before, after)
		}
		check(t, a)
	}
	a := newAcct(t, "1000", Cross, 20)
	order := func(i int, qty, price string, ro bool) error {
		_, err := a.Apply(i, Fill{Qty: d(qty), Price: d(price), FeeRate: taker, ReduceOnly: ro})
		return err
	}
	type rejection struct {
		name string
		do   func() error
		want error
	}
	rejectAll := func(cases []rejection) {
		t.Helper()
		for _, c := range cases {
			before := snap(a)
			isReject(t, c.do(), c.want)
			same(t, c.name, a, before)
		}
	}
	rejectAll([]rejection{
		{"step size", func() error { return order(0, "0.0005", "60000", false) }, ErrStepSize},
		{"tick size", func() error { return order(0, "0.01", "60000.05", false) }, ErrTickSize},
		{"min notional", func() error { return order(0, "0.001", "60000", false) }, ErrMinNotional},
		{"zero qty", func() error { return order(0, "0", "60000", false) }, ErrInvalidOrder},
		{"zero price", func() error { return order(0, "0.01", "0", false) }, ErrInvalidOrder},
		{"reduce-only when flat", func() error { return order(0, "0.01", "60000", true) }, ErrReduceOnly},
		{"insufficient margin", func() error { return order(0, "1", "60000", false) }, ErrInsufficientMargin},
		{"can-open insufficient", func() error { return a.CanOpen(0, d("0.4"), d("60000"), false) }, ErrInsufficientMargin},
		{"leverage 126", func() error { return a.SetLeverage(0, 126) }, ErrLeverageTooHigh},
		{"leverage 0", func() error { return a.SetLeverage(0, 0) }, ErrInvalidLeverage},
		{"add margin in cross", func() error { return a.AddMargin(0, d("1")) }, ErrNotIsolated},
	})
	// 0.3 BTC @ 60,000 at 20x: IM 900 + fee 9 = 909 <= 1,000.
	must(t, a.CanOpen(0, d("0.3"), d("60000"), false))
	fill(t, a, 0, "0.3", "60000")
	rejectAll([]rejection{
		{"reduce-only increase", func() error { return order(0, "0.01", "60000", true) }, ErrReduceOnly},
		{"reduce-only flip", func() error { return order(0, "-0.31", "60000", true) }, ErrReduceOnly},
		{"mode with position", func() error { return a.SetMode(0, Isolated) }, ErrModeChangeWithPosition},
		{"mode with orders", func() error {
			a.SetOpenOrders(1, 1, d("0"))
			defer a.SetOpenOrders(1, 0, d("0"))
			return a.SetMode(1, Isolated)
		}, ErrModeChangeWithOrders},
		// Lowering cross leverage to 1: IM 18,000 > wallet.
		{"cross leverage lowered beyond margin", func() error { return a.SetLeverage(0, 1) }, ErrInsufficientMargin},
	})
	// Reduce-only that reduces, below the min notional: allowed (0.001 × 60,000 = 60 < 100).
	if _, err := a.Apply(0, Fill{Qty: d("-0.001"), Price: d("60000"), FeeRate: taker, ReduceOnly: true}); err != nil {
		t.Errorf("reduce-only reduce: %v", err)
	}
	check(t, a)
	must(t, a.SetMode(0, Cross)) // no change needed: not an error

	// Isolated: leverage cannot be lowered with an open position, may be raised.
	b := newAcct(t, "10000", Isolated, 20)
	fill(t, b, 0, "1", "60000")
	before := snap(b)
	isReject(t, b.SetLeverage(0, 10), ErrLeverageReduceIsolated)
	same(t, "isolated lower", b, before)
	must(t, b.SetLeverage(0, 25))
	eq(t, "isolated wallet after raising", b.Position(0).IsolatedWallet, "3000")
	check(t, b)

	// Leverage capped by the bracket of the notional: at 100x, 10 BTC @ 60,000 = 600,000 is in
	// bracket 3 (max 75x): refused; 9 BTC (540,000, bracket 2, max 100x) passes; then 125x is
	// refused for that notional.
	c := newAcct(t, "100000", Cross, 100)
	before = snap(c)
	_, err := c.Apply(0, Fill{Qty: d("10"), Price: d("60000"), FeeRate: taker})
	isReject(t, err, ErrLeverageTooHigh)
	same(t, "leverage for notional", c, before)
	fill(t, c, 0, "9", "60000")
	isReject(t, c.SetLeverage(0, 125), ErrLeverageTooHigh)
	must(t, c.SetLeverage(0, 100))

	// Minimum quantity (a custom filter; the defaults have MinQty = StepSize).
	in := DefaultInstrument("BTCUSDT", 0, snap24, nil)
	in.MinQty = d("0.01")
	e, err := NewAccount(Config{Wallet: d("1000"), Instruments: []Instrument{in}})
	must(t, err)
	_, err = e.Apply(0, Fill{Qty: d("0.005"), Price: d("60000")})
	isReject(t, err, ErrMinQty)
	check(t, e)

	var re *RejectError
	err = b.SetLeverage(0, 10)
	if !asReject(err, &re) || re.Symbol != "BTCUSDT" || re.Action != "leverage" ||
		re.Error() != "margin: BTCUSDT leverage: margin: leverage cannot be lowered on an open isolated position" {
		t.Errorf("reject error %v", err)
	}
}

func asReject(err error, re **RejectError) bool {
	r, ok := err.(*RejectError)
	*re = r
	return ok
}

func TestNewAccountErrors(t *testing.T) {
	btc := DefaultInstrument("BTCUSDT", 0, snap24, nil)
	bad := btc
	bad.TickSize = decimal.Decimal{}
	broken := btc
	broken.Brackets = Table{}
	for name, cfg := range map[string]Config{
		"negative wallet": {Wallet: d("-1"), Instruments: []Instrument{btc}},
		"duplicate":       {Wallet: d("1"), Instruments: []Instrument{btc, btc}},
		"zero tick":       {Wallet: d("1"), Instruments: []Instrument{bad}},
		"no brackets":     {Wallet: d("1"), Instruments: []Instrument{broken}},
	} {
		if _, err := NewAccount(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// Partial close, flip and averaging, isolated and cross (fees 0.05% taker).
//
// Isolated, 20x, wallet 10,000: buy 1 @ 60,000 → isolated 3,000, wallet 6,970 (fee 30).
// Sell 0.4 @ 61,000: realized 0.4 × 1,000 = 400 into the isolated wallet (3,400), 0.4/1 of it
// (1,360) released → isolated 2,040; fee 12.2 → wallet 6,970 + 1,360 − 12.2 = 8,317.8.
// Sell 1 @ 59,000 (flip): close 0.6, realized −600 → isolated 1,440, all released → wallet
// 9,757.8; open short 0.4 @ 59,000, IM 0.4 × 59,000/20 = 1,180 → wallet 8,577.8; fee 29.5 →
// 8,548.3. Money: 10,000 − 200 − 71.7 = 9,728.3 = 8,548.3 + 1,180.
// Cross: the same fills leave the wallet at 10,000 + 400 − 600 − 71.7 = 9,728.3.
func TestPartialCloseFlipAverage(t *testing.T) {
	a := newAcct(t, "10000", Isolated, 20)
	fill(t, a, 0, "1", "60000")
	r := fill(t, a, 0, "-0.4", "61000")
	eq(t, "realized", r.RealizedPnL, "400")
	eq(t, "fee", r.Fee, "12.2")
	eq(t, "isolated", a.Position(0).IsolatedWallet, "2040")
	eq(t, "wallet", a.Wallet(), "8317.8")
	r = fill(t, a, 0, "-1", "59000")
	eq(t, "realized", r.RealizedPnL, "-600")
	eq(t, "qty", r.PositionQty, "-0.4")
	eq(t, "entry", r.EntryPrice, "59000")
	eq(t, "isolated", a.Position(0).IsolatedWallet, "1180")
	eq(t, "wallet", a.Wallet(), "8548.3")

	c := newAcct(t, "10000", Cross, 20)
	fill(t, c, 0, "1", "60000")
	fill(t, c, 0, "-0.4", "61000")
	fill(t, c, 0, "-1", "59000")
	eq(t, "cross wallet", c.Wallet(), "9728.3")
	eq(t, "cross isolated", c.Position(0).IsolatedWallet, "0")

	// Averaging: 1 @ 60,000 + 2 @ 60,000.1 → 180,000.2/3 = 60,000.0666666666666667.
	e := newAcct(t, "100000", Cross, 20)
	fill(t, e, 0, "1", "60000")
	r = fill(t, e, 0, "2", "60000.1")
	eq(t, "average entry", r.EntryPrice, "60000.0666666666666667")
	r = fill(t, e, 0, "-3", "60000")
	eq(t, "close", r.PositionQty, "0")
	// 3 × (60,000 − 60,000.0666666666666667) = −0.2000000000000001, booked to 8 decimals.
	eq(t, "realized", r.RealizedPnL, "-0.2")
	eq(t, "realized total", e.Totals().RealizedPnL, "-0.2")
}

// Bars straddling the threshold by one tick decide exactly. An isolated long 1 @ 60,000 with
// 3,235 of margin has LP (3,235 + 50 − 60,000)/(−0.995) = 56,715/0.995 = 57,000 exactly; a
// short 1 @ 60,000 with 3,265 has LP (3,265 + 50 + 60,000)/1.005 = 63,000 exactly. A cross
// long 1 @ 60,000 with wallet 3,235 (3,265 − fee 30) meets 3,235 + (P − 60,000) = 0.005 P − 50
// at P = 57,000; with ETH long 10 @ 3,000 beside it (50x, wallet 4,351 after fees), the
// threshold at BTC 57,000 is ETH X with 4,351 − 3,000 + 10(X − 3,000) = 235 + 0.04 X, i.e.
// X = 28,884/9.96 = 2,900.
func TestStraddleOneTick(t *testing.T) {
	long := newAcct(t, "10000", Isolated, 20)
	fill(t, long, 0, "1", "60000")
	must(t, long.AddMargin(0, d("235")))
	lp, _ := long.LiquidationPriceOf(0)
	eq(t, "long LP", lp, "57000")
	short := newAcct(t, "10000", Isolated, 20)
	fill(t, short, 0, "-1", "60000")
	must(t, short.AddMargin(0, d("265")))
	lp, _ = short.LiquidationPriceOf(0)
	eq(t, "short LP", lp, "63000")
	cross := newAcct(t, "3265", Cross, 20)
	fill(t, cross, 0, "1", "60000")
	lp, _ = cross.LiquidationPriceOf(0)
	eq(t, "cross LP", lp, "57000")
	pair := newAcct(t, "4396", Cross, 50)
	fill(t, pair, 0, "1", "60000")
	fill(t, pair, 1, "10", "3000")
	eq(t, "pair wallet", pair.Wallet(), "4351")

	for _, c := range []struct {
		name     string
		a        *Account
		from, to []float64
		hit      bool
		s        float64
	}{
		{"long one tick above", long, []float64{60000, nan}, []float64{57000.1, nan}, false, 0},
		{"long at the LP", long, []float64{60000, nan}, []float64{57000, nan}, true, 1},
		{"long one tick below", long, []float64{60000, nan}, []float64{56999.9, nan}, true, 3000 / 3000.1},
		{"long opens at the LP", long, []float64{57000, nan}, []float64{58000, nan}, true, 0},
		{"long opens one tick above", long, []float64{57000.1, nan}, []float64{58000, nan}, false, 0},
		{"short one tick below", short, []float64{60000, nan}, []float64{62999.9, nan}, false, 0},
		{"short at the LP", short, []float64{60000, nan}, []float64{63000, nan}, true, 1},
		{"cross one tick above", cross, []float64{60000, nan}, []float64{57000.1, nan}, false, 0},
		{"cross at the threshold", cross, []float64{60000, nan}, []float64{57000, nan}, true, 1},
		{"cross one tick below", cross, []float64{60000, nan}, []float64{56999.9, nan}, true, 3000 / 3000.1},
		{"pair ETH one tick above", pair, []float64{60000, 3000}, []float64{57000, 2900.1}, false, 0},
		{"pair at the threshold", pair, []float64{60000, 3000}, []float64{57000, 2900}, true, 1},
		{"pair ETH one tick below", pair, []float64{60000, 3000}, []float64{57000, 2899.9}, true, -1},
	} {
		s, ok := c.a.NextLiquidation(c.from, c.to)
		if ok != c.hit || (c.hit && c.s >= 0 && math.Abs(s-c.s) > 1e-9) {
			t.Errorf("%s: s=%v hit=%v, want s=%v hit=%v", c.name, s, ok, c.s, c.hit)
		}
		if ok && c.s < 0 && !(s > 0.99 && s < 1) {
			t.Errorf("%s: s=%v, want just below 1", c.name, s)
		}
	}
	// The tie executes: the long closes at 57,000 with 235 left = MM at 57,000, all of it the fee.
	out := long.Liquidate(0, PathPoint{From: []float64{60000, nan}, To: []float64{57000, nan}, S: 1}, nil)
	check(t, long)
	if len(out) != 1 {
		t.Fatalf("records %+v", out)
	}
	eq(t, "tie fee", out[0].Fee, "235")
	eq(t, "tie price", out[0].Price, "57000")
}

// Auto-add margin rescues an isolated long at its liquidation price when the wallet allows:
// at LP 59,045.2261 (50x, isolated 1,200, wallet 770 + 7,000 = 7,770), MM = 245.2261 and
// uPnL = −954.7739; the target ratio 0.5 needs an isolated wallet of 2 × 245.2261 + 954.7739 =
// 1,445.2261306532663317, so 245.22613066 (rounded up to 8 places) is added. The position
// survives; the new LP is (1,445.22613066 + 50 − 60,000)/(−0.995) = 58,798.77.
func TestAutoAddMargin(t *testing.T) {
	b := DefaultBook()
	a, err := NewAccount(Config{Wallet: d("9000"), AutoAddMargin: true,
		Instruments: []Instrument{DefaultInstrument("BTCUSDT", 0, snap24, b)}})
	must(t, err)
	must(t, a.SetMode(0, Isolated))
	must(t, a.SetLeverage(0, 50))
	fill(t, a, 0, "1", "60000")
	from, to := []float64{60000}, []float64{58000}
	s, ok := a.NextLiquidation(from, to)
	if !ok {
		t.Fatal("not due")
	}
	out := a.Liquidate(0, PathPoint{From: from, To: to, S: s}, nil)
	check(t, a)
	if len(out) != 0 {
		t.Fatalf("liquidated despite auto-add: %+v", out)
	}
	eq(t, "isolated", a.Position(0).IsolatedWallet, "1445.22613066")
	eq(t, "wallet", a.Wallet(), "7524.77386934")
	lp, _ := a.LiquidationPriceOf(0)
	if lp.Round(2).String() != "58798.77" {
		t.Errorf("LP %s", lp)
	}
	// The rest of the path is screened again: down to 58,900 the new LP is not reached, down
	// to 58,000 it is (and the caller liquidates or tops up again).
	if _, ok := a.NextLiquidation([]float64{a.Mark(0)}, []float64{58900}); ok {
		t.Error("due again above the new LP")
	}
	if _, ok := a.NextLiquidation([]float64{a.Mark(0)}, to); !ok {
		t.Error("not due below the new LP")
	}
	// Without enough in the wallet the position is liquidated.
	p, err := NewAccount(Config{Wallet: d("1230"), AutoAddMargin: true,
		Instruments: []Instrument{DefaultInstrument("BTCUSDT", 0, snap24, b)}})
	must(t, err)
	must(t, p.SetMode(0, Isolated))
	must(t, p.SetLeverage(0, 50))
	fill(t, p, 0, "1", "60000")
	s, _ = p.NextLiquidation(from, to)
	if out := p.Liquidate(0, PathPoint{From: from, To: to, S: s}, nil); len(out) != 1 {
		t.Errorf("poor account not liquidated: %+v", out)
	}
	check(t, p)
}

// Isolated margin comes out of the wallet, not out of cross profit. ETH cross long 1 @ 3,000
// at 20x (fee 1.5 → wallet 998.5), marked at 4,000: available = 998.5 + 1,000 − 4,000/20 =
// 1,798.5, but MaxAddable = min(998.5 − ETH MM 0.004 × 4,000, 1,798.5) = 982.5. A BTC order of
// 0.02 @ 60,000 at 1x costs 1,200 + fee 0.6: refused in isolated mode, accepted in cross mode.
func TestIsolatedOpenNeedsWallet(t *testing.T) {
	a := newAcct(t, "1000", Cross, 20)
	fill(t, a, 1, "1", "3000")
	a.SetMark(1, 4000)
	eq(t, "available", a.Available(), "1798.5")
	must(t, a.SetMode(0, Isolated))
	must(t, a.SetLeverage(0, 1))
	eq(t, "addable", a.MaxAddable(), "982.5")
	isReject(t, a.CanOpen(0, d("0.02"), d("60000"), false), ErrInsufficientMargin)
	must(t, a.SetMode(0, Cross))
	must(t, a.CanOpen(0, d("0.02"), d("60000"), false))
	fill(t, a, 0, "0.02", "60000")
	// cross: 998.5 − 0.6 = 997.9; available 997.9 + 1,000 − 200 − 1,200 = 597.9
	eq(t, "available after", a.Available(), "597.9")
}
