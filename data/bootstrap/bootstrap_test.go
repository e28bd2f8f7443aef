package bootstrap

import (
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/bt-backtest/bt/backtest"
)

const hr = 3_600_000

// history is a random walk of two correlated symbols, n hourly bars, marks 0.1% off the last
// price, funding every 8 bars.
func history(t *testing.T, n int) *History {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	var kl, mk []backtest.Bar
	var fu []backtest.Funding
	p := [2]float64{100, 50}
	for k := range n {
		common := 0.01 * rng.NormFloat64()
		for i, sym := range []string{"AAA", "BBB"} {
			o := p[i]
			c := o * math.Exp(common+0.002*rng.NormFloat64())
			p[i] = c
			tm := int64(k) * hr
			kl = append(kl, backtest.Bar{Symbol: sym, Time: tm, End: tm + hr, Open: o, High: max(o, c) * 1.001, Low: min(o, c) * 0.999, Close: c, Volume: 1})
			mk = append(mk, backtest.Bar{Symbol: sym, Time: tm, End: tm + hr, Open: o * 1.001, High: max(o, c) * 1.002, Low: min(o, c) * 0.998, Close: c * 1.001})
			if k%8 == 0 {
				fu = append(fu, backtest.Funding{Symbol: sym, Time: tm, Rate: 0.0001 * float64(k%5), IntervalHours: 8})
			}
		}
	}
	h, err := Read(backtest.NewSliceSource([]string{"AAA", "BBB"}, backtest.Batches(kl, mk, fu)))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func drain(t *testing.T, s *Source) []backtest.Batch {
	t.Helper()
	var out []backtest.Batch
	for s.Next() {
		b := s.Batch()
		out = append(out, backtest.Batch{Time: b.Time, Bars: append([]backtest.Bar(nil), b.Bars...),
			Marks: append([]backtest.Bar(nil), b.Marks...), Funding: append([]backtest.Funding(nil), b.Funding...)})
	}
	return out
}

func TestPath(t *testing.T) {
	h := history(t, 3000)
	o := Options{MeanBlock: 24, Seed: 7, Path: 3}
	s1, _ := h.Path(o)
	s2, _ := h.Path(o)
	a, b := drain(t, s1), drain(t, s2)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed and path, different paths")
	}
	o.Path = 4
	s3, _ := h.Path(o)
	if reflect.DeepEqual(a, drain(t, s3)) {
		t.Fatal("different path indices, same path")
	}
	if len(a) != len(h.Batches) {
		t.Fatalf("%d timestamps, want the history's %d", len(a), len(h.Batches))
	}
	idx, start, _ := h.Index(Options{MeanBlock: 24, Seed: 7, Path: 3})
	blocks := 0
	for k := range a {
		if a[k].Time != h.Batches[k].Time {
			t.Fatalf("timestamp %d at %d, want the history's timeline %d", k, a[k].Time, h.Batches[k].Time)
		}
		if start[k] {
			blocks++
		}
		src := h.Batches[idx[k]]
		for i, bar := range a[k].Bars {
			// jointly drawn: every symbol's return is the historical timestamp's
			hb := src.Bars[i]
			if hb.Symbol != bar.Symbol || math.Abs(bar.Close/bar.Open-hb.Close/hb.Open) > 1e-12 {
				t.Fatalf("timestamp %d %s: return %v, history %d's %v", k, bar.Symbol, bar.Close/bar.Open, idx[k], hb.Close/hb.Open)
			}
			// mark and last scaled together: the basis is kept
			if m := a[k].Marks[i]; math.Abs(m.Close/bar.Close-src.Marks[i].Close/hb.Close) > 1e-12 {
				t.Fatalf("timestamp %d %s: basis changed", k, bar.Symbol)
			}
			// re-chained: every bar opens at the path's previous close
			if k > 0 {
				prev := a[k-1].Bars[i]
				if math.Abs(bar.Open-prev.Close) > 1e-9*prev.Close {
					t.Fatalf("timestamp %d %s: opens at %v after a close of %v (block start %v)", k, bar.Symbol, bar.Open, prev.Close, start[k])
				}
			}
		}
		for _, f := range a[k].Funding {
			if f.Time != a[k].Time {
				t.Fatalf("funding at %d in the batch of %d", f.Time, a[k].Time)
			}
		}
	}
	mean := float64(len(a)) / float64(blocks)
	if mean < 18 || mean > 32 {
		t.Errorf("mean block length %.1f, want about 24", mean)
	}
	// the engine runs on a path
	s4, _ := h.Path(Options{MeanBlock: 24, Seed: 1, Path: 0})
	buy := backtest.StrategyFunc(func(br *backtest.Broker, b backtest.Bar) error { return nil })
	if _, err := backtest.Run(context.Background(), backtest.Config{}, func() backtest.Strategy { return buy }, s4); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Path(Options{MeanBlock: 0}); err == nil {
		t.Error("mean block 0 accepted")
	}
}
