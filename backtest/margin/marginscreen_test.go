package margin

import (
	"errors"
	"testing"
)

// Every margin check the float screen decides is the exact check's: the random sequences of
// the property test (random accounts, modes, leverage, marks near thresholds, both position
// modes) run with every check also decided exactly (a disagreement panics), and the screen
// both decides most checks and leaves some to the exact check.
func TestMarginScreenAgreesWithExact(t *testing.T) {
	checkMarginScreen = true
	screenCounts = [3]int{}
	defer func() { checkMarginScreen = false }()
	for seed := uint64(1); seed <= 48; seed++ {
		runProperty(t, seed, 400)
	}
	t.Logf("screen: %d surely short, %d left to the exact check, %d surely enough", screenCounts[0], screenCounts[1], screenCounts[2])
	if screenCounts[0] == 0 || screenCounts[2] == 0 {
		t.Errorf("the screen decided %d short and %d enough: the comparison is void", screenCounts[0], screenCounts[2])
	}
}

// At the boundary the screen leaves the decision to the exact check: 6000 USDT cross at 10x,
// BTCUSDT marked at 60000. Buying 1 at 60000 costs an initial margin of exactly 60000/10 =
// 6000 = the available balance: accepted (cost <= available), decided exactly. 1.001 costs
// 6006: refused, surely (6 is far outside the screen's band of ~1e-4). 0.999 costs 5994:
// accepted, surely. Isolated, the same three by MaxAddable (the wallet, nothing else held).
func TestMarginScreenBoundary(t *testing.T) {
	checkMarginScreen = true
	defer func() { checkMarginScreen = false }()
	for _, m := range []Mode{Cross, Isolated} {
		a := newAcct(t, "6000", m, 10)
		a.SetMark(0, 60000)
		for _, c := range []struct {
			qty   string
			short bool
			scr   int // the screen's index in screenCounts
		}{{"1", false, 1}, {"1.001", true, 0}, {"0.999", false, 2}} {
			screenCounts = [3]int{}
			err := a.CanOpen(0, d(c.qty), d("60000"), false)
			if got := errors.Is(err, ErrInsufficientMargin); got != c.short {
				t.Errorf("%v buy %s: err %v, want insufficient margin %v", m, c.qty, err, c.short)
			}
			if screenCounts[c.scr] != 1 {
				t.Errorf("%v buy %s: screen decisions %v, want one at %d", m, c.qty, screenCounts, c.scr)
			}
		}
	}
}
