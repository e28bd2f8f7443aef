package reports

import (
	"math"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/reports/artifact"
	"github.com/bt-backtest/bt/reports/internal/fixture"
	"github.com/bt-backtest/bt/reports/metrics"
)

// walk is a random curve of n 1-minute points spanning several months.
func walk(seed uint64, n int) []backtest.EquityPoint {
	r := rand.New(rand.NewPCG(seed, 2))
	eq, mr := 10000.0, 0.2
	out := make([]backtest.EquityPoint, n)
	for i := range out {
		eq *= 1 + 0.002*r.NormFloat64()
		mr = math.Abs(mr + 0.01*r.NormFloat64())
		out[i] = backtest.EquityPoint{Time: fixture.Start + int64(i+1)*60_000, Equity: eq, MarginRatio: mr}
	}
	return out
}

// The sampler keeps a bounded number of points, in time order, among them the curve's
// extremes of equity and margin ratio, its first and last point and exactly the monthly
// returns of the whole curve.
func TestCurveSamplerKeepsExtremesAndMonths(t *testing.T) {
	for _, n := range []int{0, 1, 5, 4 * Buckets, 4*Buckets + 1, 200_000} {
		eq := walk(uint64(n), n)
		c := NewCurveSampler()
		for _, p := range eq {
			c.Add(p)
		}
		pts := c.Points()
		if c.Len() != n || (n == 0) != (pts == nil) {
			t.Fatalf("n %d: Len %d, %d points", n, c.Len(), len(pts))
		}
		if n == 0 {
			continue
		}
		if len(pts) > 16*Buckets+2*12+2 {
			t.Errorf("n %d: %d points kept", n, len(pts))
		}
		for i := 1; i < len(pts); i++ {
			if pts[i].Time <= pts[i-1].Time {
				t.Fatalf("n %d: points not in time order at %d", n, i)
			}
		}
		if pts[0] != eq[0] || pts[len(pts)-1] != eq[n-1] {
			t.Errorf("n %d: first or last point missing", n)
		}
		extreme := func(eq []backtest.EquityPoint, f func(backtest.EquityPoint) float64) (lo, hi float64) {
			lo, hi = math.Inf(1), math.Inf(-1)
			for _, p := range eq {
				lo, hi = math.Min(lo, f(p)), math.Max(hi, f(p))
			}
			return
		}
		for _, f := range []func(backtest.EquityPoint) float64{
			func(p backtest.EquityPoint) float64 { return p.Equity },
			func(p backtest.EquityPoint) float64 { return p.MarginRatio },
		} {
			l1, h1 := extreme(eq, f)
			l2, h2 := extreme(pts, f)
			if l1 != l2 || h1 != h2 {
				t.Errorf("n %d: extremes %v..%v, kept %v..%v", n, l1, h1, l2, h2)
			}
		}
		if got, want := metrics.MonthlyReturns(pts), metrics.MonthlyReturns(eq); !reflect.DeepEqual(got, want) {
			t.Errorf("n %d: monthly returns %v, want %v", n, got, want)
		}
	}
}

// Charts of a streamed run (no AccountResult.Equity, the sampled curve in Run.Curves) show
// the same extremes and the same monthly table as charts of the full curve.
func TestChartsFromSampledCurves(t *testing.T) {
	full := fixtureRun(t, t.TempDir(), "run")
	for i := range full.Result.Accounts { // long enough to be thinned: 60,000 points
		full.Result.Accounts[i].Equity = walk(uint64(i+1), 60_000)
	}
	res := *full.Result
	res.Accounts = append([]backtest.AccountResult(nil), res.Accounts...)
	streamed := *full
	streamed.Result = &res
	streamed.Curves = map[string][]backtest.EquityPoint{}
	for i := range res.Accounts {
		c := NewCurveSampler()
		for _, p := range res.Accounts[i].Equity {
			c.Add(p)
		}
		streamed.Curves[res.Accounts[i].Name] = c.Points()
		res.Accounts[i].Equity = nil
	}
	a, b := Charts(full), Charts(&streamed)
	if len(a) != len(b) {
		t.Fatalf("%d panels, want %d", len(b), len(a))
	}
	for i := range a { // equity and margin ratio panels (the drawdown is recomputed from the kept points)
		if !strings.HasPrefix(a[i].ID, "equity-") && !strings.HasPrefix(a[i].ID, "margin-") {
			continue
		}
		if len(b[i].X) >= len(a[i].X)*2 || len(b[i].X) < len(a[i].X)/2 {
			t.Errorf("%s: %d points drawn, %d from the full curve", a[i].ID, len(b[i].X), len(a[i].X))
		}
		for k := range a[i].Series {
			if a[i].Series[k].Kind == "liq" {
				continue // drawn at the first kept point at or after the liquidation
			}
			lo1, hi1 := rangeOf(a[i].Series[k].Values)
			lo2, hi2 := rangeOf(b[i].Series[k].Values)
			if lo1 != lo2 || hi1 != hi2 {
				t.Errorf("%s/%s: range %v..%v, want %v..%v", a[i].ID, a[i].Series[k].Label, lo2, hi2, lo1, hi1)
			}
		}
	}
	if !reflect.DeepEqual(monthlyTables(accountsOf([]*artifact.Run{full})), monthlyTables(accountsOf([]*artifact.Run{&streamed}))) {
		t.Error("monthly tables differ")
	}
}

func rangeOf(v Values) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range v {
		if !math.IsNaN(x) {
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
	}
	return
}

// BenchmarkCurveSampler: one point added.
func BenchmarkCurveSampler(b *testing.B) {
	eq := walk(1, 1<<16)
	c := NewCurveSampler()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p := eq[i&(1<<16-1)]
		p.Time = int64(i) * 60_000
		c.Add(p)
	}
}

// A liquidation is marked on its account's margin-ratio panel at the highest ratio of its bar
// (the engine's PeakMarginRatio, ≥ 1 in a bar with a liquidation), not at the close's ratio
// after the position was gone.
func TestLiquidationMarkerAtPeakRatio(t *testing.T) {
	r := fixtureRun(t, t.TempDir(), "run")
	var liqTime int64
	for i := range r.Result.Accounts {
		a := &r.Result.Accounts[i]
		if a.Name != "cross" || len(a.Liquidations) == 0 {
			continue
		}
		liqTime = a.Liquidations[0].Time
		k := sort.Search(len(a.Equity), func(k int) bool { return a.Equity[k].Time >= liqTime })
		a.Equity[k].PeakMarginRatio = 1.25
	}
	if liqTime == 0 {
		t.Fatal("the fixture's cross account has no liquidation")
	}
	for _, p := range Charts(r) {
		if p.ID != "margin-cross" {
			continue
		}
		for _, s := range p.Series {
			if s.Kind != "liq" {
				continue
			}
			for i, x := range p.X {
				if x == liqTime/1000 {
					if s.Values[i] != 1.25 {
						t.Errorf("liquidation at %d marked at ratio %v, want 1.25", x, s.Values[i])
					}
					return
				}
			}
		}
	}
	t.Fatal("no liquidation marker on margin-cross")
}

// The per-account panels of one kind carry the extremes of all of them (YLo, YHi), which the
// PNGs draw on: equity-isolated and equity-cross share the lowest and highest equity of both.
func TestGroupRange(t *testing.T) {
	r := fixtureRun(t, t.TempDir(), "run")
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, a := range r.Result.Accounts {
		for _, p := range a.Equity {
			lo, hi = math.Min(lo, p.Equity), math.Max(hi, p.Equity)
		}
	}
	n := 0
	for _, p := range Charts(r) {
		if strings.HasPrefix(p.ID, "equity-") {
			n++
			if p.YLo != lo || p.YHi != hi {
				t.Errorf("%s: y range %v..%v, want %v..%v", p.ID, p.YLo, p.YHi, lo, hi)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d equity panels, want 2", n)
	}
}
