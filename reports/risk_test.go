package reports

import (
	"math"
	"testing"

	"github.com/bt-backtest/bt/backtest"
)

// isoRatio, worked by hand on backtest's TestLiqPricesAtEvents position: 10 long at 100 on a
// 100 USDT isolated wallet, maintenance margin 1 % (10 at the mark 100), liquidation price
// 100/1.1 = 90.909…: at 100 the ratio is 10/100 = 0.1; at 95 the balance is 100 − 50 = 50 and
// the maintenance margin 9.5, 0.19; at the liquidation price 1; below the bankruptcy price
// (90) the balance is gone: capped at MaxChartRatio.
func TestIsoRatio(t *testing.T) {
	s := backtest.LiqPricePoint{Isolated: true, Qty: 10, Entry: 100, Wallet: 100, LiqPrice: 100 / 1.1, Mark: 100, MaintMargin: 10}
	for _, c := range []struct{ px, want float64 }{{100, 0.1}, {95, 0.19}, {100 / 1.1, 1}, {89, MaxChartRatio}} {
		if got := isoRatio(s, c.px); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("ratio at %v = %v, want %v", c.px, got, c.want)
		}
	}
	// a short: 2 short at 50, wallet 10, 1 % maintenance: the ratio rises with the price
	sh := backtest.LiqPricePoint{Isolated: true, Qty: -2, Entry: 50, Wallet: 10, LiqPrice: 110 / 2.02, Mark: 50, MaintMargin: 1}
	if a, b := isoRatio(sh, 50), isoRatio(sh, 53); !(a < b && math.Abs(a-0.1) < 1e-12) {
		t.Errorf("short: ratio %v at 50, %v at 53", a, b)
	}
	if r := isoRatio(sh, sh.LiqPrice); math.Abs(r-1) > 1e-12 {
		t.Errorf("short at its liquidation price: %v, want 1", r)
	}
}

// The fixture's isolated account gets a panel of its positions' own ratios: BTCUSDT reaches
// the liquidation where it was liquidated (no near miss there), ETHUSDT comes within 0.8 of its
// liquidation price and survives (one near miss, at ≥ 0.8); the cross account has none.
func TestRiskPanel(t *testing.T) {
	r := fixtureRun(t, t.TempDir(), "fixture")
	var risk []Panel
	for _, p := range Charts(r) {
		if len(p.ID) > 5 && p.ID[:5] == "risk-" {
			risk = append(risk, p)
		}
	}
	if len(risk) != 1 || risk[0].ID != "risk-isolated" {
		t.Fatalf("risk panels %v, want only risk-isolated", risk)
	}
	peak := map[string]float64{}
	near := map[string][]float64{}
	for _, s := range risk[0].Series {
		for _, v := range s.Values {
			if math.IsNaN(v) {
				continue
			}
			switch s.Kind {
			case "risk":
				peak[s.Label] = math.Max(peak[s.Label], v)
			case "near":
				near[s.Label] = append(near[s.Label], v)
			}
		}
	}
	if peak["isolated BTCUSDT"] < 1 || peak["isolated ETHUSDT"] < 0.8 || peak["isolated ETHUSDT"] >= 1 {
		t.Errorf("peaks %v: want BTCUSDT ≥ 1 (liquidated), ETHUSDT in [0.8, 1)", peak)
	}
	if len(near["isolated ETHUSDT near miss"]) != 1 || near["isolated ETHUSDT near miss"][0] < 0.8 || len(near["isolated BTCUSDT near miss"]) != 0 {
		t.Errorf("near misses %v: want one for ETHUSDT, none for the liquidated BTCUSDT", near)
	}
}
