package margin

import (
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// The embedded filter table: BTCUSDT's tick 0.01 until 2022-02-15 and 0.1 from 2022-02-16 (the
// data's own grid), min notional 5 then 100 and max quantity 1000 from 2024-01-01; ETHUSDT
// tick 0.01 throughout, min notional 5 then 20. Before a filter's first row, the first row.
func TestFilterTableEmbedded(t *testing.T) {
	f := FilterTable()
	str := func(p *decimal.Decimal) string {
		if p == nil {
			return "-"
		}
		return p.String()
	}
	for _, c := range []struct{ sym, at, want string }{
		{"BTCUSDT", "2020-03-12", "0.01 0.001 0.001 5 1000"}, // max qty: the 2024 row, the only one
		{"BTCUSDT", "2022-02-15", "0.01 0.001 0.001 5 1000"},
		{"BTCUSDT", "2022-02-16", "0.1 0.001 0.001 5 1000"},
		{"BTCUSDT", "2024-01-01", "0.1 0.001 0.001 100 1000"},
		{"ETHUSDT", "2021-05-01", "0.01 - - 5 -"},
		{"ETHUSDT", "2025-06-01", "0.01 - - 20 -"},
		{"PEPEUSDT", "2025-06-01", "- - - - -"},
	} {
		s := f.At(c.sym, day(c.at))
		got := strings.Join([]string{str(s.Tick), str(s.Step), str(s.MinQty), str(s.MinNotional), str(s.MaxQty)}, " ")
		if got != c.want {
			t.Errorf("%s %s: %s, want %s", c.sym, c.at, got, c.want)
		}
	}
	for _, r := range f.Rows {
		if r.Source == "" || r.DateBasis == "" {
			t.Errorf("row %s %s has no source or date basis", r.Symbol, r.Date)
		}
	}
	if !f.Has("ETHUSDT") || f.Has("LINKUSDT") {
		t.Error("Has")
	}
	if got := f.Changes("BTCUSDT", day("2020-01-01")); len(got) != 2 || !got[0].Equal(day("2022-02-16")) || !got[1].Equal(day("2024-01-01")) {
		t.Errorf("Changes = %v", got)
	}
}

func TestParseFiltersErrors(t *testing.T) {
	for name, c := range map[string]struct{ in, msg string }{
		"not json":  {`{`, "filter table"},
		"bad date":  {`{"rows":[{"symbol":"X","from":"2024-02-30","tick":"0.1","source":"x"}]}`, "row 1 (X 2024-02-30): from"},
		"no source": {`{"rows":[{"symbol":"X","from":"2024-01-01","tick":"0.1"}]}`, "source are required"},
		"zero tick": {`{"rows":[{"symbol":"X","from":"2024-01-01","tick":"0","source":"x"}]}`, "tick"},
		"neg min":   {`{"rows":[{"symbol":"X","from":"2024-01-01","min_notional":"-1","source":"x"}]}`, "min_notional"},
		"nothing":   {`{"rows":[{"symbol":"X","from":"2024-01-01","source":"x"}]}`, "sets no filter"},
	} {
		_, err := ParseFilters([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v, want an error containing %q", name, err, c.msg)
		}
	}
}

// GridTick: the finest decimal grid of the prices (shortest representations), at most 1e-8.
func TestGridTick(t *testing.T) {
	for _, c := range []struct {
		prices []float64
		want   string
		ok     bool
	}{
		{[]float64{2500.37, 2501.1, 2499}, "0.01", true},
		{[]float64{16537.5, 16538, 16523, 16529.2}, "0.1", true},
		{[]float64{100, 101}, "1", true},
		{[]float64{0.20704, 0.2}, "0.00001", true},
		{[]float64{1.0000000000123}, "0.00000001", true},
		{[]float64{0, -1}, "1", false},
		{nil, "1", false},
	} {
		g, ok := GridTick(c.prices)
		if g.String() != c.want || ok != c.ok {
			t.Errorf("GridTick(%v) = %s, %v; want %s, %v", c.prices, g, ok, c.want, c.ok)
		}
	}
}

// MaxQty (LOT_SIZE maxQty) refuses a larger order; zero means no limit.
func TestMaxQty(t *testing.T) {
	a := newAcct(t, "1000000", Cross, 10)
	in := a.Instrument(0)
	in.MaxQty = d("1000")
	must(t, a.SetInstrument(0, in))
	if err := a.CanOpen(0, d("1000.001"), d("60000"), false); !errors.Is(err, ErrMaxQty) {
		t.Errorf("1000.001 BTC: %v, want ErrMaxQty", err)
	}
	if err := a.CanOpen(0, d("-1000.001"), d("60000"), false); !errors.Is(err, ErrMaxQty) {
		t.Errorf("sell 1000.001 BTC: %v, want ErrMaxQty", err)
	}
	if err := a.CanOpen(0, d("1"), d("60000"), false); err != nil {
		t.Errorf("1 BTC: %v", err)
	}
}
