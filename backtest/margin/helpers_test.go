package margin

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// d parses a decimal literal; it panics on a typo in a test.
func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func dp(s string) *decimal.Decimal { x := d(s); return &x }

var (
	nan    = math.NaN()
	taker  = d("0.0005")
	snap24 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) // 2024-10-24 tables in force
)

// newAcct returns an account with BTCUSDT (index 0) and ETHUSDT (index 1) as of snap24, both
// at leverage lev in mode m.
func newAcct(t *testing.T, wallet string, m Mode, lev int) *Account {
	t.Helper()
	b := DefaultBook()
	a, err := NewAccount(Config{Wallet: d(wallet), Instruments: []Instrument{
		DefaultInstrument("BTCUSDT", 60000, snap24, b),
		DefaultInstrument("ETHUSDT", 3000, snap24, b),
	}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		must(t, a.SetMode(i, m))
		must(t, a.SetLeverage(i, lev))
	}
	check(t, a)
	return a
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// check runs Account.Check; tests call it after every step.
func check(t *testing.T, a *Account) {
	t.Helper()
	if err := a.Check(); err != nil {
		t.Fatal(err)
	}
}

// fill books a taker fill and checks the invariants.
func fill(t *testing.T, a *Account, i int, qty, price string) FillResult {
	t.Helper()
	r, err := a.Apply(i, Fill{Qty: d(qty), Price: d(price), FeeRate: taker})
	if err != nil {
		t.Fatal(err)
	}
	check(t, a)
	return r
}

func eq(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(d(want)) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

func isReject(t *testing.T, err, want error) {
	t.Helper()
	var re *RejectError
	if !errors.As(err, &re) || !errors.Is(err, want) {
		t.Errorf("error %v, want a *RejectError for %v", err, want)
	}
}
