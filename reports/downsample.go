package reports

import (
	"math"
	"sort"
)

// Downsample picks the indices of the points to draw from series of equal length n so that
// every series keeps its extremes: the range [0, n) is cut into buckets of equal index width
// and, for every series, the index of the minimum and of the maximum in each bucket is kept,
// plus the first and last index. NaN values are ignored. It returns the sorted, distinct
// indices (all of them when n ≤ 2·buckets). The files keep full resolution; only charts use
// this.
//
// It panics if the series have different lengths or buckets < 1.
func Downsample(buckets int, series ...[]float64) []int {
	if buckets < 1 {
		panic("reports: Downsample: buckets < 1")
	}
	n := 0
	if len(series) > 0 {
		n = len(series[0])
	}
	for _, s := range series {
		if len(s) != n {
			panic("reports: Downsample: series of different lengths")
		}
	}
	if n <= 2*buckets {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	keep := make([]bool, n)
	keep[0], keep[n-1] = true, true
	for b := 0; b < buckets; b++ {
		lo, hi := b*n/buckets, (b+1)*n/buckets
		for _, s := range series {
			imin, imax := -1, -1
			for i := lo; i < hi; i++ {
				v := s[i]
				if math.IsNaN(v) {
					continue
				}
				if imin < 0 || v < s[imin] {
					imin = i
				}
				if imax < 0 || v > s[imax] {
					imax = i
				}
			}
			if imin >= 0 {
				keep[imin], keep[imax] = true, true
			}
		}
	}
	var idx []int
	for i, k := range keep {
		if k {
			idx = append(idx, i)
		}
	}
	return idx
}

// mergeTimes returns the sorted union of time lists.
func mergeTimes(lists ...[]int64) []int64 {
	set := map[int64]struct{}{}
	for _, l := range lists {
		for _, t := range l {
			set[t] = struct{}{}
		}
	}
	out := make([]int64, 0, len(set))
	for t := range set {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
