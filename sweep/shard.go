package sweep

import (
	"fmt"
	"strconv"
	"strings"
)

// Shard is the slice i/N of a sweep: Index i of Count N workers, 0 ≤ i < N.
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// All is the whole sweep as one shard.
var All = Shard{Index: 0, Count: 1}

// ParseShard parses "i/N" (0 ≤ i < N), as given to --shard (e.g. from
// $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT or $JOB_COMPLETION_INDEX/N).
func ParseShard(s string) (Shard, error) {
	is, ns, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Shard{}, fmt.Errorf("--shard %q: want i/N, e.g. 0/4 for the first of 4 shards", s)
	}
	i, err1 := strconv.Atoi(strings.TrimSpace(is))
	n, err2 := strconv.Atoi(strings.TrimSpace(ns))
	if err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("--shard %q: want i/N with whole numbers, e.g. 0/4", s)
	}
	sh := Shard{Index: i, Count: n}
	if err := sh.Check(); err != nil {
		return Shard{}, fmt.Errorf("--shard %q: %v", s, err)
	}
	return sh, nil
}

// Check reports a shard out of range.
func (sh Shard) Check() error {
	if sh.Count < 1 {
		return fmt.Errorf("the shard count must be ≥ 1, not %d", sh.Count)
	}
	if sh.Index < 0 || sh.Index >= sh.Count {
		return fmt.Errorf("shard index %d is out of range: shards of %d are numbered 0 to %d", sh.Index, sh.Count, sh.Count-1)
	}
	return nil
}

// String is "i/N".
func (sh Shard) String() string { return fmt.Sprintf("%d/%d", sh.Index, sh.Count) }

// Range returns the shard's slice [lo, hi) of n ordered configurations: ⌊i·n/N⌋ to
// ⌊(i+1)·n/N⌋. The slices of 0/N … (N−1)/N are contiguous, disjoint, cover [0, n) and differ
// in length by at most one; a shard is empty when N > n.
func (sh Shard) Range(n int) (lo, hi int) {
	return sh.Index * n / sh.Count, (sh.Index + 1) * n / sh.Count
}

// Of returns the shard's configurations of the ordered list.
func (sh Shard) Of(cfgs []Config) []Config {
	lo, hi := sh.Range(len(cfgs))
	return cfgs[lo:hi]
}
