package margin

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestEquityFast checks Equity's loop over every slot (and its shortcut for an account without
// an open slot) against equitySlow's over the open ones, bit for bit, on random slots drawn
// from edge values: flat slots (±0) next to signed zero sums, missing marks (NaN), infinite
// and denormal values.
func TestEquityFast(t *testing.T) {
	a := newAcct(t, "100", Cross, 5)
	vals := []float64{0, math.Copysign(0, -1), 1, -1, 2.5, -7.25, 1e-300, -1e-300, 5e-324, 1e300, -1e300,
		math.MaxFloat64, math.Inf(1), math.Inf(-1), math.NaN(), 0.1, 3e4}
	pick := func(r *rand.Rand) float64 {
		if r.IntN(3) == 0 {
			return 0 // flat slots are common
		}
		return vals[r.IntN(len(vals))]
	}
	r := rand.New(rand.NewPCG(15, 7))
	allFlat := 0    // accounts without an open slot
	signedZero := 0 // cases where adding the flat slots' terms changes a zero's sign
	for range 200000 {
		n := 1 + r.IntN(5)
		a.slots = make([]slot, n)
		a.fqs, a.marks = make([]float64, n), make([]float64, n)
		a.open = a.open[:0] // the open slots: those with a quantity (a flat one's fq is ±0)
		for k := range n {
			a.fqs[k], a.marks[k], a.slots[k].fqe = pick(r), pick(r), pick(r)
			if a.fqs[k] != 0 {
				a.open = append(a.open, k)
			}
		}
		h := pick(r)
		if len(a.open) == 0 {
			allFlat++
		}
		a.consts.ok, a.consts.equity = true, h
		got, want := a.Equity(), a.equitySlow(h)
		if math.Float64bits(got) != math.Float64bits(want) && !(got != got && want != want) {
			t.Fatalf("fqs %v marks %v fqe %v h %v: Equity %v, equitySlow %v", a.fqs, a.marks, h, h, got, want)
		}
		raw := h
		for k, q := range a.fqs {
			raw += float64(q * a.marks[k])
		}
		if raw == 0 && want == 0 && math.Signbit(raw) != math.Signbit(want) {
			signedZero++
		}
	}
	if allFlat == 0 {
		t.Error("no account without an open slot: the test misses Equity's shortcut")
	}
	if signedZero == 0 {
		t.Error("no case where the flat slots' terms change a zero sum's sign: the test misses the fallback")
	}
}
