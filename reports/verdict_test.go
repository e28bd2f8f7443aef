package reports

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/bt-backtest/bt/reports/artifact"
	"github.com/bt-backtest/bt/reports/internal/fixture"
	"github.com/bt-backtest/bt/reports/metrics"
	"github.com/shopspring/decimal"
)

// ms parses an RFC 3339 time into Unix ms.
func ms(t *testing.T, s string) int64 {
	t.Helper()
	v, err := artifact.ParseTime(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// markdown writes sentences with their links as [text](href @zoom).
func markdown(ss []Sentence) string {
	var b strings.Builder
	for _, s := range ss {
		b.WriteString("- ")
		for _, p := range s {
			switch {
			case p.Href != "" && p.Zoom != 0:
				fmt.Fprintf(&b, "[%s](%s @%d)", p.Text, p.Href, p.Zoom)
			case p.Href != "":
				fmt.Fprintf(&b, "[%s](%s)", p.Text, p.Href)
			default:
				b.WriteString(p.Text)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestVerdictGolden: hand-made summaries and records, the sentences worked out below, kept
// in testdata/verdict.golden.md.
func TestVerdictGolden(t *testing.T) {
	t0 := ms(t, "2025-10-10T21:00:00Z")
	entry := ms(t, "2025-10-09T08:00:00Z")
	fill := func(at int64, sym string, side backtest.Side, qty, price string, oid backtest.OrderID) backtest.FillRecord {
		return backtest.FillRecord{Time: at, OrderID: oid, Symbol: sym, Side: side, Qty: dec(qty), Price: dec(price)}
	}
	opens := []backtest.FillRecord{fill(entry, "BTCUSDT", backtest.Buy, "0.5", "120000", 1), fill(entry, "ETHUSDT", backtest.Sell, "10", "4400", 2)}

	// Case 1: cross ahead. Isolated: 10,000 → 8,765.43 (−12.3457 %); cross: 10,000 → 9,876.54
	// (−1.2346 %). Δ = 1,111.11 USDT, 1,111.11 / 8,765.43 = 12.68 % more; returns differ by
	// 11.11 pp. Isolated's BTC long liquidated at 2025-10-10 21:00 (loss 1,200 + 60 = 1,260
	// USDT, the larger of its two); cross kept it, so the accounts part there. Cross had one
	// cascade of 2 positions on 2025-10-11 (a loss of 300 + 15 and 10 + 0.5).
	iso := &backtest.AccountResult{Name: "isolated", Fills: append(append([]backtest.FillRecord{}, opens...), fill(t0, "BTCUSDT", backtest.Sell, "0.5", "108000.1", 0))}
	iso.Liquidations = []margin.Liquidation{
		{Time: t0, Symbol: "BTCUSDT", Mode: margin.Isolated, Qty: dec("0.5"), Entry: dec("120000"), TriggerMark: dec("108000.14"), Price: dec("108000.1"),
			Bankruptcy: dec("107700"), MarginLost: dec("1200"), Fee: dec("60")},
		{Time: t0 + 3600_000, Symbol: "ETHUSDT", Mode: margin.Isolated, Qty: dec("-10"), MarginLost: dec("400"), Fee: dec("20")},
	}
	c2 := ms(t, "2025-10-11T04:00:00Z")
	cross := &backtest.AccountResult{Name: "cross", Fills: append(append([]backtest.FillRecord{}, opens...), fill(c2, "BTCUSDT", backtest.Sell, "0.5", "100000", 0))}
	cross.Liquidations = []margin.Liquidation{
		{Time: c2, Symbol: "BTCUSDT", Mode: margin.Cross, Qty: dec("0.5"), Price: dec("100000"), MarginLost: dec("300"), Fee: dec("15"), Cascade: 2},
		{Time: c2, Symbol: "ETHUSDT", Mode: margin.Cross, Qty: dec("-10"), Price: dec("4800.5"), MarginLost: dec("10"), Fee: dec("0.5"), Cascade: 2},
	}
	sum := metrics.Summary{
		Accounts: map[string]metrics.AccountSummary{
			"isolated": {FinalEquity: 8765.43, TotalReturn: 8765.43/10000 - 1, Liquidations: 2},
			"cross":    {FinalEquity: 9876.54, TotalReturn: 9876.54/10000 - 1, Liquidations: 2},
		},
		Liquidation: map[string]metrics.LiquidationStats{"cross": {Cascades: 1, CascadePositions: 2}},
		Paired:      &metrics.Paired{Matched: 2, OnlyIsolated: 1, Rescued: 1, OnlyCross: 0, Both: 1},
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, "## cross ahead, isolated liquidated first, one cross cascade\n%s\n", markdown(Verdict(sum, iso, cross, "")))

	// Case 2: isolated ahead (cross lost everything: −100 %), no paired liquidation
	// difference, the accounts part at a trade (cross's order not made), a comparison prefix.
	sum2 := metrics.Summary{
		Accounts: map[string]metrics.AccountSummary{
			"isolated": {FinalEquity: 10250, TotalReturn: 0.025, Liquidations: 0},
			"cross":    {FinalEquity: 0, TotalReturn: -1, Liquidations: 1},
		},
		Liquidation: map[string]metrics.LiquidationStats{"cross": {}},
		Paired:      &metrics.Paired{Matched: 3, SurvivedBoth: 3},
	}
	iso2 := &backtest.AccountResult{Name: "isolated", Fills: append(append([]backtest.FillRecord{}, opens...), fill(t0, "ETHUSDT", backtest.Buy, "10", "4300", 3))}
	cross2 := &backtest.AccountResult{Name: "cross", Fills: opens}
	fmt.Fprintf(&out, "## isolated ahead, cross ruined, parted at a trade\n%s\n", markdown(Verdict(sum2, iso2, cross2, "r2-")))

	// Case 3: level, the same fills: no parting; records missing for one account.
	sum3 := metrics.Summary{Accounts: map[string]metrics.AccountSummary{
		"isolated": {FinalEquity: 10000.001, TotalReturn: 0}, "cross": {FinalEquity: 10000.004, TotalReturn: 0}}}
	same := &backtest.AccountResult{Name: "isolated", Fills: opens}
	same2 := &backtest.AccountResult{Name: "cross", Fills: opens}
	fmt.Fprintf(&out, "## level, same fills\n%s\n", markdown(Verdict(sum3, same, same2, "")))
	fmt.Fprintf(&out, "## level, no records\n%s\n", markdown(Verdict(sum3, nil, nil, "")))
	golden(t, "verdict.golden.md", out.Bytes())

	// one account only: no verdict
	if v := Verdict(metrics.Summary{Accounts: map[string]metrics.AccountSummary{"cross": {}}}, nil, nil, ""); v != nil {
		t.Errorf("a verdict without the isolated account: %v", v)
	}
}

// TestVerdictNumbers checks the figures of the first case by hand, independently of the
// golden file (which -update could rewrite wrongly).
func TestVerdictNumbers(t *testing.T) {
	sum := metrics.Summary{Accounts: map[string]metrics.AccountSummary{
		"isolated": {FinalEquity: 8765.43, TotalReturn: -0.123457}, "cross": {FinalEquity: 9876.54, TotalReturn: -0.012346}}}
	got := Verdict(sum, nil, nil, "")[0].String()
	want := "Cross ended ahead by 1,111.11 USDT (12.68 % more): final equity 9,876.54 against 8,765.43 USDT for isolated; total return −1.23 % against −12.35 % (+11.11 pp)."
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestHTMLAnchorsResolve: every in-page link of the report (the verdict's, the tables') points
// at an element that exists, and the verdict comes before the summary.
func TestHTMLAnchorsResolve(t *testing.T) {
	parent := t.TempDir()
	var buf bytes.Buffer
	if err := WriteHTML(&buf, fixtureRun(t, parent, "run")); err != nil {
		t.Fatal(err)
	}
	checkAnchors(t, buf.String())
	buf.Reset()
	if err := WriteHTML(&buf, fixtureRun(t, parent, "runA"), fixtureRun(t, parent, "runB")); err != nil {
		t.Fatal(err)
	}
	checkAnchors(t, buf.String())
}

func checkAnchors(t *testing.T, html string) {
	t.Helper()
	ids := map[string]bool{}
	for _, m := range regexp.MustCompile(`\sid="([^"]+)"`).FindAllStringSubmatch(html, -1) {
		if ids[m[1]] {
			t.Errorf("id %q twice", m[1])
		}
		ids[m[1]] = true
	}
	hrefs := regexp.MustCompile(`href="#([^"]+)"`).FindAllStringSubmatch(html, -1)
	if len(hrefs) < 5 {
		t.Errorf("only %d in-page links", len(hrefs))
	}
	for _, m := range hrefs {
		if !ids[m[1]] {
			t.Errorf("link to #%s, which the page lacks", m[1])
		}
	}
	v, s := strings.Index(html, `id="verdict"`), strings.Index(html, "<h2>Summary</h2>")
	if v < 0 || v > s {
		t.Error("the verdict does not come first")
	}
	if !strings.Contains(html, "ended ahead by") {
		t.Error("the fixture's verdict does not say which mode ended ahead")
	}
	_ = fixture.Start
}

// TestDiffPanel: the cross − isolated panel subtracts the curves point by point (the fixture's
// accounts share their times), its last value is the final equities' difference, and the
// verdict links to it.
func TestDiffPanel(t *testing.T) {
	r := fixtureRun(t, t.TempDir(), "run")
	iso, cross := accountNamed(r.Result, "isolated"), accountNamed(r.Result, "cross")
	var p *Panel
	for _, q := range Charts(r) {
		if q.ID == "diff" {
			p = &q
		}
	}
	if p == nil {
		t.Fatal("no diff panel")
	}
	d := p.Series[0].Values
	n := len(iso.Equity)
	if want := cross.Equity[n-1].Equity - iso.Equity[n-1].Equity; d[len(d)-1] != want || p.X[len(p.X)-1] != iso.Equity[n-1].Time/1000 {
		t.Errorf("last difference %v at %d, want %v at %d", d[len(d)-1], p.X[len(p.X)-1], want, iso.Equity[n-1].Time/1000)
	}
	if d[0] != cross.Equity[0].Equity-iso.Equity[0].Equity {
		t.Errorf("first difference %v", d[0])
	}
	var buf bytes.Buffer
	if err := WriteHTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `first parted <a href="#chart-diff" data-zoom=`) {
		t.Error("the verdict's parting does not link to the difference chart")
	}
}
