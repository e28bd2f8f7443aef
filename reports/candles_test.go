package reports

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/bt-backtest/bt/backtest"
)

// randomBars returns n one-minute bars of a random walk, with a spike (a long wick up) at
// spikeUp and a crash wick at spikeDown.
func randomBars(n, spikeUp, spikeDown int) []backtest.Bar {
	rng := rand.New(rand.NewPCG(3, 5))
	const start, iv = int64(1_700_000_000_000), int64(60_000)
	p := 100.0
	bars := make([]backtest.Bar, n)
	for i := range bars {
		o := p
		p *= 1 + 0.001*rng.NormFloat64()
		b := backtest.Bar{Symbol: "AAA", Time: start + int64(i)*iv, End: start + int64(i+1)*iv, Open: o, Close: p,
			High: math.Max(o, p) * (1 + 0.0005*rng.Float64()), Low: math.Min(o, p) * (1 - 0.0005*rng.Float64()), Volume: 1}
		switch i {
		case spikeUp:
			b.High *= 1.2
		case spikeDown:
			b.Low *= 0.7
		}
		bars[i] = b
	}
	return bars
}

// Each candle is exactly the OHLC of the bars in its bucket: open of the first, close of the
// last, highest high, lowest low; buckets are epoch-aligned, at most the number asked for, and
// the one-bar wicks survive.
func TestDownsampleOHLC(t *testing.T) {
	bars := randomBars(10_000, 1234, 8765)
	cs, w := DownsampleOHLC(bars, 100)
	if len(cs) > 100 || len(cs) < 90 {
		t.Fatalf("%d candles, want ≤ 100 and near it", len(cs))
	}
	if w%60_000 != 0 || w < 100*60_000 {
		t.Fatalf("width %d ms: not a multiple of the bars' minute, or too narrow for 10,000 bars in 100", w)
	}
	k := 0
	vol := 0.0
	for _, c := range cs {
		if c.Time%w != 0 {
			t.Fatalf("candle at %d not aligned to %d", c.Time, w)
		}
		var in []backtest.Bar
		for ; k < len(bars) && bars[k].Time < c.Time+w; k++ {
			in = append(in, bars[k])
		}
		if len(in) == 0 || in[0].Time < c.Time {
			t.Fatalf("candle %d: bars outside its bucket", c.Time)
		}
		hi, lo := math.Inf(-1), math.Inf(1)
		for _, b := range in {
			hi, lo = math.Max(hi, b.High), math.Min(lo, b.Low)
			vol += b.Volume
		}
		if c.Open != in[0].Open || c.Close != in[len(in)-1].Close || c.High != hi || c.Low != lo || c.End != in[len(in)-1].End {
			t.Fatalf("candle %d = %+v, its bars give O %v H %v L %v C %v", c.Time, c, in[0].Open, hi, lo, in[len(in)-1].Close)
		}
	}
	if k != len(bars) {
		t.Fatalf("%d bars of %d in candles", k, len(bars))
	}
	// the wicks survive
	top, bottom := math.Inf(-1), math.Inf(1)
	for _, c := range cs {
		top, bottom = math.Max(top, c.High), math.Min(bottom, c.Low)
	}
	wantTop, wantBottom := math.Inf(-1), math.Inf(1)
	for _, b := range bars {
		wantTop, wantBottom = math.Max(wantTop, b.High), math.Min(wantBottom, b.Low)
	}
	if top != wantTop || bottom != wantBottom || bottom != bars[8765].Low {
		t.Errorf("extremes %v / %v, want the bars' %v / %v (the crash wick %v)", top, bottom, wantTop, wantBottom, bars[8765].Low)
	}
	// few bars: unchanged
	if few, w := DownsampleOHLC(bars[:50], 100); len(few) != 50 || w != 60_000 || few[7] != bars[7] {
		t.Errorf("50 bars into 100 buckets: %d candles of %d ms", len(few), w)
	}
}

// The price panel keeps every entry, exit and liquidation at its own time and price, whatever
// the candles' width, and each position's liquidation price from its opening point on.
func TestPricePanelKeepsEvents(t *testing.T) {
	r := fixtureRun(t, t.TempDir(), "fixture")
	bars := randomBars(20_000, 10, 20) // far more bars than CandleBuckets: candles merge
	for i := range bars {
		bars[i].Symbol = "BTCUSDT"
	}
	r.Prices["BTCUSDT"] = bars
	var p Panel
	for _, q := range Charts(r) {
		if q.ID == "price-BTCUSDT" {
			p = q
		}
	}
	if p.Step <= 60 || len(p.X) > CandleBuckets+200 {
		t.Fatalf("candles of %d s, %d points: not downsampled", p.Step, len(p.X))
	}
	at := func(label string, tms int64) float64 {
		for _, s := range p.Series {
			if s.Label != label {
				continue
			}
			for i, x := range p.X {
				if x == tms/1000 {
					return s.Values[i]
				}
			}
			t.Fatalf("%s: no point at %d", label, tms)
		}
		t.Fatalf("no series %q", label)
		return 0
	}
	n := 0
	for _, a := range r.Result.Accounts {
		for _, tr := range a.Trades {
			if tr.Symbol != "BTCUSDT" {
				continue
			}
			n++
			if v := at(a.Name+" entry", tr.EntryTime); v != tr.EntryPrice.InexactFloat64() {
				t.Errorf("%s entry at %d drawn at %v, want %v", a.Name, tr.EntryTime, v, tr.EntryPrice)
			}
			if !tr.Liquidated {
				if v := at(a.Name+" exit", tr.ExitTime); v != tr.ExitPrice.InexactFloat64() {
					t.Errorf("%s exit at %d drawn at %v", a.Name, tr.ExitTime, v)
				}
			}
		}
		for _, l := range a.Liquidations {
			if l.Symbol == "BTCUSDT" {
				if v := at(a.Name+" liquidation", l.Time); v != l.Price.InexactFloat64() {
					t.Errorf("%s liquidation at %d drawn at %v", a.Name, l.Time, v)
				}
			}
		}
		label := a.Name + " liquidation price"
		if a.Name == "cross" {
			label += " (cross: at its events)"
		}
		for _, lp := range a.LiqPrices {
			if lp.Symbol == "BTCUSDT" {
				if v := at(label, lp.Time); v != lp.LiqPrice {
					t.Errorf("%s liquidation price at %d: %v, want %v", a.Name, lp.Time, v, lp.LiqPrice)
				}
			}
		}
	}
	if n < 4 {
		t.Fatalf("only %d BTCUSDT trades in the fixture", n)
	}
}

// HoldLP holds each event's liquidation price until the next event and leaves a gap after a
// close (0).
func TestHoldLP(t *testing.T) {
	nan := math.NaN()
	got := HoldLP(Values{nan, 90, nan, nan, 92, nan, 0, nan, 80, nan})
	want := Values{nan, 90, 90, 90, 92, 92, nan, nan, 80, 80}
	for i := range want {
		if !(got[i] == want[i] || math.IsNaN(got[i]) && math.IsNaN(want[i])) {
			t.Fatalf("HoldLP = %v, want %v", got, want)
		}
	}
}
