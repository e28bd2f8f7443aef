package metrics

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/shopspring/decimal"
)

const (
	d0   int64 = 1735689600000 // 2025-01-01T00:00:00Z
	hour int64 = 3_600_000
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func near(t *testing.T, name string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
		t.Errorf("%s = %.12g, want %.12g", name, got, want)
	}
}

// tinyCurve: closes at D0 (100), D0+12h (120, the peak), D1 (110), D2 (99), D3 (118.8).
// Daily samples: first point 100, end of Jan 1 = the D1 close 110 (a close at 00:00 ends the
// previous day), end of Jan 2 = 99, end of Jan 3 = 118.8. Daily returns: +10 %, −10 %, +20 %.
func tinyCurve() []backtest.EquityPoint {
	return []backtest.EquityPoint{
		{Time: d0, Equity: 100},
		{Time: d0 + 12*hour, Equity: 120, MarginRatio: 0.3},
		{Time: d0 + 24*hour, Equity: 110, MarginRatio: 0.9},
		{Time: d0 + 48*hour, Equity: 99, MarginRatio: 0.6},
		{Time: d0 + 72*hour, Equity: 118.8},
	}
}

func TestDailyReturns(t *testing.T) {
	r := DailyReturns(tinyCurve())
	want := []float64{0.1, -0.1, 0.2}
	if len(r) != len(want) {
		t.Fatalf("got %v, want %v", r, want)
	}
	for i := range want {
		near(t, "r", r[i], want[i])
	}
	// a ruined curve: returns after equity 0 are 0, not NaN
	r = DailyReturns([]backtest.EquityPoint{{Time: d0, Equity: 10}, {Time: d0 + 24*hour, Equity: 0}, {Time: d0 + 48*hour, Equity: 0}})
	if len(r) != 2 || r[0] != -1 || r[1] != 0 {
		t.Errorf("ruined returns = %v, want [-1 0]", r)
	}
	// several points a day, empty days skipped: closes 01:00 (100), 23:00 (105), next day 23:59 (84)
	r = DailyReturns([]backtest.EquityPoint{{Time: d0 + hour, Equity: 100}, {Time: d0 + 23*hour, Equity: 105}, {Time: d0 + 5*24*hour - 60000, Equity: 84}})
	if len(r) != 2 {
		t.Fatalf("returns = %v", r)
	}
	near(t, "r0", r[0], 0.05)
	near(t, "r1", r[1], -0.2)
}

func TestSummarizeAccountTiny(t *testing.T) {
	a := &backtest.AccountResult{
		Name:   "isolated",
		Equity: tinyCurve(),
		Trades: []backtest.Trade{
			{Symbol: "BTCUSDT", PnL: dec("10"), MinLiqDistance: 0.2},
			{Symbol: "BTCUSDT", PnL: dec("-5"), MinLiqDistance: 0.05},
			{Symbol: "ETHUSDT", PnL: dec("3"), MinLiqDistance: 0.5},
		},
		// the liquidation fill carries the clearance fee, which counts under clearance_fees only
		Fills: []backtest.FillRecord{{Fee: dec("0.1")}, {Fee: dec("0.2")}, {Fee: dec("0.75"), Liquidation: true}},
		Funding: []backtest.FundingPayment{
			{Amount: dec("-0.3")}, {Amount: dec("0.05")},
		},
		Liquidations: []margin.Liquidation{{RealizedPnL: dec("-12.5"), MarginLost: dec("12.5"), Fee: dec("0.75")}},
	}
	s := SummarizeAccount(a)
	near(t, "initial", s.InitialEquity, 100)
	near(t, "final", s.FinalEquity, 118.8)
	near(t, "total_return", s.TotalReturn, 0.188)
	near(t, "days", s.Days, 3)
	// peak 120 at 12:00, trough 99 after it: (120−99)/120
	near(t, "max_drawdown", s.MaxDrawdown, 0.175)
	// mean 0.2/3; sample stdev √(((0.1−m)²+(−0.1−m)²+(0.2−m)²)/2) = 0.152753; × √365
	near(t, "sharpe", s.Sharpe, 8.338093878327918)
	// downside deviation √(0.01/3) = 0.057735
	near(t, "sortino", s.Sortino, 22.060522810365725)
	// 1.188^(365/3) − 1
	near(t, "cagr", s.CAGR, math.Pow(1.188, 365.0/3)-1)
	near(t, "calmar", s.Calmar, s.CAGR/0.175)
	if s.Trades != 3 {
		t.Errorf("trades = %d", s.Trades)
	}
	near(t, "win_rate", s.WinRate, 2.0/3)
	if s.ProfitFactor == nil {
		t.Fatal("profit factor null with a losing trade")
	}
	near(t, "profit_factor", *s.ProfitFactor, 13.0/5)
	near(t, "fees", s.Fees, 0.3)
	near(t, "funding", s.Funding, -0.25)
	near(t, "liquidated_pnl", s.LiquidatedPnL, -12.5)
	near(t, "clearance_fees", s.ClearanceFees, 0.75)
	if s.Liquidations != 1 {
		t.Errorf("liquidations = %d", s.Liquidations)
	}
	if s.MinDistanceSurvived == nil || *s.MinDistanceSurvived != 0.05 {
		t.Errorf("min distance survived = %v, want 0.05", s.MinDistanceSurvived)
	}
	near(t, "max_margin_ratio", s.MaxMarginRatio, 0.9)
}

func TestCAGR(t *testing.T) {
	for _, c := range []struct {
		v0, v1, days, want float64
	}{
		{100, 121, 730, 0.1},                // 1.21 over two 365-day years: 10 % a year
		{100, 50, 365, -0.5},                // one year
		{100, 0, 10, -1},                    // ruined
		{100, 110, 0, 0},                    // zero-length run
		{0, 110, 10, 0},                     // no capital
		{100, 100.5, 36.5, 0.0511401320407}, // 1.005^10 − 1
	} {
		near(t, "cagr", CAGR(c.v0, c.v1, c.days), c.want)
	}
}

func TestRatiosDegenerate(t *testing.T) {
	if Sharpe([]float64{0.1}) != 0 || Sharpe([]float64{0.1, 0.1}) != 0 {
		t.Error("sharpe of < 2 returns or zero variance must be 0")
	}
	if Sortino([]float64{0.1, 0.2}) != 0 {
		t.Error("sortino without a losing day must be 0")
	}
	// profit factor: null with the reason, never a 0 that also means "no winning trade"
	s := SummarizeAccount(&backtest.AccountResult{Trades: []backtest.Trade{{PnL: dec("1")}}})
	if s.ProfitFactor != nil || s.ProfitFactorNull != "no losing trades" || s.WinRate != 1 {
		t.Errorf("profit factor %v (%q) win rate %v", s.ProfitFactor, s.ProfitFactorNull, s.WinRate)
	}
	s = SummarizeAccount(&backtest.AccountResult{Trades: []backtest.Trade{{PnL: dec("-1")}}})
	if s.ProfitFactor == nil || *s.ProfitFactor != 0 || s.ProfitFactorNull != "" {
		t.Errorf("no winning trade: profit factor %v (%q), want 0", s.ProfitFactor, s.ProfitFactorNull)
	}
	s = SummarizeAccount(&backtest.AccountResult{})
	if s.MinDistanceSurvived != nil || s.ProfitFactor != nil || s.ProfitFactorNull != "no trades" {
		t.Errorf("an account without trades: min distance %v, profit factor %v (%q)", s.MinDistanceSurvived, s.ProfitFactor, s.ProfitFactorNull)
	}
	b, _ := json.Marshal(s)
	if !json.Valid(b) {
		t.Fatal("invalid JSON")
	}
}

func TestMonthlyReturns(t *testing.T) {
	feb := int64(1738368000000) // 2025-02-01T00:00Z
	eq := []backtest.EquityPoint{
		{Time: d0 + hour, Equity: 100},
		{Time: feb, Equity: 110},        // close at 00:00 Feb 1 ends January
		{Time: feb + hour, Equity: 121}, // February
	}
	m := MonthlyReturns(eq)
	if len(m) != 2 || m[0].Month != 1 || m[1].Month != 2 || m[1].Year != 2025 {
		t.Fatalf("months = %+v", m)
	}
	near(t, "jan", m[0].Return, 0.1)
	near(t, "feb", m[1].Return, 0.1)
}

func TestQuantile(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3, 6, 7, 8, 9, 10}
	near(t, "p95", Quantile(xs, 0.95), 10) // rank ceil(9.5) = 10
	near(t, "p50", Quantile(xs, 0.5), 5)
	near(t, "p0", Quantile(xs, 0), 1)
}

func TestSummarizeDelta(t *testing.T) {
	iso := backtest.AccountResult{Name: "isolated", Equity: []backtest.EquityPoint{{Time: d0, Equity: 100}, {Time: d0 + 24*hour, Equity: 90}}}
	cross := backtest.AccountResult{Name: "cross", Equity: []backtest.EquityPoint{{Time: d0, Equity: 100}, {Time: d0 + 24*hour, Equity: 120}},
		Liquidations: []margin.Liquidation{{Mode: margin.Cross, RealizedPnL: dec("3"), MarginLost: dec("-3")}}}
	s := Summarize(&backtest.Result{Accounts: []backtest.AccountResult{iso, cross}})
	near(t, "delta final", s.Delta["final_equity"], 30)
	near(t, "delta total_return", s.Delta["total_return"], 0.3)
	near(t, "delta liquidations", s.Delta["liquidations"], 1)
	near(t, "liq delta liquidated pnl", s.LiquidationDelta["liquidated_pnl"], 3)
	if _, ok := s.Delta["min_distance_survived"]; ok {
		t.Error("delta of an unavailable metric")
	}
	if s.Paired == nil {
		t.Error("no paired table with both accounts")
	}
	if one := Summarize(&backtest.Result{Accounts: []backtest.AccountResult{iso}}); one.Delta != nil || one.Paired != nil {
		t.Error("delta without a cross account")
	}
}
