package margin

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// The embedded schedule: taker 0.04% until 2023-11-14 (a real BTCUSDT fill of that day was
// charged 0.1462684 on 365.671 notional, exactly 0.04%), 0.05% from 2023-11-15; clearance
// 0.3% BTCUSDT and 0.5% other symbols (2019–2020 FAQ), 1.25% from 2024-01-01.
func TestFeeScheduleEmbedded(t *testing.T) {
	f := FeeSchedule()
	for _, c := range []struct {
		sym, at, maker, taker, clearance string
	}{
		{"BTCUSDT", "2019-09-08", "0.0002", "0.0004", "0.003"},
		{"BTCUSDT", "2020-03-12", "0.0002", "0.0004", "0.003"},
		{"ETHUSDT", "2020-03-12", "0.0002", "0.0004", "0.005"},
		{"BTCUSDT", "2023-11-14", "0.0002", "0.0004", "0.003"},
		{"BTCUSDT", "2023-11-15", "0.0002", "0.0005", "0.003"},
		{"BTCUSDT", "2024-01-01", "0.0002", "0.0005", "0.0125"},
		{"PEPEUSDT", "2025-06-01", "0.0002", "0.0005", "0.0125"},
		{"BTCUSDT", "2017-01-01", "0.0002", "0.0004", "0.003"}, // before the first row: the first
	} {
		tr, ok1 := f.TradingAt(c.sym, day(c.at).Add(12*time.Hour))
		cl, ok2 := f.ClearanceAt(c.sym, day(c.at).Add(12*time.Hour))
		if !ok1 || !ok2 || !tr.Maker.Equal(d(c.maker)) || !tr.Taker.Equal(d(c.taker)) || !cl.Rate.Equal(d(c.clearance)) {
			t.Errorf("%s %s: maker %s taker %s clearance %s, want %s %s %s", c.sym, c.at, tr.Maker, tr.Taker, cl.Rate, c.maker, c.taker, c.clearance)
		}
	}
	if fee := d("365.671").Mul(mustTaker(t, f, "BTCUSDT", "2023-11-14")); !fee.Equal(d("0.1462684")) {
		t.Errorf("the 2023-11-14 fill: fee %s, Binance charged 0.1462684", fee)
	}
	for _, rows := range [][]FeeRate{f.Trading, f.Clearance} {
		for _, r := range rows {
			if r.Source == "" || r.DateBasis == "" {
				t.Errorf("row %s %s has no source or date basis", r.Symbol, r.Date)
			}
		}
	}
	got := f.Changes("BTCUSDT", day("2020-01-01"))
	if len(got) != 2 || !got[0].Equal(day("2023-11-15")) || !got[1].Equal(day("2024-01-01")) {
		t.Errorf("Changes = %v, want 2023-11-15 and 2024-01-01", got)
	}
}

func mustTaker(t *testing.T, f *Fees, sym, at string) decimal.Decimal {
	t.Helper()
	r, ok := f.TradingAt(sym, day(at))
	if !ok {
		t.Fatalf("no rate for %s", sym)
	}
	return r.Taker
}

func TestParseFeesErrors(t *testing.T) {
	for name, c := range map[string]struct{ in, msg string }{
		"not json":  {`{`, "fee schedule"},
		"bad date":  {`{"trading":[{"symbol":"*","from":"2024-13-01","maker":"0","taker":"0","source":"x"}]}`, "trading row 1 (* 2024-13-01): from"},
		"no source": {`{"trading":[{"symbol":"*","from":"2024-01-01","maker":"0","taker":"0"}]}`, "source are required"},
		"no symbol": {`{"clearance":[{"from":"2024-01-01","rate":"0.01","source":"x"}]}`, "clearance row 1"},
		"rate > 1":  {`{"clearance":[{"symbol":"*","from":"2024-01-01","rate":"2","source":"x"}]}`, "outside [0, 1)"},
		"neg taker": {`{"trading":[{"symbol":"*","from":"2024-01-01","maker":"0","taker":"-0.1","source":"x"}]}`, "outside [0, 1)"},
		"duplicate": {`{"clearance":[{"symbol":"*","from":"2024-01-01","rate":"0.01","source":"x"},{"symbol":"*","from":"2024-01-01","rate":"0.02","source":"y"}]}`, "same symbol and date"},
	} {
		_, err := ParseFees([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v, want an error containing %q", name, err, c.msg)
		}
		if name == "no source" && !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%s: %v does not wrap ErrInvalidInput", name, err)
		}
	}
}
