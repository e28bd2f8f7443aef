package inspect

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/data"
	"github.com/bt-backtest/bt/data/sample"
)

const h = int64(3600 * 1000)

func bar(t int64, c float64) data.Kline {
	return data.Kline{OpenTime: t, Open: c, High: c, Low: c, Close: c, Volume: 1}
}

func TestKlines(t *testing.T) {
	sr := data.Series{Symbol: "BTCUSDT", Kind: data.KindKlines, Interval: "1h", Source: "test"}
	rows := []data.Kline{
		bar(0, 100),     // row 1
		bar(h, 110),     // row 2: +10%
		bar(h, 110),     // row 3: duplicate
		bar(4*h, 99),    // row 4: gap of 2 bars (2h, 3h); move 99/110-1 = -10%
		bar(5*h, 99),    // row 5: 0%
		bar(6*h, 148.5), // row 6: +50%
		bar(5*h, 148.5), // row 7: out of order
		bar(9*h, 150),   // row 8: gap of 2 bars (7h, 8h; the unsorted row does not count); +1.0101%
	}
	rows[4].Volume = 0
	rows[5].Low = 200 // low > high at row 6
	r := Klines(sr, rows, Options{TopMoves: 3})
	if r.Rows != 8 || r.First != 0 || r.Last != 9*h {
		t.Errorf("rows/span %+v", r)
	}
	if r.Duplicates != 1 || r.OutOfOrder != 1 || r.OHLCViolations != 1 || r.ZeroVolume != 1 {
		t.Errorf("dups %d unsorted %d bad %d zero %d", r.Duplicates, r.OutOfOrder, r.OHLCViolations, r.ZeroVolume)
	}
	if r.GapCount != 2 || r.MissingBars != 4 || len(r.Gaps) != 2 || r.Gaps[0] != (Gap{From: 2 * h, To: 4 * h, Missing: 2}) {
		t.Errorf("gaps %d %d %+v", r.GapCount, r.MissingBars, r.Gaps)
	}
	// Moves between consecutive accepted rows: +10%, -10%, 0, +50%, then 150/148.5-1.
	want := []float64{0.5, 0.1, 99.0/110 - 1}
	if len(r.LargestMoves) != 3 {
		t.Fatalf("moves %+v", r.LargestMoves)
	}
	for i, m := range r.LargestMoves {
		if math.Abs(m.Return-want[i]) > 1e-12 {
			t.Errorf("move %d = %+v, want %v", i, m, want[i])
		}
	}
	if r.LargestMoves[0].Time != 6*h {
		t.Errorf("largest move at %d", r.LargestMoves[0].Time)
	}
	if len(r.Issues) != 3 || r.Issues[0].Row != 3 || r.Issues[1].Row != 6 || r.Issues[1].Field != "low" {
		t.Errorf("issues %+v", r.Issues)
	}
}

func TestFundingCadence(t *testing.T) {
	sr := data.Series{Symbol: "X", Kind: data.KindFunding, Source: "test"}
	f := func(t int64, rate float64, ih int32) data.FundingRate {
		return data.FundingRate{Time: t, Rate: rate, IntervalHours: ih}
	}
	rows := []data.FundingRate{f(0, 1e-4, 8), f(8*h, -2e-4, 8), f(16*h, 3e-4, 8), f(20*h, 1e-4, 4), f(24*h, math.NaN(), 4)}
	r := Funding(sr, rows, Options{})
	want := []Cadence{{4, 2}, {8, 2}}
	if len(r.FundingCadence) != 2 || r.FundingCadence[0] != want[0] || r.FundingCadence[1] != want[1] {
		t.Errorf("cadence %+v", r.FundingCadence)
	}
	if r.MinRate != -2e-4 || r.MaxRate != 3e-4 || r.OHLCViolations != 1 || r.Issues[0].Field != "rate" {
		t.Errorf("rates %v %v bad %d %+v", r.MinRate, r.MaxRate, r.OHLCViolations, r.Issues)
	}
}

func TestMarkDivergence(t *testing.T) {
	last := []data.Kline{bar(0, 100), bar(h, 200), bar(2*h, 50)}
	mark := []data.Kline{bar(0, 101), bar(2*h, 49)} // 1% and 2%; no mark at 1h
	d := MarkDivergence(last, mark)
	if d.Compared != 2 || d.LastOnly != 1 || math.Abs(d.Max-0.02) > 1e-15 || d.MaxTime != 2*h || math.Abs(d.Mean-0.015) > 1e-15 {
		t.Errorf("%+v", d)
	}
}

// TestSample inspects the embedded sample: no gaps or problems in the klines, 8-hourly
// funding, mark prices close to last prices, and the 2025-10-10 crash among the largest moves.
func TestSample(t *testing.T) {
	st, err := sample.Open()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Store(st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Series) != 30 {
		t.Fatalf("%d series", len(rep.Series))
	}
	sawCrash := false
	for _, s := range rep.Series {
		if s.Error != "" || s.Duplicates+s.OutOfOrder+s.OHLCViolations+s.Misaligned != 0 {
			t.Errorf("%s %s: %+v", s.Symbol, s.Kind, s)
		}
		switch s.Kind {
		case "klines":
			if s.GapCount != 0 || s.MarkDivergence == nil || s.MarkDivergence.Compared != 7056 || s.MarkDivergence.Max > 0.2 {
				t.Errorf("%s klines: gaps %d divergence %+v", s.Symbol, s.GapCount, s.MarkDivergence)
			}
			for _, m := range s.LargestMoves {
				if m.Time == 1760130000000 && m.Return < -0.05 { // 2025-10-10T21:00Z
					sawCrash = true
				}
			}
		case "funding":
			if len(s.FundingCadence) == 0 || s.FundingCadence[len(s.FundingCadence)-1].Hours != 8 {
				t.Errorf("%s funding cadence %+v", s.Symbol, s.FundingCadence)
			}
		}
	}
	if !sawCrash {
		t.Error("the 2025-10-10 21:00 crash is not among any symbol's largest moves")
	}
	var buf bytes.Buffer
	if err := rep.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "binance-um/klines/BTCUSDT/1h") || !strings.Contains(buf.String(), "funding cadence: 8h×881") {
		t.Errorf("text report:\n%s", buf.String())
	}
	b, err := json.Marshal(rep)
	if err != nil || !strings.Contains(string(b), `"mark_divergence"`) {
		t.Errorf("json: %v", err)
	}
}
