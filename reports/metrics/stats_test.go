package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/bt-backtest/bt/backtest"
)

// randomCurve is a curve of n points at step ms with margin ratios that wander through 0.5
// and 0.8, a few ties and a ruin-like MaxFloat64, starting at a time that is not a day's start.
func randomCurve(seed uint64, n int, step int64) []backtest.EquityPoint {
	r := rand.New(rand.NewPCG(seed, 1))
	eq, mr := 10000.0, 0.3
	t := int64(1_735_689_600_000 + 7*60_000)
	out := make([]backtest.EquityPoint, n)
	for i := range out {
		eq *= 1 + 0.01*r.NormFloat64()
		mr = math.Max(0, mr+0.05*r.NormFloat64())
		v := mr
		switch r.IntN(50) {
		case 0:
			v = 0.8 // ties at the threshold
		case 1:
			v = 0
		case 2:
			v = math.MaxFloat64
		}
		out[i] = backtest.EquityPoint{Time: t, Equity: eq, MarginRatio: v}
		if r.IntN(4) == 0 { // an intrabar peak above the close
			out[i].PeakMarginRatio = v + 0.3*r.Float64()
		}
		t += step
		if r.IntN(20) == 0 {
			t += step * int64(r.IntN(500)) // gaps, days without points
		}
	}
	return out
}

// reference is the whole-slice computation the accumulator replaces, on each point's risk
// (its intrabar peak or its close ratio, the higher). A near miss: a maximal run of points at
// or above DangerRatio followed by one below it, with no liquidated span exiting in
// [the point before the run, the run's last point + window] and entered by the run's end.
func reference(eq []backtest.EquityPoint, liqs []span, window int64) (total, a05, a08 int64, p95, maxMR float64, near int) {
	ratios := make([]float64, len(eq))
	for i, p := range eq {
		mr := math.Max(p.PeakMarginRatio, p.MarginRatio)
		ratios[i] = mr
		maxMR = math.Max(maxMR, mr)
		var dt int64
		switch {
		case i > 0:
			dt = p.Time - eq[i-1].Time
		case len(eq) > 1:
			dt = eq[1].Time - p.Time
		}
		total += dt
		if mr >= WarnRatio {
			a05 += dt
		}
		if mr >= DangerRatio {
			a08 += dt
		}
	}
	p95 = Quantile(ratios, 0.95)
	for i := 0; i < len(eq); i++ {
		if ratios[i] < DangerRatio {
			continue
		}
		j := i
		for j < len(eq) && ratios[j] >= DangerRatio {
			j++
		}
		if j < len(eq) {
			from, to := eq[i].Time, eq[j-1].Time
			if i > 0 {
				from = eq[i-1].Time
			}
			miss := true
			for _, l := range liqs {
				if l.exit >= from && l.exit <= to+window && l.entry <= to {
					miss = false
				}
			}
			if miss {
				near++
			}
		}
		i = j
	}
	return
}

// Fed point by point, with the exact bound, no bound or a bound too small, the accumulator
// gives exactly what the whole-slice functions give (the percentile whenever P95Exact says
// so, which it must with a sufficient bound); with NoPercentile everything but the
// percentile, which it neither keeps nor claims.
func TestEquityStatsMatchesWholeCurve(t *testing.T) {
	for seed := uint64(1); seed <= 40; seed++ {
		n := []int{0, 1, 2, 3, 19, 20, 21, 1000, 5000}[seed%9]
		eq := randomCurve(seed, n, []int64{60_000, 3_600_000}[seed%2])
		// liquidated trades: one every 97 points, entered 5 points before
		var liqs []span
		for i := 0; i < len(eq); i += 97 {
			liqs = append(liqs, span{eq[max(i-5, 0)].Time, eq[i].Time})
		}
		const window = 6 * 3_600_000
		total, a05, a08, p95, maxMR, near := reference(eq, liqs, window)
		for _, bound := range []int{n, 0, n / 3, 2 * n, -1} { // -1: NoPercentile
			st := NewEquityStats(bound)
			if bound < 0 {
				st.NoPercentile()
			}
			for _, p := range eq {
				if err := st.Add(p); err != nil {
					t.Fatal(err)
				}
			}
			if st.Len() != n || st.total != total || st.above05 != a05 || st.above08 != a08 || st.MaxMarginRatio() != maxMR {
				t.Errorf("seed %d bound %d: len %d time %d/%d/%d max %v, want %d %d/%d/%d %v", seed, bound,
					st.Len(), st.total, st.above05, st.above08, st.MaxMarginRatio(), n, total, a05, a08, maxMR)
			}
			if got := st.nearMisses(liqs, window); got != near {
				t.Errorf("seed %d bound %d: near misses %d, want %d", seed, bound, got, near)
			}
			if st.MaxDrawdown() != MaxDrawdown(eq) {
				t.Errorf("seed %d bound %d: max drawdown %v, want %v", seed, bound, st.MaxDrawdown(), MaxDrawdown(eq))
			}
			if !reflect.DeepEqual(st.Daily(), DailyEquity(eq)) { // a sweep writes these points
				t.Errorf("seed %d bound %d: daily closes differ", seed, bound)
			}
			if n > 0 && (st.First() != eq[0] || st.Last() != eq[n-1]) {
				t.Errorf("seed %d bound %d: first or last point differs", seed, bound)
			}
			if !reflect.DeepEqual(st.DailyReturns(), DailyReturns(eq)) {
				t.Errorf("seed %d bound %d: daily returns differ", seed, bound)
			}
			if !reflect.DeepEqual(st.MonthlyReturns(), MonthlyReturns(eq)) {
				t.Errorf("seed %d bound %d: monthly returns differ", seed, bound)
			}
			exact := st.P95Exact()
			if bound < 0 {
				if exact || st.MarginRatioP95() != 0 || len(st.top) != 0 {
					t.Errorf("seed %d NoPercentile: P95Exact %v, p95 %v, %d ratios kept (want false, 0, none)", seed, exact, st.MarginRatioP95(), len(st.top))
				}
				continue
			}
			if bound >= n && !exact {
				t.Errorf("seed %d bound %d: P95Exact false within the bound", seed, bound)
			}
			if exact && st.MarginRatioP95() != p95 {
				t.Errorf("seed %d bound %d: p95 %v, want %v", seed, bound, st.MarginRatioP95(), p95)
			}
			if len(st.top) > topCount(max(n, bound)) {
				t.Errorf("seed %d bound %d: keeps %d ratios", seed, bound, len(st.top))
			}
		}
	}
}

// Ratios falling steadily defeat a too small bound: the percentile is then flagged inexact.
func TestEquityStatsFlagsAnInexactPercentile(t *testing.T) {
	st := NewEquityStats(10)
	var ratios []float64
	for i := 0; i < 1000; i++ {
		v := float64(1000 - i)
		ratios = append(ratios, v)
		st.Add(backtest.EquityPoint{Time: int64(i) * 60_000, Equity: 1, MarginRatio: v})
	}
	if want := Quantile(ratios, 0.95); st.MarginRatioP95() == want || st.P95Exact() {
		t.Errorf("p95 %v (exact %v), true %v: want a wrong value flagged inexact", st.MarginRatioP95(), st.P95Exact(), want)
	}
}

// The accumulator allocates nothing per point once its daily list and top ratios are sized;
// "sweep" is a sweep row's (NoPercentile, no top ratios kept).
func BenchmarkEquityStatsAdd(b *testing.B) {
	eq := randomCurve(7, 1<<16, 60_000)
	for _, sweep := range []bool{false, true} {
		name := "report"
		if sweep {
			name = "sweep"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			st := NewEquityStats(b.N)
			if sweep {
				st.NoPercentile()
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p := eq[i&(1<<16-1)]
				p.Time = int64(i) * 60_000
				st.Add(p)
			}
		})
	}
}

// Points out of time order (which the engine never sends) still close their days as
// DailyEquity closes them: a point days before the current one starts a new close-day.
func TestEquityStatsDailyOutOfOrder(t *testing.T) {
	const h = 3_600_000
	d0 := int64(1_735_689_600_000)
	var eq []backtest.EquityPoint
	for i, tm := range []int64{d0 + 10*h, d0 + 2*DayMs + 10*h, d0 + DayMs + 10*h, d0 + DayMs + 11*h, d0 + DayMs + 24*h, d0 + 3*DayMs} {
		eq = append(eq, backtest.EquityPoint{Time: tm, Equity: float64(100 + i)})
	}
	st := StatsOf(eq)
	if got, want := st.Daily(), DailyEquity(eq); !reflect.DeepEqual(got, want) {
		t.Errorf("daily closes %v, want %v", got, want)
	}
}

// riskOf is math.Max of the two ratios, bit for bit, on special values and ordinary ones.
func TestRiskOfIsMathMax(t *testing.T) {
	vals := []float64{0, math.Copysign(0, -1), 1, -1, 0.8, math.MaxFloat64, -math.MaxFloat64, math.Inf(1),
		math.Inf(-1), math.NaN(), math.SmallestNonzeroFloat64, 0.49999999999999994}
	for _, a := range vals {
		for _, b := range vals {
			got := riskOf(&backtest.EquityPoint{PeakMarginRatio: a, MarginRatio: b})
			if want := math.Max(a, b); math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
				t.Errorf("riskOf(%v, %v) = %v, math.Max %v", a, b, got, want)
			}
		}
	}
}

// AddBlock accumulates exactly what Add of each point does, whatever the blocks' sizes
// (the backtest hands a sweep's points over in blocks).
func TestEquityStatsAddBlockIsAdd(t *testing.T) {
	for seed := uint64(1); seed <= 12; seed++ {
		eq := randomCurve(seed, []int{0, 1, 5, 1000, 5000}[seed%5], []int64{60_000, 3_600_000}[seed%2])
		for _, size := range []int{1, 2, 7, 128, len(eq) + 1} {
			for _, noTop := range []bool{false, true} {
				one, blk := NewEquityStats(len(eq)), NewEquityStats(len(eq))
				if noTop {
					one.NoPercentile()
					blk.NoPercentile()
				}
				for _, p := range eq {
					one.Add(p)
				}
				for i := 0; i < len(eq); i += size {
					if err := blk.AddBlock(eq[i:min(i+size, len(eq))]); err != nil {
						t.Fatal(err)
					}
				}
				if !reflect.DeepEqual(one, blk) {
					t.Errorf("seed %d, blocks of %d, noTop %v: AddBlock's statistics differ from Add's", seed, size, noTop)
				}
			}
		}
	}
}

// add's runs of quiet points (addQuiet) leave the accumulator as the point-by-point loop
// does, on curves with edge values: wallets and equities crossing zero, equities around 1
// USDT (drawdowns from peaks in (0, 1], which addQuiet's peak > 0 test decides), NaN and
// infinite ratios and equities, near-miss thresholds the curve crosses, days with one point,
// blocks of every size.
func TestEquityStatsQuietRuns(t *testing.T) {
	vals := []float64{0, math.Copysign(0, -1), 0.3, 0.5, 0.79, 0.8, 0.95, 2, math.MaxFloat64, math.Inf(1), math.NaN(), -1}
	runs := 0
	defer func() { countQuiet, quietTaken = false, 0 }()
	countQuiet, quietTaken = true, 0
	for seed := uint64(1); seed <= 60; seed++ {
		r := rand.New(rand.NewPCG(seed, 9))
		n := []int{0, 1, 2, 3, 50, 3000}[seed%6]
		eq := randomCurve(seed, n, []int64{60_000, 3_600_000, 6 * 3_600_000}[seed%3])
		scale := 1e4       // the edge values' scale: the curve's, or around 1 USDT (peaks in (0, 1])
		if seed/2%2 == 1 { // (seed%6 gives the length: both scales get every length)
			scale = 1
		}
		for i := range eq {
			p := &eq[i]
			if scale == 1 {
				p.Equity *= 1e-4 // the curve starts at 10,000
			}
			p.Wallet = p.Equity * (0.5 + r.Float64())
			switch r.IntN(40) {
			case 0:
				p.MarginRatio = vals[r.IntN(len(vals))]
			case 1:
				p.PeakMarginRatio = vals[r.IntN(len(vals))]
			case 2:
				p.Equity = vals[r.IntN(len(vals))] * scale
			case 3:
				p.Wallet = vals[r.IntN(len(vals))] * -scale
			}
		}
		near := []float64{0, 0.5, 0.8, 1.5}[seed%4]
		for _, size := range []int{1, 2, 7, 128, len(eq) + 1} {
			var got [2]string
			for k, on := range []bool{true, false} {
				quietRuns = on
				st := NewEquityStats(len(eq)).NoPercentile()
				if near > 0 {
					st.SetNearMissRatio(near)
				}
				for i := 0; i < len(eq); i += size {
					st.AddBlock(eq[i:min(i+size, len(eq))])
				}
				got[k] = fmt.Sprintf("%+v", *st)
			}
			quietRuns = true
			if got[0] != got[1] {
				t.Fatalf("seed %d, blocks of %d: with quiet runs\n%s\nwithout\n%s", seed, size, got[0], got[1])
			}
			runs++
		}
	}
	if runs == 0 {
		t.Fatal("no curve")
	}
	t.Logf("%d points taken in quiet runs", quietTaken)
	if quietTaken < 10000 {
		t.Fatalf("only %d points taken in quiet runs: the comparison is void", quietTaken)
	}
}
