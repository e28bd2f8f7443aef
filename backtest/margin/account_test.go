package margin

import (
	"math"
	"testing"
)

// All scenarios use the 2024-10-24 tables: BTCUSDT bracket 1 0–50k 0.4% cum 0, bracket 2
// 50k–600k 0.5% cum 50; ETHUSDT bracket 1 0–50k 0.4% cum 0. Fees are taker 0.05%; the
// liquidation fee is 1.25%. Index 0 is BTCUSDT (tick 0.1), index 1 ETHUSDT (tick 0.1).

// openPair opens BTC long 1 @ 60,000 and ETH short 10 @ 3,000 at 50x from a 2,000 wallet.
//
//	isolated: BTC IM 1,200 + fee 30; ETH IM 600 + fee 15 → wallet 2,000 − 1,845 = 155
//	cross:    wallet 2,000 − 45 = 1,955
func openPair(t *testing.T, m Mode) *Account {
	a := newAcct(t, "2000", m, 50)
	fill(t, a, 0, "1", "60000")
	fill(t, a, 1, "-10", "3000")
	if m == Isolated {
		eq(t, "wallet", a.Wallet(), "155")
		eq(t, "BTC isolated wallet", a.Position(0).IsolatedWallet, "1200")
		eq(t, "ETH isolated wallet", a.Position(1).IsolatedWallet, "600")
	} else {
		eq(t, "wallet", a.Wallet(), "1955")
	}
	return a
}

// An isolated long is liquidated at its liquidation price while the wallet is untouched.
//
// BTC LP = (1,200 + 50 − 60,000)/(1 × (0.005 − 1)) = 58,750/0.995 = 59,045.2261306532663317
// (bracket 2). The path BTC 60,000 → 58,000 (ETH 3,000 → 2,900) reaches it at
// s = (60,000 − 59,045.2261)/2,000 = 0.4773869. The trigger mark is the exact LP; the long
// closes at the tick (0.1) at or below it, 59,045.2, realizing 59,045.2 − 60,000 = −954.8;
// the isolated wallet keeps 1,200 − 954.8 = 245.2 (MM at the LP, 245.2261, less the
// 0.0261 the tick rounding costs), all of which is the clearance fee (below 1.25% × 59,045.2
// = 738.065). The wallet stays at 155; the ETH short (LP (600 + 30,000)/10.04 = 3,047.81)
// survives.
func TestScenarioIsolatedLiquidationWalletUntouched(t *testing.T) {
	a := openPair(t, Isolated)
	lp, ok := a.LiquidationPriceOf(0)
	if !ok {
		t.Fatal("no LP")
	}
	eq(t, "BTC LP", lp, "59045.2261306532663317")
	lp, _ = a.LiquidationPriceOf(1)
	eq(t, "ETH LP", lp, "3047.8087649402390438")
	from, to := []float64{60000, 3000}, []float64{58000, 2900}
	s, ok := a.NextLiquidation(from, to)
	if !ok || math.Abs(s-0.47738693467336683) > 1e-12 {
		t.Fatalf("s = %v %v, want 0.4773869", s, ok)
	}
	out := a.Liquidate(7, from, to, s, false, nil)
	check(t, a)
	if len(out) != 1 {
		t.Fatalf("%d liquidations, want 1", len(out))
	}
	l := out[0]
	if l.Symbol != "BTCUSDT" || l.Mode != Isolated || l.Gap || l.Cascade != 1 || l.Time != 7 {
		t.Errorf("record %+v", l)
	}
	eq(t, "qty", l.Qty, "1")
	eq(t, "price", l.Price, "59045.2")
	eq(t, "trigger", l.TriggerMark, "59045.2261306532663317")
	eq(t, "bankruptcy", l.Bankruptcy, "58800")
	eq(t, "realized", l.RealizedPnL, "-954.8")
	eq(t, "margin lost", l.MarginLost, "954.8")
	eq(t, "fee", l.Fee, "245.2")
	eq(t, "insurance", l.InsuranceDraw, "0")
	eq(t, "wallet", a.Wallet(), "155")
	eq(t, "BTC qty", a.Position(0).Qty, "0")
	eq(t, "ETH isolated wallet", a.Position(1).IsolatedWallet, "600")
	tot := a.Totals()
	eq(t, "realized", tot.RealizedPnL, "-954.8")
	eq(t, "clearance", tot.ClearanceFees, "245.2")
	if _, ok := a.NextLiquidation(from, to); ok {
		t.Error("ETH should survive the same path")
	}
}

// The same positions in cross survive the same path because the ETH short's profit carries
// the BTC long: at BTC 58,000 / ETH 2,900 the margin balance is 1,955 − 2,000 + 1,000 = 955
// against MM 0.005 × 58,000 − 50 + 0.004 × 29,000 = 240 + 116 = 356 (ratio 0.3728).
//
// Without the profit (ETH stays at 3,000) the cross account dies on the same BTC path: BTC's
// cross LP is (1,955 − 120 + 0 + 50 − 60,000)/(−0.995) = 58,407.0351758793969849, reached at
// s = 1,585/1,990 = 0.7964824 (1,955 − 2,000 s = 250 − 10 s + 120). Both cross positions are
// closed at the marks at s rounded to the tick: BTC 58,407.0, ETH 3,000.0: realized −1,593.0;
// wallet 362; BTC's clearance fee min(362, 730.0875) = 362, ETH's 0. The cascade takes the
// ETH short too, although it lost nothing.
func TestScenarioCrossSurvivesOnOtherProfit(t *testing.T) {
	a := openPair(t, Cross)
	from, to := []float64{60000, 3000}, []float64{58000, 2900}
	if s, ok := a.NextLiquidation(from, to); ok {
		t.Fatalf("cross liquidated at s=%v", s)
	}
	a.SetMark(0, 58000)
	a.SetMark(1, 2900)
	sn := a.Snapshot()
	eq(t, "margin balance", sn.MarginBalance, "955")
	eq(t, "MM", sn.MaintenanceMargin, "356")
	eq(t, "uPnL", sn.UnrealizedPnL, "-1000")
	if math.Abs(sn.CrossMarginRatio-356.0/955) > 1e-12 || sn.MaxMarginRatio != sn.CrossMarginRatio {
		t.Errorf("ratio %v", sn.CrossMarginRatio)
	}
	if e := a.Equity(); math.Abs(e-955) > 1e-9 {
		t.Errorf("equity %v", e)
	}

	b := openPair(t, Cross)
	b.SetMark(0, 60000)
	b.SetMark(1, 3000)
	lp, _ := b.LiquidationPriceOf(0)
	eq(t, "BTC cross LP", lp, "58407.0351758793969849")
	from, to = []float64{60000, nan}, []float64{58000, nan}
	s, ok := b.NextLiquidation(from, to)
	if !ok || math.Abs(s-1585.0/1990) > 1e-12 {
		t.Fatalf("s = %v %v, want %v", s, ok, 1585.0/1990)
	}
	out := b.Liquidate(1, from, to, s, false, nil)
	check(t, b)
	if len(out) != 2 || out[0].Cascade != 2 || out[1].Symbol != "ETHUSDT" {
		t.Fatalf("records %+v", out)
	}
	eq(t, "BTC price", out[0].Price, "58407")
	eq(t, "ETH price", out[1].Price, "3000")
	eq(t, "BTC lost", out[0].MarginLost, "1593")
	eq(t, "ETH lost", out[1].MarginLost, "0")
	eq(t, "BTC fee", out[0].Fee, "362")
	eq(t, "ETH fee", out[1].Fee, "0")
	eq(t, "wallet", b.Wallet(), "0")
}

// A cross cascade: both positions move against the account (BTC 60,000 → 56,000, ETH
// 3,000 → 3,300). Along the path, margin balance 1,955 − 4,000 s − 3,000 s meets
// MM = 0.005(60,000 − 4,000 s) − 50 + 0.004 × 10 × (3,000 + 300 s) = 370 − 8 s at
// s = 1,585/6,992 = 0.2266876; marks BTC 59,093.2494, ETH 3,068.0063 → ticks against the
// positions: the BTC long down to 59,093.2, the ETH short up to 3,068.1. Realized −906.8 and
// 10 × (3,000 − 3,068.1) = −681 → wallet 1,955 − 1,587.8 = 367.2; BTC's fee
// min(367.2, 59,093.2 × 1.25%) = 367.2 and ETH's 0. Bankruptcy prices with the other at its
// liquidation price: BTC 60,000 − (1,955 − 681) = 58,726; ETH 3,000 + (1,955 − 906.8)/10 =
// 3,104.82.
func TestScenarioCrossCascade(t *testing.T) {
	a := openPair(t, Cross)
	from, to := []float64{60000, 3000}, []float64{56000, 3300}
	s, ok := a.NextLiquidation(from, to)
	if !ok || math.Abs(s-1585.0/6992) > 1e-12 {
		t.Fatalf("s = %v %v, want %v", s, ok, 1585.0/6992)
	}
	out := a.Liquidate(2, from, to, s, false, nil)
	check(t, a)
	if len(out) != 2 {
		t.Fatalf("%d records", len(out))
	}
	for _, l := range out {
		if l.Cascade != 2 || l.Mode != Cross || l.Gap {
			t.Errorf("record %+v", l)
		}
	}
	eq(t, "BTC price", out[0].Price, "59093.2")
	eq(t, "ETH price", out[1].Price, "3068.1")
	eq(t, "BTC lost", out[0].MarginLost, "906.8")
	eq(t, "ETH lost", out[1].MarginLost, "681")
	eq(t, "ETH realized", out[1].RealizedPnL, "-681")
	eq(t, "BTC fee", out[0].Fee, "367.2")
	eq(t, "ETH fee", out[1].Fee, "0")
	eq(t, "BTC bankruptcy", out[0].Bankruptcy, "58726")
	eq(t, "ETH bankruptcy", out[1].Bankruptcy, "3104.82")
	eq(t, "insurance", out[0].InsuranceDraw.Add(out[1].InsuranceDraw), "0")
	eq(t, "wallet", a.Wallet(), "0")
	if a.Mark(0) != float64((1-s)*60000)+float64(s*56000) || a.Mark(1) != float64((1-s)*3000)+float64(s*3300) {
		t.Errorf("marks not moved to s: %v %v", a.Mark(0), a.Mark(1))
	}
}

// A gap through the liquidation price draws on the insurance fund.
//
// Isolated: the step opens at BTC 58,000, below the LP 59,045.23: s = 0, the position closes
// at 58,000; realized −2,000 against an isolated wallet of 1,200: the fund covers 800, the fee
// is 0, the margin lost 1,200, the wallet stays 155.
//
// Cross: the step opens at BTC 56,000 and ETH 3,300: realized −4,000 − 3,000 = −7,000 against
// a wallet of 1,955: the fund covers 5,045 (on the first record), fees 0, wallet 0.
func TestScenarioGapInsuranceFund(t *testing.T) {
	a := openPair(t, Isolated)
	from, to := []float64{58000, 3000}, []float64{57000, 3000}
	s, ok := a.NextLiquidation(from, to)
	if !ok || s != 0 {
		t.Fatalf("s = %v %v, want a gap", s, ok)
	}
	out := a.Liquidate(3, from, to, s, true, nil)
	check(t, a)
	if len(out) != 1 || !out[0].Gap {
		t.Fatalf("records %+v", out)
	}
	eq(t, "price", out[0].Price, "58000")
	eq(t, "insurance", out[0].InsuranceDraw, "800")
	eq(t, "margin lost", out[0].MarginLost, "1200")
	eq(t, "fee", out[0].Fee, "0")
	eq(t, "wallet", a.Wallet(), "155")
	eq(t, "fund total", a.Totals().InsuranceDraws, "800")

	c := openPair(t, Cross)
	from, to = []float64{56000, 3300}, []float64{55000, 3400}
	s, ok = c.NextLiquidation(from, to)
	if !ok || s != 0 {
		t.Fatalf("cross s = %v %v", s, ok)
	}
	out = c.Liquidate(3, from, to, s, true, nil)
	check(t, c)
	if len(out) != 2 || !out[0].Gap || !out[1].Gap {
		t.Fatalf("records %+v", out)
	}
	eq(t, "cross insurance", out[0].InsuranceDraw, "5045")
	eq(t, "second record insurance", out[1].InsuranceDraw, "0")
	eq(t, "cross wallet", c.Wallet(), "0")
	eq(t, "fees", out[0].Fee.Add(out[1].Fee), "0")
}

// Funding moves an isolated liquidation price. BTC long 1 (isolated wallet 1,200, LP
// 59,045.23): a rate of +0.01% at mark 60,000 costs 6 → wallet 1,194 → LP 58,756/0.995 =
// 59,051.2562814070351759; then −0.03% at mark 59,500 pays 17.85 → 1,211.85 → LP
// 58,738.15/0.995 = 59,033.3165829145728643. The ETH short receives 10 × 3,000 × 0.01% = 3
// into its isolated wallet; in cross mode the same 3 goes to the wallet.
func TestScenarioFundingMovesIsolatedLP(t *testing.T) {
	a := openPair(t, Isolated)
	amt, err := a.Fund(0, 0, 0.0001, 60000)
	must(t, err)
	check(t, a)
	eq(t, "payment", amt, "-6")
	eq(t, "isolated wallet", a.Position(0).IsolatedWallet, "1194")
	lp, _ := a.LiquidationPriceOf(0)
	eq(t, "LP", lp, "59051.2562814070351759")
	amt, err = a.Fund(0, 0, -0.0003, 59500)
	must(t, err)
	check(t, a)
	eq(t, "payment", amt, "17.85")
	lp, _ = a.LiquidationPriceOf(0)
	eq(t, "LP", lp, "59033.3165829145728643")
	amt, err = a.Fund(1, 0, 0.0001, 3000)
	must(t, err)
	eq(t, "ETH payment", amt, "3")
	eq(t, "ETH isolated wallet", a.Position(1).IsolatedWallet, "603")
	eq(t, "wallet", a.Wallet(), "155")
	eq(t, "funding total", a.Totals().Funding, "14.85")
	check(t, a)

	c := openPair(t, Cross)
	amt, err = c.Fund(1, 0, 0.0001, nan) // NaN mark: the current mark (3,000, the fill price)
	must(t, err)
	eq(t, "cross payment", amt, "3")
	eq(t, "cross wallet", c.Wallet(), "1958")
	check(t, c)

	// A payment larger than the isolated wallet empties it, the rest comes from the wallet,
	// and the position is liquidated at the next screening (LP 59,950/0.995 > mark).
	amt, err = a.Fund(0, 0, 0.03, 60000)
	must(t, err)
	eq(t, "big payment", amt, "-1800")
	eq(t, "isolated wallet", a.Position(0).IsolatedWallet, "0")
	eq(t, "wallet", a.Wallet(), "-433.15") // 155 − (1,800 − 1,211.85)
	check(t, a)
	if s, ok := a.NextLiquidation([]float64{60000, nan}, []float64{60000, nan}); !ok || s != 0 {
		t.Errorf("empty isolated position not due: %v %v", s, ok)
	}
	if _, err := a.Fund(0, 0, nan, 60000); err == nil {
		t.Error("NaN rate accepted")
	}
}

// The cascade does not depend on the order the instruments are listed in.
func TestCascadeIndependentOfListingOrder(t *testing.T) {
	a := openPair(t, Cross)
	sa, _ := a.NextLiquidation([]float64{60000, 3000}, []float64{56000, 3300})
	outA := a.Liquidate(2, []float64{60000, 3000}, []float64{56000, 3300}, sa, false, nil)
	b := DefaultBook()
	r, err := NewAccount(Config{Wallet: d("2000"), Instruments: []Instrument{
		DefaultInstrument("ETHUSDT", 3000, snap24, b),
		DefaultInstrument("BTCUSDT", 60000, snap24, b),
	}})
	must(t, err)
	must(t, r.SetLeverage(0, 50))
	must(t, r.SetLeverage(1, 50))
	fill(t, r, 1, "1", "60000")
	fill(t, r, 0, "-10", "3000")
	from, to := []float64{3000, 60000}, []float64{3300, 56000}
	s, ok := r.NextLiquidation(from, to)
	if !ok || s != sa {
		t.Fatalf("s = %v", s)
	}
	outR := r.Liquidate(2, from, to, s, false, nil)
	check(t, r)
	if len(outA) != 2 || len(outR) != 2 {
		t.Fatalf("records %d %d", len(outA), len(outR))
	}
	for k := range outA {
		x, y := outA[k], outR[k]
		if x.Symbol != y.Symbol || !x.Price.Equal(y.Price) || !x.Fee.Equal(y.Fee) ||
			!x.MarginLost.Equal(y.MarginLost) || !x.InsuranceDraw.Equal(y.InsuranceDraw) ||
			!x.Bankruptcy.Equal(y.Bankruptcy) {
			t.Errorf("record %d: %+v vs %+v", k, x, y)
		}
	}
	if !a.Wallet().Equal(r.Wallet()) {
		t.Errorf("wallets %s %s", a.Wallet(), r.Wallet())
	}
}

// Mixed modes: isolated positions never count toward the cross account, and a cross
// liquidation leaves them alone. BTC isolated long 1 @ 60,000 at 50x (isolated 1,200, wallet
// 2,000 − 1,230 = 770); ETH cross short 10 @ 3,000 at 50x (fee 15 → wallet 755). The cross
// account holds ETH alone: 755 − 10(P − 3,000) = 0.004 × 10 P at P = 30,755/10.04 =
// 3,063.2470, s = 0.6324701 on ETH 3,000 → 3,100. The ETH short closes at the tick at or
// above it, 3,063.3: realized −633 → wallet 122, all of it the clearance fee (below 1.25% ×
// 30,633 = 382.9). BTC keeps its 1,200 and its LP 59,045.23.
func TestScenarioMixedModes(t *testing.T) {
	a := newAcct(t, "2000", Isolated, 50)
	must(t, a.SetMode(1, Cross))
	fill(t, a, 0, "1", "60000")
	fill(t, a, 1, "-10", "3000")
	eq(t, "wallet", a.Wallet(), "755")
	from, to := []float64{nan, 3000}, []float64{nan, 3100}
	s, ok := a.NextLiquidation(from, to)
	if !ok || math.Abs(s-(30755.0/10.04-3000)/100) > 1e-12 {
		t.Fatalf("s = %v %v", s, ok)
	}
	out := a.Liquidate(4, from, to, s, false, nil)
	check(t, a)
	if len(out) != 1 || out[0].Symbol != "ETHUSDT" || out[0].Cascade != 1 {
		t.Fatalf("records %+v", out)
	}
	eq(t, "price", out[0].Price, "3063.3")
	eq(t, "lost", out[0].MarginLost, "633")
	eq(t, "fee", out[0].Fee, "122")
	eq(t, "wallet", a.Wallet(), "0")
	eq(t, "BTC isolated", a.Position(0).IsolatedWallet, "1200")
	lp, _ := a.LiquidationPriceOf(0)
	eq(t, "BTC LP", lp, "59045.2261306532663317")
}

// Liquidations execute on the tick grid against the position, and no booked amount carries
// dust. BTCUSDT with a liquidation fee of 0.1% (below the MMR, so part of the remaining margin
// returns to the wallet), 20x, fee-free fills from a 10,000 wallet: isolated 3,000, wallet
// 7,000.
//
// Long 1 @ 60,000: LP = (3,000 + 50 − 60,000)/(−0.995) = 57,236.1809045226130653; it closes
// at 57,236.1 (down): realized −2,763.9, isolated 236.1, fee 0.1% × 57,236.1 = 57.2361, wallet
// 7,000 + 236.1 − 57.2361 = 7,178.8639. At the exact LP the wallet would have been
// 7,178.9447236180904522347 (the fee alone has 19 decimals).
//
// Short 1 @ 60,000: LP = (3,000 + 50 + 60,000)/1.005 = 62,736.3184079601990050; it closes at
// 62,736.4 (up): realized −2,736.4, isolated 263.6, fee 62.7364, wallet 7,200.8636.
func TestLiquidationOnTickNoDust(t *testing.T) {
	for _, c := range []struct {
		qty, trigger, price, realized, fee, wallet string
		to                                         float64
	}{
		{"1", "57236.1809045226130653", "57236.1", "-2763.9", "57.2361", "7178.8639", 50000},
		{"-1", "62736.3184079601990050", "62736.4", "-2736.4", "62.7364", "7200.8636", 70000},
	} {
		in := DefaultInstrument("BTCUSDT", 0, snap24, nil)
		in.LiquidationFee = d("0.001")
		a, err := NewAccount(Config{Wallet: d("10000"), Instruments: []Instrument{in}})
		must(t, err)
		must(t, a.SetMode(0, Isolated))
		_, err = a.Apply(0, Fill{Qty: d(c.qty), Price: d("60000")})
		must(t, err)
		from, to := []float64{60000}, []float64{c.to}
		s, ok := a.NextLiquidation(from, to)
		if !ok {
			t.Fatalf("%s: not due", c.qty)
		}
		out := a.Liquidate(0, from, to, s, false, nil)
		check(t, a)
		if len(out) != 1 {
			t.Fatalf("%s: records %+v", c.qty, out)
		}
		eq(t, c.qty+" trigger", out[0].TriggerMark, c.trigger)
		eq(t, c.qty+" price", out[0].Price, c.price)
		eq(t, c.qty+" realized", out[0].RealizedPnL, c.realized)
		eq(t, c.qty+" fee", out[0].Fee, c.fee)
		eq(t, c.qty+" wallet", a.Wallet(), c.wallet)
	}
}

// Trading fees and funding are booked to 8 decimals (half away from zero).
// Fee: 0.002 × 60,000.1 × 0.0451% = 0.0541200902 → 0.05412009.
// Funding: −1 × 60,000.13 × 0.01234% = −7.404016042 → −7.40401604.
func TestMoneyRounding(t *testing.T) {
	a := newAcct(t, "1000", Cross, 20)
	r, err := a.Apply(0, Fill{Qty: d("0.002"), Price: d("60000.1"), FeeRate: d("0.000451")})
	must(t, err)
	eq(t, "fee", r.Fee, "0.05412009")
	c := newAcct(t, "100000", Cross, 20)
	_, err = c.Apply(0, Fill{Qty: d("1"), Price: d("60000")})
	must(t, err)
	amt, err := c.Fund(0, 0, 0.0001234, 60000.13)
	must(t, err)
	eq(t, "funding", amt, "-7.40401604")
	eq(t, "wallet", c.Wallet(), "99992.59598396")
	check(t, a)
	check(t, c)
}

// toFloat agrees with InexactFloat64 (both round correctly) on short and long coefficients.
func TestToFloat(t *testing.T) {
	for _, s := range []string{"0", "1", "-0.001", "60000.1", "123456789012345", "1234567890123456",
		"-59045.2261306532663317", "0.1234567890123456789012345", "1e30", "-3e-30", "9007199254740993",
		"60000.0666666666666667", "-180000.2000000000000001"} {
		x := d(s)
		if got, want := toFloat(x), x.InexactFloat64(); got != want {
			t.Errorf("toFloat(%s) = %v, want %v", s, got, want)
		}
	}
}
