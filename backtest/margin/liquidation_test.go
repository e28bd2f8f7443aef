package margin

import (
	"errors"
	"fmt"
	"testing"

	"github.com/shopspring/decimal"
)

// Binance's FAQ cross example ("How to Calculate Liquidation Price of USDⓈ-M Futures
// Contracts", docs/margin.md §4). The FAQ names its results (BTCUSDT 26,316.89, ETHUSDT
// 1,153.26) but not its inputs; these are the FAQ's inputs as transcribed in freqtrade's
// tests (tests/exchange/test_binance.py test_liquidation_price_binance, and the older
// tests/leverage/test_liquidation_price.py): cross wallet 1,535,443.01 USDT, one-way mode,
//
//	BTCUSDT long 109.488 @ 32,481.98, mark 31,967.27, MMR 2.5%, cum 16,300
//	ETHUSDT long 3,683.979 @ 1,456.84, mark 1,335.18, MMR 10%, cum 135,365
//
// so for BTCUSDT the others are ETHUSDT: TMM1 = 3,683.979×1,335.18×0.10 − 135,365
// = 356,512.508122 and UPNL1 = 3,683.979×(1,335.18 − 1,456.84) = −448,192.88514; for
// ETHUSDT: TMM1 = 109.488×31,967.27×0.025 − 16,300 = 71,200.811444 and
// UPNL1 = 109.488×(31,967.27 − 32,481.98) = −56,354.56848. The same wallet used as an
// isolated wallet gives freqtrade's isolated vectors 18,778.73 and 1,114.78.
func TestLiquidationPriceFAQ(t *testing.T) {
	for _, c := range []struct {
		name                          string
		side                          Side
		qty, entry, wallet, tmm, upnl string
		mmr, cum                      string
		want                          string // 2 decimals, as Binance shows
	}{
		{"BTCUSDT cross", 1, "109.488", "32481.98", "1535443.01", "356512.508122", "-448192.88514", "0.025", "16300", "26316.89"},
		{"ETHUSDT cross", 1, "3683.979", "1456.84", "1535443.01", "71200.811444", "-56354.56848", "0.10", "135365", "1153.26"},
		{"BTCUSDT isolated", 1, "109.488", "32481.98", "1535443.01", "0", "0", "0.025", "16300", "18778.73"},
		{"ETHUSDT isolated", 1, "3683.979", "1456.84", "1535443.01", "0", "0", "0.10", "135365", "1114.78"},
	} {
		r, err := LiquidationPrice(LiqInput{Side: c.side, Qty: d(c.qty), Entry: d(c.entry), Wallet: d(c.wallet),
			OtherMM: d(c.tmm), OtherPnL: d(c.upnl), MMR: dp(c.mmr), Cum: dp(c.cum)})
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Price.Round(2); !got.Equal(d(c.want)) {
			t.Errorf("%s: LP %s (%s), want %s", c.name, got, r.Price, c.want)
		}
		if r.Bracket != 0 || !r.MMR.Equal(d(c.mmr)) {
			t.Errorf("%s: bracket %d MMR %s with an override", c.name, r.Bracket, r.MMR)
		}
		identity(t, c.name, LiqInput{Side: c.side, Qty: d(c.qty), Entry: d(c.entry), Wallet: d(c.wallet),
			OtherMM: d(c.tmm), OtherPnL: d(c.upnl)}, r)
	}
}

// identity checks that at the LP, margin balance = maintenance margin (docs/margin.md §4):
// WB + UPNL1 + side·Q·(LP − EP) = TMM1 + Q·LP·MMR − cum, to the rounding of LP.
func identity(t *testing.T, name string, in LiqInput, r LiqResult) {
	t.Helper()
	side := decimal.NewFromInt(int64(in.Side))
	lhs := in.Wallet.Add(in.OtherPnL).Add(side.Mul(in.Qty).Mul(r.Price.Sub(in.Entry)))
	rhs := in.OtherMM.Add(in.Qty.Mul(r.Price).Mul(r.MMR)).Sub(r.Cum)
	if lhs.Sub(rhs).Abs().GreaterThan(in.Qty.Mul(d("1e-15"))) {
		t.Errorf("%s: margin balance %s != MM %s at LP %s", name, lhs, rhs, r.Price)
	}
	bl := in.Wallet.Add(in.OtherPnL).Add(side.Mul(in.Qty).Mul(r.Bankruptcy.Sub(in.Entry)))
	if bl.Abs().GreaterThan(in.Qty.Mul(d("1e-15"))) {
		t.Errorf("%s: margin balance %s != 0 at the bankruptcy price %s", name, bl, r.Bankruptcy)
	}
}

// Vector derived-btc-iso-long-tier-crossing (docs/margin.md §4): correct LP 57281.5056, and
// 57279.1774 with the entry bracket. The vector gives only the results; the inputs are
// derived from them: with the BTCUSDT 2024-10-24 table (bracket 2: 0.5%, cum 50; bracket 3:
// 0.65%, cum 950, floor 600k), subtracting the two formulas
//
//	0.995·Q·57281.5056 − 0.9935·Q·57279.1774 = 950 − 50  ⇒  Q = 10.2
//	WB − Q·EP = −0.995·10.2·57281.5056 − 50 = −581,400
//
// which an isolated long of 10.2 BTC at 60,000 with 20x (WB = 612,000/20 = 30,600) satisfies:
// the entry notional 612,000 is in bracket 3, the LP notional 10.2 × 57,281.51 = 584,271 in
// bracket 2. LP = (30,600 + 50 − 612,000)/(10.2 × (0.005 − 1)) = 581,350/10.149.
func TestLiquidationPriceBracketRecheck(t *testing.T) {
	tb, _ := DefaultBook().TableAt("BTCUSDT", "2024-10-24")
	in := LiqInput{Side: 1, Qty: d("10.2"), Entry: d("60000"), Wallet: d("30600"), Brackets: tb}
	r, err := LiquidationPrice(in)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Price.Round(4); !got.Equal(d("57281.5056")) || r.Bracket != 2 {
		t.Errorf("LP %s in bracket %d, want 57281.5056 in bracket 2", r.Price, r.Bracket)
	}
	eq(t, "LP exact", r.Price, "57281.5055670509409794") // 581350/10.149
	eq(t, "bankruptcy", r.Bankruptcy, "57000")           // 60000 − 30600/10.2
	identity(t, "recheck", in, r)
	// Without the re-check (the entry bracket forced): 580,450/10.1337.
	in.Brackets = nil
	in.MMR, in.Cum = dp("0.0065"), dp("950")
	r3, err := LiquidationPrice(in)
	if err != nil {
		t.Fatal(err)
	}
	if got := r3.Price.Round(4); !got.Equal(d("57279.1774")) {
		t.Errorf("entry-bracket LP %s, want 57279.1774", r3.Price)
	}
}

// Hand-worked isolated and cross cases on the BTCUSDT 2024-10-24 table.
func TestLiquidationPriceHandWorked(t *testing.T) {
	tb, _ := DefaultBook().TableAt("BTCUSDT", "2024-10-24")
	for _, c := range []struct {
		name               string
		side               Side
		qty, entry, wallet string
		tmm, upnl          string
		lp, bp             string
		bracket            int
	}{
		// 1 BTC long @ 60,000, 20x: WB 3,000; bracket 2; (3,000 + 50 − 60,000)/(−0.995).
		{"long 20x", 1, "1", "60000", "3000", "0", "0", "57236.1809045226130653", "57000", 2},
		// 1 BTC short @ 60,000, 20x: (3,000 + 50 + 60,000)/1.005 = 62,736.32; BP 63,000.
		{"short 20x", -1, "1", "60000", "3000", "0", "0", "62736.3184079601990050", "63000", 2},
		// 0.5 BTC long @ 60,000, 50x: WB 600, notional 30,000 → bracket 1 (0.4%, cum 0):
		// (600 − 30,000)/(0.5 × −0.996) = 59,036.1446; BP 60,000 − 600/0.5 = 58,800.
		{"long 50x bracket 1", 1, "0.5", "60000", "600", "0", "0", "59036.1445783132530120", "58800", 1},
		// Short crossing upward: 9.9 BTC short @ 60,000, 20x (WB 29,700), entry notional 594,000
		// in bracket 2. Bracket 2 gives (29,700 + 50 + 594,000)/(9.9 × 1.005) = 62,691.59,
		// notional 620,647: bracket 3. Re-checked: (29,700 + 950 + 594,000)/(9.9 × 1.0065) =
		// 624,650/9.96435 = 62,688.48, notional 620,616: bracket 3, consistent.
		{"short re-check upward", -1, "9.9", "60000", "29700", "0", "0", "62688.4844470537466067", "63000", 3},
		// Long with a wallet larger than its notional: LP < 0 ("--"), bracket 1.
		{"long over-collateralised", 1, "0.1", "60000", "7000", "0", "0", "-10040.1606425702811245", "-10000", 1},
		// Cross: 1 BTC long @ 60,000, cross wallet 5,000, others: MM 120, uPnL +1,000.
		// (5,000 − 120 + 1,000 + 50 − 60,000)/(−0.995) = 54,070/0.995 = 54,341.71;
		// BP 60,000 − 6,000 = 54,000.
		{"cross long", 1, "1", "60000", "5000", "120", "1000", "54341.7085427135678392", "54000", 2},
	} {
		in := LiqInput{Side: c.side, Qty: d(c.qty), Entry: d(c.entry), Wallet: d(c.wallet),
			OtherMM: d(c.tmm), OtherPnL: d(c.upnl), Brackets: tb}
		r, err := LiquidationPrice(in)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		eq(t, c.name+" LP", r.Price, c.lp)
		eq(t, c.name+" BP", r.Bankruptcy, c.bp)
		if r.Bracket != c.bracket {
			t.Errorf("%s: bracket %d, want %d", c.name, r.Bracket, c.bracket)
		}
		if r.Price.IsPositive() {
			identity(t, c.name, in, r)
		}
	}
}

func TestLiquidationPriceErrors(t *testing.T) {
	tb, _ := DefaultBook().TableAt("BTCUSDT", "2024-10-24")
	ok := LiqInput{Side: 1, Qty: d("1"), Entry: d("100"), Wallet: d("10"), Brackets: tb}
	for name, mod := range map[string]func(*LiqInput){
		"negative qty": func(in *LiqInput) { in.Qty = d("-1") },
		"zero qty":     func(in *LiqInput) { in.Qty = d("0") },
		"side 0":       func(in *LiqInput) { in.Side = 0 },
		"entry 0":      func(in *LiqInput) { in.Entry = d("0") },
		"MMR only":     func(in *LiqInput) { in.MMR = dp("0.01") },
		"MMR 1 long":   func(in *LiqInput) { in.MMR, in.Cum = dp("1"), dp("0") },
	} {
		in := ok
		mod(&in)
		if _, err := LiquidationPrice(in); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%s: error %v, want ErrInvalidInput", name, err)
		}
	}
	in := ok
	in.Brackets = nil
	if _, err := LiquidationPrice(in); !errors.Is(err, ErrBadBrackets) {
		t.Errorf("no brackets: %v", err)
	}
}

// Every consistent bracket choice: for random positions on every embedded table, the re-checked
// LP lies in the bracket it was computed with, and satisfies the identity.
func TestLiquidationPriceConsistentOnAllTables(t *testing.T) {
	b := DefaultBook()
	for _, s := range b.Symbols() {
		for _, date := range b.Dates(s) {
			tb, _ := b.TableAt(s, date)
			for _, q := range []string{"0.5", "30", "900", "25000"} {
				for _, lev := range []int64{1, 3, 10, 25, 75} {
					for _, side := range []Side{1, -1} {
						entry := d("100")
						w := d(q).Mul(entry).Div(decimal.NewFromInt(lev))
						in := LiqInput{Side: side, Qty: d(q), Entry: entry, Wallet: w, Brackets: tb}
						r, err := LiquidationPrice(in)
						if err != nil {
							t.Fatal(err)
						}
						name := fmt.Sprintf("%s %s q=%s lev=%d side=%d", s, date, q, lev, side)
						if got := tb.For(notionalAt(d(q), r.Price)).Bracket; got != r.Bracket {
							t.Errorf("%s: LP %s in bracket %d, computed with %d", name, r.Price, got, r.Bracket)
						}
						if r.Price.IsPositive() {
							identity(t, name, in, r)
						}
					}
				}
			}
		}
	}
}

// The FAQ cross example reproduced by an Account: the same wallet and positions booked as
// fills (fee 0), marked at the FAQ's marks, give the FAQ's cross liquidation prices through
// LiquidationPriceOf. BTCUSDT uses the real 2022-02-12 table, whose bracket 4 (1M–7.5M) is the
// FAQ's 2.5% / cum 16,300 at both the mark notional (3.50M) and the LP notional (2.88M). No
// embedded ETHUSDT table has the FAQ's 10% / cum 135,365, so ETHUSDT gets a two-bracket table
// that satisfies the cum rule with it: 5% up to 2,707,300, then 10% with cum
// 2,707,300 × (10% − 5%) = 135,365 (mark notional 4.92M and LP notional 4.25M both in it).
func TestFAQExampleInAccount(t *testing.T) {
	btcTable, ok := DefaultBook().TableAt("BTCUSDT", "2022-02-12")
	if !ok {
		t.Fatal("no 2022-02-12 table")
	}
	ethTable := Table{
		{Bracket: 1, Floor: d("0"), Cap: d("2707300"), MaxLeverage: 20, MMR: d("0.05"), Cum: d("0")},
		{Bracket: 2, Floor: d("2707300"), Cap: d("100000000"), MaxLeverage: 10, MMR: d("0.10"), Cum: d("135365")},
	}
	inst := func(sym string, tb Table) Instrument {
		return Instrument{Symbol: sym, TickSize: d("0.01"), StepSize: d("0.001"), MinQty: d("0.001"),
			MinNotional: d("5"), LiquidationFee: DefaultLiquidationFee, Brackets: tb}
	}
	a, err := NewAccount(Config{Wallet: d("1535443.01"),
		Instruments: []Instrument{inst("BTCUSDT", btcTable), inst("ETHUSDT", ethTable)}})
	must(t, err)
	must(t, a.SetLeverage(1, 10))
	_, err = a.Apply(0, Fill{Qty: d("109.488"), Price: d("32481.98")})
	must(t, err)
	_, err = a.Apply(1, Fill{Qty: d("3683.979"), Price: d("1456.84")})
	must(t, err)
	a.SetMark(0, 31967.27)
	a.SetMark(1, 1335.18)
	check(t, a)
	for i, want := range []string{"26316.89", "1153.26"} {
		lp, ok := a.LiquidationPriceOf(i)
		if !ok || !lp.Round(2).Equal(d(want)) {
			t.Errorf("%s: cross LP %s, want %s", a.Position(i).Symbol, lp, want)
		}
	}
	// At the FAQ's marks the account is far from liquidation: margin balance 1,535,443.01 −
	// 56,354.56848 − 448,192.88514 = 1,030,895.55638 against MM 71,200.811444 +
	// 356,512.508122 = 427,713.319566.
	sn := a.Snapshot()
	eq(t, "margin balance", sn.MarginBalance, "1030895.55638")
	eq(t, "MM", sn.MaintenanceMargin, "427713.319566")
	if _, ok := a.NextLiquidation([]float64{31967.27, 1335.18}, []float64{31967.27, 1335.18}); ok {
		t.Error("liquidated at the FAQ's marks")
	}
}
