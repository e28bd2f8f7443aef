package backtest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/bt-backtest/bt/backtest/margin"
)

// A cancelled order never fills; cancelling an unknown order is ErrNoSuchOrder; a stop that
// would trigger at once is ErrWouldTrigger; a symbol without bars yet is ErrNoPrice.
func TestCancelAndPlacementErrors(t *testing.T) {
	bars := OHLC("AAA", t0, hr, [4]float64{100, 101, 99, 100}, [4]float64{100, 101, 99, 100})
	bars = append(bars, OHLC("BBB", t0+hr, hr, [4]float64{10, 11, 9, 10})...)
	var errs []error
	res := run(t, testConfig("AAA", "BBB"), NewSliceSource([]string{"AAA", "BBB"}, Batches(bars, nil, nil)), func() Strategy {
		n := 0
		return StrategyFunc(func(br *Broker, b Bar) error {
			if b.Symbol != "AAA" {
				return nil
			}
			n++
			if n > 1 {
				return nil
			}
			id, err := br.Submit(buy("AAA", "1"))
			if err != nil {
				return err
			}
			if got := br.OpenOrderIDs("AAA"); len(got) != 1 || got[0] != id {
				t.Errorf("open orders %v", got)
			}
			if err := br.Cancel(id); err != nil {
				return err
			}
			errs = append(errs, br.Cancel(id))
			_, err = br.Submit(Order{Symbol: "AAA", Side: Buy, Type: StopMarket, Qty: d("1"), Trigger: d("99")})
			errs = append(errs, err)
			_, err = br.Submit(buy("BBB", "1"))
			errs = append(errs, err)
			_, err = br.Submit(buy("CCC", "1"))
			errs = append(errs, err)
			_, err = br.Submit(Order{Symbol: "AAA", Side: Buy, Type: Limit, Qty: d("1")})
			errs = append(errs, err)
			return nil
		})
	})
	want := []error{ErrNoSuchOrder, ErrWouldTrigger, ErrNoPrice, ErrUnknownSymbol, ErrInvalidOrder}
	for k, w := range want {
		if !errors.Is(errs[k], w) {
			t.Errorf("error %d = %v, want %v", k, errs[k], w)
		}
	}
	for _, a := range res.Accounts {
		if len(a.Fills) != 0 {
			t.Errorf("%s: fills %+v", a.Name, a.Fills)
		}
	}
}

// Broker.Bars returns the most recent completed bars oldest first, also across the ring's
// wrap-around, never more than History, and including the bar being delivered.
func TestBrokerBars(t *testing.T) {
	var q [][4]float64
	for k := range 12 {
		p := float64(100 + k)
		q = append(q, [4]float64{p, p + 1, p - 1, p})
	}
	cfg := testConfig("AAA")
	cfg.History = 5
	checked := 0
	run(t, cfg, NewSliceSource([]string{"AAA"}, Batches(OHLC("AAA", t0, hr, q...), nil, nil)), func() Strategy {
		return StrategyFunc(func(br *Broker, b Bar) error {
			got := br.Bars("AAA", 3)
			k := int(b.Open) - 100
			n := min(3, k+1)
			if len(got) != n || got[n-1] != b {
				t.Errorf("bar %d: Bars = %+v", k, got)
			}
			for j := range got {
				if got[j].Open != float64(100+k-n+1+j) {
					t.Errorf("bar %d: Bars[%d].Open = %v", k, j, got[j].Open)
				}
			}
			if all := br.Bars("AAA", 100); len(all) != min(5, k+1) {
				t.Errorf("bar %d: %d bars kept, want %d", k, len(all), min(5, k+1))
			}
			checked++
			return nil
		})
	})
	if checked != 24 {
		t.Errorf("checked %d bars", checked)
	}
}

// The broker's read side, after long 10 at 100 with 10x, marked at 100: isolated available
// 1000 − 100 = 900, LP 90.909, margin ratio MM 10 / isolated balance 100 = 0.1; cross
// available 1000 − 1000/10 = 900, LP none (≤ 0), ratio 10 / 1000 = 0.01. The resting sell
// limit of 10 at 120 only closes the long, so it reserves no margin (available stays 900);
// placed while flat it reserved 10 × 120 / 10 = 120 until the entry filled.
func TestBrokerReads(t *testing.T) {
	bars := OHLC("AAA", t0, hr, [4]float64{100, 100.5, 99.5, 100}, [4]float64{100, 100.5, 99.5, 100}, [4]float64{100, 100.5, 99.5, 100})
	cfg := testConfig("AAA")
	cfg.Params = map[string]string{"fast": "10"}
	type seen struct {
		avail        string
		lp           string
		lpOK         bool
		ratio        float64
		orders, syms int
	}
	got := map[string]seen{}
	run(t, cfg, NewSliceSource([]string{"AAA"}, Batches(bars, nil, nil)), func() Strategy {
		n := 0
		return StrategyFunc(func(br *Broker, b Bar) error {
			n++
			if v, ok := br.Param("fast"); !ok || v != "10" {
				t.Errorf("Param = %q, %v", v, ok)
			}
			if _, ok := br.Param("slow"); ok {
				t.Error("unset Param reported set")
			}
			// the instrument as configured (testInstrument: tick 0.1, step 0.001, min notional 5)
			if in, ok := br.Instrument("AAA"); !ok || in.TickSize.String() != "0.1" || in.MinNotional.String() != "5" {
				t.Errorf("Instrument(AAA) = %+v, %v", in, ok)
			}
			if _, ok := br.Instrument("ZZZ"); ok {
				t.Error("Instrument of an unknown symbol reported ok")
			}
			switch n {
			case 1:
				br.Submit(buy("AAA", "10"))
				br.Submit(Order{Symbol: "AAA", Side: Sell, Type: Limit, Qty: d("10"), Price: d("120")})
			case 2:
				lp, ok := br.LiquidationPrice("AAA")
				got[br.Account()] = seen{br.Available().String(), lp.StringFixed(3), ok, br.MarginRatio(), len(br.OpenOrders("")), len(br.Symbols())}
			}
			return nil
		})
	})
	want := map[string]seen{
		"isolated": {"900", "90.909", true, 0.1, 1, 1},
		"cross":    {"900", "0.000", false, 0.01, 1, 1},
	}
	for name, w := range want {
		g := got[name]
		if g.avail != w.avail || g.lp != w.lp || g.lpOK != w.lpOK || math.Abs(g.ratio-w.ratio) > 1e-12 || g.orders != w.orders || g.syms != w.syms {
			t.Errorf("%s: %+v, want %+v", name, g, w)
		}
	}
	if s := (&RejectError{Order: Order{Symbol: "AAA"}, Action: "order", Reason: ErrPostOnly}).Error(); s != "backtest: AAA order rejected: backtest: post-only order would take liquidity" {
		t.Errorf("RejectError text %q", s)
	}
}

// barsChecker keeps every bar delivered to it and checks Broker.Bars against that record, in
// OnBar (the delivered bar included) and in OnStep, for several lengths around its History.
type barsChecker struct {
	t       *testing.T
	hist    int
	seen    map[string][]Bar
	checked *atomic.Int64
	failed  bool
}

func (c *barsChecker) OnBar(br *Broker, b Bar) error {
	if c.seen == nil {
		c.seen = map[string][]Bar{}
	}
	c.seen[b.Symbol] = append(c.seen[b.Symbol], b)
	c.check(br, b.Symbol)
	return nil
}

func (c *barsChecker) OnStep(br *Broker, _ int64) error {
	for _, sym := range br.Symbols() {
		c.check(br, sym)
	}
	return nil
}

func (c *barsChecker) check(br *Broker, sym string) {
	all := c.seen[sym]
	if c.failed {
		return
	}
	for _, n := range []int{1, 7, c.hist - 1, c.hist, c.hist + 3, 10 * c.hist} {
		got := br.Bars(sym, n)
		want := all[max(0, len(all)-min(n, c.hist)):]
		if !slices.Equal(got, want) {
			c.t.Errorf("%s History %d: Bars(%s, %d) after %d bars: %d bars, want %d", br.Account(), c.hist, sym, n, len(all), len(got), len(want))
			c.failed = true
			return
		}
		c.checked.Add(1)
	}
}

// The run's history of bars is shared by its accounts (each reads it up to the bars it has
// stepped past): accounts with different History settings, sequential and parallel, with a
// symbol that starts 700 bars late (the run reads ahead over more than one chunk) and one
// with gaps, all see exactly the bars delivered to them, never more than their History.
func TestSharedHistory(t *testing.T) {
	var aaa, bbb, ccc []Bar
	for k := range 2000 {
		p := 100 + float64(k%37)
		q := [4]float64{p, p + 1, p - 1, p + 0.5}
		aaa = append(aaa, OHLC("AAA", t0+int64(k)*hr, hr, q)...)
		if k >= 700 {
			bbb = append(bbb, OHLC("BBB", t0+int64(k)*hr, hr, q)...)
		}
		if k%3 != 1 {
			ccc = append(ccc, OHLC("CCC", t0+int64(k)*hr, hr, q)...)
		}
	}
	for _, parallel := range []bool{false, true} {
		var checked atomic.Int64
		cfg := testConfig("AAA", "BBB", "CCC")
		cfg.Parallel = parallel
		hists := []int{3, 500, 700}
		for _, h := range hists {
			c := testConfig("AAA", "BBB", "CCC")
			c.History = h
			cfg.Setups = append(cfg.Setups, Setup{Name: fmt.Sprintf("h%d", h), Mode: margin.Cross, Config: &c})
		}
		var mu sync.Mutex
		k := 0
		res, err := Run(context.Background(), cfg, func() Strategy {
			mu.Lock()
			defer mu.Unlock()
			k++
			return &barsChecker{t: t, hist: hists[k-1], checked: &checked}
		}, NewSliceSource([]string{"AAA", "BBB", "CCC"}, Batches(slices.Concat(aaa, bbb, ccc), nil, nil)))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Accounts) != 3 || checked.Load() == 0 {
			t.Fatalf("parallel %v: %d accounts, %d checks", parallel, len(res.Accounts), checked.Load())
		}
	}
}
