package backtest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/shopspring/decimal"
)

const (
	t0 = int64(1704067200000) // 2024-01-01 00:00 UTC
	hr = int64(3600_000)
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// testInstrument: tick 0.1, step 0.001, min notional 5, clearance fee 1%, one bracket of
// MMR 1% (cum 0, max leverage 100), so maintenance margin is simply 1% of notional.
func testInstrument(sym string) margin.Instrument {
	return margin.Instrument{Symbol: sym, TickSize: d("0.1"), StepSize: d("0.001"), MinQty: d("0.001"),
		MinNotional: d("5"), LiquidationFee: d("0.01"),
		Brackets: margin.Table{{Bracket: 1, Floor: d("0"), Cap: d("1000000000"), MaxLeverage: 100, MMR: d("0.01"), Cum: d("0")}}}
}

// buy and sell are market orders.
func buy(sym, qty string) Order  { return Order{Symbol: sym, Side: Buy, Type: Market, Qty: d(qty)} }
func sell(sym, qty string) Order { return Order{Symbol: sym, Side: Sell, Type: Market, Qty: d(qty)} }

// eqDec fails the test unless got equals the decimal want.
func eqDec(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(d(want)) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

func testConfig(syms ...string) Config {
	zero := decimal.Zero
	cfg := Config{Wallet: d("1000"), MakerFee: &zero, TakerFee: &zero, NoFundingFallback: true}
	for _, s := range syms {
		cfg.Instruments = append(cfg.Instruments, testInstrument(s))
	}
	return cfg
}

// script is a strategy that submits the given orders at the close of bar k (0-based, per
// the first symbol's bars) and records errors.
type script struct {
	at    map[int][]Order
	n     int
	errs  []error
	sym   string
	hooks []string
}

func (s *script) OnBar(br *Broker, b Bar) error {
	if s.sym != "" && b.Symbol != s.sym {
		return nil
	}
	for _, o := range s.at[s.n] {
		if _, err := br.Submit(o); err != nil {
			s.errs = append(s.errs, err)
		}
	}
	s.n++
	return nil
}

func (s *script) OnLiquidation(br *Broker, l margin.Liquidation) {
	s.hooks = append(s.hooks, fmt.Sprintf("liq %s %s", br.Account(), l.Symbol))
}

func run(t *testing.T, cfg Config, src Source, newStrat func() Strategy) *Result {
	t.Helper()
	res, err := Run(context.Background(), cfg, newStrat, src)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range res.Accounts {
		var sb strings.Builder
		a.CanonicalLog(&sb)
		t.Logf("%s:\n%s", a.Name, sb.String())
	}
	return res
}

func acctByName(t *testing.T, r *Result, name string) *AccountResult {
	t.Helper()
	for k := range r.Accounts {
		if r.Accounts[k].Name == name {
			return &r.Accounts[k]
		}
	}
	t.Fatalf("no account %q", name)
	return nil
}

// checkWallets fails the test unless a's final wallets (cross plus isolated) equal initial
// plus what its records account for: every fill's realized PnL less its fee (liquidations
// included) and every funding payment.
func checkWallets(t *testing.T, label string, initial decimal.Decimal, a *AccountResult) {
	t.Helper()
	sum := initial
	for _, x := range a.Fills {
		sum = sum.Add(x.RealizedPnL).Sub(x.Fee)
	}
	for _, p := range a.Funding {
		sum = sum.Add(p.Amount)
	}
	if got := a.Final.Wallet.Add(a.Final.IsolatedWallets); !got.Equal(sum) {
		t.Errorf("%s: wallets %s, records say %s (diff %s)", label, got, sum, got.Sub(sum))
	}
}
