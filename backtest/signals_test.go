package backtest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/shopspring/decimal"
)

// riseKey is the riser's signal key: its one signal setting.
type riseKey struct{ run int }

// riseState is what the riser's signals are made of: per symbol, the last close and how many
// closes in a row have risen.
type riseState struct {
	last  []float64
	rises []int
}

// advance takes one timestamp's bars and returns the symbols whose rise has just reached run
// closes (+1: buy) or has just ended after reaching it (−1: close), in bar order, appended
// to ev. Both the shared signals and a riser on its own call it.
func (s *riseState) advance(run int, bars []Bar, ev []riseEvent) []riseEvent {
	for k := range bars {
		b := &bars[k]
		i := b.ID
		up := b.Close > s.last[i] && s.last[i] > 0
		s.last[i] = b.Close
		switch {
		case up:
			s.rises[i]++
			if s.rises[i] == run {
				ev = append(ev, riseEvent{id: i, side: 1})
			}
		case s.rises[i] >= run:
			s.rises[i] = 0
			ev = append(ev, riseEvent{id: i, side: -1})
		default:
			s.rises[i] = 0
		}
	}
	return ev
}

type riseEvent struct{ id, side int }

// riseSignals is the riser's shared computation. It records the time of every batch it is
// prepared with (the test checks each is seen once, in order) and, per batch of the last
// Prepare, its time and events.
type riseSignals struct {
	run      int
	st       riseState
	prepared []int64 // every batch's time, in the order Prepare saw them
	times    []int64 // the last Prepare's batches
	off      []int
	ev       []riseEvent
}

// idleRise is the riser's signals telling the engine where the riser has nothing to do: a
// batch without events (IdleSignals).
type idleRise struct{ *riseSignals }

func (g idleRise) Idle(j int) bool { return g.off[j] == g.off[j+1] }

func (g *riseSignals) Prepare(bs []Batch) {
	g.times, g.off, g.ev = g.times[:0], g.off[:0], g.ev[:0]
	for j := range bs {
		g.prepared = append(g.prepared, bs[j].Time)
		g.times = append(g.times, bs[j].Time)
		g.off = append(g.off, len(g.ev))
		g.ev = g.st.advance(g.run, bs[j].Bars, g.ev)
	}
	g.off = append(g.off, len(g.ev))
}

// riser buys qty of a symbol whose close has risen run times in a row and closes the position
// when the rise ends: the signal (the run of rises) is the same for every account with the
// same run; the order size (param qty) and the margin are the account's. With share false it
// names no key and computes its signals itself; newSignals counts the NewSignals calls. With
// idle its signals are an IdleSignals. calls counts its OnBars and OnStep calls.
type riser struct {
	share      bool
	idle       bool
	calls      int
	key        any // overrides riseKey when set
	newSignals *int
	run        int
	qty        decimal.Decimal
	own        riseState
	ev         []riseEvent
	sig        *riseSignals
	used       bool
}

func (r *riser) Start(br *Broker) error {
	var err error
	if r.run, err = strconv.Atoi(must(br.Param("run"))); err != nil {
		return err
	}
	if r.qty, err = decimal.NewFromString(must(br.Param("qty"))); err != nil {
		return err
	}
	n := len(br.Symbols())
	r.own = riseState{last: make([]float64, n), rises: make([]int, n)}
	return nil
}

func must(s string, ok bool) string {
	if !ok {
		return "missing"
	}
	return s
}

func (r *riser) SignalKey() any {
	if !r.share {
		return nil
	}
	if r.key != nil {
		return r.key
	}
	return riseKey{r.run}
}

func (r *riser) NewSignals() Signals {
	*r.newSignals++
	n := len(r.own.last)
	g := &riseSignals{run: r.run, st: riseState{last: make([]float64, n), rises: make([]int, n)}}
	if r.idle {
		return idleRise{g}
	}
	return g
}

func (r *riser) UseSignals(s Signals) {
	if r.used {
		panic("UseSignals called twice")
	}
	switch g := s.(type) {
	case *riseSignals:
		r.sig = g
	case idleRise:
		r.sig = g.riseSignals
	}
	r.used = true
}

func (r *riser) OnBar(*Broker, Bar) error { return errors.New("OnBar called beside OnBars") }

func (r *riser) OnBars(br *Broker, bars []Bar) error {
	r.calls++
	if r.sig != nil {
		j := br.BatchIndex()
		if j >= len(r.sig.times) || r.sig.times[j] != bars[0].Time {
			return fmt.Errorf("BatchIndex %d does not name the batch of %d", j, bars[0].Time)
		}
		r.ev = r.sig.ev[r.sig.off[j]:r.sig.off[j+1]]
		return nil
	}
	r.ev = r.own.advance(r.run, bars, r.ev[:0])
	return nil
}

func (r *riser) OnStep(br *Broker, t int64) error {
	r.calls++
	for _, e := range r.ev {
		sym := br.Symbols()[e.id]
		if e.side > 0 {
			br.Submit(Order{Symbol: sym, Side: Buy, Type: Market, Qty: r.qty, Tag: "rise"})
		} else if q := br.Position(sym).Qty; q.IsPositive() {
			br.Submit(Order{Symbol: sym, Side: Sell, Type: Market, Qty: q, ReduceOnly: true, Tag: "end"})
		}
	}
	return nil
}

// riseConfig is five accounts: runs of 3 and 4 closes, sizes 1 and 2, isolated and cross, so
// that the accounts of run 3 share one signals and the one of run 4 has its own.
func riseConfig(symbols []string, parallel bool) Config {
	cfg := chaosConfig(symbols, parallel)
	own := func(run, qty string) *Config {
		c := chaosConfig(symbols, false)
		c.Params = map[string]string{"run": run, "qty": qty}
		return &c
	}
	cfg.Setups = []Setup{
		{Name: "iso-3-1", Mode: margin.Isolated, Config: own("3", "1")},
		{Name: "cross-3-1", Mode: margin.Cross, Config: own("3", "1")},
		{Name: "cross-4-1", Mode: margin.Cross, Config: own("4", "1")},
		{Name: "cross-3-2", Mode: margin.Cross, Config: own("3", "2")},
		{Name: "mix-3-2", Mode: margin.Cross, Overrides: map[string]margin.Mode{symbols[0]: margin.Isolated}, Config: own("3", "2")},
	}
	return cfg
}

// Strategies with equal signal keys share one Signals, made once per key by the first of them;
// Prepare sees every batch of the run exactly once, in order (a funding-only timestamp
// included), before any account steps it, with BatchIndex naming the batch in each strategy
// call (the riser fails otherwise); and every record, fingerprint and final state is the
// same as with every account computing its own signals: sequential or parallel, on one
// processor (batch by batch) or two (chunks of 256 timestamps, the run spanning several).
// go test -race covers the parallel runs: the accounts read the Signals on the pool's
// goroutines.
func TestSharedSignalsChangeNothing(t *testing.T) {
	symbols := []string{"AAA", "BBB", "CCC"}
	k, m, f := market(11, symbols, 700)
	f = append(f, Funding{Symbol: "AAA", Time: t0 + 20*hr + hr/2, Rate: 0.0001, IntervalHours: 8})
	var times []int64
	for _, b := range Batches(k, m, f) {
		times = append(times, b.Time)
	}
	for _, procs := range []int{1, 2} {
		for _, v := range []struct{ parallel, idle bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
			t.Run(fmt.Sprintf("procs=%d parallel=%v idle=%v", procs, v.parallel, v.idle), func(t *testing.T) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				cfg := riseConfig(symbols, v.parallel)
				var made int
				var own, shared []*riser
				res := map[bool]*Result{}
				for _, share := range []bool{false, true} {
					var err error
					res[share], err = Run(context.Background(), cfg, func() Strategy {
						r := &riser{share: share, idle: v.idle, newSignals: &made}
						if share {
							shared = append(shared, r)
						} else {
							own = append(own, r)
						}
						return r
					}, NewSliceSource(symbols, Batches(k, m, f)))
					if err != nil {
						t.Fatal(err)
					}
				}
				if made != 2 {
					t.Errorf("NewSignals called %d times, want 2 (runs 3 and 4)", made)
				}
				for a, r := range shared {
					if !r.used || r.sig == nil {
						t.Fatalf("account %d: not handed its signals", a)
					}
				}
				if s := shared; s[0].sig != s[1].sig || s[0].sig != s[3].sig || s[0].sig != s[4].sig || s[2].sig == s[0].sig {
					t.Error("the accounts of run 3 do not share one Signals, or the one of run 4 shares theirs")
				}
				for _, g := range []*riseSignals{shared[0].sig, shared[2].sig} {
					if !slices.Equal(g.prepared, times) {
						t.Errorf("run %d: Prepare saw %d batches, want each of the %d once, in order", g.run, len(g.prepared), len(times))
					}
				}
				fills := 0
				for a := range res[false].Accounts {
					own, sh := &res[false].Accounts[a], &res[true].Accounts[a]
					fills += len(own.Fills)
					if own.Fingerprint() != sh.Fingerprint() {
						t.Errorf("%s: fingerprints differ", own.Name)
					}
				}
				if !reflect.DeepEqual(res[false], res[true]) {
					t.Error("the results differ")
				}
				if fills < 100 {
					t.Errorf("%d fills: the riser does not trade enough to test anything", fills)
				}
				for a := range own {
					switch o, s := own[a].calls, shared[a].calls; {
					case !v.idle && s != o:
						t.Errorf("account %d: the strategy was called %d times, %d without shared signals", a, s, o)
					case v.idle && (s == 0 || s*2 > o):
						t.Errorf("account %d: the strategy was called %d times at idle signals, %d without: want some, fewer than half", a, s, o)
					}
				}
				if reflect.DeepEqual(res[true].Accounts[1].Fills, res[true].Accounts[2].Fills) {
					t.Error("runs 3 and 4 trade alike: the test cannot tell whether they shared")
				}
			})
		}
	}
}

// A signal key that cannot be compared fails the run, naming the account, whether its type
// cannot be (a slice) or only its value (a struct whose interface field holds a slice: == of
// two such keys would panic).
func TestSignalKeyNotComparable(t *testing.T) {
	symbols := []string{"AAA", "BBB", "CCC"}
	k, m, f := market(11, symbols, 20)
	type holder struct{ v any }
	for _, key := range []any{[]int{3}, holder{[]int{3}}} {
		var made int
		_, err := Run(context.Background(), riseConfig(symbols, false), func() Strategy {
			return &riser{share: true, key: key, newSignals: &made}
		}, NewSliceSource(symbols, Batches(k, m, f)))
		if !errors.Is(err, ErrStrategyFailed) || !strings.Contains(err.Error(), "account iso-3-1") {
			t.Errorf("key %T: error %v: want ErrStrategyFailed naming account iso-3-1", key, err)
		}
	}
}
