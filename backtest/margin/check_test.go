package margin

import (
	"errors"
	"math"
	"testing"
)

// Check catches each kind of corruption (so the invariant checks in the other tests can fail).
func TestCheckDetectsCorruption(t *testing.T) {
	for name, corrupt := range map[string]func(a *Account){
		"money created":         func(a *Account) { a.setWallet(a.walletDec().Add(d("0.00000001"))) },
		"stale available cache": func(a *Account) { a.avSum = a.avSum.Add(d("1")) },
		"dust":                  func(a *Account) { a.fees.add(d("1e-9")); a.setWallet(a.walletDec().Sub(d("1e-9"))) },
		"fee not counted":       func(a *Account) { a.fees.add(d("-1")) },
		"negative isolated":     func(a *Account) { a.slots[0].isoW = d("-1"); a.setWallet(a.walletDec().Add(d("1201"))) },
		"margin on flat symbol": func(a *Account) { a.slots[1].isoW = d("1"); a.setWallet(a.walletDec().Sub(d("1"))) },
		"stale shadow":          func(a *Account) { a.slots[0].fq = 2 },
		"NaN LP":                func(a *Account) { a.slots[0].flp = math.NaN() },
		"infinite mark":         func(a *Account) { a.marks[0] = math.Inf(1) },
		"stale Equity qty":      func(a *Account) { a.fqs[0] = 2 },
		"qty without entry":     func(a *Account) { a.slots[1].qty = d("1") },
	} {
		a := newAcct(t, "2000", Isolated, 50)
		fill(t, a, 0, "1", "60000")
		corrupt(a)
		if err := a.Check(); !errors.Is(err, ErrInvariant) {
			t.Errorf("%s: Check() = %v", name, err)
		}
	}
}

// Snapshot of isolated positions: BTC long 1 @ 60,000 (isolated 1,200) at mark 59,500:
// uPnL −500, MM 0.005 × 59,500 − 50 = 247.5, ratio 247.5/700; wallet 770, equity 1,470.
func TestSnapshotIsolated(t *testing.T) {
	a := newAcct(t, "2000", Isolated, 50)
	fill(t, a, 0, "1", "60000")
	a.SetMark(0, 59500)
	sn := a.Snapshot()
	eq(t, "wallet", sn.Wallet, "770")
	eq(t, "isolated", sn.IsolatedWallets, "1200")
	eq(t, "uPnL", sn.UnrealizedPnL, "-500")
	eq(t, "MM", sn.MaintenanceMargin, "247.5")
	eq(t, "margin balance", sn.MarginBalance, "1470")
	eq(t, "available", sn.Available, "770")
	if sn.CrossMarginRatio != 0 || math.Abs(sn.MaxMarginRatio-247.5/700) > 1e-15 {
		t.Errorf("ratios %v %v", sn.CrossMarginRatio, sn.MaxMarginRatio)
	}
	if math.Abs(a.Equity()-1470) > 1e-9 {
		t.Errorf("equity %v", a.Equity())
	}
}

func TestPositions(t *testing.T) {
	a := openPair(t, Cross)
	var syms []string
	for p := range a.Positions() {
		syms = append(syms, p.Symbol+" "+p.Qty.String())
	}
	if len(syms) != 2 || syms[0] != "BTCUSDT 1" || syms[1] != "ETHUSDT -10" {
		t.Errorf("positions %v", syms)
	}
	for range a.Positions() {
		break // early stop must not panic
	}
}

// Open-order margin reduces the available balance (and, for isolated symbols, the addable
// maximum): wallet 770 with an isolated BTC position; 100 reserved by ETH orders (isolated
// symbol) leaves 670 of both.
func TestOpenOrderMargin(t *testing.T) {
	a := newAcct(t, "2000", Isolated, 50)
	fill(t, a, 0, "1", "60000")
	a.SetOpenOrders(1, 2, d("100"))
	eq(t, "available", a.Available(), "670")
	eq(t, "addable", a.MaxAddable(), "670")
	isReject(t, a.SetMode(1, Cross), ErrModeChangeWithOrders)
	a.SetOpenOrders(1, 0, d("0"))
	must(t, a.SetMode(1, Cross))
	eq(t, "available", a.Available(), "770")
	check(t, a)
}

func TestAccessors(t *testing.T) {
	a := newAcct(t, "100", Isolated, 7)
	if a.Len() != 2 || a.Instrument(1).Symbol != "ETHUSDT" || a.Mode(0) != Isolated || a.Leverage(1) != 7 ||
		Isolated.String() != "isolated" || Cross.String() != "cross" || !math.IsNaN(a.Mark(0)) {
		t.Error("accessors")
	}
	if _, ok := a.LiquidationPriceOf(0); ok {
		t.Error("LP of a flat symbol")
	}
	if e := a.Equity(); e != 100 {
		t.Errorf("equity %v", e)
	}
}
