package backtest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/bt-backtest/bt/backtest/margin"
)

// isoCase makes a random all-isolated account of n open positions and its step's paths for
// pathIsolated: shorts, longs or both (side: -1, 1, 0); with edge, wallets, brackets, marks and
// peaks from the edge values (ratios' denominators <= 0 or NaN, maintenance margins < 0, MMR
// -0, 0, 1 and > 1, cum < 0, +Inf or NaN, equal, neighbouring and NaN marks, NaN and signed
// zero peaks); the bracket is cached as maintenance caches it, at a mark of the path.
func isoCase(rng *rand.Rand, n, side int, edge bool) (*account, []int) {
	pick := func(v ...float64) float64 { return v[rng.IntN(len(v))] }
	logU := func(lo, hi float64) float64 { return math.Pow(10, lo+(hi-lo)*rng.Float64()) }
	syms := make([]symState, n)
	paths := make([]symPath, n)
	open := make([]int, n)
	for i := range syms {
		open[i] = i
		s, sp := &syms[i], &paths[i]
		entry := logU(-3, 5)
		q := logU(-3, 3)
		if side < 0 || side == 0 && rng.IntN(2) == 0 {
			q = -q
		}
		s.qty, s.entry, s.aq = q, entry, math.Abs(q)
		s.isolated = true
		lev := float64(1 + rng.IntN(125))
		s.isoWallet = s.aq * entry / lev
		// the marks: a walk around the entry, some equal or neighbours
		spread := pick(0, 1e-9, 1e-4, 1e-2, 0.1, 0.5)
		m := entry * (1 + spread*rng.NormFloat64())
		for k := range sp.mp {
			switch rng.IntN(5) {
			case 0: // the previous mark again
			case 1:
				m = math.Nextafter(m, math.Inf(2*rng.IntN(2)-1))
			default:
				m = entry * (1 + spread*rng.NormFloat64())
			}
			sp.mp[k] = math.Abs(m)
			sp.lp[k] = sp.mp[k] * (1 + 1e-3*rng.NormFloat64())
		}
		// a realistic table: MMR rising with the notional, cum continuous
		caps := []float64{logU(0, 4), logU(4, 6), logU(6, 8), math.Inf(1)}
		mmrs := []float64{0.004, 0.01, 0.05, 0.25}
		var brk margin.FloatTable
		cum := 0.0
		for k := range caps {
			if k > 0 {
				cum += caps[k-1] * (mmrs[k] - mmrs[k-1])
			}
			brk = append(brk, margin.FloatBracket{Cap: caps[k], MMR: mmrs[k], Cum: cum})
		}
		if edge {
			switch rng.IntN(8) {
			case 0:
				s.isoWallet = pick(0, math.Copysign(0, -1), -s.isoWallet, math.NaN(), math.Inf(1), math.Inf(-1), 1e-300, math.MaxFloat64)
			case 1:
				mmr := pick(0, math.Copysign(0, -1), 1, 1.5, -0.01, math.Inf(1), math.NaN())
				for k := range brk {
					b := &brk[k]
					b.MMR = mmr
					if mmr < 0 { // a maintenance margin >= 0 falling with the notional
						b.Cum = float64(s.aq*max(sp.mp[0], sp.mp[1], sp.mp[2], sp.mp[3])*mmr) * pick(1.001, 1.1, 2)
					}
				}
			case 2:
				b := &brk[rng.IntN(len(brk))]
				b.Cum = pick(-b.Cum-1, 1e9, math.MaxFloat64, math.Inf(1), math.Inf(-1), math.NaN())
			case 3:
				sp.mp[rng.IntN(4)] = math.NaN() // (no mark)
			case 4:
				sp.mp[rng.IntN(4)] = pick(0, math.Copysign(0, -1), -entry, math.Inf(1), 5e-324)
			case 5: // the four marks equal
				sp.mp[1], sp.mp[2], sp.mp[3] = sp.mp[0], sp.mp[0], sp.mp[0]
			case 6: // a denominator near 0: the wallet against the uPnL at a mark
				k := rng.IntN(4)
				s.isoWallet = -float64(s.qty * (sp.mp[k] - entry))
				if rng.IntN(2) == 0 {
					s.isoWallet = math.Nextafter(s.isoWallet, math.Inf(2*rng.IntN(2)-1))
				}
			case 7: // a maintenance margin near 0 (cum against the notional's)
				k := rng.IntN(4)
				b := &brk[0]
				b.MMR, b.Cum = 0.01, float64(float64(s.aq*sp.mp[k])*0.01)
				if rng.IntN(2) == 0 {
					b.Cum = math.Nextafter(b.Cum, math.Inf(2*rng.IntN(2)-1))
				}
			}
		}
		s.bLo, s.bHi = math.NaN(), math.NaN()
		s.maintenance(brk, s.aq*sp.mp[rng.IntN(4)])
		if rng.IntN(3) == 0 { // every notional in the bracket (no bracket change)
			s.bLo, s.bHi = math.Inf(-1), math.Inf(1)
		}
		s.tr.open = rng.IntN(6) != 0
		s.tr.t.PeakMarginRatio = pick(0, 0, rng.Float64(), 1e-3*rng.Float64(), math.NaN(), math.Copysign(0, -1), math.Inf(1))
		s.tr.t.MinLiqDistance = pick(math.Inf(1), rng.Float64(), 0.01*rng.Float64())
		s.liq = math.NaN()
		if rng.IntN(2) == 0 {
			s.liq = entry * (1 - math.Copysign(1/lev, q) + 1e-3*rng.NormFloat64())
		}
	}
	return &account{syms: syms, pv: &pathView{sym: paths}}, open
}

// The highest ratio a short takes alone (bRise) is the four ratios' maximum that probePath's
// mixed loop takes (pathMixed, the loop pathIsolated was made from), bit for bit: the step's peak, each trade's peak ratio and closest distance, the risk's sums, what pathIsolated
// returns, for positions and marks of every kind, edge values among them, and for two shorts
// whose maintenance margin overflows to +Inf (a cum < 0, an MMR > 1) while their margin
// balance does at a lower mark: a NaN ratio there (+Inf/+Inf), which bRise's bounds exclude.
func TestPathIsolatedIsTheFourRatios(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 15))
	bits := math.Float64bits
	rises, compared := 0, 0
	overflow := func(entry, mmr, cum float64, marks [4]float64) (*account, []int) {
		s := symState{}
		s.qty, s.aq, s.entry, s.isolated, s.isoWallet = -1, 1, entry, true, math.MaxFloat64
		s.maintenance(margin.FloatTable{{Cap: math.Inf(1), MMR: mmr, Cum: cum}}, 1)
		return &account{syms: []symState{s}, pv: &pathView{sym: []symPath{{mp: marks}}}}, []int{0}
	}
	for c := range 300002 {
		side, edge := c%3-1, c%2 == 0
		var a *account
		var open []int
		switch c {
		case 300000:
			a, open = overflow(1e308, 1, -math.MaxFloat64, [4]float64{1e308, 0.5e308, 1.7e308, 1e308})
		case 300001:
			a, open = overflow(1.7e308, 1.5, 0, [4]float64{1.7e308, 1.25e308, 1.79e308, 1.7e308})
		default:
			a, open = isoCase(rng, 1+rng.IntN(6), side, edge)
		}
		b := &account{syms: append([]symState(nil), a.syms...), pv: a.pv}
		peak0 := []float64{0, 0, math.Copysign(0, -1), rng.Float64(), math.NaN(), math.Inf(1)}[rng.IntN(6)]
		j0 := rng.IntN(2)
		if c >= 300000 {
			peak0, j0 = 0, 0
		}
		for i := range a.syms {
			if s := &a.syms[i]; s.bRise {
				rises++
			}
		}
		// the reference: probePath's mixed loop, the four ratios of every position
		var ra, rb margin.FloatRisk
		var cs pathSums
		pa, oka := a.pathIsolated(open, j0, peak0, &ra)
		pb, okb := b.pathMixed(open, j0, peak0, &rb, &cs)
		if !oka {
			// the probes take the vertices one by one (what the loop wrote they take again):
			// where the mixed loop did, or on a mark <= 0, where pathIsolated gives up
			nonPositive := false
			for _, sp := range a.pv.sym {
				nonPositive = nonPositive || !(sp.mp[1] > 0 && sp.mp[2] > 0 && sp.mp[3] > 0 && sp.mp[j0] > 0)
			}
			if okb && !nonPositive {
				t.Fatalf("case %d: pathIsolated false, pathMixed true, every mark > 0", c)
			}
			continue
		}
		compared++
		bad := oka != okb || bits(pa) != bits(pb) || bits(ra.MaintenanceMargin) != bits(rb.MaintenanceMargin) ||
			bits(ra.UnrealizedPnL) != bits(rb.UnrealizedPnL) || bits(ra.IsolatedMaxRatio) != bits(rb.IsolatedMaxRatio)
		for i := range a.syms {
			x, y := &a.syms[i].tr.t, &b.syms[i].tr.t
			if bits(x.PeakMarginRatio) != bits(y.PeakMarginRatio) || bits(x.MinLiqDistance) != bits(y.MinLiqDistance) || x.LastWick != y.LastWick {
				bad = true
			}
		}
		if bad {
			s := &b.syms[0]
			t.Fatalf("case %d (j0 %d, peak %v): pathIsolated %v %v %+v, pathMixed %v %v %+v; first position qty %v entry %v wallet %v marks %v bracket %v %v",
				c, j0, peak0, pa, oka, ra, pb, okb, rb, s.qty, s.entry, s.isoWallet, b.pv.sym[0].mp, s.bMMR, s.bCum)
		}
	}
	if rises < 100000 || compared < 150000 {
		t.Errorf("%d shorts with bRise, %d cases compared, want at least 100000 and 150000: the comparison is void", rises, compared)
	}
}

// BenchmarkPathIsolated times pathIsolated's loop on 12 isolated positions (shorts, longs or
// both) far from liquidation, against the four ratios of probePath's mixed loop (ref: pathMixed).
func BenchmarkPathIsolated(b *testing.B) {
	for _, side := range []int{-1, 1, 0} {
		for _, ref := range []bool{false, true} {
			b.Run(fmt.Sprintf("side=%d/ref=%v", side, ref), func(b *testing.B) {
				rng := rand.New(rand.NewPCG(1, 2))
				tbl, _, _ := benchBook.Table("BTCUSDT", time.UnixMilli(t0).UTC())
				brk := tbl.Float()
				const nsym, npath = 12, 256
				syms := make([]symState, nsym)
				paths := make([][]symPath, npath)
				for k := range paths {
					paths[k] = make([]symPath, nsym)
				}
				open := make([]int, nsym)
				for i := range syms {
					open[i] = i
					s := &syms[i]
					q := 0.01 + rng.Float64()
					if side < 0 || side == 0 && i%2 == 0 {
						q = -q
					}
					entry := 100 + 1000*rng.Float64()
					s.qty, s.entry, s.aq, s.isolated = q, entry, math.Abs(q), true
					s.isoWallet = s.aq * entry / 5
					m := entry
					for k := range paths {
						sp := &paths[k][i]
						for j := range sp.mp {
							m *= 1 + 1e-3*rng.NormFloat64()
							sp.mp[j] = m
							sp.lp[j] = m
						}
					}
					s.bLo, s.bHi = math.NaN(), math.NaN()
					s.maintenance(brk, s.aq*m)
					s.bLo, s.bHi = math.Inf(-1), math.Inf(1)
					s.tr.open = true
					s.tr.t.MinLiqDistance = 0.15
					s.liq = entry * (1 - math.Copysign(0.2, q))
				}
				a := &account{syms: syms, pv: &pathView{}}
				var risk margin.FloatRisk
				var cs pathSums
				b.ResetTimer()
				cpu0 := cpuTime()
				for k := range b.N {
					a.pv.sym = paths[k%npath]
					if ref {
						a.pathMixed(open, 1, 0, &risk, &cs)
					} else {
						a.pathIsolated(open, 1, 0, &risk)
					}
				}
				b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
			})
		}
	}
}
