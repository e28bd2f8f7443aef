package backtest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/backtest/margin"
)

// TestRecordTablesValid: every column sets exactly the accessor of its kind, and names and log
// keys are unique within a table.
func TestRecordTablesValid(t *testing.T) {
	for _, err := range []error{equityTable.check(), tradeTable.check(), fillTable.check(), liquidationTable.check(),
		fundingTable.check(), rejectTable.check(), liqPriceTable.check(), barTable.check()} {
		if err != nil {
			t.Error(err)
		}
	}
	if got, want := len(RecordTables()), 8; got != want {
		t.Errorf("RecordTables lists %d tables, want %d", got, want)
	}
	bad := Table[Trade]{Name: "x", Columns: []Column[Trade]{{Name: "a", Kind: KindInt, Float: func(*Trade) float64 { return 0 }}}}
	if bad.check() == nil {
		t.Error("an int column with a float accessor passed the check")
	}
}

// TestCanonicalLogKeys: each record line of the canonical log holds its table's Log keys, in
// column order, and nothing else.
func TestCanonicalLogKeys(t *testing.T) {
	// hedge legs, so that every key is there (a one-way record leaves pos out: below)
	r := AccountResult{Name: "x", Fills: []FillRecord{{Time: 1, PositionSide: margin.Long}}, Funding: []FundingPayment{{Time: 2, PositionSide: margin.Short}},
		Rejects: []Reject{{Time: 3, Action: "order"}}}
	r.Liquidations = append(r.Liquidations, margin.Liquidation{Time: 4, Side: margin.Long})
	var b bytes.Buffer
	if err := r.CanonicalLog(&b); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{}
	for _, d := range RecordTables() {
		if d.Log == "" {
			continue
		}
		for _, c := range d.Columns {
			if c.Log != "" {
				want[d.Log] = append(want[d.Log], c.Log)
			}
		}
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		f := strings.Fields(line)
		keys, ok := want[f[0]]
		if !ok {
			continue
		}
		seen++
		var got []string
		for _, kv := range f[1:] {
			got = append(got, kv[:strings.IndexByte(kv, '=')])
		}
		if strings.Join(got, " ") != strings.Join(keys, " ") {
			t.Errorf("%s line keys %v, want %v", f[0], got, keys)
		}
	}
	if seen != 4 {
		t.Errorf("%d record lines, want 4:\n%s", seen, b.String())
	}
	oneWay := AccountResult{Fills: []FillRecord{{Time: 1}}, Funding: []FundingPayment{{Time: 2}}, Liquidations: []margin.Liquidation{{Time: 4}}}
	b.Reset()
	oneWay.CanonicalLog(&b)
	if strings.Contains(b.String(), "pos=") || !strings.Contains(b.String(), "\nfill t=1 id=0 sym=\"\" side=0 ") {
		t.Errorf("one-way log names a leg or misses a line:\n%s", b.String())
	}
}
