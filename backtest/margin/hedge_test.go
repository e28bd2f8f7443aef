package margin

import (
	"errors"
	"testing"
)

// newHedge returns a hedge-mode account with BTCUSDT (0) and ETHUSDT (1) as of snap24 (the
// 2024-10-24 tables: both symbols' brackets 1 and 2 are 0–50k at MMR 0.4%, cum 0, and
// 50k–600k at 0.5%, cum 50), both in margin mode m at leverage 20.
func newHedge(t *testing.T, wallet string, m Mode) *Account {
	t.Helper()
	b := DefaultBook()
	a, err := NewAccount(Config{Wallet: d(wallet), PositionMode: Hedge, Instruments: []Instrument{
		DefaultInstrument("BTCUSDT", 60000, snap24, b),
		DefaultInstrument("ETHUSDT", 3000, snap24, b),
	}})
	must(t, err)
	for i := range 2 {
		must(t, a.SetMode(i, m))
		must(t, a.SetLeverage(i, 20))
	}
	check(t, a)
	return a
}

// hfill books a fee-free fill on a leg and checks the invariants.
func hfill(t *testing.T, a *Account, i int, ps PositionSide, qty, price string) FillResult {
	t.Helper()
	r, err := a.Apply(i, Fill{Qty: d(qty), Price: d(price), PositionSide: ps})
	if err != nil {
		t.Fatal(err)
	}
	check(t, a)
	return r
}

// Both legs of BTCUSDT open, cross, with an ETHUSDT cross long beside them; fees 0.
//
//	wallet 10,000; BTC LONG 1 @ 60,000 (IM 3,000); BTC SHORT 0.5 @ 61,000 (IM 1,525, no open
//	loss: a short above the mark of 60,000); ETH LONG 10 @ 3,000 (IM 1,500).
//	marks BTC 60,500, ETH 2,900:
//	  uPnL LONG 1·(60,500 − 60,000) = 500; SHORT −0.5·(60,500 − 61,000) = 250; ETH −1,000
//	  MM LONG 60,500 in bracket 2: 60,500·0.5% − 50 = 252.5; SHORT 30,250 in bracket 1:
//	  30,250·0.4% = 121; ETH 29,000·0.4% = 116
//	  cross margin ratio (252.5 + 121 + 116) / (10,000 + 500 + 250 − 1,000) = 489.5 / 9,750
//	BTC's liquidation price, the general formula with both legs (docs/margin.md §4.1), TMM1 =
//	ETH's MM 116, UPNL1 = ETH's uPnL −1,000:
//	  from the entry brackets (LONG 60,000 → bracket 2, SHORT 30,500 → bracket 1):
//	  (10,000 − 116 − 1,000 + 50 + 0 − 60,000 + 30,500) / (0.005 + 0.5·0.004 − 1 + 0.5)
//	  = −20,566 / −0.493 = 41,716.02; the LONG leg's notional there is in bracket 1, so
//	  (10,000 − 116 − 1,000 − 60,000 + 30,500) / (0.004 + 0.002 − 0.5) = 20,616 / 0.494
//	  = 41,732.7935222672064777 (both legs' notionals in bracket 1: stable), the same for both
//	  legs. Check: at P = 41,732.79 the margin balance 10,000 − 1,000 + (P − 60,000) −
//	  0.5·(P − 61,000) = 0.5·P − 20,500 = 366.40 equals TMM1 + 0.006·P = 116 + 250.40.
//	bankruptcy price (MMR = cum = TMM1 = 0): (10,000 − 1,000 − 60,000 + 30,500) / (0.5 − 1)
//	  = 41,000.
func TestHedgeCrossBothLegs(t *testing.T) {
	a := newHedge(t, "10000", Cross)
	hfill(t, a, 0, Long, "1", "60000")
	hfill(t, a, 0, Short, "-0.5", "61000")
	hfill(t, a, 1, Long, "10", "3000")
	a.SetMark(0, 60500)
	a.SetMark(1, 2900)
	check(t, a)
	eq(t, "wallet", a.Wallet(), "10000")
	l, s := a.PositionOf(0, Long), a.PositionOf(0, Short)
	eq(t, "LONG qty", l.Qty, "1")
	eq(t, "LONG entry", l.Entry, "60000")
	eq(t, "SHORT qty", s.Qty, "-0.5")
	eq(t, "SHORT entry", s.Entry, "61000")
	if l.Side != Long || s.Side != Short {
		t.Errorf("sides %v %v", l.Side, s.Side)
	}
	sn := a.Snapshot()
	eq(t, "uPnL", sn.UnrealizedPnL, "-250")
	eq(t, "MM", sn.MaintenanceMargin, "489.5")
	if want := 489.5 / 9750; sn.CrossMarginRatio != want {
		t.Errorf("cross margin ratio %v, want %v", sn.CrossMarginRatio, want)
	}
	rl, ok := a.PositionRiskOf(0, Long)
	rs, ok2 := a.PositionRiskOf(0, Short)
	if !ok || !ok2 {
		t.Fatal("no risk figures")
	}
	eq(t, "LONG MM", rl.MaintenanceMargin, "252.5")
	eq(t, "SHORT MM", rs.MaintenanceMargin, "121")
	if rl.Bracket != 2 || rs.Bracket != 1 {
		t.Errorf("brackets LONG %d SHORT %d, want 2 and 1", rl.Bracket, rs.Bracket)
	}
	for _, r := range []PositionRisk{rl, rs} {
		eq(t, "LP", r.LiquidationPrice, "41732.7935222672064777")
		eq(t, "BP", r.BankruptcyPrice, "41000")
	}
	lp, _ := a.LegLiquidationPrice(0, Short)
	eq(t, "LegLiquidationPrice", lp, "41732.7935222672064777")
	// the float estimate the engine uses agrees
	f := HedgeLiquidationPriceFloat(HedgeFloatLiqInput{Long: 1, LongEntry: 60000, Short: 0.5, ShortEntry: 61000,
		Wallet: 10000, OtherMM: 116, OtherPnL: -1000, Mark: 60500, Brackets: a.Instrument(0).Brackets.Float()})
	if d := f - 41732.7935222672064777; d > 1e-9 || d < -1e-9 {
		t.Errorf("float LP %v", f)
	}
	// the account's margin ratio reaches 1 where the formula says, with ETH held at 2,900:
	// on a path to 41,000 the cross account is liquidated, both legs and ETH together
	from, to := []float64{60500, 2900}, []float64{41000, 2900}
	sAt, hit := a.NextLiquidation(from, to)
	if !hit {
		t.Fatal("no liquidation on the path to 41,000")
	}
	if p := 60500 + sAt*(41000-60500); p > 41732.80 || p < 41732.78 {
		t.Errorf("cross liquidation at mark %v, want 41,732.79", p)
	}
	recs := a.Liquidate(1, PathPoint{From: from, To: to, S: sAt}, nil)
	check(t, a)
	if len(recs) != 3 || recs[0].Side != Long || recs[1].Side != Short || recs[0].Cascade != 3 {
		t.Fatalf("liquidations %+v", recs)
	}
	for _, ps := range []PositionSide{Long, Short} {
		if !a.PositionOf(0, ps).Qty.IsZero() {
			t.Errorf("BTC %s not flat after the cross liquidation", ps)
		}
	}
}

// One isolated leg liquidated while the other survives. Wallet 10,000, BTCUSDT isolated at
// 20x, fees 0: LONG 1 @ 60,000 and SHORT 1 @ 60,000, each with its own isolated wallet of
// 3,000 (the cross wallet keeps 4,000). Each leg has its own LP with TMM = UPNL = 0:
//
//	LONG  (3,000 + 50 − 60,000) / (1·(0.005 − 1)) = 56,950 / 0.995 = 57,236.1809045226130653
//	SHORT (3,000 + 50 + 60,000) / (1·(0.005 + 1)) = 63,050 / 1.005 = 62,736.3184079601990050
//
// On a fall to 57,000 the LONG leg is liquidated at 57,236.1 (its LP on the 0.1 grid, down):
// realized 1·(57,236.1 − 60,000) = −2,763.9, leaving 236.1 of its 3,000, all of it taken by
// the clearance fee (min(236.1, 57,236.1 × 1.25%)), so nothing returns to the cross wallet,
// which stays 4,000. The SHORT leg stays open with its 3,000 and its LP.
func TestHedgeIsolatedLegLiquidatedOtherSurvives(t *testing.T) {
	a := newHedge(t, "10000", Isolated)
	hfill(t, a, 0, Long, "1", "60000")
	hfill(t, a, 0, Short, "-1", "60000")
	eq(t, "wallet", a.Wallet(), "4000")
	eq(t, "LONG isolated wallet", a.PositionOf(0, Long).IsolatedWallet, "3000")
	eq(t, "SHORT isolated wallet", a.PositionOf(0, Short).IsolatedWallet, "3000")
	lpL, _ := a.LegLiquidationPrice(0, Long)
	lpS, _ := a.LegLiquidationPrice(0, Short)
	eq(t, "LONG LP", lpL, "57236.1809045226130653")
	eq(t, "SHORT LP", lpS, "62736.318407960199005")
	from, to := []float64{60000, 3000}, []float64{57000, 3000}
	s, hit := a.NextLiquidation(from, to)
	if !hit {
		t.Fatal("no liquidation")
	}
	recs := a.Liquidate(1, PathPoint{From: from, To: to, S: s}, nil)
	check(t, a)
	if len(recs) != 1 || recs[0].Side != Long || recs[0].Mode != Isolated {
		t.Fatalf("liquidations %+v, want the LONG leg alone", recs)
	}
	r := recs[0]
	eq(t, "price", r.Price, "57236.1")
	eq(t, "realized", r.RealizedPnL, "-2763.9")
	eq(t, "clearance fee", r.Fee, "236.1")
	eq(t, "wallet", a.Wallet(), "4000")
	if !a.PositionOf(0, Long).Qty.IsZero() {
		t.Error("LONG leg not flat")
	}
	sh := a.PositionOf(0, Short)
	eq(t, "SHORT qty", sh.Qty, "-1")
	eq(t, "SHORT isolated wallet", sh.IsolatedWallet, "3000")
	lpS2, _ := a.LegLiquidationPrice(0, Short)
	eq(t, "SHORT LP after", lpS2, "62736.318407960199005")
	a.SetMark(0, 57000)
	if _, hit := a.NextLiquidation(nil, nil); hit {
		t.Error("the SHORT leg is due at 57,000")
	}
}

// The position mode cannot change with an open position (Binance -4068) or open orders
// (-4067), anywhere in the account; flat and without orders it can, and the legs appear or
// go. An order whose position side does not match the mode is refused (-4061).
func TestHedgePositionModeSwitch(t *testing.T) {
	b := DefaultBook()
	a, err := NewAccount(Config{Wallet: d("10000"), Instruments: []Instrument{
		DefaultInstrument("BTCUSDT", 60000, snap24, b), DefaultInstrument("ETHUSDT", 3000, snap24, b)}})
	must(t, err)
	if a.PositionMode() != OneWay {
		t.Fatal("default position mode is not one-way")
	}
	fill(t, a, 1, "1", "3000")
	err = a.SetPositionMode(Hedge)
	isReject(t, err, ErrPositionModeWithPosition)
	var re *RejectError
	if errors.As(err, &re) && (re.Symbol != "ETHUSDT" || re.Action != "position mode") {
		t.Errorf("reject %+v", re)
	}
	fill(t, a, 1, "-1", "3000")
	a.SetOpenOrders(0, 1, d("100"))
	isReject(t, a.SetPositionMode(Hedge), ErrPositionModeWithOrders)
	a.SetOpenOrders(0, 0, zero)
	must(t, a.SetPositionMode(Hedge))
	must(t, a.SetPositionMode(Hedge)) // no change: no error (Binance -4059)
	check(t, a)
	if a.PositionMode() != Hedge || a.Len() != 2 {
		t.Fatalf("mode %v, %d symbols", a.PositionMode(), a.Len())
	}
	_, err = a.Apply(0, Fill{Qty: d("0.01"), Price: d("60000")})
	isReject(t, err, ErrPositionSide) // hedge mode needs LONG or SHORT
	hfill(t, a, 0, Short, "-0.01", "60000")
	isReject(t, a.SetPositionMode(OneWay), ErrPositionModeWithPosition)
	hfill(t, a, 0, Short, "0.01", "60000")
	must(t, a.SetPositionMode(OneWay))
	check(t, a)
	_, err = a.Apply(0, Fill{Qty: d("0.01"), Price: d("60000"), PositionSide: Long})
	isReject(t, err, ErrPositionSide) // one-way mode takes BOTH only
	fill(t, a, 0, "0.01", "60000")
}

// Leg semantics: a buy opens LONG and reduces SHORT, a sell the reverse; a leg never flips
// (closing more than it holds, or a flat leg, is ErrReduceOnly); each leg has its own entry
// and realized PnL. Fees 0, cross, wallet 20,000:
//
//	LONG +1 @ 60,000, +1 @ 62,000 → 2 @ 61,000; SHORT −1 @ 61,000
//	sell 0.5 on LONG @ 63,000: realized 0.5·(63,000 − 61,000) = +1,000, LONG 1.5 @ 61,000
//	buy 1 on SHORT @ 60,000: realized −1·(60,000 − 61,000) = +1,000, SHORT flat
//	funding at mark 60,000, rate 0.0001: LONG 1.5 pays 1.5·60,000·0.0001 = 9
func TestHedgeLegs(t *testing.T) {
	a := newHedge(t, "20000", Cross)
	hfill(t, a, 0, Long, "1", "60000")
	hfill(t, a, 0, Long, "1", "62000")
	hfill(t, a, 0, Short, "-1", "61000")
	eq(t, "LONG entry", a.PositionOf(0, Long).Entry, "61000")
	_, err := a.Apply(0, Fill{Qty: d("-2.5"), Price: d("61000"), PositionSide: Long})
	isReject(t, err, ErrReduceOnly)
	_, err = a.Apply(1, Fill{Qty: d("1"), Price: d("3000"), PositionSide: Short})
	isReject(t, err, ErrReduceOnly)
	r := hfill(t, a, 0, Long, "-0.5", "63000")
	eq(t, "LONG realized", r.RealizedPnL, "1000")
	eq(t, "LONG qty", r.PositionQty, "1.5")
	r = hfill(t, a, 0, Short, "1", "60000")
	eq(t, "SHORT realized", r.RealizedPnL, "1000")
	eq(t, "wallet", a.Wallet(), "22000")
	var n int
	for p := range a.Positions() {
		n++
		if p.Side != Long {
			t.Errorf("open position %+v", p)
		}
	}
	if n != 1 {
		t.Errorf("%d open positions, want 1", n)
	}
	amt, err := a.Fund(0, 0, 0.0001, 60000)
	must(t, err)
	eq(t, "funding", amt, "-9")
	check(t, a)
	// legs share margin mode and leverage: neither changes with a leg open
	isReject(t, a.SetMode(0, Isolated), ErrModeChangeWithPosition)
	must(t, a.SetLeverage(0, 10))
	if a.PositionOf(0, Short).Leverage != 10 {
		t.Error("the SHORT leg did not follow the symbol's leverage")
	}
}

// Funding in hedge mode settles each leg from its own margin: LONG 1 and SHORT 0.5 isolated
// at mark 60,000, rate 0.0001: LONG pays 6 from its isolated wallet, SHORT receives 3 into
// its own; the cross wallet does not move.
func TestHedgeFundingPerLeg(t *testing.T) {
	a := newHedge(t, "10000", Isolated)
	hfill(t, a, 0, Long, "1", "60000")
	hfill(t, a, 0, Short, "-0.5", "60000")
	w := a.Wallet()
	amt, err := a.Fund(0, 0, 0.0001, 60000)
	must(t, err)
	eq(t, "net funding", amt, "-3")
	eq(t, "LONG isolated wallet", a.PositionOf(0, Long).IsolatedWallet, "2994")
	eq(t, "SHORT isolated wallet", a.PositionOf(0, Short).IsolatedWallet, "1503")
	eq(t, "cross wallet", a.Wallet(), w.String())
	amt, err = a.FundLeg(0, Short, 0, 0.0001, 60000)
	must(t, err)
	eq(t, "SHORT funding", amt, "3")
	_, err = a.FundLeg(0, Both, 0, 0.0001, 60000)
	isReject(t, err, ErrPositionSide)
	check(t, a)
}

// LoadAccount in hedge mode: holdings [i] LONG, [n+i] SHORT; legs in different margin modes or
// of the wrong sign are refused.
func TestHedgeLoadAccount(t *testing.T) {
	b := DefaultBook()
	cfg := Config{Wallet: d("10000"), PositionMode: Hedge, Instruments: []Instrument{DefaultInstrument("BTCUSDT", 60000, snap24, b)}}
	a, err := LoadAccount(cfg, []Holding{
		{Qty: d("1"), Entry: d("60000"), Mark: 60500},
		{Qty: d("-0.5"), Entry: d("61000"), Mark: 60500},
	})
	must(t, err)
	r, _ := a.PositionRiskOf(0, Short)
	// (10,000 − 60,000 + 30,500) / (0.004 + 0.002 − 0.5) = 19,500 / 0.494 (see TestHedgeCrossBothLegs)
	eq(t, "LP", r.LiquidationPrice, "39473.6842105263157895")
	eq(t, "BP", r.BankruptcyPrice, "39000")
	for name, h := range map[string][]Holding{
		"modes differ": {{Qty: d("1"), Entry: d("60000"), Mark: 60500},
			{Qty: d("-0.5"), Entry: d("61000"), Mark: 60500, Mode: Isolated, IsolatedWallet: d("100")}},
		"wrong sign":    {{Qty: d("-1"), Entry: d("60000"), Mark: 60500}, {}},
		"one-way count": {{Qty: d("1"), Entry: d("60000"), Mark: 60500}},
	} {
		if _, err := LoadAccount(cfg, h); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%s: error %v", name, err)
		}
	}
}

// SetMarks is SetMark for every symbol at once: in hedge mode both legs of each symbol take
// the row's mark. Two accounts holding the same four legs (BTC LONG 1 @ 60,000 and SHORT 0.5
// @ 61,000, ETH LONG 10 @ 3,000 and SHORT 4 @ 3,100), one marked symbol by symbol and one by
// rows, value alike after each row. Row 1 (BTC 60,500, ETH 2,900): uPnL 500 + 250 − 1,000 +
// 800 = 550; row 2 (59,500, 3,050): −500 + 750 + 500 + 200 = 950. A SHORT leg left at its
// previous mark would show in the sum (and in its liquidation price). A row of the wrong
// length is a caller's bug and panics.
func TestSetMarksIsSetMarkPerSymbol(t *testing.T) {
	one, rows := newHedge(t, "10000", Cross), newHedge(t, "10000", Cross)
	for _, a := range []*Account{one, rows} {
		hfill(t, a, 0, Long, "1", "60000")
		hfill(t, a, 0, Short, "-0.5", "61000")
		hfill(t, a, 1, Long, "10", "3000")
		hfill(t, a, 1, Short, "-4", "3100")
	}
	for _, c := range []struct {
		row  []float64
		upnl string
	}{{[]float64{60500, 2900}, "550"}, {[]float64{59500, 3050}, "950"}} {
		for i, m := range c.row {
			one.SetMark(i, m)
		}
		rows.SetMarks(c.row)
		want, got := one.Snapshot(), rows.Snapshot()
		if !got.UnrealizedPnL.Equal(d(c.upnl)) || !want.UnrealizedPnL.Equal(d(c.upnl)) {
			t.Fatalf("row %v: uPnL %v by rows, %v by symbol, want %s", c.row, got.UnrealizedPnL, want.UnrealizedPnL, c.upnl)
		}
		if !got.MaintenanceMargin.Equal(want.MaintenanceMargin) || got.CrossMarginRatio != want.CrossMarginRatio {
			t.Fatalf("row %v: MM %v, ratio %v by rows; %v, %v by symbol", c.row, got.MaintenanceMargin,
				got.CrossMarginRatio, want.MaintenanceMargin, want.CrossMarginRatio)
		}
		for i, m := range c.row {
			if got := rows.Mark(i); got != m {
				t.Fatalf("row %v: Mark(%d) = %v", c.row, i, got)
			}
			for _, ps := range []PositionSide{Long, Short} {
				lw, okw := one.LegLiquidationPrice(i, ps)
				lg, okg := rows.LegLiquidationPrice(i, ps)
				if okw != okg || !lw.Equal(lg) {
					t.Fatalf("row %v, symbol %d %v: liquidation price %v by rows, %v by symbol", c.row, i, ps, lg, lw)
				}
			}
		}
		if rows.Equity() != one.Equity() {
			t.Fatalf("row %v: equity %v by rows, %v by symbol", c.row, rows.Equity(), one.Equity())
		}
		check(t, rows)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("SetMarks with one mark for two symbols did not panic")
		}
	}()
	rows.SetMarks([]float64{60000})
}
