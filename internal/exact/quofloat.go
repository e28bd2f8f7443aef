package exact

import (
	"math"
	"math/bits"
)

// quoFloat is the float64 nearest to c / 10^k, c = hi·2^64 + lo, for 1 <= k <= 19 (ties to
// even, as strconv.ParseFloat rounds): ok is false when c / 10^k is 2^64 or more (hi >=
// 10^k). The quotient is taken on 128 bits with 64 significant bits and its remainder, then
// rounded to 53 bits once: the result is correctly rounded, so it is the float strconv parses
// from the digits (TestQuoFloatIsParseFloat).
func quoFloat(hi, lo uint64, k int) (float64, bool) {
	d := Pow10[k]
	if hi >= d {
		return 0, false
	}
	if hi|lo == 0 {
		return 0, true
	}
	lc := 64 + bits.Len64(hi)
	if hi == 0 {
		lc = bits.Len64(lo)
	}
	// N = c·2^s with s chosen so that q = floor(N / d) is in [2^63, 2^64): c/d is in
	// [2^(lc−1−ld), 2^(lc−ld+1)), so s = 64 − lc + ld gives q in [2^63, 2^65), and one less
	// when q would pass 2^64 (then N's high word is not below d). s >= 0 since c < d·2^64.
	s := 64 - lc + bits.Len64(d)
	nh, nl := shl128(hi, lo, s)
	if nh >= d {
		s--
		nh, nl = shl128(hi, lo, s)
	}
	q, r := bits.Div64(nh, nl, d)
	// c/d = (q + r/d)·2^−s, q with its top bit set: keep 53 bits, round on the 11 below and
	// the remainder
	m, rest := q>>11, q&0x7ff
	if rest > 0x400 || rest == 0x400 && (r != 0 || m&1 == 1) {
		m++
		if m == 1<<53 {
			m >>= 1
			s--
		}
	}
	// value m·2^(11−s), m in [2^52, 2^53): biased exponent 52 + 11 − s + 1023 (normal: s <= 128)
	return math.Float64frombits(uint64(52+11-s+1023)<<52 | m&(1<<52-1)), true
}

// shl128 is (hi·2^64 + lo)·2^s for 0 <= s < 128 (the caller keeps it below 2^128).
func shl128(hi, lo uint64, s int) (uint64, uint64) {
	if s >= 64 {
		return lo << (s - 64), 0
	}
	if s == 0 {
		return hi, lo
	}
	return hi<<s | lo>>(64-s), lo << s
}
