package metrics

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
)

func at(i int) int64 { return d0 + int64(i)*hour }

// crossAccount: hourly closes t0..t9 with margin ratios
//
//	0.1 0.6 0.85 0.9 0.4 0.82 0.95 0.0 0.3 0.85
//
// and a cascade at t7 that closes a BTC long (loss −10, triggered at the mark 90.004 and filled
// one tick lower at 90: shortfall 0.004) and an ETH short liquidated below its entry (its own
// PnL +10, a bystander; triggered at 44.999, filled at 45: shortfall 2 × 0.001 = 0.002). The
// account is ruined at t7. Trades: the two liquidated ones, SOL (survived, closest 0.3), ADA
// (survived, closest 0.1) and DOT (never had a liquidation price: the engine's 1).
func crossAccount() *backtest.AccountResult {
	mr := []float64{0.1, 0.6, 0.85, 0.9, 0.4, 0.82, 0.95, 0.0, 0.3, 0.85}
	a := &backtest.AccountResult{Name: "cross", Ruined: true, RuinTime: at(7)}
	for i, r := range mr {
		a.Equity = append(a.Equity, backtest.EquityPoint{Time: at(i), Equity: 100, MarginRatio: r})
	}
	a.Liquidations = []margin.Liquidation{
		{Time: at(7), Symbol: "BTCUSDT", Mode: margin.Cross, Qty: dec("1"), Entry: dec("100"), TriggerMark: dec("90.004"), Price: dec("90"), Bankruptcy: dec("95"),
			RealizedPnL: dec("-10"), MarginLost: dec("10"), Fee: dec("0.5"), Cascade: 2},
		{Time: at(7), Symbol: "ETHUSDT", Mode: margin.Cross, Qty: dec("-2"), Entry: dec("50"), TriggerMark: dec("44.999"), Price: dec("45"),
			RealizedPnL: dec("10"), MarginLost: dec("-10"), Fee: dec("0.25"), Cascade: 2, Gap: true},
	}
	a.Trades = []backtest.Trade{
		{Symbol: "BTCUSDT", EntryTime: at(1), ExitTime: at(7), Liquidated: true},
		{Symbol: "ETHUSDT", EntryTime: at(3), ExitTime: at(7), Liquidated: true, MinLiqDistance: 0.01},
		{Symbol: "SOLUSDT", EntryTime: at(8), ExitTime: at(9), MinLiqDistance: 0.3, LastWick: true},
		{Symbol: "ADAUSDT", EntryTime: at(8), ExitTime: at(9), MinLiqDistance: 0.1},
		{Symbol: "DOTUSDT", EntryTime: at(8), ExitTime: at(9), MinLiqDistance: 1},
	}
	return a
}

func TestLiquidationStats(t *testing.T) {
	s := Liquidations(crossAccount(), d0)
	if s.Count != 2 || s.Gaps != 1 {
		t.Errorf("count %d gaps %d", s.Count, s.Gaps)
	}
	// cost: fees 0.75 + shortfall 0.006; the realized PnL of the liquidated positions, −10 + 10
	near(t, "cost", s.Cost, 0.756)
	near(t, "shortfall", s.Shortfall, 0.006)
	near(t, "clearance", s.ClearanceFees, 0.75)
	near(t, "liquidated pnl", s.LiquidatedPnL, 0)
	if !s.Ruined || s.TimeToRuinH == nil || *s.TimeToRuinH != 7 {
		t.Errorf("ruin %v after %v h", s.Ruined, s.TimeToRuinH)
	}
	// entry→liquidation: BTC 6h, ETH 4h
	if s.EntryToLiqMinH == nil || *s.EntryToLiqMinH != 4 || *s.EntryToLiqMedianH != 5 || *s.EntryToLiqMaxH != 6 {
		t.Errorf("entry→liq %v %v %v", s.EntryToLiqMinH, s.EntryToLiqMedianH, s.EntryToLiqMaxH)
	}
	// survivors with a liquidation price: SOL 0.3, ADA 0.1 (DOT had none, the liquidated
	// trades are counted, not given a distance): min 0.1, median 0.2
	if s.MinDistanceSurvived == nil || *s.MinDistanceSurvived != 0.1 || math.Abs(*s.MedianDistanceSurvived-0.2) > 1e-15 {
		t.Errorf("survived distances min %v median %v", s.MinDistanceSurvived, s.MedianDistanceSurvived)
	}
	if s.Trades != 5 || s.TradesWithLiqPrice != 4 || len(s.TradeDistances) != 5 || s.TradeDistances[0] != 0 || !math.IsNaN(s.TradeDistances[4]) {
		t.Errorf("trades %d with a liquidation price %d, distances %v", s.Trades, s.TradesWithLiqPrice, s.TradeDistances)
	}
	near(t, "mr max", s.MarginRatioMax, 0.95)
	near(t, "mr p95", s.MarginRatioP95, 0.95) // nearest rank ceil(0.95·10) = 10th of 10
	// every point covers 1h: ≥0.5 at t1 t2 t3 t5 t6 t9, ≥0.8 at t2 t3 t5 t6 t9
	if s.TimeTotalH != 10 || s.TimeAbove05Frac != 0.6 || s.TimeAbove08Frac != 0.5 {
		t.Errorf("time total %vh ≥0.5 %v ≥0.8 %v", s.TimeTotalH, s.TimeAbove05Frac, s.TimeAbove08Frac)
	}
	// episodes at or above 0.8: t2–t3 (from t1, the crossing bar's open), t5–t6, t9 (never
	// recovered: not one). The BTC long, open through t2–t3, was liquidated at t7, within the
	// default 24 h window: t2–t3 is not a near miss (the recovery did not save it); nor is
	// t5–t6, whose positions died at t7.
	if s.NearMisses != 0 || s.NearMissRatio != 0.8 || s.NearMissWindowH != 24 {
		t.Errorf("near misses = %d (ratio %v, window %vh), want 0", s.NearMisses, s.NearMissRatio, s.NearMissWindowH)
	}
	// with a 1 h window the BTC liquidation at t7 is after t3 + 1h: t2–t3 is a near miss
	if n := LiquidationsOpts(crossAccount(), d0, StatsOf(crossAccount().Equity), Options{NearMissWindowH: 1}).NearMisses; n != 1 {
		t.Errorf("near misses with a 1 h window = %d, want 1", n)
	}
	// at a 0.9 threshold the episodes are t3 and t6; t3 (from t2) ends 4 h before the t7
	// liquidation: with a 3 h window a near miss, t6 not
	st := NewEquityStats(0).SetNearMissRatio(0.9)
	for _, p := range crossAccount().Equity {
		st.Add(p)
	}
	if s9 := LiquidationsOpts(crossAccount(), d0, st, Options{NearMissWindowH: 3}); s9.NearMisses != 1 || s9.NearMissRatio != 0.9 {
		t.Errorf("near misses at 0.9 = %d (ratio %v), want 1", s9.NearMisses, s9.NearMissRatio)
	}
	// a liquidation inside the crossing bar counts (issue 12 item 8): the bar closing at t2
	// opens at t1, and a position liquidated in it (record time t1, the bar's open) makes
	// t2–t3 no near miss, however short the window
	a := crossAccount()
	a.Trades = append(a.Trades, backtest.Trade{Symbol: "XRPUSDT", EntryTime: at(0), ExitTime: at(1), Liquidated: true})
	if n := LiquidationsOpts(a, d0, StatsOf(a.Equity), Options{NearMissWindowH: 1}).NearMisses; n != 0 {
		t.Errorf("near misses with a liquidation in the crossing bar = %d, want 0", n)
	}
	if s.Cascades != 1 || s.CascadePositions != 2 {
		t.Errorf("cascades %d positions %d", s.Cascades, s.CascadePositions)
	}
	// the ETH short was liquidated below its entry (in profit). The BTC long's bankruptcy price
	// 95 says the cross wallet before the cascade was −(1 × (95 − 100)) − (−2 × (45 − 50)) =
	// 5 − 10 = −5: drained by realized losses, the ETH profit was holding the account up
	if s.LiquidatedInProfit != 1 || s.LiquidatedInProfitWalletDrained != 1 || s.LiquidatedInProfitOthersLosses != 0 {
		t.Errorf("liquidated in profit %d (wallet drained %d, others' losses %d), want 1 (1, 0)",
			s.LiquidatedInProfit, s.LiquidatedInProfitWalletDrained, s.LiquidatedInProfitOthersLosses)
	}
	// with a bankruptcy price of 85 the wallet was 15 − 10 = 5: the BTC long's unrealized loss
	// brought the account down
	b := crossAccount()
	b.Liquidations[0].Bankruptcy = dec("85")
	if s := Liquidations(b, d0); s.LiquidatedInProfitOthersLosses != 1 || s.LiquidatedInProfitWalletDrained != 0 {
		t.Errorf("wallet 5 before the cascade: drained %d, others' losses %d; want 0, 1", s.LiquidatedInProfitWalletDrained, s.LiquidatedInProfitOthersLosses)
	}
	if s.WalletMin == nil || *s.WalletMin != 0 {
		t.Errorf("wallet min %v, want 0 (the fixture's points have no wallet)", s.WalletMin)
	}
	// only the SOL trade saw a last-price wick through its liquidation price
	if s.WickLiquidations == nil || *s.WickLiquidations != 1 {
		t.Errorf("wick liquidations = %v, want 1", s.WickLiquidations)
	}
}

func TestLiquidationStatsIsolatedNoCascade(t *testing.T) {
	// two isolated liquidations at the same time are not a cross cascade nor bystanders
	a := &backtest.AccountResult{Liquidations: []margin.Liquidation{
		{Time: at(1), Mode: margin.Isolated, Qty: dec("1"), Entry: dec("10"), Price: dec("11")},
		{Time: at(1), Mode: margin.Isolated, Qty: dec("-1"), Entry: dec("10"), Price: dec("11")},
	}}
	s := Liquidations(a, 0)
	if s.Cascades != 0 || s.LiquidatedInProfit != 0 || s.Count != 2 {
		t.Errorf("%+v", s)
	}
}

func TestPair(t *testing.T) {
	tr := func(sym string, i int, liq bool) backtest.Trade {
		return backtest.Trade{Symbol: sym, EntryTime: at(i), ExitTime: at(i + 1), Liquidated: liq, PnL: dec("1")}
	}
	iso := []backtest.Trade{
		tr("BTCUSDT", 1, true),   // cross survived: rescued
		tr("ETHUSDT", 3, false),  // cross liquidated: killed
		tr("SOLUSDT", 5, true),   // both
		tr("XRPUSDT", 6, false),  // only the isolated account entered
		tr("DOGEUSDT", 9, false), // survived both
	}
	cross := []backtest.Trade{
		tr("ADAUSDT", 2, false), // only cross entered
		tr("BTCUSDT", 1, false),
		tr("ETHUSDT", 3, true),
		tr("SOLUSDT", 5, true),
		tr("XRPUSDT", 8, false), // same symbol, other time: unmatched
		tr("DOGEUSDT", 9, false),
	}
	p := Pair(iso, cross)
	// records without decisions pair by symbol and entry time; BTC's isolated liquidation has
	// the same PnL under cross (no leverage, compared in USDT): not rescued
	want := Paired{By: "entry_time", Matched: 4, SurvivedBoth: 1, OnlyIsolated: 1, OnlyCross: 1, Both: 1, IsolatedOnly: 1, CrossOnly: 2}
	if len(p.Unmatched) != 3 || p.Unmatched[0].Symbol != "ADAUSDT" || p.Unmatched[1].Symbol != "XRPUSDT" {
		t.Errorf("unmatched %+v", p.Unmatched)
	}
	p.Rows, want.Rows, p.Unmatched = nil, nil, nil
	if !reflect.DeepEqual(p, want) {
		t.Errorf("got %+v\nwant %+v", p, want)
	}
	if r := Pair(iso, cross).Rows; len(r) != 4 || r[0].Symbol != "BTCUSDT" || !r[0].IsolatedLiq || r[0].CrossLiq {
		t.Errorf("rows %+v", r)
	}
}

func TestLiquidationStatsNoTrades(t *testing.T) {
	// no trades, no liquidations: every distance and duration is null, never a 0 that reads
	// "at liquidation" or a placeholder 1
	s := Liquidations(&backtest.AccountResult{}, 0)
	if s.MinDistanceSurvived != nil || s.MedianDistanceSurvived != nil || s.EntryToLiqMinH != nil || s.TimeToRuinH != nil {
		t.Errorf("%+v", s)
	}
	for _, m := range s.Metrics() {
		switch m.Key {
		case "min_distance_survived", "median_distance_survived", "time_to_ruin_h", "entry_to_liquidation_min_h":
			if m.OK {
				t.Errorf("%s available without trades", m.Key)
			}
		}
	}
}

func TestLiquidationCostKeysMatchJSON(t *testing.T) {
	// one key family, one unit: every metric key is a JSON key of the stats (same value)
	b, _ := json.Marshal(Liquidations(crossAccount(), d0))
	var doc map[string]any
	json.Unmarshal(b, &doc)
	for _, m := range Liquidations(crossAccount(), d0).Metrics() {
		v, ok := doc[m.Key]
		if !ok {
			t.Errorf("metric %s is not a summary.json key", m.Key)
			continue
		}
		switch v := v.(type) {
		case float64:
			if m.OK && math.Abs(v-m.Value) > 1e-12 {
				t.Errorf("%s: json %v, metric %v", m.Key, v, m.Value)
			}
		case bool:
		case nil:
			if m.OK {
				t.Errorf("%s: null in json, available as a metric", m.Key)
			}
		}
	}
}

func TestLiquidatedPnLFromCSVFields(t *testing.T) {
	// liquidations.csv does not carry the realized PnL: it follows from margin_lost and the
	// insurance draw. Isolated long, isolated margin 100, gapped to a loss of 130: margin lost
	// 100, the fund takes 30, realized −130. Cross short liquidated in profit 40: margin lost −40.
	for _, c := range []struct {
		l    margin.Liquidation
		want string
	}{
		{margin.Liquidation{Mode: margin.Isolated, MarginLost: dec("100"), InsuranceDraw: dec("30")}, "-130"},
		{margin.Liquidation{Mode: margin.Isolated, MarginLost: dec("70")}, "-70"},
		{margin.Liquidation{Mode: margin.Cross, MarginLost: dec("-40"), InsuranceDraw: dec("5")}, "40"},
		{margin.Liquidation{Mode: margin.Isolated, RealizedPnL: dec("-130"), MarginLost: dec("100"), InsuranceDraw: dec("30")}, "-130"},
	} {
		if got := LiquidatedPnL(c.l); !got.Equal(dec(c.want)) {
			t.Errorf("%+v: %s, want %s", c.l, got, c.want)
		}
	}
}

// Positions pair by the strategy's decision, not by time or size, and "rescued" needs cross to
// survive and end better by return on initial margin.
func TestPairByDecision(t *testing.T) {
	dec1 := backtest.Decision{Time: at(0), Seq: 1}
	dec2 := backtest.Decision{Time: at(0), Seq: 2}
	pos := func(sym string, entry int, qty string, pnl string, liq bool, d backtest.Decision) backtest.Trade {
		return backtest.Trade{Symbol: sym, Side: backtest.Buy, EntryTime: at(entry), ExitTime: at(entry + 3), Qty: dec(qty), EntryPrice: dec("100"),
			PnL: dec(pnl), Liquidated: liq, EntryDecision: d, Leverage: 10}
	}
	iso := []backtest.Trade{
		// initial margin 1 × 100 / 10 = 10; liquidated, −10: return −1
		pos("BTCUSDT", 1, "1", "-10", true, dec1),
		pos("ETHUSDT", 1, "1", "-10", true, dec1),
	}
	cross := []backtest.Trade{
		// same decision, filled a bar later at twice the size (margin 20): survived at −30, a
		// return of −1.5: worse than isolated, not rescued
		pos("BTCUSDT", 2, "2", "-30", false, dec1),
		// margin 30, survived at −15: −0.5, better than −1 (though more USDT lost): rescued
		pos("ETHUSDT", 1, "3", "-15", false, dec1),
		// a second decision on ETH the isolated account did not make
		pos("ETHUSDT", 5, "1", "4", false, dec2),
	}
	p := Pair(iso, cross)
	if p.By != "decision" || p.Matched != 2 || p.OnlyIsolated != 2 || p.Rescued != 1 || p.CrossOnly != 1 || p.IsolatedOnly != 0 {
		t.Fatalf("%+v", p)
	}
	for _, r := range p.Rows {
		if r.Rescued != (r.Symbol == "ETHUSDT") {
			t.Errorf("%s rescued %v (returns %v / %v)", r.Symbol, r.Rescued, *r.IsolatedROIM, *r.CrossROIM)
		}
	}
	if r := p.Rows[0]; r.Symbol != "BTCUSDT" || *r.IsolatedROIM != -1 || *r.CrossROIM != -1.5 {
		t.Errorf("BTC row %+v", r)
	}
	if len(p.Unmatched) != 1 || p.Unmatched[0].EntryDecision != dec2 {
		t.Errorf("unmatched %+v", p.Unmatched)
	}
}

func TestLinkLiquidations(t *testing.T) {
	d := backtest.Decision{Time: at(0), Seq: 1}
	iso := &backtest.AccountResult{
		Liquidations: []margin.Liquidation{{Time: at(3), Symbol: "BTCUSDT", Mode: margin.Isolated, Qty: dec("1"), Entry: dec("100"),
			TriggerMark: dec("90.05"), Price: dec("90"), RealizedPnL: dec("-10"), MarginLost: dec("10"), Fee: dec("0.5")}},
		Trades: []backtest.Trade{{Symbol: "BTCUSDT", Side: backtest.Buy, EntryTime: at(1), ExitTime: at(3), Liquidated: true, EntryDecision: d}},
	}
	cross := &backtest.AccountResult{
		Trades: []backtest.Trade{{Symbol: "BTCUSDT", Side: backtest.Buy, EntryTime: at(1), ExitTime: at(6), PnL: dec("-4"), EntryDecision: d}},
	}
	ls := LinkLiquidations(iso, cross)
	if len(ls) != 1 || !ls[0].OtherFound || ls[0].Other.ExitTime != at(6) || ls[0].Account != IsolatedName {
		t.Fatalf("%+v", ls)
	}
	near(t, "cost", ls[0].Cost, 0.55) // fee 0.5 + 1 × (90.05 − 90)
	near(t, "pnl", ls[0].PnL, -10)
}
