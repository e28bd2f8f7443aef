package backtest

import (
	"context"
	"reflect"
	"testing"
)

// hinted is a SliceSource that reports a SizeHint.
type hinted struct {
	*SliceSource
	hint int
}

func (h hinted) SizeHint() int { return h.hint }

// A SizeHint sizes the equity curves and nothing else: exact, too small, too large or absurd,
// the records are those of a run without it, and the curve holds no spare capacity beyond
// twice its length.
func TestSizeHintChangesNothing(t *testing.T) {
	symbols := []string{"AAA", "BBB", "CCC"}
	k, m, f := market(3, symbols, 9000) // 9000 timestamps: more than two equity blocks
	base, err := Run(context.Background(), chaosConfig(symbols, false), newChaos, NewSliceSource(symbols, Batches(k, m, f)))
	if err != nil {
		t.Fatal(err)
	}
	n := len(base.Accounts[0].Equity)
	if n < 2*equityBlock {
		t.Fatalf("only %d equity points", n)
	}
	for _, hint := range []int{n, n - 1, 3 * n, maxSizeHint + 1} {
		for _, parallel := range []bool{false, true} {
			src := hinted{NewSliceSource(symbols, Batches(k, m, f)), hint}
			got, err := Run(context.Background(), chaosConfig(symbols, parallel), newChaos, src)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Accounts, base.Accounts) {
				t.Errorf("hint %d, parallel %v: records differ", hint, parallel)
			}
			for _, a := range got.Accounts {
				if c := cap(a.Equity); c > 2*len(a.Equity) {
					t.Errorf("hint %d: equity cap %d for %d points", hint, c, len(a.Equity))
				}
			}
		}
	}
}
