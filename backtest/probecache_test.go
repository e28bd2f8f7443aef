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
