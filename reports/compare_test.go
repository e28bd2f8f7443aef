package reports

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/reports/metrics"
)

// TestComparisonText: run B is run A with the isolated account's final equity 1,234.50 USDT
// higher and its total return 5 percentage points higher (0.05 as a fraction), so the text
// shows "+1,234.50" and "+5.00 pp" in the isolated table's Δ column and zero differences in the
// cross table.
func TestComparisonText(t *testing.T) {
	parent := t.TempDir()
	a, b := fixtureRun(t, parent, "runA"), fixtureRun(t, parent, "runB")
	sa := metrics.Summarize(a.Result)
	sb := metrics.Summarize(b.Result)
	sb.Accounts = map[string]metrics.AccountSummary{}
	for k, v := range sa.Accounts {
		sb.Accounts[k] = v
	}
	iso := sb.Accounts[metrics.IsolatedName]
	iso.FinalEquity += 1234.5
	iso.TotalReturn += 0.05
	sb.Accounts[metrics.IsolatedName] = iso
	a.Summary, b.Summary = &sa, &sb

	var buf bytes.Buffer
	if err := WriteComparisonText(&buf, a, b); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	t.Logf("\n%s", out)
	sections := strings.SplitN(out, "\ncross account\n", 2)
	if len(sections) != 2 || !strings.HasPrefix(sections[0], "isolated account\n") {
		t.Fatalf("want an isolated table then a cross table:\n%s", out)
	}
	row := func(section, label string) string {
		for _, l := range strings.Split(section, "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), label) {
				return l
			}
		}
		t.Fatalf("no %q row in:\n%s", label, section)
		return ""
	}
	if !strings.Contains(row(sections[0], "metric"), "Δ runB − runA") {
		t.Errorf("header: %q", row(sections[0], "metric"))
	}
	if l := row(sections[0], "Final equity"); !strings.HasSuffix(strings.TrimSpace(l), "+1,234.50") {
		t.Errorf("isolated final equity: %q", l)
	}
	if l := row(sections[0], "Total return"); !strings.HasSuffix(strings.TrimSpace(l), "+5.00 pp") {
		t.Errorf("isolated total return: %q", l)
	}
	if l := row(sections[1], "Total return"); !strings.HasSuffix(strings.TrimSpace(l), "0.00 pp") || strings.Contains(l, "+") {
		t.Errorf("cross total return: %q", l)
	}
	if l := row(sections[1], "Final equity"); !strings.HasSuffix(strings.TrimSpace(l), " 0.00") {
		t.Errorf("cross final equity: %q", l)
	}
	if err := WriteComparisonText(&buf, a); err == nil {
		t.Error("one run compared without an error")
	}
}
