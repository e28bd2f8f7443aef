package artifact

import (
	"math"
	"math/bits"
	"strconv"

	"github.com/bt-backtest/bt/backtest"
)

// appendFloat appends strconv.AppendFloat(b, v, 'g', -1, 64): the shortest decimal that reads
// back as v, in %f form. The CSV tables' floats (the equity curve's every point: equity, PnL,
// margins, ratios, drawdown) are mostly 15–17 significant digits between 0.002 and 10⁶, and
// strconv spends most of its time writing them byte by byte; for |v| in [2⁻⁹, 10⁶) this finds
// the same digits with exact 128-bit integer arithmetic and writes them four at a time
// (backtest.AppendFixed).
// Everything else (0, tiny or huge values, Inf, NaN) and the rare cases whose answer depends
// on a tie or an interval end (an exact multiple of a power of ten there) go to strconv.
// TestAppendFloatIsStrconv and FuzzAppendFloat compare the two.
func appendFloat(b []byte, v float64) []byte {
	if out, ok := appendShortest(b, v); ok {
		return out
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// pow10u holds 10^0 .. 10^19.
var pow10u = [20]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
	1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

// appendShortest is appendFloat's own path; ok is false (b unchanged) when v is outside it.
//
// v = m·2^e with m in (2^52, 2^53) (a power of two, whose float below is closer than the one
// above, goes to strconv). The reals that round to v form the interval (L, U) around it,
// L = v − 2^(e−1), U = v + 2^(e−1), both ends included when m is even (round half to even). Scaled by 10^s (s = 16 − k,
// 10^k ≤ v < 10^(k+2)), V = v·10^s, L·10^s and U·10^s are (4m + {0, −2, +2})·10^s / 2^(2−e):
// 128-bit products shifted right by 35..63 bits, exact, with their fractions known. Every
// decimal that reads back as v and has at most 17 significant digits is an integer in
// [lo, hi] = the integers strictly inside (L·10^s, U·10^s) (an end that is itself an integer
// goes to strconv, so the ends' inclusion never matters), and one exists (17 digits always
// read back). The shortest is then a multiple of the largest power of ten 10^r with a
// multiple in [lo, hi] (fewer significant digits is more trailing zeros: the interval is far
// narrower than its values, and if it straddles a power of ten that power itself is the
// answer), and of those multiples the nearest to V (a tie goes to strconv), which is what
// strconv's shortest formatting (Dragonbox) returns.
func appendShortest(b []byte, v float64) ([]byte, bool) {
	fb := math.Float64bits(v)
	biased := int(fb>>52) & 0x7ff
	e2 := biased - 1075 // v = m·2^e2
	// binary exponent floor(log2 |v|) = e2 + 52 in [−9, 19]: |v| in [2^−9, 2^20)
	if e2+52 < -9 || e2+52 > 19 {
		return b, false
	}
	if fb&(1<<52-1) == 0 {
		return b, false // a power of two: the float below is closer than the one above
	}
	m := fb&(1<<52-1) | 1<<52
	if fb>>63 != 0 {
		if math.Abs(v) >= 1e6 {
			return b, false
		}
	} else if v >= 1e6 {
		return b, false
	}
	// k = floor((e2+52)·log10 2): 10^k ≤ 2^(e2+52) ≤ |v| < 2^(e2+53) < 10^(k+2)
	k := ((e2 + 52) * 78913) >> 18
	s := 16 - k // V in [10^16, 10^18)
	if s < 0 || s > 19 {
		return b, false
	}
	p10 := pow10u[s]
	sh := uint(2 - e2) // 35..63
	mask := uint64(1)<<sh - 1
	scaled := func(x uint64) (uint64, uint64) { // floor(x·10^s / 2^sh) and the remainder's bits
		hi, lo := bits.Mul64(x, p10)
		return hi<<(64-sh) | lo>>sh, lo & mask
	}
	vf, vr := scaled(4 * m)
	lf, lr := scaled(4*m - 2)
	uf, ur := scaled(4*m + 2)
	if lr == 0 || ur == 0 {
		return b, false // an end of the interval is an integer: its inclusion would matter
	}
	lo, hi := lf+1, uf
	if lo > hi {
		return b, false // cannot happen: a 17-digit decimal always reads back
	}
	// the largest p = 10^r with a multiple in [lo, hi]: while floor(hi/10p) > floor((lo−1)/10p),
	// by constant divisions; meanwhile vq = floor(V/p), last = the last digit removed from it and
	// restZero = whether those removed before it were all 0 (so V/p − vq is known)
	a, c, vq := hi, lo-1, vf
	r, last, restZero := 0, uint64(0), true
	for a/10000 > c/10000 { // four digits at a time while they all go (short values: prices)
		restZero = restZero && last == 0 && vq%1000 == 0
		last = vq / 1000 % 10
		a, c, vq = a/10000, c/10000, vq/10000
		r += 4
	}
	for a/10 > c/10 {
		restZero = restZero && last == 0
		last = vq % 10
		a, c, vq = a/10, c/10, vq/10
		r++
	}
	// the multiple of p nearest to V: d·p with d = vq or vq + 1; a tie goes to strconv
	d := vq
	if r == 0 {
		half := uint64(1) << (sh - 1)
		if vr == half {
			return b, false
		}
		if vr > half {
			d++
		}
	} else {
		if last == 5 && restZero && vr == 0 {
			return b, false
		}
		if last >= 5 {
			d++
		}
	}
	// d·p in [lo, hi] ⟺ c < d ≤ a; the nearest may lie just outside, its neighbour inside
	if d <= c {
		d++
	} else if d > a {
		d--
	}
	if d <= c || d > a {
		return b, false // cannot happen
	}
	if fb>>63 != 0 {
		b = append(b, '-')
	}
	return backtest.AppendFixed(b, d, s-r), true
}
