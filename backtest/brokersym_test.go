package backtest

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestBrokerSymIsBinarySearch: Broker.sym gives slices.BinarySearch's answer (index, found;
// for an unknown symbol where it would be) for every name asked in any order, over symbol
// sets of 1 to 300 names that share lengths, first bytes and last bytes, the empty name and
// one-byte names included, with unknown
// names of the same shapes.
func TestBrokerSymIsBinarySearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 7))
	alpha := "AB1"
	name := func() string {
		n := rng.IntN(6)
		b := make([]byte, n)
		for k := range b {
			b[k] = alpha[rng.IntN(len(alpha))]
		}
		return string(b) + []string{"", "USDT", "USDC"}[rng.IntN(3)]
	}
	for _, size := range []int{1, 2, 3, 5, 12, 40, 300} {
		for range 20 {
			set := map[string]bool{}
			for len(set) < size {
				set[name()] = true
				if len(set) < size && rng.IntN(10) == 0 {
					set[""] = true
				}
			}
			syms := make([]string, 0, size)
			for s := range set {
				syms = append(syms, s)
			}
			slices.Sort(syms)
			br := &Broker{a: &account{symbols: syms}}
			for range 4 * size {
				x := syms[rng.IntN(len(syms))]
				if rng.IntN(3) == 0 {
					x = name()
				}
				k, ok := br.sym(x)
				wk, wok := slices.BinarySearch(syms, x)
				if k != wk || ok != wok {
					t.Fatalf("%d symbols: sym(%q) = %d, %v, want %d, %v", size, x, k, ok, wk, wok)
				}
			}
		}
	}
}
