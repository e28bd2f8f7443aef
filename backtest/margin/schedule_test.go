package margin

import (
	"errors"
	"testing"
)

// SetInstrument swaps the bracket table under an open position (a dated table change).
// Isolated long 1 BTCUSDT at 60,000, 20x: isolated wallet 3,000. With the 2024-10-24 table
// (bracket 2: MMR 0.5%, cum 50) LP = (3,000 + 50 − 60,000)/(1 × (0.005 − 1)) = 57,236.18…;
// with a one-bracket table of MMR 6% LP = (3,000 − 60,000)/(0.06 − 1) = 60,638.29…, above
// the mark: the position is due at once (s = 0) at the unchanged mark.
func TestSetInstrumentSwitchesTable(t *testing.T) {
	a := newAcct(t, "10000", Isolated, 20)
	fill(t, a, 0, "1", "60000")
	a.SetMark(0, 60000)
	lp, _ := a.LiquidationPriceOf(0)
	if got := lp.StringFixed(2); got != "57236.18" {
		t.Fatalf("LP %s with the 2024-10-24 table, want 57236.18", got)
	}
	if _, ok := a.NextLiquidation(nil, nil); ok {
		t.Fatal("due before the table change")
	}
	in := a.Instrument(0)
	in.Brackets = Table{{Bracket: 1, Floor: d("0"), Cap: d("1000000000"), MaxLeverage: 10, MMR: d("0.06"), Cum: d("0")}}
	bad := in
	bad.Symbol = "ETHUSDT"
	if err := a.SetInstrument(0, bad); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("another symbol's instrument: %v, want ErrInvalidInput", err)
	}
	bad = in
	bad.Brackets = Table{{Bracket: 1, Floor: d("0"), Cap: d("10"), MaxLeverage: 10, MMR: d("0.06"), Cum: d("5")}}
	if err := a.SetInstrument(0, bad); !errors.Is(err, ErrBadBrackets) {
		t.Errorf("a table breaking the cum rule: %v, want ErrBadBrackets", err)
	}
	if lp2, _ := a.LiquidationPriceOf(0); !lp2.Equal(lp) {
		t.Errorf("a refused instrument changed the LP to %s", lp2)
	}
	must(t, a.SetInstrument(0, in))
	check(t, a)
	lp, _ = a.LiquidationPriceOf(0)
	if got := lp.StringFixed(2); got != "60638.30" {
		t.Errorf("LP %s with the 6%% table, want 60638.30", got)
	}
	if s, ok := a.NextLiquidation(nil, nil); !ok || s != 0 {
		t.Errorf("NextLiquidation = %v, %v after the change, want 0, true", s, ok)
	}
}
