package margin

import (
	"testing"

	"github.com/bt-backtest/bt/internal/exact"
	"github.com/shopspring/decimal"
)

// All scenarios use the 2024-10-24 tables: BTCUSDT bracket 1 0–50k 0.4% cum 0, bracket 2
// 50k–600k 0.5% cum 50; ETHUSDT bracket 1 0–50k 0.4% cum 0. Fees are taker 0.05%; the
// liquidation fee is 1.25%. Index 0 is BTCUSDT (tick 0.1), index 1 ETHUSDT (tick 0.1).
//
// The hand-worked scenarios on these positions (isolated vs cross on one path, the cross
// cascade, a cross liquidation taking the winner, gaps drawing on the insurance fund, mixed
// modes, funding moving the isolated LP) run through the engine as scenario files: backtest/testdata/scenarios/btc-*.txtar.

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

// Fund's edge cases. The hand-worked funding of these positions (payments on isolated and
// cross positions, the isolated LP moving with them) is the scenario file
// backtest/testdata/scenarios/btc-eth-funding-moves-isolated-lp.txtar.
//
// A NaN mark means the current mark: the ETH short receives 10 × 3,000 × 0.01% = 3 into the
// cross wallet (1,955 → 1,958). A payment larger than the isolated wallet empties it and the
// rest is the insurance fund's, never the cross wallet's: BTC long 1 (isolated 1,200) pays
// 3% × 60,000 = 1,800, the fund covers 600, the wallet stays 155, and the empty position is
// due at the next screening (LP 59,950/0.995 > mark). A NaN rate is refused.
func TestFundEdgeCases(t *testing.T) {
	c := openPair(t, Cross)
	amt, err := c.Fund(1, 0, 0.0001, nan)
	must(t, err)
	eq(t, "cross payment", amt, "3")
	eq(t, "cross wallet", c.Wallet(), "1958")
	check(t, c)

	a := openPair(t, Isolated)
	amt, err = a.Fund(0, 0, 0.03, 60000)
	must(t, err)
	eq(t, "big payment", amt, "-1800")
	eq(t, "isolated wallet", a.Position(0).IsolatedWallet, "0")
	// isolation holds: the 600 the isolated wallet (1,200) cannot pay is the insurance
	// fund's; the cross wallet keeps its 155
	eq(t, "wallet", a.Wallet(), "155")
	eq(t, "insurance draws", a.Totals().InsuranceDraws, "600")
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
	outA := a.Liquidate(2, PathPoint{From: []float64{60000, 3000}, To: []float64{56000, 3300}, S: sa}, nil)
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
	outR := r.Liquidate(2, PathPoint{From: from, To: to, S: s}, nil)
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
		out := a.Liquidate(0, PathPoint{From: from, To: to, S: s}, nil)
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

// TestQtyFix: QtyFix gives PositionOf's quantity (the identical Decimal) and its Fix (value and
// exponent) after opens, adds, partial closes, flips and closes, in one-way and hedge mode, and
// the zero Decimal with FixOf's Fix for a side the position mode does not have.
func TestQtyFix(t *testing.T) {
	same := func(t *testing.T, a *Account, i int, ps PositionSide) {
		t.Helper()
		q, f := a.QtyFix(i, ps)
		if want := a.PositionOf(i, ps).Qty; q != want {
			t.Fatalf("QtyFix(%d, %v) = %s (exp %d), PositionOf's %s (exp %d)", i, ps, q, q.Exponent(), want, want.Exponent())
		}
		if c, e, ok := f.Coef(); !ok || e != q.Exponent() || !decimal.New(c, e).Equal(q) {
			t.Fatalf("QtyFix(%d, %v) = %s (exp %d) with Fix %v", i, ps, q, q.Exponent(), f)
		}
	}
	a := newAcct(t, "100000", Isolated, 10)
	for _, q := range []string{"0.010", "0.02", "-0.005", "-0.05", "0.025", "0.0100"} {
		fill(t, a, 0, q, "60000")
		same(t, a, 0, Both)
		same(t, a, 1, Both)
		for _, ps := range []PositionSide{Long, Short} {
			if q, f := a.QtyFix(0, ps); q != (decimal.Decimal{}) || f != exact.FixOf(decimal.Decimal{}) {
				t.Fatalf("QtyFix(0, %v) in one-way mode = %s, %v", ps, q, f)
			}
		}
	}
	h := newHedge(t, "100000", Cross)
	for _, f := range []struct {
		qty string
		ps  PositionSide
	}{{"0.01", Long}, {"-0.02", Short}, {"-0.004", Long}, {"0.02", Short}, {"-0.006", Long}} {
		if _, err := h.Apply(0, Fill{Qty: d(f.qty), Price: d("60000"), FeeRate: taker, PositionSide: f.ps}); err != nil {
			t.Fatal(err)
		}
		check(t, h)
		same(t, h, 0, Long)
		same(t, h, 0, Short)
		if q, f := h.QtyFix(0, Both); q != (decimal.Decimal{}) || f != exact.FixOf(decimal.Decimal{}) {
			t.Fatalf("QtyFix(0, Both) in hedge mode = %s, %v", q, f)
		}
	}
}
