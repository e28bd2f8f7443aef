package backtest

import (
	"math"
	"testing"
)

// The intrabar risk: the margin ratio and the distance to liquidation are taken along the
// path the engine walks, not only at bar closes.
//
// Long 99 AAA at 100 with 10x (wallet 1000, test instrument: MMR 1%, no fees), then a bar
// 100 → 101 → 91 → 99 (bearish: high first), closed at the next open.
//
// Isolated: isolated wallet 990, LP = (990 − 9900)/(99 × (0.01 − 1)) = 90.909…; at the low 91
// MM = 99 × 91 × 1% = 90.09, balance 990 − 99 × 9 = 99: ratio 0.91; at the close 99: MM 98.01,
// balance 891, ratio 0.11. Closest distance (91 − 90.909…)/91 = 0.000999.
//
// Cross: LP = (1000 − 9900)/(99 × (0.01 − 1)) = 90.807…; at 91 the balance is 1000 − 891 = 109:
// ratio 90.09/109 = 0.8265; at the close 98.01/901 = 0.1088. Closest distance 0.00212.
func TestIntrabarPeakRatio(t *testing.T) {
	bars := OHLC("AAA", t0, hr,
		[4]float64{100, 100.5, 99.5, 100}, // bar 0: the strategy buys at its close
		[4]float64{100, 101, 91, 99},      // bar 1: fill at 100, the dip, the recovery
		[4]float64{99, 99.5, 98.5, 99},    // bar 2: closed at the open
	)
	res := run(t, testConfig("AAA"), NewSliceSource([]string{"AAA"}, Batches(bars, nil, nil)), func() Strategy {
		return &script{at: map[int][]Order{0: {buy("AAA", "99")}, 1: {sell("AAA", "99")}}}
	})
	for _, c := range []struct {
		acct            string
		peak, close, lp float64
	}{
		{"isolated", 0.91, 98.01 / 891, 8910 / 98.01},
		{"cross", 90.09 / 109, 98.01 / 901, 8900 / 98.01},
	} {
		a := acctByName(t, res, c.acct)
		if len(a.Liquidations) != 0 || len(a.Equity) != 3 || len(a.Trades) != 1 {
			t.Fatalf("%s: %d liquidations, %d points, %d trades", c.acct, len(a.Liquidations), len(a.Equity), len(a.Trades))
		}
		p := a.Equity[1]
		if math.Abs(p.MarginRatio-c.close) > 1e-9 || math.Abs(p.PeakMarginRatio-c.peak) > 1e-9 {
			t.Errorf("%s bar 1: ratio %v peak %v, want %v and %v", c.acct, p.MarginRatio, p.PeakMarginRatio, c.close, c.peak)
		}
		tr := a.Trades[0]
		if math.Abs(tr.PeakMarginRatio-c.peak) > 1e-9 {
			t.Errorf("%s trade peak ratio %v, want %v", c.acct, tr.PeakMarginRatio, c.peak)
		}
		if want := (91 - c.lp) / 91; math.Abs(tr.MinLiqDistance-want) > 1e-9 {
			t.Errorf("%s trade closest distance %v, want %v (at the low 91, LP %v)", c.acct, tr.MinLiqDistance, want, c.lp)
		}
		for _, q := range a.Equity {
			if q.PeakMarginRatio < q.MarginRatio {
				t.Errorf("%s at %d: peak %v below the close ratio %v", c.acct, q.Time, q.PeakMarginRatio, q.MarginRatio)
			}
		}
	}
}

// A liquidated account reached ratio 1 by construction: the isolated account of
// TestIsolatedLiquidatedCrossSurvives (liquidated at 90.9 in bar 1) has a bar-1 peak ≥ 1 though
// its close ratio is 0 (flat), and so has the liquidated trade.
func TestIntrabarPeakAtLiquidation(t *testing.T) {
	bars := OHLC("AAA", t0, hr,
		[4]float64{100, 100.5, 99.5, 100},
		[4]float64{100, 101, 85, 88},
	)
	res := run(t, testConfig("AAA"), NewSliceSource([]string{"AAA"}, Batches(bars, nil, nil)), func() Strategy {
		return &script{at: map[int][]Order{0: {buy("AAA", "10")}}}
	})
	iso := acctByName(t, res, "isolated")
	if len(iso.Liquidations) != 1 || len(iso.Equity) != 2 {
		t.Fatalf("%d liquidations, %d points", len(iso.Liquidations), len(iso.Equity))
	}
	if p := iso.Equity[1]; p.MarginRatio != 0 || p.PeakMarginRatio < 1 {
		t.Errorf("bar 1: close ratio %v, peak %v; want 0 and ≥ 1", p.MarginRatio, p.PeakMarginRatio)
	}
	if tr := iso.Trades[0]; tr.PeakMarginRatio < 1 {
		t.Errorf("liquidated trade peak ratio %v, want ≥ 1", tr.PeakMarginRatio)
	}
	// cross survived: its peak is the ratio at the low 85, 8.5/850
	if p := acctByName(t, res, "cross").Equity[1]; math.Abs(p.PeakMarginRatio-0.01) > 1e-12 {
		t.Errorf("cross bar 1 peak %v, want 0.01", p.PeakMarginRatio)
	}
}

// The same order under both setups carries the same decision (when and in which order the
// strategy placed it), whatever each account made of it: the key pairing uses.
func TestTradeDecision(t *testing.T) {
	bars := OHLC("AAA", t0, hr,
		[4]float64{100, 100.5, 99.5, 100},
		[4]float64{100, 101, 91, 99},
		[4]float64{99, 99.5, 98.5, 99},
	)
	res := run(t, testConfig("AAA"), NewSliceSource([]string{"AAA"}, Batches(bars, nil, nil)), func() Strategy {
		// bar 0: a first order that the rules refuse (too small) and the entry, the symbol's
		// second decision of that close; bar 1: the close
		return &script{at: map[int][]Order{0: {buy("AAA", "0.001"), buy("AAA", "99")}, 1: {sell("AAA", "99")}}}
	})
	want := Decision{Time: t0 + hr, Seq: 2} // placed at bar 0's close
	for _, name := range []string{"isolated", "cross"} {
		a := acctByName(t, res, name)
		if len(a.Trades) != 1 || a.Trades[0].EntryDecision != want || a.Trades[0].Leverage < 1 {
			t.Errorf("%s trades %+v, want one opened by decision %+v", name, a.Trades, want)
		}
	}
}
