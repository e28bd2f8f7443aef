package backtest

import (
	"strings"
	"testing"
	"time"
)

// Ten hourly bars from 00:00 without mark bars or funding: the mark comes from the last price
// on all 10 bars and the constant rate is due twice, at 00:00 (the first timestamp is a
// boundary) and 08:00; with the fallback disabled both settlements are counted as left out.
func TestFallbacksMarkAndFunding(t *testing.T) {
	var q [][4]float64
	for range 10 {
		q = append(q, [4]float64{100, 100.5, 99.5, 100})
	}
	for _, disabled := range []bool{false, true} {
		cfg := testConfig("AAA")
		cfg.NoFundingFallback = disabled
		res := run(t, cfg, NewSliceSource([]string{"AAA"}, Batches(OHLC("AAA", t0, hr, q...), nil, nil)), func() Strategy {
			return &script{}
		})
		fk := FallbackFunding
		if disabled {
			fk = FallbackNoFunding
		}
		if len(res.Fallbacks) != 2 {
			t.Fatalf("fallbacks %+v", res.Fallbacks)
		}
		m, f := res.Fallbacks[0], res.Fallbacks[1]
		if m.Kind != FallbackMark || m.Symbol != "AAA" || m.Count != 10 || !strings.Contains(m.Detail, "10 of 10 bars (100.0%)") {
			t.Errorf("mark fallback %+v", m)
		}
		if f.Kind != fk || f.Symbol != "AAA" || f.Count != 2 {
			t.Errorf("funding fallback %+v, want %s", f, fk)
		}
		keys := map[string]string{}
		for _, as := range res.Assumptions {
			keys[as.Key] = as.Value
		}
		if !strings.Contains(keys["mark_fallback"], "AAA 10 bars") || !strings.Contains(keys["funding_fallback"], "AAA 2×") {
			t.Errorf("assumptions %+v lack the fallbacks", res.Assumptions)
		}
	}
}

// Default instruments: BTCUSDT has real snapshots from 2022-02-12 on and filters in the table,
// FOOUSDT neither (its filters are derived). A date
// pinned to 1999 takes BTCUSDT's first snapshot (counted for all its bars); FOOUSDT takes
// the book's default table. Unpinned, data from 2022-02-11 22:00 has 2 hourly bars before the
// first snapshot.
func TestFallbacksBrackets(t *testing.T) {
	syms := []string{"BTCUSDT", "FOOUSDT"}
	start := time.Date(2022, 2, 11, 22, 0, 0, 0, time.UTC).UnixMilli()
	var q [][4]float64
	for range 5 {
		q = append(q, [4]float64{40000, 40100, 39900, 40000})
	}
	bars := append(OHLC("BTCUSDT", start, hr, q...), OHLC("FOOUSDT", start, hr, q...)...)
	find := func(fbs []Fallback, kind, sym string) *Fallback {
		for k := range fbs {
			if fbs[k].Kind == kind && fbs[k].Symbol == sym {
				return &fbs[k]
			}
		}
		return nil
	}
	for _, pinned := range []bool{true, false} {
		cfg := testConfig()
		cfg.Instruments = nil
		if pinned {
			cfg.BracketDate = time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		res := run(t, cfg, NewSliceSource(syms, Batches(bars, bars, nil)), func() Strategy { return &script{} })
		t.Logf("pinned %t: %+v", pinned, res.Fallbacks)
		b := find(res.Fallbacks, FallbackBracketDate, "BTCUSDT")
		switch {
		case b == nil:
			t.Errorf("pinned %t: no bracket-date fallback for BTCUSDT in %+v", pinned, res.Fallbacks)
		case pinned && (b.Count != 5 || !strings.Contains(b.Detail, "1999-01-01") || !strings.Contains(b.Detail, "2022-02-12")):
			t.Errorf("pinned: %+v", b)
		case !pinned && (b.Count != 2 || !strings.Contains(b.Detail, "2022-02-12")):
			t.Errorf("unpinned: %+v", b)
		}
		if f := find(res.Fallbacks, FallbackBrackets, "FOOUSDT"); f == nil || f.Count != 5 {
			t.Errorf("pinned %t: default-table fallback of FOOUSDT %+v in %+v", pinned, f, res.Fallbacks)
		}
		if f := find(res.Fallbacks, FallbackFilters, "FOOUSDT"); f == nil || f.Count != 5 || !strings.Contains(f.Detail, "not in the dated filter table") {
			t.Errorf("pinned %t: filters fallback of FOOUSDT %+v", pinned, f)
		}
		if find(res.Fallbacks, FallbackFilters, "BTCUSDT") != nil {
			t.Errorf("pinned %t: BTCUSDT is in the filter table: %+v", pinned, res.Fallbacks)
		}
		if find(res.Fallbacks, FallbackMark, "BTCUSDT") != nil {
			t.Errorf("mark fallback with mark bars: %+v", res.Fallbacks)
		}
		var as string
		for _, a := range res.Assumptions {
			if a.Key == "bracket_fallback" {
				as = a.Value
			}
		}
		if !strings.Contains(as, "BTCUSDT") || !strings.Contains(as, "FOOUSDT") {
			t.Errorf("pinned %t: bracket_fallback assumption %q", pinned, as)
		}
	}
}

// A run with marks, funding and configured instruments has no fallback.
func TestNoFallbacks(t *testing.T) {
	var q [][4]float64
	for range 10 {
		q = append(q, [4]float64{100, 100.5, 99.5, 100})
	}
	bars := append(OHLC("AAA", t0, hr, q...), OHLC("BBB", t0, hr, q...)...)
	f := []Funding{{Symbol: "AAA", Time: t0, Rate: 0.0001, IntervalHours: 8}, {Symbol: "BBB", Time: t0, Rate: 0.0001, IntervalHours: 8}}
	res := run(t, testConfig("AAA", "BBB"), NewSliceSource([]string{"AAA", "BBB"}, Batches(bars, bars, f)), func() Strategy { return &script{} })
	if len(res.Fallbacks) != 0 {
		t.Errorf("unexpected fallbacks %+v", res.Fallbacks)
	}
}
