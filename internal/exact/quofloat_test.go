package exact

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"testing"
)

// parseQuo is the float64 strconv.ParseFloat reads from c's digits and the exponent −k.
func parseQuo(hi, lo uint64, k int) float64 {
	c := new(big.Int).SetUint64(hi)
	c.Lsh(c, 64).Or(c, new(big.Int).SetUint64(lo))
	f, err := strconv.ParseFloat(c.String()+"e-"+strconv.Itoa(k), 64)
	if err != nil {
		panic(err)
	}
	return f
}

// TestQuoFloatIsParseFloat compares quoFloat with strconv.ParseFloat on random coefficients
// of 1 to 127 bits at 1 to 19 decimals, on exact halfway cases between two floats (odd
// multiples of half a unit in the last place, (2M + 1)·2^(E−1)·10^k) and their neighbours,
// and on powers of two and ten: every value it answers must be ParseFloat's, bit for bit. It
// fails unless it answered most of them and a few thousand ties.
func TestQuoFloatIsParseFloat(t *testing.T) {
	r := rand.New(rand.NewPCG(53, 11))
	answered, ties := 0, 0
	check := func(hi, lo uint64, k int, tie bool) {
		f, ok := quoFloat(hi, lo, k)
		if ok != (hi < Pow10[k]) {
			t.Fatalf("quoFloat(%d, %d, %d): ok %v", hi, lo, k, ok)
		}
		if !ok {
			return
		}
		if want := parseQuo(hi, lo, k); math.Float64bits(f) != math.Float64bits(want) {
			t.Fatalf("quoFloat(%d, %d, %d) = %v (%#x), ParseFloat %v (%#x)", hi, lo, k, f, math.Float64bits(f), want, math.Float64bits(want))
		}
		answered++
		if tie {
			ties++
		}
	}
	for range 1_000_000 {
		k := 1 + r.IntN(19)
		n := 1 + r.IntN(127)
		hi, lo := r.Uint64(), r.Uint64()
		if n <= 64 {
			hi, lo = 0, lo>>(64-n)
		} else {
			hi >>= 128 - n
		}
		check(hi, lo, k, false)
	}
	for range 200_000 {
		// (2M + 1)·2^(E−1)·10^k = (2M + 1)·5^k·2^(k+E−1), with k + E − 1 = j >= 0
		k := 1 + r.IntN(19)
		m := uint64(1)<<52 | r.Uint64()>>12 // 53 bits
		c := new(big.Int).SetUint64(2*m + 1)
		c.Mul(c, new(big.Int).Exp(big.NewInt(5), big.NewInt(int64(k)), nil))
		c.Lsh(c, uint(r.IntN(40)))
		if c.BitLen() > 127 {
			continue
		}
		for dx := -1; dx <= 1; dx++ {
			x := new(big.Int).Add(c, big.NewInt(int64(dx)))
			w := x.Bits()
			var hi, lo uint64
			lo = uint64(w[0])
			if len(w) > 1 {
				hi = uint64(w[1])
			}
			check(hi, lo, k, dx == 0)
		}
	}
	for k := 1; k <= 19; k++ {
		for b := range 127 {
			hi, lo := shl128(0, 1, b)
			check(hi, lo, k, false)
		}
		for j := range 20 {
			check(0, Pow10[j], k, false)
		}
	}
	if answered < 600_000 || ties < 50_000 {
		t.Fatalf("answered %d, ties %d", answered, ties)
	}
}
