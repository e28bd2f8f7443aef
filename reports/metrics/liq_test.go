package metrics

import (
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
// and a cascade at t7 that closes a BTC long (loss) and an ETH short liquidated below its
// entry (its own PnL positive: a bystander). The account is ruined at t7.
func crossAccount() *backtest.AccountResult {
	mr := []float64{0.1, 0.6, 0.85, 0.9, 0.4, 0.82, 0.95, 0.0, 0.3, 0.85}
	a := &backtest.AccountResult{Name: "cross", Ruined: true, RuinTime: at(7)}
	for i, r := range mr {
		a.Equity = append(a.Equity, backtest.EquityPoint{Time: at(i), Equity: 100, MarginRatio: r})
	}
	a.Liquidations = []margin.Liquidation{
		{Time: at(7), Symbol: "BTCUSDT", Mode: margin.Cross, Qty: dec("1"), Entry: dec("100"), Price: dec("90"), MarginLost: dec("10"), Fee: dec("0.5"), Cascade: 2},
		{Time: at(7), Symbol: "ETHUSDT", Mode: margin.Cross, Qty: dec("-2"), Entry: dec("50"), Price: dec("45"), MarginLost: dec("2"), Fee: dec("0.25"), Cascade: 2, Gap: true},
	}
	a.Trades = []backtest.Trade{
		{Symbol: "BTCUSDT", EntryTime: at(1), ExitTime: at(7), Liquidated: true},
		{Symbol: "ETHUSDT", EntryTime: at(3), ExitTime: at(7), Liquidated: true, MinLiqDistance: 0.01},
		{Symbol: "SOLUSDT", EntryTime: at(8), ExitTime: at(9), MinLiqDistance: 0.3, LastWick: true},
	}
	return a
}

func TestLiquidationStats(t *testing.T) {
	s := Liquidations(crossAccount(), d0)
	if s.Count != 2 || s.Gaps != 1 {
		t.Errorf("count %d gaps %d", s.Count, s.Gaps)
	}
	near(t, "loss", s.Loss, 12)
	near(t, "clearance", s.ClearanceFees, 0.75)
	if !s.Ruined || s.TimeToRuin != 7*hour {
		t.Errorf("ruin %v after %d", s.Ruined, s.TimeToRuin)
	}
	// entry→liquidation: BTC 6h, ETH 4h
	if s.EntryToLiqMin != 4*hour || s.EntryToLiqMedian != 5*hour || s.EntryToLiqMax != 6*hour {
		t.Errorf("entry→liq %d %d %d", s.EntryToLiqMin, s.EntryToLiqMedian, s.EntryToLiqMax)
	}
	// liquidated trades count 0, SOL 0.3: min 0, median 0
	if s.MinDistance != 0 || s.MedianDistance != 0 || len(s.TradeDistances) != 3 || s.TradeDistances[2] != 0.3 {
		t.Errorf("distances %v min %v median %v", s.TradeDistances, s.MinDistance, s.MedianDistance)
	}
	near(t, "mr max", s.MarginRatioMax, 0.95)
	near(t, "mr p95", s.MarginRatioP95, 0.95) // nearest rank ceil(0.95·10) = 10th of 10
	// every point covers 1h: ≥0.5 at t1 t2 t3 t5 t6 t9, ≥0.8 at t2 t3 t5 t6 t9
	if s.TimeTotal != 10*hour || s.TimeAbove05 != 6*hour || s.TimeAbove08 != 5*hour {
		t.Errorf("time total %d ≥0.5 %d ≥0.8 %d", s.TimeTotal, s.TimeAbove05, s.TimeAbove08)
	}
	// t2–t3 recovered at t4 with no liquidation: a near miss; t5–t6 ended by the t7
	// liquidation: not one; t9 never recovered: not one.
	if s.NearMisses != 1 {
		t.Errorf("near misses = %d, want 1", s.NearMisses)
	}
	if s.Cascades != 1 || s.CascadePositions != 2 {
		t.Errorf("cascades %d positions %d", s.Cascades, s.CascadePositions)
	}
	if s.Bystanders != 1 {
		t.Errorf("bystanders = %d, want 1 (the ETH short liquidated below its entry)", s.Bystanders)
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
	if s.Cascades != 0 || s.Bystanders != 0 || s.Count != 2 {
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
	want := Paired{Matched: 4, SurvivedBoth: 1, OnlyIsolated: 1, OnlyCross: 1, Both: 1, IsolatedOnly: 1, CrossOnly: 2}
	p.Rows, want.Rows = nil, nil
	if !reflect.DeepEqual(p, want) {
		t.Errorf("got %+v\nwant %+v", p, want)
	}
	if r := Pair(iso, cross).Rows; len(r) != 4 || r[0].Symbol != "BTCUSDT" || !r[0].IsolatedLiq || r[0].CrossLiq {
		t.Errorf("rows %+v", r)
	}
}
