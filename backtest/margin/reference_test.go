package margin

import (
	"testing"
)

// Other worked numbers from Binance's pages and API captures (docs/margin.md).
func TestReferenceExamples(t *testing.T) {
	// docs/margin.md §6: "1 BTC at 9,253.30, 20x → IM 462.66": 9,253.3/20 = 462.665, shown truncated to cents.
	a := newAcct(t, "1000", Isolated, 20)
	r := fill(t, a, 0, "1", "9253.3")
	eq(t, "IM", a.Position(0).IsolatedWallet, "462.665")
	eq(t, "IM shown", a.Position(0).IsolatedWallet.Truncate(2), "462.66")
	eq(t, "fee", r.Fee, "4.62665") // 0.05% of 9,253.3

	// docs/margin.md §9: a 2023 BTCUSDT taker fill at 0.04% was charged 0.1462684 on 365.671 notional
	// (0.01 BTC at 36,567.1).
	c := newAcct(t, "1000", Cross, 20)
	res, err := c.Apply(0, Fill{Qty: d("0.01"), Price: d("36567.1"), FeeRate: d("0.0004")})
	must(t, err)
	eq(t, "fee 0.04%", res.Fee, "0.1462684")
	check(t, c)

	// docs/margin.md §8 (freqtrade's vectors): 10 × 2.0 × 0.0001 = 0.002; 10 × 2.0 × 0.0002 = 0.004;
	// 10 × 2.5 × 0.0002 = 0.005 — paid by a long, received by a short.
	in := DefaultInstrument("FOOUSDT", 2, snap24, nil) // tick 0.0001, step 0.1
	for _, c := range []struct {
		mark, rate float64
		want       string
	}{{2.0, 0.0001, "0.002"}, {2.0, 0.0002, "0.004"}, {2.5, 0.0002, "0.005"}} {
		for _, side := range []string{"10", "-10"} {
			f, err := NewAccount(Config{Wallet: d("100"), Instruments: []Instrument{in}})
			must(t, err)
			_, err = f.Apply(0, Fill{Qty: d(side), Price: d("2")})
			must(t, err)
			amt, err := f.Fund(0, 0, c.rate, c.mark)
			must(t, err)
			want := d(c.want)
			if side == "10" {
				want = want.Neg()
			}
			if !amt.Equal(want) {
				t.Errorf("qty %s mark %v rate %v: %s, want %s", side, c.mark, c.rate, amt, want)
			}
			check(t, f)
		}
	}

	// docs/margin.md §2: the cum rule example 250,000 × (1% − 0.5%) + 50 = 1,300 is BTCUSDT 2022-02-12 bracket 3.
	tb, _ := DefaultBook().TableAt("BTCUSDT", "2022-02-12")
	eq(t, "cum 3", tb[2].Cum, "1300")
	eq(t, "cum rule", tb[2].Floor.Mul(tb[2].MMR.Sub(tb[1].MMR)).Add(tb[1].Cum), "1300")

	// docs/margin.md §2: at 20x, BTCUSDT's maxNotionalValue was 100,000,000 = the cap of bracket 6 in 2024.
	tb, _ = DefaultBook().TableAt("BTCUSDT", "2024-10-24")
	if tb[5].MaxLeverage != 20 || !tb[5].Cap.Equal(d("100000000")) || tb[6].MaxLeverage >= 20 {
		t.Errorf("bracket 6: %+v", tb[5])
	}
}
