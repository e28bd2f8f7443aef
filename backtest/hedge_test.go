package backtest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync/atomic"
	"testing"

	"github.com/bt-backtest/bt/backtest/margin"
)

// hedgeChaos trades both legs of every symbol in hedge mode on a schedule driven by per-symbol
// bar counts: LONG and SHORT entries with attached stop-loss and take-profit, partial closes of
// either leg, a resting limit on LONG, close-position stops, cancellations, leverage, margin
// mode and isolated-margin changes, and position-mode switches (refused while anything is
// open, as they must be).
type hedgeChaos struct {
	n        map[string]int
	switches *atomic.Int64 // position-mode switches refused with the typed error (shared by a parallel run's accounts)
}

func (c *hedgeChaos) OnBar(br *Broker, b Bar) error {
	k := c.n[b.Symbol]
	c.n[b.Symbol]++
	at, qty := chaosOrder(b)
	long, short := br.PositionOf(b.Symbol, margin.Long), br.PositionOf(b.Symbol, margin.Short)
	switch {
	case k%4 == 0:
		br.Submit(Order{Symbol: b.Symbol, Side: Buy, Type: Market, Qty: qty, PositionSide: margin.Long, StopLoss: at(0.95), TakeProfit: at(1.06)})
	case k%6 == 1:
		br.Submit(Order{Symbol: b.Symbol, Side: Sell, Type: Market, Qty: qty, PositionSide: margin.Short, StopLoss: at(1.05), TakeProfit: at(0.94)})
	case k%9 == 2 && long.Qty.IsPositive():
		br.Submit(Order{Symbol: b.Symbol, Side: Sell, Type: Market, Qty: long.Qty.Div(d("2")).Round(3), PositionSide: margin.Long})
	case k%10 == 3 && short.Qty.IsNegative():
		br.Submit(Order{Symbol: b.Symbol, Side: Buy, Type: StopMarket, Trigger: at(1.02), ClosePosition: true, PositionSide: margin.Short})
	case k%7 == 0:
		br.Submit(Order{Symbol: b.Symbol, Side: Buy, Type: Limit, Qty: qty, Price: at(0.99), PositionSide: margin.Long})
	case k%11 == 0:
		br.CancelAll(b.Symbol)
	case k%17 == 0:
		br.SetLeverage(b.Symbol, 5+k%20)
	case k%19 == 0:
		br.AddLegMargin(b.Symbol, margin.Short, d("5"))
	case k%23 == 0:
		br.SetMarginMode(b.Symbol, margin.Mode(k%2))
	case k%29 == 0:
		busy := len(br.OpenOrderIDs("")) > 0
		for _, sym := range br.Symbols() {
			busy = busy || !br.PositionOf(sym, margin.Long).Qty.IsZero() || !br.PositionOf(sym, margin.Short).Qty.IsZero()
		}
		err := br.SetPositionMode(margin.OneWay)
		switch {
		case err == nil && busy:
			return fmt.Errorf("bar %d: the position mode changed with orders or positions open", k)
		case err == nil: // flat, no orders: allowed; back to hedge
			if err := br.SetPositionMode(margin.Hedge); err != nil {
				return err
			}
		case !busy:
			return fmt.Errorf("bar %d: a flat account without orders could not change its position mode: %v", k, err)
		case errors.Is(err, margin.ErrPositionModeWithOrders) || errors.Is(err, margin.ErrPositionModeWithPosition):
			c.switches.Add(1)
		}
	}
	return nil
}

// TestHedgeChaos runs hedgeChaos on seeded random markets (crashes, halts, funding) under
// isolated, cross and a mix in hedge mode: both legs of a symbol are open together, legs are
// liquidated; money is accounted for in the records exactly (checkWallets), the ledger's
// invariants hold at the end, every leg's records carry its side, and a parallel run or a
// permuted symbol order changes nothing.
func TestHedgeChaos(t *testing.T) {
	symbols := []string{"AAA", "BBB", "CCC"}
	var both, liqs, legFunding int
	var switches atomic.Int64
	for seed := uint64(1); seed <= 3; seed++ {
		k, m, f := market(seed, symbols, 300)
		run := func(parallel bool, order []string) *Result {
			cfg := chaosConfig(symbols, parallel)
			cfg.PositionMode = margin.Hedge
			res, err := Run(context.Background(), cfg, func() Strategy { return &hedgeChaos{n: map[string]int{}, switches: &switches} },
				NewSliceSource(order, Batches(k, m, f)))
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		base := run(false, symbols)
		for _, a := range base.Accounts {
			label := fmt.Sprintf("seed %d %s", seed, a.Name)
			checkWallets(t, label, chaosConfig(symbols, false).Wallet, &a)
			for _, x := range a.Fills {
				if x.PositionSide == margin.Both {
					t.Fatalf("%s: a one-way fill in a hedge run: %+v", label, x)
				}
			}
			for _, l := range a.Liquidations {
				if l.Side == margin.Both || l.Side == margin.Long && l.Qty.IsNegative() || l.Side == margin.Short && l.Qty.IsPositive() {
					t.Fatalf("%s: liquidation %+v", label, l)
				}
				liqs++
			}
			for _, p := range a.Funding {
				if p.PositionSide != margin.Both {
					legFunding++
				}
			}
			// both legs of a symbol open at once: a LONG trade and a SHORT trade overlapping
			for _, x := range a.Trades {
				for _, y := range a.Trades {
					if x.Symbol == y.Symbol && x.PositionSide == margin.Long && y.PositionSide == margin.Short &&
						x.EntryTime < y.ExitTime && y.EntryTime < x.ExitTime {
						both++
					}
				}
			}
		}
		for _, parallel := range []bool{false, true} {
			got := run(parallel, []string{"CCC", "AAA", "BBB"})
			if !reflect.DeepEqual(got.Accounts, base.Accounts) {
				t.Errorf("seed %d parallel=%v, permuted: records differ", seed, parallel)
			}
		}
	}
	t.Logf("overlapping LONG/SHORT trades %d, leg liquidations %d, leg funding payments %d, refused mode switches %d", both, liqs, legFunding, switches.Load())
	if both == 0 || liqs == 0 || legFunding == 0 || switches.Load() == 0 {
		t.Errorf("the scenario does not exercise hedge mode: overlapping legs %d, liquidations %d, funding %d, refused switches %d", both, liqs, legFunding, switches.Load())
	}
}

// BenchmarkStepHedge is BenchmarkStep for an account in hedge mode holding both legs of every
// symbol (LONG 10, SHORT 5 at price ~100, cross and isolated): the step marks, screens, probes
// and records two positions per symbol, and must not allocate either (0 allocs/op).
func BenchmarkStepHedge(b *testing.B) {
	for _, mode := range []margin.Mode{margin.Cross, margin.Isolated} {
		b.Run(mode.String()+"/sym=15", func(b *testing.B) {
			const nsym = 15
			src := newLoopSource(nsym, 1<<62)
			cfg := Config{Wallet: d("100000"), DefaultLeverage: 5, Book: benchBook, NoFundingFallback: true,
				PositionMode: margin.Hedge}.withDefaults()
			sched := make(schedule, nsym)
			for i, in := range benchInsts(src.symbols) {
				sched[i] = []era{{inst: in, brk: in.Brackets.Float(), maker: d("0.0002"), taker: d("0.0005")}}
			}
			pv := newPaths(len(src.symbols))
			hist := newHistory(nsym, cfg.History)
			a, err := newAccount(&cfg, src.symbols, sched, hist, Setup{Name: mode.String(), Mode: mode}, StrategyFunc(func(*Broker, Bar) error { return nil }))
			if err != nil {
				b.Fatal(err)
			}
			step := func() {
				src.Next()
				hist.push(src.Batch())
				a.step(src.Batch(), pv.one(src.Batch()))
			}
			step()
			for _, sym := range src.symbols {
				for _, o := range []Order{{Symbol: sym, Side: Buy, Type: Market, Qty: d("10"), PositionSide: margin.Long},
					{Symbol: sym, Side: Sell, Type: Market, Qty: d("5"), PositionSide: margin.Short}} {
					if _, err := a.br.Submit(o); err != nil {
						b.Fatal(err)
					}
				}
			}
			step()
			if a.nOpen != 2*nsym {
				b.Fatalf("%d positions open, want %d", a.nOpen, 2*nsym)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				step()
				if len(a.res.Equity) > 1<<16 {
					a.res.Equity = a.res.Equity[:0]
				}
			}
		})
	}
}
