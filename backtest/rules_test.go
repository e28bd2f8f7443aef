package backtest

import (
	"strings"
	"testing"
	"time"

	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/shopspring/decimal"
)

// twoTables is a bracket book for FOOUSDT with two one-bracket snapshots: from 2024-01-01
// MMR 0.5% (max leverage 50), from 2024-01-02 MMR 10% (max leverage 5).
const twoTables = `{"snapshots":[
 {"symbol":"FOOUSDT","snapshot_date":"2024-01-01","brackets":[{"bracket":1,"initialLeverage":50,"notionalFloor":0,"notionalCap":1000000000,"maintMarginRatio":0.005,"cum":0}]},
 {"symbol":"FOOUSDT","snapshot_date":"2024-01-02","brackets":[{"bracket":1,"initialLeverage":5,"notionalFloor":0,"notionalCap":1000000000,"maintMarginRatio":0.1,"cum":0}]}]}`

// A bracket change is an event at 00:00 UTC of its date for every open position. Long 1
// FOOUSDT at 100 with 20x: isolated margin 5. Under the 2024-01-01 table its maintenance
// margin is 100 × 0.5% = 0.5 (LP = (5 − 100)/(1 × (0.005 − 1)) ≈ 95.48); the mark never
// moves from 100, yet under the 2024-01-02 table it is 100 × 10% = 10 > 5: the isolated
// position is liquidated at the first step of 2024-01-02, at the mark 100 (no realized PnL),
// clearance fee min(5, 100 × 1.25%) = 1.25, so the isolated account ends at 1000 − 1.25 =
// 998.75. The cross account (wallet 1000 ≫ 10) survives at 1000.
func TestBracketSwitchLiquidatesAtDate(t *testing.T) {
	book, err := margin.LoadBook(strings.NewReader(twoTables))
	if err != nil {
		t.Fatal(err)
	}
	var quads [][4]float64
	for range 48 { // 2024-01-01 00:00 .. 01-02 23:00, hourly, flat at 100
		quads = append(quads, [4]float64{100, 100, 100, 100})
	}
	zero := decimal.Zero
	cfg := Config{Wallet: d("1000"), MakerFee: &zero, TakerFee: &zero, NoFundingFallback: true, Book: book, DefaultLeverage: 20}
	res := run(t, cfg, NewSliceSource([]string{"FOOUSDT"}, Batches(OHLC("FOOUSDT", t0, hr, quads...), nil, nil)), func() Strategy {
		return &script{at: map[int][]Order{0: {buy("FOOUSDT", "1")}}}
	})
	iso, cross := acctByName(t, res, "isolated"), acctByName(t, res, "cross")
	if len(iso.Liquidations) != 1 || len(cross.Liquidations) != 0 {
		t.Fatalf("liquidations: isolated %d, cross %d; want 1, 0", len(iso.Liquidations), len(cross.Liquidations))
	}
	l := iso.Liquidations[0]
	if day2 := t0 + 24*hr; l.Time != day2 || !l.Price.Equal(d("100")) || !l.Fee.Equal(d("1.25")) {
		t.Errorf("liquidation at %s for %s, fee %s; want 2024-01-02 00:00 at 100, fee 1.25",
			time.UnixMilli(l.Time).UTC().Format(time.RFC3339), l.Price, l.Fee)
	}
	eqDec(t, "isolated final equity", iso.Final.MarginBalance, "998.75")
	eqDec(t, "cross final equity", cross.Final.MarginBalance, "1000")
	// the engine's own float figures follow the switch: the cross account's last equity
	// point carries the new maintenance margin 10
	if mm := cross.Equity[len(cross.Equity)-1].MaintenanceMargin; mm != 10 {
		t.Errorf("cross maintenance margin %v at the end, want 10 (the 2024-01-02 table)", mm)
	}
	checkWallets(t, "isolated", cfg.Wallet, iso)
	checkWallets(t, "cross", cfg.Wallet, cross)

	// pinned to the first table, nothing happens
	cfg.BracketDate = time.UnixMilli(t0).UTC()
	res = run(t, cfg, NewSliceSource([]string{"FOOUSDT"}, Batches(OHLC("FOOUSDT", t0, hr, quads...), nil, nil)), func() Strategy {
		return &script{at: map[int][]Order{0: {buy("FOOUSDT", "1")}}}
	})
	if n := len(acctByName(t, res, "isolated").Liquidations); n != 0 {
		t.Errorf("pinned to 2024-01-01: %d liquidations, want 0", n)
	}
}

// Fees follow the dated schedule (margin.FeeSchedule): a BTCUSDT market buy of 0.01 filled
// at 36,567.1 on 2023-11-14 01:00 pays the taker fee of that day, 0.04%: 365.671 × 0.0004 =
// 0.1462684 (the fee Binance charged for a real fill of that day); the sell filled on
// 2023-11-15 01:00 pays 0.05%: 0.1828355. A configured taker fee wins on both dates.
func TestFeesByDate(t *testing.T) {
	start := int64(1699920000000) // 2023-11-14 00:00 UTC
	var quads [][4]float64
	for range 48 {
		quads = append(quads, [4]float64{36567.1, 36567.1, 36567.1, 36567.1})
	}
	src := func() Source {
		return NewSliceSource([]string{"BTCUSDT"}, Batches(OHLC("BTCUSDT", start, hr, quads...), nil, nil))
	}
	strat := func() Strategy {
		return &script{at: map[int][]Order{0: {buy("BTCUSDT", "0.01")}, 24: {sell("BTCUSDT", "0.01")}}}
	}
	cfg := Config{Wallet: d("1000"), NoFundingFallback: true}
	res := run(t, cfg, src(), strat)
	for _, a := range res.Accounts {
		if len(a.Fills) != 2 || !a.Fills[0].Fee.Equal(d("0.1462684")) || !a.Fills[1].Fee.Equal(d("0.1828355")) {
			t.Errorf("%s: fills %+v, want fees 0.1462684 (2023-11-14) and 0.1828355 (2023-11-15)", a.Name, a.Fills)
		}
	}
	var fees, clearance string
	for _, as := range res.Assumptions {
		switch as.Key {
		case "fees":
			fees = as.Value
		case "clearance_fee":
			clearance = as.Value
		}
	}
	if !strings.Contains(fees, "BTCUSDT maker 0.02% (schedule from 2019-09-08), taker 0.04% (schedule from 2019-09-08), then maker 0.02% (schedule from 2023-11-15), taker 0.05% (schedule from 2023-11-15) from 2023-11-15") {
		t.Errorf("fees assumption %q does not list both rates with their dates", fees)
	}
	if !strings.Contains(clearance, "BTCUSDT 0.3% (schedule from 2019-09-08)") {
		t.Errorf("clearance assumption %q", clearance)
	}

	fee := d("0.0003")
	cfg.TakerFee = &fee
	res = run(t, cfg, src(), strat)
	for _, a := range res.Accounts {
		if len(a.Fills) != 2 || !a.Fills[0].Fee.Equal(d("0.1097013")) || !a.Fills[1].Fee.Equal(d("0.1097013")) {
			t.Errorf("%s, taker fee configured 0.03%%: fills %+v, want fees 0.1097013 on both dates", a.Name, a.Fills)
		}
	}
}

// Filters by date and from the data's grid (issue 10). ETHUSDT at about 2,500 in 2025: the old
// rule (5 significant digits) gave tick 0.1, but the data lie on a 0.01 grid, and the dated
// table says 0.01: a limit buy at 2,499.99 (a price on the data's grid) is accepted and fills
// at 2,499.99. BTCUSDT's tick is 0.01 on 2022-02-15 and 0.1 from 2022-02-16: a market buy
// arriving at the open 43,000.05 on 02-15 fills there (slippage 0), on 02-16 it is rounded
// up to 43,000.1; the filters assumption names both ticks with their dates.
func TestFiltersByDateAndGrid(t *testing.T) {
	zero := decimal.Zero
	cfg := Config{Wallet: d("100000"), MakerFee: &zero, TakerFee: &zero, NoFundingFallback: true}
	eth := OHLC("ETHUSDT", 1748736000000, hr, // 2025-06-01
		[4]float64{2500.37, 2501.12, 2500.01, 2500.55},
		[4]float64{2500.55, 2500.6, 2499.5, 2499.8}, // trades through 2,499.99
		[4]float64{2499.8, 2500, 2499.7, 2499.9})
	res := run(t, cfg, NewSliceSource([]string{"ETHUSDT"}, Batches(eth, nil, nil)), func() Strategy {
		return &script{at: map[int][]Order{0: {{Symbol: "ETHUSDT", Side: Buy, Type: Limit, Qty: d("1"), Price: d("2499.99")}}}}
	})
	for _, a := range res.Accounts {
		if len(a.Rejects) != 0 || len(a.Fills) != 1 || !a.Fills[0].Price.Equal(d("2499.99")) {
			t.Errorf("%s: rejects %v, fills %v; want the limit filled at 2499.99", a.Name, a.Rejects, a.Fills)
		}
	}

	btc := func(start int64) Source {
		return NewSliceSource([]string{"BTCUSDT"}, Batches(OHLC("BTCUSDT", start, hr,
			[4]float64{43000.05, 43000.05, 43000.05, 43000.05},
			[4]float64{43000.05, 43000.05, 43000.05, 43000.05}), nil, nil))
	}
	buyAt0 := func() Strategy { return &script{at: map[int][]Order{0: {buy("BTCUSDT", "0.01")}}} }
	for _, c := range []struct {
		start      int64
		want, tick string
	}{{1644883200000, "43000.05", "BTCUSDT tick 0.01 (table from 2019-09-08)"}, // 2022-02-15 00:00
		{1644969600000, "43000.1", "BTCUSDT tick 0.1 (table from 2022-02-16)"}} { // 2022-02-16 00:00
		res := run(t, cfg, btc(c.start), buyAt0)
		a := acctByName(t, res, "cross")
		if len(a.Fills) != 1 || !a.Fills[0].Price.Equal(d(c.want)) {
			t.Errorf("start %d: fills %v, want one at %s", c.start, a.Fills, c.want)
		}
		for _, as := range res.Assumptions {
			if as.Key == "filters" && !strings.Contains(as.Value, c.tick) {
				t.Errorf("filters assumption %q does not say %q", as.Value, c.tick)
			}
		}
	}
}

// No silent default table (issue 10): a symbol without its own bracket table or filters is
// named among the run's fallbacks (which the CLI prints on stderr) and in the assumptions; a
// book with the symbol's table on top of the embedded one (margin.Book.With, as an
// experiment's brackets.file supplies) removes the bracket fallback.
func TestRuleFallbacksNamed(t *testing.T) {
	bars := func() Source {
		b := append(OHLC("BTCUSDT", t0, hr, [4]float64{42000, 42000, 42000, 42000}), OHLC("FOOUSDT", t0, hr, [4]float64{2.5, 2.5, 2.5, 2.5})...)
		return NewSliceSource([]string{"BTCUSDT", "FOOUSDT"}, Batches(b, nil, nil))
	}
	nop := func() Strategy { return StrategyFunc(func(*Broker, Bar) error { return nil }) }
	kinds := func(res *Result) string {
		var got []string
		for _, f := range res.Fallbacks {
			if f.Kind == FallbackBrackets || f.Kind == FallbackFilters {
				got = append(got, f.Symbol+" "+f.Kind)
			}
		}
		return strings.Join(got, ",")
	}
	res := run(t, Config{NoFundingFallback: true}, bars(), nop)
	if got := kinds(res); got != "FOOUSDT brackets_default,FOOUSDT filters_default" {
		t.Errorf("fallbacks %q, want FOOUSDT's brackets and filters only (BTCUSDT has its own)", got)
	}
	found := false
	for _, a := range res.Assumptions {
		found = found || strings.Contains(a.Value, "FOOUSDT: tick, step, min qty, min notional, max qty not in the dated filter table")
	}
	if !found {
		t.Errorf("no assumption names FOOUSDT's derived filters: %v", res.Assumptions)
	}
	own, err := margin.LoadBook(strings.NewReader(twoTables))
	if err != nil {
		t.Fatal(err)
	}
	res = run(t, Config{NoFundingFallback: true, Book: margin.DefaultBook().With(own)}, bars(), nop)
	if got := kinds(res); got != "FOOUSDT filters_default" {
		t.Errorf("with FOOUSDT's own table on top of the embedded book: fallbacks %q, want its filters only", got)
	}
}
