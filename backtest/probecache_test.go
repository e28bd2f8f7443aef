package backtest

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/bt-backtest/bt/backtest/margin"
)

// The cached bracket of a position (posState.maintenance, crossLiqAt) gives the very floats of
// FloatTable.MaintenanceMargin and margin.LiquidationPriceFloat, bit for bit, for marks that
// walk within a bracket, jump across several, land exactly on a cap, and for liquidation
// prices that fall in another bracket than the mark's notional: the probes' figures stay the
// engine's without the cache.
func TestBracketCacheAgrees(t *testing.T) {
	tbl, _, ok := benchBook.Table("BTCUSDT", time.UnixMilli(t0).UTC())
	if !ok {
		t.Fatal("no BTCUSDT table in the default book")
	}
	brk := tbl.Float()
	if len(brk) < 4 {
		t.Fatalf("want a table of several brackets, got %d", len(brk))
	}
	rng := rand.New(rand.NewPCG(15, 3))
	var sameBracket, otherBracket, noneAbove int
	for n := range 2000 {
		qty := math.Round(rng.Float64()*2000) / 1000
		if qty == 0 {
			qty = 0.001
		}
		if n%2 == 1 {
			qty = -qty
		}
		s := symState{brk: brk}
		p := &s.posState
		*p = posState{qty: qty, entry: 20000 + rng.Float64()*80000}
		p.aq = math.Abs(qty)
		side := margin.Buy
		if qty < 0 {
			side = margin.Sell
		}
		p.qe = float64(float64(side)*p.aq) * p.entry
		p.bLo, p.bHi = math.NaN(), math.NaN()
		wallet := rng.Float64() * 200000
		for k := range 40 {
			m := p.entry * (0.5 + rng.Float64())
			switch {
			case k%7 == 3: // a notional exactly on a cap, or just below it
				c := brk[rng.IntN(len(brk)-1)].Cap
				m = c / p.aq
				if k%2 == 0 {
					m = math.Nextafter(m, 0)
				}
			case k%5 == 1: // a small move: the same bracket, mostly
				m = p.entry * (1 + (rng.Float64()-0.5)*1e-3)
			}
			n := p.aq * m
			if got, want := p.maintenance(brk, n), brk.MaintenanceMargin(n); math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("qty %v mark %v: cached maintenance %v, FloatTable %v", qty, m, got, want)
			}
			otherMM, otherPnL := rng.Float64()*5000, (rng.Float64()-0.5)*wallet
			want := margin.LiquidationPriceFloat(margin.FloatLiqInput{Side: side, Qty: p.aq, Entry: p.entry,
				Wallet: wallet, OtherMM: otherMM, OtherPnL: otherPnL, Mark: m, Brackets: brk})
			// both ways, in either order (each may find the other's second bracket cached)
			got, path := p.crossLiqAt(wallet, otherMM, otherPnL, m, brk), s.pathLiq(wallet, otherMM, otherPnL, m)
			if k%2 == 1 {
				path = s.pathLiq(wallet, otherMM, otherPnL, m)
				got = p.crossLiqAt(wallet, otherMM, otherPnL, m, brk)
			}
			if math.Float64bits(got) != math.Float64bits(want) || math.Float64bits(path) != math.Float64bits(want) {
				t.Fatalf("qty %v mark %v: cached liquidation price %v (pathLiq %v), LiquidationPriceFloat %v", qty, m, got, path, want)
			}
			if want > 0 && brk.For(p.aq*want) != brk.For(n) {
				otherBracket++
			} else if !(want > 0) && brk.For(n) != brk[0] {
				noneAbove++ // no LP (bracket 1's), the notional in a higher bracket
			} else {
				sameBracket++
			}
		}
	}
	if sameBracket < 1000 || otherBracket < 100 || noneAbove < 100 {
		t.Errorf("liquidation prices in the mark's bracket %d, in another %d, none with the notional above bracket 1 %d: the cases are not all covered",
			sameBracket, otherBracket, noneAbove)
	}
}

// crossFar and closeQuiet are sound: whenever crossFar says no distance probePath takes at a
// cross trade's vertices can be below the trade's closest distance d, none of them (pathLiq
// and LiquidationDistance at each vertex, the very floats probePath would take) is, and
// whenever closeQuiet also says closeLiq would change nothing, probePath's whole treatment of
// the trade (the vertices' distances, the close's, closeLiq's "no price" distance and
// last-price wick) leaves it as it is. Random one-way cross positions, long and short, of
// every notional (brackets 1 to the top) on real tables, marks walking within a bracket and
// landing on or one float away from a cap, other cross positions' sums, and a wallet that
// puts the liquidation price near the marks, within a hair of a bracket's cap or floor, far
// away or at <= 0, or the account beyond its threshold; d at, just below and above the true
// closest distance, 0, 1 and +Inf; last-price wicks at, one float short of and beyond the
// close's liquidation price. It also fails when the bound is void (it must pass most trades
// whose closest distance is 1 % below the vertices' and a share of those 1e-6 below, with and
// without the bracket certificates, and let closeQuiet skip wicks that do not reach).
func TestCrossFarBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 4))
	tables := testFloatTables(t)
	var samples, withLP, skipLoose, skipTight, tight, loose, certLong, certShort, quiet, wickSkips int
	var above, skipAbove int // loose: a short whose LP lies above its mark's bracket, a long's below
	for samples < 200_000 {
		brk := tables[rng.IntN(len(tables))]
		s, n, j := randomPosition(rng, brk)
		var sp symPath // the symbol's paths at the step (its last-price path set below)
		p := &s.posState
		entry, qty := p.entry, p.qty
		// the vertices' marks: a small walk around mc, one of them on a cap or next to it
		mc := entry * (0.8 + 0.4*rng.Float64())
		var m [4]float64
		spread := math.Pow(10, -rng.Float64()*8) * 0.02
		for k := range m {
			m[k] = mc * (1 + (rng.Float64()-0.5)*spread)
		}
		if rng.IntN(6) == 0 && j > 0 {
			k := rng.IntN(4)
			m[k] = brk[j-1].Cap / p.aq
			if rng.IntN(2) == 0 {
				m[k] = math.Nextafter(m[k], math.Inf(1))
			}
		}
		p.maintenance(brk, p.aq*m[0])
		ok := true
		var mm, u [4]float64
		for k := range m {
			nk := p.aq * m[k]
			if !(nk >= p.bLo && nk < p.bHi) {
				ok = false // probePath's first loop leaves such a step to the probes
			}
			mm[k] = float64(nk*p.bMMR) - p.bCum
			u[k] = float64(p.qty * (m[k] - p.entry))
		}
		if !ok {
			continue
		}
		samples++
		n = p.aq * m[0]
		// the other cross positions' sums at the vertices, and the account's sums with them
		oMM := rng.Float64() * n * 0.05 * float64(rng.IntN(2))
		oU := (rng.Float64() - 0.5) * n * 0.2 * float64(rng.IntN(2))
		var cmm, cu [4]float64
		for k := range m {
			cmm[k] = oMM*(1+(rng.Float64()-0.5)*spread) + mm[k]
			cu[k] = oU*(1+(rng.Float64()-0.5)*spread) + u[k]
		}
		// the wallet: a surplus Δ at vertex 0 of r × notional
		var r float64
		switch rng.IntN(6) {
		case 0: // the liquidation price within a hair of the mark, or past it
			r = (rng.Float64() - 0.3) * math.Pow(10, -rng.Float64()*12)
		case 1: // the liquidation price across the bracket's cap or floor
			r = math.Pow(10, rng.Float64()*2-1.5)
			// or within a hair of it: Q·LP = n + Δ/(1 + MMR) for a short, n − Δ/(1 − MMR) for a long
			e := (1 + (rng.Float64()-0.5)*math.Pow(10, -rng.Float64()*12))
			if qty < 0 && p.bHi < math.Inf(1) && rng.IntN(2) == 0 {
				r = (p.bHi - n) * (1 + p.bMMR) * e / n
			} else if qty > 0 && p.bLo > 0 && rng.IntN(2) == 0 {
				r = (n - p.bLo) * (1 - p.bMMR) * e / n
			}
		case 2: // far: a long's price <= 0
			r = 0.9 + rng.Float64()*10
		default:
			r = math.Pow(10, rng.Float64()*3-2.5)
		}
		w := r*n - cu[0] + cmm[0]
		dlo, dhi, sc := math.Inf(1), math.Inf(-1), 0.0
		for k := range m {
			dk := w + cu[k] - cmm[k]
			dlo, dhi, sc = min(dlo, dk), max(dhi, dk), max(sc, math.Abs(w)+math.Abs(cmm[k])+math.Abs(cu[k]))
		}
		// probePath's treatment of the trade with every figure taken (on a copy: pathLiq may
		// cache a second bracket, which changes no float)
		vertices := func(s symState) (d, lp float64) {
			d = s.pathDistances(w, true, true, true, true, m[0], m[1], m[2], cmm[0], cmm[1], cmm[2], cu[0], cu[1], cu[2])
			lp = s.pathLiq(w, cmm[3]-mm[3], cu[3]-u[3], m[3])
			if lp > 0 {
				d = min(d, margin.LiquidationDistance(m[3], lp))
			}
			return d, lp
		}
		full := func(s symState) symState {
			d, lp := vertices(s)
			s.closeLP = lp
			s.tr.t.MinLiqDistance = min(s.tr.t.MinLiqDistance, d)
			s.closeLiq(lp, &sp)
			return s
		}
		s.tr.open = true
		got, lp3 := vertices(s) // the vertices' closest distance (+Inf: no LP > 0), the close's LP
		if got < math.Inf(1) {
			withLP++
		}
		// the last-price path's inner points: none (NaN), the LP's neighbourhood, the mark's
		sp.lp[1], sp.lp[2] = m[3]*(1+(rng.Float64()-0.5)*spread), m[3]*(1+(rng.Float64()-0.5)*spread)
		sp.lp[0], sp.lp[3] = sp.lp[1], sp.lp[2]
		present := rng.IntN(8) > 0
		if !present {
			sp.lp = [4]float64{math.NaN(), math.NaN(), math.NaN(), math.NaN()}
		}
		if lp3 > 0 && rng.IntN(2) == 0 {
			x := lp3
			switch rng.IntN(3) {
			case 0:
				x = math.Nextafter(lp3, m[3])
			case 1:
				x = lp3 * (1 + (rng.Float64()-0.5)*math.Pow(10, -rng.Float64()*12))
			}
			if present {
				sp.lp[1+rng.IntN(2)] = x
			}
		}
		s.tr.t.LastWick = rng.IntN(8) == 0
		ds := []float64{got, math.Nextafter(got, 0), math.Nextafter(got, math.Inf(1)), got * (1 - 1e-12),
			got * (1 - 1e-6), got * (1 - 1e-2), got * (1 + 1e-9), 0, 1, math.Inf(1), rng.Float64() * 2}
		for i, d := range ds {
			s.tr.t.MinLiqDistance = d
			far := s.crossFar(dlo, dhi, sc, m[0], m[1], m[2], m[3], d)
			if far && !(got >= d) {
				t.Fatalf("qty %v entry %v marks %v wallet %v sums %v %v: crossFar says no distance below %v, the vertices' closest is %v",
					qty, entry, m, w, cmm, cu, d, got)
			}
			if far && s.closeQuiet(m[3], &sp) {
				quiet++
				if !s.tr.t.LastWick && present && lp3 > 0 {
					wickSkips++
				}
				if x := full(s); math.Float64bits(x.tr.t.MinLiqDistance) != math.Float64bits(d) || x.tr.t.LastWick != s.tr.t.LastWick {
					t.Fatalf("qty %v entry %v marks %v wallet %v sums %v %v last %v %v: crossFar and closeQuiet skip the trade at %v, probePath's figures make it %v (wick %v -> %v, close LP %v)",
						qty, entry, m, w, cmm, cu, sp.lp[1], sp.lp[2], d, x.tr.t.MinLiqDistance, s.tr.t.LastWick, x.tr.t.LastWick, lp3)
				}
			}
			if got > 0 && got < math.Inf(1) {
				switch i {
				case 5:
					loose++
					if far {
						skipLoose++
					}
					if n3 := p.aq * lp3; qty < 0 && n3 >= p.bHi || qty > 0 && n3 < p.bLo {
						above++
						if far {
							skipAbove++
						}
					}
				case 4:
					tight++
					if far {
						skipTight++
					}
				}
			}
		}
		// the certificates were given a chance: LP in the mark's bracket above its floor
		if got < math.Inf(1) && s.crossFar(dlo, dhi, sc, m[0], m[1], m[2], m[3], got*(1-1e-6)) && p.bLo > 0 {
			if qty > 0 {
				certLong++
			} else {
				certShort++
			}
		}
	}
	t.Logf("%d samples, %d with a liquidation price; passed at 1 %% below %d of %d (LP past the mark's bracket %d of %d), at 1e-6 below %d of %d; certified long %d short %d; skipped with the close %d (%d wick checks)",
		samples, withLP, skipLoose, loose, skipAbove, above, skipTight, tight, certLong, certShort, quiet, wickSkips)
	// (the bound from the bracket of the notional a distance d away, not the table's top
	// MMR, passes a quarter of the prices past the mark's bracket)
	if skipLoose < loose*4/10 || skipAbove < above/4 || skipTight < tight/10 || certLong < 100 || certShort < 100 || wickSkips < 1000 {
		t.Errorf("the bound is void too often: passed at 1 %% below %d of %d (past the bracket %d of %d), at 1e-6 below %d of %d; certified long %d short %d; %d wick checks",
			skipLoose, loose, skipAbove, above, skipTight, tight, certLong, certShort, wickSkips)
	}
}

// isoThresholds' prices hold: every mark at or beyond one (the threshold itself, its float
// neighbours inward... outward, and marks farther out) is at a LiquidationDistance of at least
// d from the liquidation price, for prices and distances of every magnitude, distances near
// 0, near 1 − 2⁻¹⁰ and subnormal; and the thresholds are tight (within 2⁻²⁵ of the real
// lp/(1 ∓ d)) wherever they exist for an ordinary d, so that isoFar is not void.
func TestIsoThresholds(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 6))
	checked, tight := 0, 0
	for range 300_000 {
		lp := math.Pow(10, rng.Float64()*16-8)
		var d float64
		switch rng.IntN(8) {
		case 0:
			d = 0
		case 1:
			d = math.Float64frombits(rng.Uint64N(1 << 52)) // subnormal
		case 2:
			d = math.Nextafter(1-0x1p-10, rng.Float64()*2) // at the guard
		case 3:
			d = math.Pow(10, -rng.Float64()*15)
		case 4:
			d = 1 + rng.Float64()*10 // above: none; below: far
		default:
			d = rng.Float64()
		}
		above, below := isoThresholds(lp, d)
		for _, m := range []float64{above, math.Nextafter(above, math.Inf(1)), above * (1 + 0x1p-52), above * (1 + rng.Float64()*1e-9), above * (1 + rng.Float64())} {
			if m < math.Inf(1) {
				checked++
				if got := margin.LiquidationDistance(m, lp); !(got >= d) {
					t.Fatalf("lp %v d %v: mark %v at or above %v is at distance %v", lp, d, m, above, got)
				}
			}
		}
		for _, m := range []float64{below, math.Nextafter(below, 0), below * (1 - 0x1p-52), below * (1 - rng.Float64()*1e-9), below * (1 - rng.Float64())} {
			if m > 0 {
				checked++
				if got := margin.LiquidationDistance(m, lp); !(got >= d) {
					t.Fatalf("lp %v d %v: mark %v at or below %v is at distance %v", lp, d, m, below, got)
				}
			}
		}
		if d >= 1e-6 && d <= 0.9 {
			if !(above <= lp/(1-d)*(1+0x1p-25)) || !(below >= lp/(1+d)*(1-0x1p-25)) {
				t.Fatalf("lp %v d %v: thresholds %v, %v are loose (%v, %v)", lp, d, above, below, lp/(1-d), lp/(1+d))
			}
			tight++
		}
	}
	t.Logf("%d marks checked, %d threshold pairs tight", checked, tight)
	if checked < 1_000_000 || tight < 100_000 {
		t.Errorf("only %d marks checked, %d threshold pairs tight", checked, tight)
	}
}

// setCrossWin's windows are sound: in a step within a cross trade's window (marksInWin,
// pointsInWin) whose sums meet the account's references (sc <= xSC, dhi <= xDH), a yes of
// crossWinFar (which a surplus at least the window's xR gets) is a yes of
// crossFar and of closeQuiet, so that probePath may leave the trade as it is. Random one-way cross positions, long and short, of every notional (brackets 1 to the top)
// on real tables, windows set at a step's marks with references that put the certificate near
// its edge, closest distances from 0 to beyond 1 and last-price wicks recorded or not; later
// steps with marks on and between the window's edges, last-price points on theirs and near the
// close, the closest distance lowered or not, sums at the references and below, and surpluses
// at, one float from and near
// crossWinFar's threshold. It also fails when the windows are void (they must be set for most
// positions, hold most later steps and say yes to most of those).
func TestCrossWindow(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 9))
	tables := testFloatTables(t)
	pick := func(xs ...float64) float64 { return xs[rng.IntN(len(xs))] }
	var tried, set, within, yes, wicks, far int
	for tried < 40_000 {
		brk := tables[rng.IntN(len(tables))]
		s, _, _ := randomPosition(rng, brk)
		p := &s.posState
		entry, qty := p.entry, p.qty
		mc := entry * (0.8 + 0.4*rng.Float64())
		spread := math.Pow(10, -rng.Float64()*6) * 0.02
		var m [4]float64
		for k := range m {
			m[k] = mc * (1 + (rng.Float64()-0.5)*spread)
		}
		p.maintenance(brk, p.aq*m[0])
		inBracket := true
		for k := range m {
			if nk := p.aq * m[k]; !(nk >= p.bLo && nk < p.bHi) {
				inBracket = false
			}
		}
		if !inBracket {
			continue
		}
		tried++
		n := p.aq * mc
		// the references: the certificate's left side at the marks (a long's distance to its
		// bracket's floor, a short's to its cap, times 1 ∓ MMR), scaled around 1
		cert := (n - p.bLo) * (1 - p.bMMR)
		if qty < 0 {
			cert = (p.bHi - n) * (1 + p.bMMR)
		}
		if math.IsInf(cert, 1) {
			cert = n * (1 + rng.Float64()*10)
		}
		a := account{xSC: n * math.Pow(10, rng.Float64()*4-1)}
		a.xDH = cert * pick(0.5, 0.9, 0.97, 0.99, 1.01, 1.1, 2) * (1 + (rng.Float64()-0.5)*0.02)
		s.tr.open = true
		s.tr.t.MinLiqDistance = pick(0, 1, 1e-3, 0.02, 0.3, 0.9, 1.5, 20) * (1 + (rng.Float64()-0.5)*0.1*float64(rng.IntN(2)))
		s.tr.t.LastWick = rng.IntN(6) == 0
		a.setCrossWin(&s, m[0], m[1], m[2], m[3])
		if !(p.xLo > 0) {
			continue
		}
		set++
		d := s.tr.t.MinLiqDistance
		for range 30 {
			// a later step: marks on the window's edges, between them, or one float outside
			var mk [4]float64
			for k := range mk {
				switch rng.IntN(8) {
				case 0:
					mk[k] = p.xLo
				case 1:
					mk[k] = p.xHi
				case 2:
					mk[k] = pick(math.Nextafter(p.xLo, 0), math.Nextafter(p.xHi, math.Inf(1)))
				default:
					mk[k] = p.xLo + (p.xHi-p.xLo)*rng.Float64()
				}
			}
			// the last-price path's inner points: on the window's bounds, near the close, beyond
			var sp symPath
			xPLo, xPHi := p.xP, math.Inf(1) // pointsInWin's bounds
			if qty < 0 {
				xPLo, xPHi = math.Inf(-1), -p.xP
			}
			for k := 1; k <= 2; k++ {
				x := mk[3] * (1 + (rng.Float64()-0.5)*math.Min(d, 0.1))
				switch rng.IntN(6) {
				case 0:
					if b := pick(xPLo, xPHi); !math.IsInf(b, 0) {
						x = b
					}
				case 1:
					if qty > 0 && !math.IsInf(xPLo, 0) {
						x = math.Nextafter(xPLo, 0)
					} else if qty < 0 && !math.IsInf(xPHi, 0) {
						x = math.Nextafter(xPHi, math.Inf(1))
					}
				case 2:
					x = math.NaN()
				}
				sp.lp[k] = x
			}
			// (the trade's closest distance lowered since: no longer the window's)
			s.tr.t.MinLiqDistance = d
			if rng.IntN(10) == 0 {
				s.tr.t.MinLiqDistance = d * pick(0, 0.5, 1-1e-9)
			}
			if !(s.marksInWin(mk[0], mk[1], mk[2], mk[3]) && s.pointsInWin(&sp)) {
				continue
			}
			within++
			// sums meeting the references, and surpluses around crossWinFar's threshold
			sc := a.xSC * pick(1, rng.Float64())
			dhi := a.xDH - math.Abs(a.xDH)*pick(0, 1e-12, 1e-6, rng.Float64()*0.1)
			mhi := markHi(mk[0], mk[1], mk[2], mk[3])
			nhi := p.aq * mhi
			thr := s.crossSlackOf(sc, nhi) + float64(float64(float64(d*nhi)*p.xF)*(1+crossSlack))
			ref := p.xR // pathCross's
			for _, dlo := range []float64{thr, math.Nextafter(thr, 0), math.Nextafter(thr, math.Inf(1)), thr * (1 + 1e-12), thr * (1 + 1e-6), thr * 2, ref, math.Nextafter(ref, 0)} {
				if dlo >= ref && !s.crossWinFar(dlo, sc, mhi) {
					t.Fatalf("qty %v entry %v marks %v, window [%v, %v]: the surplus %v meets xR %v (reference sc %v), crossWinFar says no at sc %v", qty, entry, mk, p.xLo, p.xHi, dlo, ref, a.xSC, sc)
				}
				if !s.crossWinFar(dlo, sc, mhi) {
					continue
				}
				yes++
				if !s.crossFar(dlo, dhi, sc, mk[0], mk[1], mk[2], mk[3], s.tr.t.MinLiqDistance) {
					t.Fatalf("qty %v entry %v marks %v, window [%v, %v] f %v (set at %v, references sc %v dhi %v), d %v: crossWinFar says yes at dlo %v dhi %v sc %v, crossFar no",
						qty, entry, mk, p.xLo, p.xHi, p.xF, m, a.xSC, a.xDH, d, dlo, dhi, sc)
				}
				if !s.closeQuiet(mk[3], &sp) {
					t.Fatalf("qty %v entry %v marks %v, window [%v, %v] points [%v, %v], d %v wick %v: within the window at points %v %v, closeQuiet says no",
						qty, entry, mk, p.xLo, p.xHi, xPLo, xPHi, d, s.tr.t.LastWick, sp.lp[1], sp.lp[2])
				}
				if !s.tr.t.LastWick {
					wicks++
				}
				if f := 1 - p.bMMR; qty < 0 && p.xF != 1+p.bMMR || qty > 0 && p.xF != f {
					far++ // xF from the notional a distance away
				}
			}
		}
	}
	t.Logf("%d positions, %d windows set, %d later steps within them, %d yes (%d checking the points, %d with the far bracket's f)", tried, set, within, yes, wicks, far)
	if set < tried/2 || within < set*3 || yes < within*2 || wicks < yes/2 || far < 1000 {
		t.Errorf("the windows are void too often: %d positions, %d windows, %d steps within, %d yes (%d checking the points, %d far)", tried, set, within, yes, wicks, far)
	}
}

// testFloatTables returns the float bracket tables of BTCUSDT, ETHUSDT and DOGEUSDT in the
// default book at t0, for the random position tests.
func testFloatTables(t *testing.T) []margin.FloatTable {
	t.Helper()
	var tables []margin.FloatTable
	for _, sym := range []string{"BTCUSDT", "ETHUSDT", "DOGEUSDT"} {
		tbl, _, ok := benchBook.Table(sym, time.UnixMilli(t0).UTC())
		if !ok {
			t.Fatalf("no %s table in the default book", sym)
		}
		tables = append(tables, tbl.Float())
	}
	return tables
}

// randomNotional draws a notional in a random bracket j of brk (or on its cap; the last,
// uncapped bracket up to four times its floor) and returns it with j.
func randomNotional(rng *rand.Rand, brk margin.FloatTable) (float64, int) {
	j := rng.IntN(len(brk))
	lo, hi := 0.0, brk[j].Cap
	if j > 0 {
		lo = brk[j-1].Cap
	}
	if math.IsInf(hi, 1) {
		hi = lo * 4
	}
	return lo + (hi-lo)*rng.Float64(), j
}

// randomPosition draws a position on table brk: an entry between 0.01 and 10,000, a notional
// n in a random bracket j (randomNotional), long or short, its bracket caches unset (NaN). It
// returns the symbol state holding it, n and j.
func randomPosition(rng *rand.Rand, brk margin.FloatTable) (symState, float64, int) {
	entry := math.Pow(10, rng.Float64()*6-2) // 0.01 .. 10,000
	n, j := randomNotional(rng, brk)
	qty := n / entry
	if rng.IntN(2) == 1 {
		qty = -qty
	}
	s := symState{brk: brk}
	p := &s.posState
	*p = posState{qty: qty, entry: entry, aq: math.Abs(qty)}
	side := margin.Buy
	if qty < 0 {
		side = margin.Sell
	}
	p.qe = float64(float64(side)*p.aq) * p.entry
	p.bLo, p.bHi, p.lLo, p.lHi = math.NaN(), math.NaN(), math.NaN(), math.NaN()
	return s, n, j
}
