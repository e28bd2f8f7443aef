package margin

import (
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

// TestPropertyIsolationHolds: an isolated position never touches the cross wallet. Account A
// holds an isolated BTCUSDT long or short (random size and leverage) and a cross ETHUSDT
// position; account B holds the same ETHUSDT position with A's wallet after the BTC open (the
// initial margin and fee already out). Both see the same random mark paths (±8% a step), the
// same liquidations screening and the same random, sometimes huge, funding (up to ±5% a
// payment, which can drain the isolated wallet and more). While BTC is open A's cross wallet
// must equal B's exactly: funding the isolated wallet cannot pay is the insurance fund's.
// When BTC closes, what returns to A's cross wallet is >= 0, so its loss never exceeds its
// margin plus its own funding; and both accounts conserve money (Check) after every event.
func TestPropertyIsolationHolds(t *testing.T) {
	b := DefaultBook()
	drained := 0
	for seed := uint64(1); seed <= 300; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		insts := []Instrument{DefaultInstrument("BTCUSDT", 60000, snap24, b), DefaultInstrument("ETHUSDT", 3000, snap24, b)}
		a, err := NewAccount(Config{Wallet: d("100000"), Instruments: insts})
		must(t, err)
		must(t, a.SetMode(0, Isolated))
		must(t, a.SetLeverage(0, 2+r.IntN(48)))
		q := decimal.New(int64(1+r.IntN(1000)), -3) // 0.001 .. 1 BTC
		if r.IntN(2) == 0 {
			q = q.Neg()
		}
		if _, err := a.Apply(0, Fill{Qty: q, Price: d("60000"), FeeRate: taker}); err != nil {
			t.Fatalf("seed %d: BTC open: %v", seed, err)
		}
		bb, err := NewAccount(Config{Wallet: a.Wallet(), Instruments: insts})
		must(t, err)
		eq := decimal.New(int64(1+r.IntN(200)), -1) // 0.1 .. 20 ETH
		if r.IntN(2) == 0 {
			eq = eq.Neg()
		}
		for _, x := range []*Account{a, bb} {
			must(t, x.SetLeverage(1, 20))
			if _, err := x.Apply(1, Fill{Qty: eq, Price: d("3000"), FeeRate: taker}); err != nil {
				t.Fatalf("seed %d: ETH open: %v", seed, err)
			}
			x.SetMark(0, 60000)
			x.SetMark(1, 3000)
		}
		var funded decimal.Decimal // BTC funding credited to A (negative: paid)
		isoIn := a.Position(0).IsolatedWallet
		for step := 0; step < 60; step++ {
			to := []float64{onTick(a.Mark(0)*(0.92+0.16*r.Float64()), insts[0].TickSize), onTick(a.Mark(1)*(0.92+0.16*r.Float64()), insts[1].TickSize)}
			for _, x := range []*Account{a, bb} {
				from := []float64{x.Mark(0), x.Mark(1)}
				for n := 0; n < 4; n++ {
					s, ok := x.NextLiquidation(from, to)
					if !ok {
						break
					}
					x.Liquidate(int64(step), PathPoint{From: from, To: to, S: s}, nil)
					from = nil // the rest of the path, from the marks at s
				}
				x.SetMark(0, to[0])
				x.SetMark(1, to[1])
				check(t, x)
			}
			if r.IntN(3) == 0 {
				rate := (r.Float64() - 0.5) * 0.1
				if r.IntN(4) > 0 {
					rate /= 100
				}
				if !a.Position(0).Qty.IsZero() {
					iso := a.Position(0).IsolatedWallet
					amt, err := a.Fund(0, int64(step), rate, to[0])
					must(t, err)
					funded = funded.Add(amt)
					if amt.Add(iso).IsNegative() {
						drained++
					}
				}
				ethRate := (r.Float64() - 0.5) * 0.002
				for _, x := range []*Account{a, bb} {
					_, err := x.Fund(1, int64(step), ethRate, to[1])
					must(t, err)
					check(t, x)
				}
			}
			if a.Position(0).Qty.IsZero() {
				back := a.Wallet().Sub(bb.Wallet())
				if back.IsNegative() {
					t.Fatalf("seed %d step %d: closing the isolated position took %s from the cross wallet", seed, step, back.Neg())
				}
				if loss := isoIn.Sub(back); loss.GreaterThan(isoIn.Add(decimal.Max(funded, zero))) {
					t.Fatalf("seed %d: isolated loss %s exceeds its margin %s plus its funding %s", seed, loss, isoIn, funded)
				}
				break
			}
			if !a.Wallet().Equal(bb.Wallet()) {
				t.Fatalf("seed %d step %d: cross wallet %s with the isolated position, %s without it (funding %s)", seed, step, a.Wallet(), bb.Wallet(), funded)
			}
		}
	}
	if drained == 0 {
		t.Error("no funding payment exceeded an isolated wallet: the property was not exercised")
	}
	t.Logf("%d funding payments exceeded the isolated wallet", drained)
}

// crossClearance: fees in full when the wallet covers them; else the wallet split pro rata
// by the nominal fees, the rounding remainder to the largest. Wallet 100 against nominal
// fees 300 (AAA) and 100 (BBB): 75 and 25 (symbol order would have charged AAA 100, BBB 0).
// Wallet 10 against three equal fees of 5: 3.33333333 each, the remainder 0.00000001 to the
// first, 3.33333334, so the three sum to 10 exactly.
func TestCrossClearanceProRata(t *testing.T) {
	for _, c := range []struct {
		wallet string
		nom    []string
		want   []string
	}{
		{"1000", []string{"300", "100"}, []string{"300", "100"}},
		{"400", []string{"300", "100"}, []string{"300", "100"}},
		{"100", []string{"300", "100"}, []string{"75", "25"}},
		{"100", []string{"100", "300"}, []string{"25", "75"}},
		{"10", []string{"5", "5", "5"}, []string{"3.33333334", "3.33333333", "3.33333333"}},
		{"0", []string{"5", "5"}, []string{"0", "0"}},
	} {
		var nom []decimal.Decimal
		for _, n := range c.nom {
			nom = append(nom, d(n))
		}
		got := crossClearance(d(c.wallet), nom)
		sum := zero
		for j := range got {
			sum = sum.Add(got[j])
			if !got[j].Equal(d(c.want[j])) {
				t.Errorf("wallet %s, nominal %v: fees %v, want %v", c.wallet, c.nom, got, c.want)
				break
			}
		}
		if w := d(c.wallet); w.LessThan(sum) {
			t.Errorf("wallet %s: fees sum to %s", c.wallet, sum)
		}
	}
}

// TestPropertyIsolationHoldsHedge is TestPropertyIsolationHolds in hedge mode: account A holds
// both legs of BTCUSDT isolated (random sizes, one leverage) and an ETHUSDT cross long;
// account B the same ETHUSDT long only, with A's wallet after the BTC opens. Both see the same
// random mark paths, liquidations and ETH funding; each BTC leg gets its own random, sometimes
// huge, funding (FundLeg). While a BTC leg is open A's cross wallet must differ from B's only
// by what the legs already closed returned: neither leg's funding nor its liquidation touches
// the cross wallet. When a leg closes, what returns is >= 0 and its loss never exceeds its
// margin plus its own funding received; Check (money conserved) holds after every event.
func TestPropertyIsolationHoldsHedge(t *testing.T) {
	b := DefaultBook()
	drained, liquidated := 0, 0
	for seed := uint64(1); seed <= 200; seed++ {
		r := rand.New(rand.NewPCG(seed, 11))
		insts := []Instrument{DefaultInstrument("BTCUSDT", 60000, snap24, b), DefaultInstrument("ETHUSDT", 3000, snap24, b)}
		cfg := Config{Wallet: d("100000"), Instruments: insts, PositionMode: Hedge}
		a, err := NewAccount(cfg)
		must(t, err)
		must(t, a.SetMode(0, Isolated))
		must(t, a.SetLeverage(0, 2+r.IntN(48)))
		legs := []PositionSide{Long, Short}
		var isoIn, funded [2]decimal.Decimal
		var closed [2]bool
		for k, ps := range legs {
			q := decimal.New(int64(1+r.IntN(1000)), -3) // 0.001 .. 1 BTC
			if ps == Short {
				q = q.Neg()
			}
			if _, err := a.Apply(0, Fill{Qty: q, Price: d("60000"), FeeRate: taker, PositionSide: ps}); err != nil {
				t.Fatalf("seed %d: BTC %s open: %v", seed, ps, err)
			}
			isoIn[k] = a.PositionOf(0, ps).IsolatedWallet
		}
		cfg.Wallet = a.Wallet()
		bb, err := NewAccount(cfg)
		must(t, err)
		eq := decimal.New(int64(1+r.IntN(200)), -1) // 0.1 .. 20 ETH
		for _, x := range []*Account{a, bb} {
			must(t, x.SetLeverage(1, 20))
			if _, err := x.Apply(1, Fill{Qty: eq, Price: d("3000"), FeeRate: taker, PositionSide: Long}); err != nil {
				t.Fatalf("seed %d: ETH open: %v", seed, err)
			}
			x.SetMark(0, 60000)
			x.SetMark(1, 3000)
		}
		offset := zero // what the closed legs returned to A's cross wallet
		for step := 0; step < 60; step++ {
			to := []float64{onTick(a.Mark(0)*(0.92+0.16*r.Float64()), insts[0].TickSize), onTick(a.Mark(1)*(0.92+0.16*r.Float64()), insts[1].TickSize)}
			for _, x := range []*Account{a, bb} {
				from := []float64{x.Mark(0), x.Mark(1)}
				for n := 0; n < 4; n++ {
					s, ok := x.NextLiquidation(from, to)
					if !ok {
						break
					}
					for _, l := range x.Liquidate(int64(step), PathPoint{From: from, To: to, S: s}, nil) {
						if x == a && l.Symbol == "BTCUSDT" {
							liquidated++
						}
					}
					from = nil
				}
				x.SetMark(0, to[0])
				x.SetMark(1, to[1])
				check(t, x)
			}
			if r.IntN(3) == 0 {
				for k, ps := range legs {
					p := a.PositionOf(0, ps)
					if p.Qty.IsZero() {
						continue
					}
					rate := (r.Float64() - 0.5) * 0.1
					if r.IntN(4) > 0 {
						rate /= 100
					}
					amt, err := a.FundLeg(0, ps, int64(step), rate, to[0])
					must(t, err)
					funded[k] = funded[k].Add(amt)
					if amt.Add(p.IsolatedWallet).IsNegative() {
						drained++
					}
				}
				ethRate := (r.Float64() - 0.5) * 0.002
				for _, x := range []*Account{a, bb} {
					_, err := x.Fund(1, int64(step), ethRate, to[1])
					must(t, err)
					check(t, x)
				}
			}
			back := a.Wallet().Sub(bb.Wallet()).Sub(offset)
			var margin, fund decimal.Decimal // of the legs that closed at this step
			nowClosed := false
			for k, ps := range legs {
				if !closed[k] && a.PositionOf(0, ps).Qty.IsZero() {
					closed[k], nowClosed = true, true
					margin, fund = margin.Add(isoIn[k]), fund.Add(decimal.Max(funded[k], zero))
				}
			}
			if !nowClosed {
				if !back.IsZero() {
					t.Fatalf("seed %d step %d: cross wallet moved by %s with isolated legs open", seed, step, back)
				}
				continue
			}
			if back.IsNegative() {
				t.Fatalf("seed %d step %d: closing an isolated leg took %s from the cross wallet", seed, step, back.Neg())
			}
			if loss := margin.Sub(back); loss.GreaterThan(margin.Add(fund)) {
				t.Fatalf("seed %d: isolated leg loss %s exceeds its margin %s plus its funding %s", seed, loss, margin, fund)
			}
			offset = offset.Add(back)
			if closed[0] && closed[1] {
				break
			}
		}
	}
	if drained == 0 || liquidated == 0 {
		t.Errorf("%d funding payments exceeded a leg's isolated wallet, %d legs liquidated: the property was not exercised", drained, liquidated)
	}
	t.Logf("%d funding payments exceeded a leg's isolated wallet, %d BTC legs liquidated", drained, liquidated)
}
