package indicator

import (
	"math"
	"math/rand/v2"
	"testing"
)

type step struct {
	v  float64
	ok bool
}

func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func check(t *testing.T, name string, i int, gotV float64, gotOK bool, want step) {
	t.Helper()
	if !near(gotV, want.v) || gotOK != want.ok {
		t.Errorf("%s: update %d = (%v, %v), want (%v, %v)", name, i+1, gotV, gotOK, want.v, want.ok)
	}
}

func TestSMA(t *testing.T) {
	// SMA(3) of 1..7: running means 1, 1.5 while warming, then (1+2+3)/3 = 2, 3, 4, 5, 6.
	s := NewSMA(3)
	want := []step{{1, false}, {1.5, false}, {2, true}, {3, true}, {4, true}, {5, true}, {6, true}}
	for i, w := range want {
		v, ok := s.Update(float64(i + 1))
		check(t, "SMA", i, v, ok, w)
	}
	s.Reset()
	if v, ok := s.Update(10); v != 10 || ok {
		t.Errorf("after Reset: (%v, %v), want (10, false)", v, ok)
	}
	// SMA(1) is the value itself.
	s1 := NewSMA(1)
	for i, x := range []float64{5, -2, 7} {
		v, ok := s1.Update(x)
		check(t, "SMA(1)", i, v, ok, step{x, true})
	}
}

func TestEMA(t *testing.T) {
	// EMA(3): α = 2/4 = 0.5, seeded with (1+2+3)/3 = 2; then 2+0.5·(4−2) = 3; 3+0.5·(8−3) = 5.5;
	// 5.5+0.5·(5.5−5.5) = 5.5.
	e := NewEMA(3)
	in := []float64{1, 2, 3, 4, 8, 5.5}
	want := []step{{1, false}, {1.5, false}, {2, true}, {3, true}, {5.5, true}, {5.5, true}}
	for i, w := range want {
		v, ok := e.Update(in[i])
		check(t, "EMA", i, v, ok, w)
	}
	if v, ok := e.Value(); v != 5.5 || !ok {
		t.Errorf("Value = (%v, %v)", v, ok)
	}
}

// TestEMAPairIsTwoEMAs: an EMAPair's values and ok are bit for bit those of two EMAs fed the
// same series, for periods in either order, equal, and 1, through the seeding, after it, and
// after Reset; so are a second pair's fed by Seed until Seeded and by Next after (a
// strategy's hot path).
func TestEMAPairIsTwoEMAs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 15))
	for _, n := range [][2]int{{72, 288}, {288, 72}, {5, 5}, {1, 7}, {7, 1}, {1, 1}, {2, 3}} {
		p, q, e1, e2 := NewEMAPair(n[0], n[1]), NewEMAPair(n[0], n[1]), NewEMA(n[0]), NewEMA(n[1])
		x, oks := 100.0, 0
		for i := range 1000 {
			if i == 600 {
				p.Reset()
				q.Reset()
				e1.Reset()
				e2.Reset()
			}
			x *= math.Exp(rng.NormFloat64() * 0.01)
			v1, v2, ok := p.Update(x)
			w1, ok1 := e1.Update(x)
			w2, ok2 := e2.Update(x)
			if v1 != w1 || v2 != w2 || ok != (ok1 && ok2) {
				t.Fatalf("periods %v, update %d: pair (%v, %v, %v), EMAs (%v, %v, %v)", n, i+1, v1, v2, ok, w1, w2, ok1 && ok2)
			}
			var u1, u2 float64
			uok := q.Seeded()
			if uok {
				u1, u2 = q.Next(x)
			} else {
				u1, u2, uok = q.Seed(x)
			}
			if u1 != v1 || u2 != v2 || uok != ok || q.Seeded() != ok {
				t.Fatalf("periods %v, update %d: Next/Seed (%v, %v, %v), Update (%v, %v, %v)", n, i+1, u1, u2, uok, v1, v2, ok)
			}
			if g1, g2, gok := p.Values(); g1 != v1 || g2 != v2 || gok != ok {
				t.Fatalf("periods %v, update %d: Values (%v, %v, %v) after Update (%v, %v, %v)", n, i+1, g1, g2, gok, v1, v2, ok)
			}
			if ok {
				oks++
			}
		}
		if want := 1000 - 2*(max(n[0], n[1])-1); oks != want {
			t.Errorf("periods %v: ok %d times, want %d", n, oks, want)
		}
	}
}

func TestATR(t *testing.T) {
	// ATR(3), bars (high, low, close):
	//  10,8,9    TR = 2 (first bar: high−low)
	//  11,9,10   TR = max(2, |11−9|, |9−9|) = 2
	//  12,9,11   TR = max(3, |12−10|, |9−10|) = 3    ATR = (2+2+3)/3 = 7/3
	//  15,13,14  TR = max(2, |15−11|, |13−11|) = 4   ATR = (7/3·2 + 4)/3 = 26/9
	//  14,10,10  TR = max(4, |14−14|, |10−14|) = 4   ATR = (26/9·2 + 4)/3 = 88/27
	a := NewATR(3)
	bars := [][3]float64{{10, 8, 9}, {11, 9, 10}, {12, 9, 11}, {15, 13, 14}, {14, 10, 10}}
	want := []step{{2, false}, {2, false}, {7.0 / 3, true}, {26.0 / 9, true}, {88.0 / 27, true}}
	for i, w := range want {
		v, ok := a.Update(bars[i][0], bars[i][1], bars[i][2])
		check(t, "ATR", i, v, ok, w)
	}
}

func TestRSI(t *testing.T) {
	// RSI(3) of 10, 11, 10, 12, 11: changes +1, −1, +2, −1.
	// Seed: avgGain = (1+0+2)/3 = 1, avgLoss = (0+1+0)/3 = 1/3, RS = 3, RSI = 100 − 100/4 = 75.
	// Then −1: avgGain = (1·2+0)/3 = 2/3, avgLoss = (1/3·2+1)/3 = 5/9, RS = 6/5,
	// RSI = 100 − 100/2.2 = 600/11.
	// While warming: after 10 → 50 (no change yet), after 11 → 100 (no loss), after 10 → 50.
	r := NewRSI(3)
	in := []float64{10, 11, 10, 12, 11}
	want := []step{{50, false}, {100, false}, {50, false}, {75, true}, {600.0 / 11, true}}
	for i, w := range want {
		v, ok := r.Update(in[i])
		check(t, "RSI", i, v, ok, w)
	}
	flat := NewRSI(2)
	for i := range 4 {
		v, ok := flat.Update(7)
		check(t, "RSI flat", i, v, ok, step{50, i >= 2})
	}
	up := NewRSI(2)
	for i := range 4 {
		v, ok := up.Update(float64(i))
		if i > 0 {
			check(t, "RSI up", i, v, ok, step{100, i >= 2})
		}
	}
}

func TestBollinger(t *testing.T) {
	// Bollinger(4, 2) of 1, 2, 3, 4: mid 2.5, population variance (2.25+0.25+0.25+2.25)/4 = 1.25.
	// Then 6: window 2, 3, 4, 6, mid 3.75, variance (3.0625+0.5625+0.0625+5.0625)/4 = 2.1875.
	b := NewBollinger(4, 2)
	for i, x := range []float64{1, 2, 3} {
		if _, ok := b.Update(x); ok {
			t.Fatalf("warm after %d values", i+1)
		}
	}
	for _, c := range []struct{ x, mid, variance float64 }{{4, 2.5, 1.25}, {6, 3.75, 2.1875}} {
		m, ok := b.Update(c.x)
		mid, up, lo := b.Bands()
		sd := math.Sqrt(c.variance)
		if !ok || !near(m, c.mid) || !near(mid, c.mid) || !near(up, c.mid+2*sd) || !near(lo, c.mid-2*sd) {
			t.Errorf("after %v: mid %v ok %v bands (%v, %v, %v), want mid %v ± 2·%v", c.x, m, ok, mid, up, lo, c.mid, sd)
		}
	}
}

func TestVolatility(t *testing.T) {
	// Volatility(3) of 1, e, e², e⁴: log returns 1, 1, 2, mean 4/3, squared deviations
	// 1/9+1/9+4/9 = 2/3, sample variance 1/3. Then e⁴ again: returns 1, 2, 0, mean 1,
	// squared deviations 0+1+1 = 2, variance 1.
	v := NewVolatility(3, 0)
	e := math.E
	in := []float64{1, e, e * e, e * e * e * e, e * e * e * e}
	want := []step{{0, false}, {0, false}, {0, false}, {math.Sqrt(1.0 / 3), true}, {1, true}}
	for i, w := range want {
		got, ok := v.Update(in[i])
		check(t, "Volatility", i, got, ok, w)
	}
	// Annualized: two returns ln 1.1 and ln 0.9, sample sd |a−b|/√2, times √8760.
	a := NewVolatility(2, 8760)
	a.Update(100)
	a.Update(110)
	got, ok := a.Update(99)
	want2 := math.Abs(math.Log(1.1)-math.Log(0.9)) / math.Sqrt2 * math.Sqrt(8760)
	if !ok || !near(got, want2) {
		t.Errorf("annualized = (%v, %v), want %v", got, ok, want2)
	}
}

// TestNoDrift feeds a long, BTC-scale random walk and compares the incremental windows with
// a naive recomputation at every step.
func TestNoDrift(t *testing.T) {
	const n = 50
	rng := rand.New(rand.NewPCG(1, 2))
	s, b := NewSMA(n), NewBollinger(n, 2)
	vol := NewVolatility(n, 0)
	xs := make([]float64, 0, 20000)
	x := 100000.0
	for i := range 20000 {
		x *= math.Exp(rng.NormFloat64() * 0.01)
		xs = append(xs, x)
		sv, ok := s.Update(x)
		b.Update(x)
		vv, vok := vol.Update(x)
		if !ok {
			continue
		}
		win := xs[len(xs)-n:]
		var sum float64
		for _, w := range win {
			sum += w
		}
		mean := sum / n
		var q float64
		for _, w := range win {
			q += (w - mean) * (w - mean)
		}
		if math.Abs(sv-mean) > 1e-9*mean {
			t.Fatalf("SMA step %d: %v, naive %v", i, sv, mean)
		}
		if sd := math.Sqrt(q / n); math.Abs(b.StdDev()-sd) > 1e-6*sd {
			t.Fatalf("Bollinger sd step %d: %v, naive %v", i, b.StdDev(), sd)
		}
		if vok {
			rs := make([]float64, n)
			for j := range n {
				rs[j] = math.Log(xs[len(xs)-n+j] / xs[len(xs)-n+j-1])
			}
			var rm, rq float64
			for _, r := range rs {
				rm += r
			}
			rm /= n
			for _, r := range rs {
				rq += (r - rm) * (r - rm)
			}
			if want := math.Sqrt(rq / (n - 1)); math.Abs(vv-want) > 1e-9 {
				t.Fatalf("Volatility step %d: %v, naive %v", i, vv, want)
			}
		}
	}
}

func TestZeroAllocs(t *testing.T) {
	s, e, a, r := NewSMA(20), NewEMA(20), NewATR(14), NewRSI(14)
	b, v, p := NewBollinger(20, 2), NewVolatility(20, 8760), NewEMAPair(12, 26)
	x := 100.0
	allocs := testing.AllocsPerRun(1000, func() {
		x += 0.5
		s.Update(x)
		e.Update(x)
		a.Update(x+1, x-1, x)
		r.Update(x)
		b.Update(x)
		b.Bands()
		v.Update(x)
		p.Update(x)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per update, want 0", allocs)
	}
}

func TestPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"SMA 0":        func() { NewSMA(0) },
		"EMA -1":       func() { NewEMA(-1) },
		"EMA 2^31":     func() { NewEMA(1 << 31) },
		"EMAPair 0":    func() { NewEMAPair(3, 0) },
		"ATR 0":        func() { NewATR(0) },
		"RSI 0":        func() { NewRSI(0) },
		"Bollinger 0":  func() { NewBollinger(0, 2) },
		"Volatility 1": func() { NewVolatility(1, 0) },
		"Vol negative": func() { NewVolatility(5, -1) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func BenchmarkIndicators(b *testing.B) {
	b.Run("SMA20", func(b *testing.B) {
		s := NewSMA(20)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			s.Update(float64(i & 1023))
		}
	})
	b.Run("EMA20", func(b *testing.B) {
		s := NewEMA(20)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			s.Update(float64(i & 1023))
		}
	})
	b.Run("EMAPair72/288", func(b *testing.B) {
		s := NewEMAPair(72, 288)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			s.Update(float64(i & 1023))
		}
	})
	b.Run("ATR14", func(b *testing.B) {
		s := NewATR(14)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			x := float64(i & 1023)
			s.Update(x+1, x-1, x)
		}
	})
	b.Run("RSI14", func(b *testing.B) {
		s := NewRSI(14)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			s.Update(float64(i & 1023))
		}
	})
	b.Run("Bollinger20", func(b *testing.B) {
		s := NewBollinger(20, 2)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			s.Update(float64(i & 1023))
			s.Bands()
		}
	})
	b.Run("Volatility20", func(b *testing.B) {
		s := NewVolatility(20, 8760)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			s.Update(float64(i&1023) + 1)
		}
	})
}
