package backtest

import (
	"errors"
	"math"
	"testing"

	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/shopspring/decimal"
)

// Scenario tests. Unless said otherwise: one bar per hour from t0, testInstrument (tick 0.1,
// step 0.001, MMR 1% flat, clearance fee 1%), no trading fees, leverage 10, wallet 1000,
// no mark bars (the last price is the mark), no funding.

func buy(sym, qty string) Order  { return Order{Symbol: sym, Side: Buy, Type: Market, Qty: d(qty)} }
func sell(sym, qty string) Order { return Order{Symbol: sym, Side: Sell, Type: Market, Qty: d(qty)} }

func eqDec(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(d(want)) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

// Identical orders, different outcomes: long 10 AAA at 100 with 10x (initial margin 100).
//
// Isolated: the isolated wallet is 100, so LP = (WB − Q·EP)/(Q·(MMR − 1)) = (100 − 1000) /
// (10 × −0.99) = 90.9090…; bar 1 (bearish: path 100 → 101 → 85 → 88) crosses it on the way
// down. The position closes on the tick grid below the LP (test tick 0.1): at 90.9, realizing
// 10 × (90.9 − 100) = −91; the remaining margin of 9 is below the clearance fee (909 × 1% =
// 9.09), so the fee takes all 9 and the whole 100 is lost: final equity 900.
//
// Cross: the wallet of 1000 backs the position, LP = (1000 − 1000)/(−9.9) = 0: no
// liquidation. At the close of 88 equity = 1000 + 10 × (88 − 100) = 880.
func TestIsolatedLiquidatedCrossSurvives(t *testing.T) {
	bars := OHLC("AAA", t0, hr,
		[4]float64{100, 100.5, 99.5, 100}, // bar 0: the strategy buys at its close
		[4]float64{100, 101, 85, 88},      // bar 1: fill at 100, then the crash
	)
	res := run(t, testConfig("AAA"), NewSliceSource([]string{"AAA"}, Batches(bars, nil, nil)), func() Strategy {
		return &script{at: map[int][]Order{0: {buy("AAA", "10")}}}
	})
	iso, cross := acctByName(t, res, "isolated"), acctByName(t, res, "cross")
	if len(iso.Liquidations) != 1 || len(cross.Liquidations) != 0 {
		t.Fatalf("liquidations: isolated %d, cross %d; want 1, 0", len(iso.Liquidations), len(cross.Liquidations))
	}
	eqDec(t, "isolated final equity", iso.Final.MarginBalance, "900")
	eqDec(t, "cross final equity", cross.Final.MarginBalance, "880")
	if l := iso.Liquidations[0]; !l.Price.Equal(d("90.9")) || l.Fee.String() != "9" || l.Time != t0+hr {
		t.Errorf("liquidation at %s, fee %s (t %d), want 90.9, fee 9 at bar 1", l.Price, l.Fee, l.Time)
	}
	if len(iso.Trades) != 1 || !iso.Trades[0].Liquidated {
		t.Fatalf("isolated trades %+v, want one liquidated", iso.Trades)
	}
	eqDec(t, "isolated trade PnL", iso.Trades[0].PnL, "-100")
	if len(iso.Equity) != 2 || math.Abs(iso.Equity[1].Equity-900) > 1e-9 || cross.Equity[1].Equity != 880 {
		t.Errorf("equity curves %+v / %+v", iso.Equity, cross.Equity)
	}
}

var _ = errors.Is
var _ margin.Mode

// An order placed at the close of bar t fills at the open of bar t+1, with slippage: buy
// market 1 at bar 0's close; bar 1 opens at 101, 10 bps slippage gives 101.101, rounded up to
// the tick: 101.2. Taker fee 0.05%: 101.2 × 0.0005 = 0.0506.
func TestOrderFillsNextBarOpen(t *testing.T) {
	bars := OHLC("AAA", t0, hr,
		[4]float64{100, 100, 90, 95},
		[4]float64{101, 103, 100, 102},
		[4]float64{102, 104, 101, 103},
	)
	cfg := testConfig("AAA")
	fee := d("0.0005")
	cfg.TakerFee = &fee
	cfg.SlippageBps = 10
	var seen []string
	res := run(t, cfg, NewSliceSource([]string{"AAA"}, Batches(bars, nil, nil)), func() Strategy {
		n := 0
		return StrategyFunc(func(br *Broker, b Bar) error {
			seen = append(seen, br.Account()+" "+br.Position("AAA").Qty.String())
			if n == 0 {
				if _, err := br.Submit(buy("AAA", "1")); err != nil {
					return err
				}
			}
			n++
			return nil
		})
	})
	for _, a := range res.Accounts {
		if len(a.Fills) != 1 {
			t.Fatalf("%s: %d fills, want 1", a.Name, len(a.Fills))
		}
		f := a.Fills[0]
		if f.Time != t0+hr || f.OrderID != 1 || f.Maker {
			t.Errorf("%s: fill %+v, want order 1 at bar 1 as taker", a.Name, f)
		}
		eqDec(t, a.Name+" fill price", f.Price, "101.2")
		eqDec(t, a.Name+" fee", f.Fee, "0.0506")
	}
	want := []string{"isolated 0", "cross 0", "isolated 1", "cross 1", "isolated 1", "cross 1"}
	if len(seen) != 6 {
		t.Fatalf("OnBar calls %v", seen)
	}
	// accounts interleave per timestamp; compare per account
	for k, w := range want {
		if seen[k] != w {
			t.Errorf("OnBar %d saw %q, want %q", k, seen[k], w)
		}
	}
}

// A stop and a liquidation in one bar, resolved by the path. Isolated long 10 at 100, 10x:
// LP 90.909. Bar 1 is bearish (100 → 101 → 85 → 88).
//   - stop-loss at 95: the down leg 101 → 85 reaches 95 at s = 6/16 before the LP at
//     s ≈ 0.631: the stop fills at 95, PnL −50, equity 950, no liquidation.
//   - stop-loss at 88 (below the LP): the LP comes first; the position is liquidated (equity
//     900) and the stop is cancelled with the symbol's other orders.
func TestStopVersusLiquidationSameBar(t *testing.T) {
	for _, tc := range []struct {
		stop      string
		equity    string
		liq       int
		stopFills int
	}{{"95", "950", 0, 1}, {"88", "900", 1, 0}} {
		bars := OHLC("AAA", t0, hr, [4]float64{100, 100.5, 99.5, 100}, [4]float64{100, 101, 85, 88}, [4]float64{88, 89, 87, 88})
		cfg := testConfig("AAA")
		cfg.Setups = []Setup{{Name: "isolated", Mode: margin.Isolated}}
		o := buy("AAA", "10")
		o.StopLoss = d(tc.stop)
		res := run(t, cfg, NewSliceSource([]string{"AAA"}, Batches(bars, nil, nil)), func() Strategy {
			return &script{at: map[int][]Order{0: {o}}}
		})
		a := &res.Accounts[0]
		eqDec(t, "stop "+tc.stop+" equity", a.Final.MarginBalance, tc.equity)
		stops := 0
		for _, f := range a.Fills {
			if f.OrderID == 2 {
				stops++
				eqDec(t, "stop fill price", f.Price, tc.stop)
			}
		}
		if len(a.Liquidations) != tc.liq || stops != tc.stopFills {
			t.Errorf("stop %s: %d liquidations, %d stop fills; want %d, %d", tc.stop, len(a.Liquidations), stops, tc.liq, tc.stopFills)
		}
	}
}

// The path direction decides which of an OCO pair fills. Long 10 at 100 with stop-loss 95 and
// take-profit 110 (cross, so no liquidation).
//   - bullish bar 100 → 85 → 112 → 105 (close > open: low first): the stop fills at 95
//     (PnL −50), the take-profit is cancelled.
//   - bearish bar 100 → 112 → 85 → 99 (high first): the take-profit fills at 110 (PnL +100),
//     the stop is cancelled.
func TestPathOrderDecidesOCO(t *testing.T) {
	for _, tc := range []struct {
		bar    [4]float64
		equity string
		price  string
	}{{[4]float64{100, 112, 85, 105}, "950", "95"}, {[4]float64{100, 112, 85, 99}, "1100", "110"}} {
		bars := OHLC("AAA", t0, hr, [4]float64{100, 100.5, 99.5, 100}, tc.bar)
		cfg := testConfig("AAA")
		cfg.Setups = []Setup{{Name: "cross", Mode: margin.Cross}}
		o := buy("AAA", "10")
		o.StopLoss, o.TakeProfit = d("95"), d("110")
		res := run(t, cfg, NewSliceSource([]string{"AAA"}, Batches(bars, nil, nil)), func() Strategy {
			return &script{at: map[int][]Order{0: {o}}}
		})
		a := &res.Accounts[0]
		eqDec(t, "equity", a.Final.MarginBalance, tc.equity)
		if len(a.Fills) != 2 {
			t.Fatalf("fills %+v", a.Fills)
		}
		eqDec(t, "exit price", a.Fills[1].Price, tc.price)
		if len(a.Trades) != 1 {
			t.Fatalf("trades %+v", a.Trades)
		}
		if len(a.Positions) != 0 {
			t.Errorf("open positions left: %+v", a.Positions)
		}
	}
}

// A gap through a stop fills at the open: long 10 at 100 with stop-loss 95; bar 1 closes at
// 99, bar 2 opens at 92. The stop fills at 92, not 95: PnL 10 × (92 − 100) = −80, equity 920
// in both accounts (the isolated LP 90.909 is not reached at the open, and the position is
// flat before the low of 90).
func TestGapThroughStop(t *testing.T) {
	bars := OHLC("AAA", t0, hr,
		[4]float64{100, 100.5, 99.5, 100},
		[4]float64{100, 100, 98, 99},
		[4]float64{92, 93, 90, 91},
	)
	o := buy("AAA", "10")
	o.StopLoss = d("95")
	res := run(t, testConfig("AAA"), NewSliceSource([]string{"AAA"}, Batches(bars, nil, nil)), func() Strategy {
		return &script{at: map[int][]Order{0: {o}}}
	})
	for _, a := range res.Accounts {
		if len(a.Fills) != 2 || len(a.Liquidations) != 0 {
			t.Fatalf("%s: fills %+v, liquidations %d", a.Name, a.Fills, len(a.Liquidations))
		}
		eqDec(t, a.Name+" stop fill", a.Fills[1].Price, "92")
		if a.Fills[1].Time != t0+2*hr {
			t.Errorf("%s: stop filled at %d", a.Name, a.Fills[1].Time)
		}
		eqDec(t, a.Name+" equity", a.Final.MarginBalance, "920")
		eqDec(t, a.Name+" trade PnL", a.Trades[0].PnL, "-80")
	}
}

// A gap through a resting limit fills it at its limit, as maker (not at the open, as a stop
// would): a buy limit at 95 placed at bar 0's close rests from bar 1's open (100); bar 2 gaps
// from bar 1's close 99 to an open of 92. It fills at 95, maker, at bar 2's time.
func TestGapThroughLimit(t *testing.T) {
	bars := OHLC("AAA", t0, hr,
		[4]float64{100, 100.5, 99.5, 100},
		[4]float64{100, 100, 98, 99},
		[4]float64{92, 93, 90, 91},
	)
	o := Order{Symbol: "AAA", Side: Buy, Type: Limit, Qty: d("10"), Price: d("95")}
	res := run(t, testConfig("AAA"), NewSliceSource([]string{"AAA"}, Batches(bars, nil, nil)), func() Strategy {
		return &script{at: map[int][]Order{0: {o}}}
	})
	for _, a := range res.Accounts {
		if len(a.Fills) != 1 {
			t.Fatalf("%s: fills %+v", a.Name, a.Fills)
		}
		f := a.Fills[0]
		eqDec(t, a.Name+" limit fill", f.Price, "95")
		if !f.Maker || f.Time != t0+2*hr {
			t.Errorf("%s: fill %+v, want maker at %d", a.Name, f, t0+2*hr)
		}
	}
}

// Reduce-only orders that would not reduce are rejected: at placement when flat (the error
// reaches the strategy and is counted), and at fill when the position was closed meanwhile.
// Bar 0: buy 1. Bar 1 close: sell market 1 (closes at bar 2's open) and a reduce-only sell
// limit 1 at 105, valid when placed. Bar 2 trades through 105 with the position already flat:
// the limit is rejected at fill, with its order id.
func TestReduceOnlyRejected(t *testing.T) {
	bars := OHLC("AAA", t0, hr,
		[4]float64{100, 100.5, 99.5, 100},
		[4]float64{100, 101, 99, 100},
		[4]float64{100, 106, 99, 104},
	)
	ro := Order{Symbol: "AAA", Side: Sell, Type: Market, Qty: d("1"), ReduceOnly: true}
	lim := Order{Symbol: "AAA", Side: Sell, Type: Limit, Qty: d("1"), Price: d("105"), ReduceOnly: true}
	var strat []*script
	res := run(t, testConfig("AAA"), NewSliceSource([]string{"AAA"}, Batches(bars, nil, nil)), func() Strategy {
		s := &script{at: map[int][]Order{0: {ro, buy("AAA", "1")}, 1: {sell("AAA", "1"), lim}}}
		strat = append(strat, s)
		return s
	})
	for k, a := range res.Accounts {
		s := strat[k]
		var re *RejectError
		if len(s.errs) != 1 || !errors.As(s.errs[0], &re) || !errors.Is(s.errs[0], margin.ErrReduceOnly) {
			t.Fatalf("%s: submit errors %v, want one reduce-only RejectError", a.Name, s.errs)
		}
		if len(a.Rejects) != 2 {
			t.Fatalf("%s: rejects %+v, want 2", a.Name, a.Rejects)
		}
		if r := a.Rejects[1]; r.OrderID != 3 || r.Time != t0+2*hr || r.Action != "order" {
			t.Errorf("%s: fill-time reject %+v, want order 3 at bar 2", a.Name, r)
		}
		if len(a.Fills) != 2 {
			t.Errorf("%s: fills %+v", a.Name, a.Fills)
		}
	}
}

// Per-symbol margin modes: account "mix" is cross with AAA isolated. Long 10 AAA and 10 BBB at
// 100. Bar 1: AAA crashes 100 → 101 → 85 → 88 while BBB rallies 100 → 100 → 120 → 120.
//   - mix: AAA (isolated, LP 90.909) is liquidated, losing its 100 of margin; BBB (cross)
//     gains 200: equity 1000 − 100 + 200 = 1100.
//   - cross: both share the wallet, no liquidation: 1000 + 10 × (88 − 100) + 10 × 20 = 1080.
//   - isolated: AAA liquidated (−100), BBB +200: 1100 as well.
func TestMixedMarginModes(t *testing.T) {
	k := append(OHLC("AAA", t0, hr, [4]float64{100, 100.5, 99.5, 100}, [4]float64{100, 101, 85, 88}),
		OHLC("BBB", t0, hr, [4]float64{100, 100.5, 99.5, 100}, [4]float64{100, 120, 100, 120})...)
	cfg := testConfig("AAA", "BBB")
	cfg.Setups = []Setup{{Name: "mix", Mode: margin.Cross, Overrides: map[string]margin.Mode{"AAA": margin.Isolated}},
		{Name: "cross", Mode: margin.Cross}, {Name: "isolated", Mode: margin.Isolated}}
	res := run(t, cfg, NewSliceSource([]string{"AAA", "BBB"}, Batches(k, nil, nil)), func() Strategy {
		return &script{sym: "AAA", at: map[int][]Order{0: {buy("AAA", "10"), buy("BBB", "10")}}}
	})
	mix, cross, iso := acctByName(t, res, "mix"), acctByName(t, res, "cross"), acctByName(t, res, "isolated")
	if mix.Modes["AAA"] != margin.Isolated || mix.Modes["BBB"] != margin.Cross {
		t.Errorf("mix modes %v", mix.Modes)
	}
	if len(mix.Liquidations) != 1 || mix.Liquidations[0].Symbol != "AAA" || mix.Liquidations[0].Mode != margin.Isolated {
		t.Errorf("mix liquidations %+v", mix.Liquidations)
	}
	if len(cross.Liquidations) != 0 {
		t.Errorf("cross liquidations %+v", cross.Liquidations)
	}
	eqDec(t, "mix equity", mix.Final.MarginBalance, "1100")
	eqDec(t, "cross equity", cross.Final.MarginBalance, "1080")
	eqDec(t, "isolated equity", iso.Final.MarginBalance, "1100")
	if len(mix.Positions) != 1 || mix.Positions[0].Symbol != "BBB" || mix.Positions[0].Mode != margin.Cross {
		t.Errorf("mix positions %+v", mix.Positions)
	}
}

// A funding payment: long 10 from bar 1's open (100). At bar 2 (t0+2h) the source has a
// funding event of rate 0.001 and the mark bar opens at 100.5: the long pays
// 10 × 100.5 × 0.001 = 1.005. The position is closed at bar 3's open (101): trade PnL
// 10 × (101 − 100) − 1.005 = 8.995.
func TestFundingPayment(t *testing.T) {
	k := OHLC("AAA", t0, hr, [4]float64{100, 100.5, 99.5, 100}, [4]float64{100, 101, 99, 100},
		[4]float64{100, 101, 99, 101}, [4]float64{101, 102, 100, 101})
	m := OHLC("AAA", t0, hr, [4]float64{100, 100.5, 99.5, 100}, [4]float64{100, 101, 99, 100},
		[4]float64{100.5, 101, 99, 101}, [4]float64{101, 102, 100, 101})
	f := []Funding{{Symbol: "AAA", Time: t0 + 2*hr, Rate: 0.001, IntervalHours: 8}}
	res := run(t, testConfig("AAA"), NewSliceSource([]string{"AAA"}, Batches(k, m, f)), func() Strategy {
		return &script{at: map[int][]Order{0: {buy("AAA", "10")}, 2: {sell("AAA", "10")}}}
	})
	for _, a := range res.Accounts {
		if len(a.Funding) != 1 {
			t.Fatalf("%s: funding %+v", a.Name, a.Funding)
		}
		p := a.Funding[0]
		eqDec(t, a.Name+" funding", p.Amount, "-1.005")
		eqDec(t, a.Name+" funding mark", p.Mark, "100.5")
		if p.Time != t0+2*hr {
			t.Errorf("funding time %d", p.Time)
		}
		if len(a.Trades) != 1 {
			t.Fatalf("trades %+v", a.Trades)
		}
		eqDec(t, a.Name+" trade funding", a.Trades[0].Funding, "-1.005")
		eqDec(t, a.Name+" trade PnL", a.Trades[0].PnL, "8.995")
		eqDec(t, a.Name+" equity", a.Final.MarginBalance, "1008.995")
	}
	for _, as := range res.Assumptions {
		if as.Key == "mark_fallback" {
			t.Errorf("unexpected assumption %+v", as)
		}
	}
}

// Without funding data the fallback rate (0.0001) is charged every 8h at 00/08/16 UTC: hourly
// bars from 00:00, long 10 from 01:00; at 08:00 the open is 100 (no mark bars, so the last
// price is the mark): the long pays 10 × 100 × 0.0001 = 0.1. Both fallbacks are flagged.
func TestFundingFallback(t *testing.T) {
	var q [][4]float64
	for range 10 {
		q = append(q, [4]float64{100, 100.5, 99.5, 100})
	}
	cfg := testConfig("AAA")
	cfg.NoFundingFallback = false
	res := run(t, cfg, NewSliceSource([]string{"AAA"}, Batches(OHLC("AAA", t0, hr, q...), nil, nil)), func() Strategy {
		return &script{at: map[int][]Order{0: {buy("AAA", "10")}}}
	})
	for _, a := range res.Accounts {
		if len(a.Funding) != 1 || a.Funding[0].Time != t0+8*hr {
			t.Fatalf("%s: funding %+v", a.Name, a.Funding)
		}
		eqDec(t, a.Name+" fallback funding", a.Funding[0].Amount, "-0.1")
	}
	keys := map[string]bool{}
	for _, as := range res.Assumptions {
		keys[as.Key] = true
	}
	if !keys["funding_fallback"] || !keys["mark_fallback"] {
		t.Errorf("assumptions %+v lack the fallbacks", res.Assumptions)
	}
}

// A trading halt: BBB has no bars at t0+2h and t0+3h. AAA trades on; the strategy sees AAA
// bars only at those times; a BBB market order submitted at bar 1's close waits for BBB's next
// bar and fills at its open (t0+4h, 50); every account has an equity point at every timestamp.
func TestHaltOfOneSymbol(t *testing.T) {
	q := [4]float64{10, 10.2, 9.8, 10}
	a := OHLC("AAA", t0, hr, q, q, q, q, q)
	b := OHLC("BBB", t0, hr, [4]float64{48, 49, 47, 48}, [4]float64{48, 49, 47, 48})
	b = append(b, OHLC("BBB", t0+4*hr, hr, [4]float64{50, 51, 49, 50})...)
	calls := map[string]int{}
	res := run(t, testConfig("AAA", "BBB"), NewSliceSource([]string{"BBB", "AAA"}, Batches(append(a, b...), nil, nil)), func() Strategy {
		n := 0
		return StrategyFunc(func(br *Broker, bar Bar) error {
			if br.Account() == "cross" {
				calls[bar.Symbol]++
			}
			if bar.Symbol == "AAA" {
				if n == 1 {
					if _, err := br.Submit(buy("BBB", "1")); err != nil {
						return err
					}
					if _, err := br.Submit(buy("AAA", "1")); err != nil {
						return err
					}
				}
				n++
			}
			return nil
		})
	})
	if calls["AAA"] != 5 || calls["BBB"] != 3 {
		t.Errorf("OnBar calls %v, want AAA 5, BBB 3", calls)
	}
	for _, x := range res.Accounts {
		if len(x.Equity) != 5 {
			t.Errorf("%s: %d equity points", x.Name, len(x.Equity))
		}
		if len(x.Fills) != 2 {
			t.Fatalf("%s: fills %+v", x.Name, x.Fills)
		}
		if f := x.Fills[0]; f.Symbol != "AAA" || f.Time != t0+2*hr {
			t.Errorf("%s: first fill %+v", x.Name, f)
		}
		if f := x.Fills[1]; f.Symbol != "BBB" || f.Time != t0+4*hr || !f.Price.Equal(d("50")) {
			t.Errorf("%s: BBB fill %+v, want at t0+4h at 50", x.Name, f)
		}
	}
}

// A ruined account stops: wallet 100, long 9.99 at 100 with 10x puts 99.9 of it into the
// position. The crash to 85 liquidates it in both modes (isolated LP = (99.9 − 999) /
// (9.99 × −0.99) = 90.909; cross LP = (100 − 999)/(9.99 × −0.99) = 90.900), leaving at most
// 0.1 + what the clearance fee spares: less than the 0.5 the minimum order (notional 5 at
// 10x) needs. The accounts are flat and ruined at bar 1's close; their strategies are not
// called again.
func TestRuin(t *testing.T) {
	bars := OHLC("AAA", t0, hr, [4]float64{100, 100.5, 99.5, 100}, [4]float64{100, 101, 85, 88},
		[4]float64{88, 89, 87, 88}, [4]float64{88, 89, 87, 88})
	cfg := testConfig("AAA")
	cfg.Wallet = d("100")
	calls := map[string]int{}
	res := run(t, cfg, NewSliceSource([]string{"AAA"}, Batches(bars, nil, nil)), func() Strategy {
		return StrategyFunc(func(br *Broker, b Bar) error {
			calls[br.Account()]++
			if calls[br.Account()] == 1 {
				_, err := br.Submit(buy("AAA", "9.99"))
				return err
			}
			return nil
		})
	})
	for _, a := range res.Accounts {
		if len(a.Liquidations) != 1 || !a.Ruined || a.RuinTime != t0+2*hr || !a.Stopped || calls[a.Name] != 1 {
			t.Errorf("%s: %d liquidations, ruined %v at %d, stopped %v, %d calls; want ruined at bar 1's close after 1 call",
				a.Name, len(a.Liquidations), a.Ruined, a.RuinTime, a.Stopped, calls[a.Name])
		}
	}
}

// StopOnLiquidation: long 5 AAA at 100 (isolated margin 50). The crash liquidates the isolated
// account (LP 90.909), which keeps 50 and is not ruined, but stops trading. The cross account
// (LP = (1000 − 500)/(5 × −0.99) < 0) is not liquidated and trades on.
func TestStopOnLiquidation(t *testing.T) {
	bars := OHLC("AAA", t0, hr, [4]float64{100, 100.5, 99.5, 100}, [4]float64{100, 101, 85, 88},
		[4]float64{88, 89, 87, 88}, [4]float64{88, 89, 87, 88})
	cfg := testConfig("AAA")
	cfg.StopOnLiquidation = true
	calls := map[string]int{}
	res := run(t, cfg, NewSliceSource([]string{"AAA"}, Batches(bars, nil, nil)), func() Strategy {
		return StrategyFunc(func(br *Broker, b Bar) error {
			calls[br.Account()]++
			if calls[br.Account()] == 1 {
				_, err := br.Submit(buy("AAA", "5"))
				return err
			}
			return nil
		})
	})
	iso, cross := acctByName(t, res, "isolated"), acctByName(t, res, "cross")
	if iso.Ruined || !iso.Stopped || iso.StopTime != t0+2*hr || calls["isolated"] != 1 {
		t.Errorf("isolated: ruined %v, stopped %v at %d, %d calls", iso.Ruined, iso.Stopped, iso.StopTime, calls["isolated"])
	}
	eqDec(t, "isolated equity", iso.Final.MarginBalance, "950")
	if cross.Stopped || calls["cross"] != 4 {
		t.Errorf("cross: stopped %v, %d calls", cross.Stopped, calls["cross"])
	}
}

// Orders in the book only from the open do not trade the gap before it. Bar 1 closes at 94;
// bar 2 gaps up to 100. A buy limit at 99 placed at bar 1's close (marketable then, at 94)
// arrives at bar 2's open, where the price is 100: it rests, and the gap 94 → 100 it was not
// in the book for must not fill it; it fills when bar 3 trades through 99, at 99 as maker.
// The market entry of the same close fills at 100 and its stop-loss at 93.5 is not touched.
func TestNoTradingTheGapBeforeArrival(t *testing.T) {
	bars := OHLC("AAA", t0, hr,
		[4]float64{100, 100.5, 99.5, 100},
		[4]float64{100, 100, 93, 94},
		[4]float64{100, 101, 99.5, 100.5},
		[4]float64{100.5, 100.6, 98, 99},
	)
	o := buy("AAA", "1")
	o.StopLoss = d("93.5")
	lim := Order{Symbol: "AAA", Side: Buy, Type: Limit, Qty: d("1"), Price: d("99")}
	res := run(t, testConfig("AAA"), NewSliceSource([]string{"AAA"}, Batches(bars, nil, nil)), func() Strategy {
		return &script{at: map[int][]Order{1: {o, lim}}}
	})
	for _, a := range res.Accounts {
		if len(a.Fills) != 2 {
			t.Fatalf("%s: fills %+v", a.Name, a.Fills)
		}
		if f := a.Fills[0]; f.OrderID != 1 || !f.Price.Equal(d("100")) || f.Time != t0+2*hr {
			t.Errorf("%s: entry %+v", a.Name, f)
		}
		if f := a.Fills[1]; f.OrderID != 2 || !f.Price.Equal(d("99")) || f.Time != t0+3*hr || !f.Maker {
			t.Errorf("%s: limit %+v, want a maker fill at 99 in bar 3", a.Name, f)
		}
	}
}

// A funding event at a timestamp without bars (here at the close of the last bar) is paid,
// updates the equity point of that time instead of adding a second one, and calls no OnStep.
// Long 10 from bar 1's open (100); funding 0.001 at t0+2h on the last mark, the close 100:
// −1.
func TestFundingOnlyTimestamp(t *testing.T) {
	bars := OHLC("AAA", t0, hr, [4]float64{100, 100.5, 99.5, 100}, [4]float64{100, 101, 99, 100})
	f := []Funding{{Symbol: "AAA", Time: t0 + 2*hr, Rate: 0.001}}
	steps := 0
	res := run(t, testConfig("AAA"), NewSliceSource([]string{"AAA"}, Batches(bars, nil, f)), func() Strategy {
		return &stepCounter{script: script{at: map[int][]Order{0: {buy("AAA", "10")}}}, steps: &steps}
	})
	for _, a := range res.Accounts {
		if len(a.Funding) != 1 || !a.Funding[0].Amount.Equal(d("-1")) {
			t.Errorf("%s: funding %+v", a.Name, a.Funding)
		}
		if len(a.Equity) != 2 || a.Equity[1].Time != t0+2*hr || a.Equity[1].Equity != 999 {
			t.Errorf("%s: equity %+v", a.Name, a.Equity)
		}
	}
	if steps != 4 {
		t.Errorf("%d OnStep calls, want 2 per account", steps)
	}
}

type stepCounter struct {
	script
	steps *int
}

func (s *stepCounter) OnStep(*Broker, int64) error { *s.steps++; return nil }

// A last-price wick through the liquidation price that the mark does not follow: long 10 AAA
// at 100 with 10x, isolated LP 90.909… (as in TestIsolatedLiquidatedCrossSurvives). Bar 1's
// trades wick to 85 but its mark only dips to 95, so the isolated position survives (mark
// liquidation) and its trade is flagged LastWick: a last-price backtester would have killed
// it. The cross position's LP is 0, far below the wick: not flagged.
func TestLastPriceWickFlagged(t *testing.T) {
	bars := OHLC("AAA", t0, hr,
		[4]float64{100, 100.5, 99.5, 100},
		[4]float64{100, 101, 85, 98},
		[4]float64{98, 99, 97, 98},
	)
	marks := OHLC("AAA", t0, hr,
		[4]float64{100, 100.5, 99.5, 100},
		[4]float64{100, 101, 95, 98},
		[4]float64{98, 99, 97, 98},
	)
	res := run(t, testConfig("AAA"), NewSliceSource([]string{"AAA"}, Batches(bars, marks, nil)), func() Strategy {
		return &script{at: map[int][]Order{0: {buy("AAA", "10")}, 1: {sell("AAA", "10")}}}
	})
	iso, cross := acctByName(t, res, "isolated"), acctByName(t, res, "cross")
	if len(iso.Liquidations) != 0 {
		t.Fatalf("isolated liquidated %d times; the mark never reached the LP", len(iso.Liquidations))
	}
	if len(iso.Trades) != 1 || !iso.Trades[0].LastWick || iso.Trades[0].Liquidated {
		t.Errorf("isolated trades %+v, want one surviving trade flagged LastWick", iso.Trades)
	}
	if len(cross.Trades) != 1 || cross.Trades[0].LastWick {
		t.Errorf("cross trades %+v, want one trade not flagged", cross.Trades)
	}
}
