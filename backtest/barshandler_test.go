package backtest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// barsRecorder implements OnBar and OnBars: the engine must call OnBars only. It records each
// call's bars (copied: the slice is the engine's), Broker.Now and the OnStep calls.
type barsRecorder struct {
	onBar int
	calls [][]Bar
	log   []string
}

func (r *barsRecorder) OnBar(br *Broker, b Bar) error {
	r.onBar++
	return nil
}

func (r *barsRecorder) OnBars(br *Broker, bars []Bar) error {
	r.calls = append(r.calls, slices.Clone(bars))
	r.log = append(r.log, fmt.Sprintf("bars %d now %d", len(bars), br.Now()))
	return nil
}

func (r *barsRecorder) OnStep(br *Broker, t int64) error {
	r.log = append(r.log, fmt.Sprintf("step %d now %d", t, br.Now()))
	return nil
}

// A strategy with OnBars gets one call per timestamp with bars, with that timestamp's bars in
// symbol order (a halted symbol missing), Now their close, then OnStep; never OnBar; nothing
// at a timestamp without bars (funding only).
func TestOnBarsReplacesOnBar(t *testing.T) {
	symbols := []string{"AAA", "BBB", "CCC"}
	k, m, f := market(3, symbols, 80) // BBB halted at bars 40–49
	f = append(f, Funding{Symbol: "AAA", Time: t0 + 20*hr + hr/2, Rate: 0.0001, IntervalHours: 8})
	// the bars the strategy should see, by timestamp, built independently of the engine
	want := map[int64][]Bar{}
	for _, b := range k {
		want[b.Time] = append(want[b.Time], b)
	}
	var times []int64
	for tm, bs := range want {
		times = append(times, tm)
		slices.SortFunc(bs, func(x, y Bar) int { return strings.Compare(x.Symbol, y.Symbol) })
	}
	slices.Sort(times)
	var rs []*barsRecorder
	// ids the source assigns: the index in symbols
	for tm := range want {
		for i := range want[tm] {
			want[tm][i].ID = slices.Index(symbols, want[tm][i].Symbol)
		}
	}
	cfg := chaosConfig(symbols, false)
	cfg.NoFundingFallback = true
	run(t, cfg, NewSliceSource(symbols, Batches(k, m, f)), func() Strategy {
		r := &barsRecorder{}
		rs = append(rs, r)
		return r
	})
	if len(rs) != len(cfg.Setups) {
		t.Fatalf("%d strategies for %d accounts", len(rs), len(cfg.Setups))
	}
	for a, r := range rs {
		if r.onBar != 0 {
			t.Errorf("account %d: OnBar called %d times beside OnBars", a, r.onBar)
		}
		if len(r.calls) != len(times) {
			t.Fatalf("account %d: %d OnBars calls, want %d (one per timestamp with bars)", a, len(r.calls), len(times))
		}
		var wantLog []string
		for c, tm := range times {
			if !reflect.DeepEqual(r.calls[c], want[tm]) {
				t.Fatalf("account %d: call %d: bars\n%v\nwant\n%v", a, c, r.calls[c], want[tm])
			}
			end := tm + hr
			wantLog = append(wantLog, fmt.Sprintf("bars %d now %d", len(want[tm]), end), fmt.Sprintf("step %d now %d", end, end))
		}
		if !slices.Equal(r.log, wantLog) {
			t.Errorf("account %d: calls\n%s\nwant\n%s", a, strings.Join(r.log, "\n"), strings.Join(wantLog, "\n"))
		}
	}
	if n := len(rs[0].calls[45]); n != 2 {
		t.Errorf("a timestamp of the halt has %d bars, want 2: the test does not cover a missing symbol", n)
	}
}

// chaosBar is the chaos trader with OnBar (the engine calls it per bar); it records the bars
// it is given and fails at the bar named by failAt ("SYMBOL TIME"), if any.
type chaosBar struct {
	chaos
	seen   []string
	failAt string
}

func (c *chaosBar) bar(br *Broker, b Bar) error {
	id := fmt.Sprintf("%s %d", b.Symbol, b.Time)
	if id == c.failAt {
		return errors.New("boom")
	}
	c.seen = append(c.seen, id)
	return c.chaos.OnBar(br, b)
}

func (c *chaosBar) OnBar(br *Broker, b Bar) error { return c.bar(br, b) }

// chaosBars is the same trader through OnBars: the same per-bar logic over the timestamp's
// bars, in order. Its OnBar fails: the engine must not call it.
type chaosBars struct{ chaosBar }

func (c *chaosBars) OnBar(br *Broker, b Bar) error {
	return fmt.Errorf("OnBar called with %s beside OnBars", b.Symbol)
}

func (c *chaosBars) OnBars(br *Broker, bars []Bar) error {
	for k := range bars {
		if err := c.bar(br, bars[k]); err != nil {
			return err
		}
	}
	return nil
}

// A strategy ported from OnBar to OnBars (the same logic per bar, in order) gives the same
// results: every record, fingerprint and final state of every account, and the same bars
// seen, under StopOnLiquidation (the crash at bar 100 liquidates and stops accounts at a
// timestamp with three bars: neither sees any bar of it or after; a ruin stops the account at
// the same point of a timestamp, in record). A strategy error at the second bar of a timestamp fails the run with
// ErrStrategyFailed naming the account and the time, after the same bars.
func TestOnBarsEqualsOnBar(t *testing.T) {
	symbols := []string{"AAA", "BBB", "CCC"}
	k, m, f := market(5, symbols, 200)
	type variant struct {
		name  string
		cfg   func(*Config)
		fail  string
		stops bool
	}
	variants := []variant{
		{name: "plain", cfg: func(*Config) {}},
		{name: "stop on liquidation", cfg: func(c *Config) { c.StopOnLiquidation = true }, stops: true},
		{name: "error", cfg: func(*Config) {}, fail: fmt.Sprintf("BBB %d", t0+30*hr)},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			cfg := chaosConfig(symbols, false)
			v.cfg(&cfg)
			var one, all []*chaosBar
			resOne, errOne := Run(context.Background(), cfg, func() Strategy {
				c := &chaosBar{chaos: chaos{n: map[string]int{}}, failAt: v.fail}
				one = append(one, c)
				return c
			}, NewSliceSource(symbols, Batches(k, m, f)))
			resAll, errAll := Run(context.Background(), cfg, func() Strategy {
				c := &chaosBars{chaosBar{chaos: chaos{n: map[string]int{}}, failAt: v.fail}}
				all = append(all, &c.chaosBar)
				return c
			}, NewSliceSource(symbols, Batches(k, m, f)))
			for a := range one {
				if !slices.Equal(one[a].seen, all[a].seen) {
					t.Errorf("account %d: OnBar saw %d bars, OnBars %d", a, len(one[a].seen), len(all[a].seen))
				}
			}
			if v.fail != "" {
				for _, err := range []error{errOne, errAll} {
					if !errors.Is(err, ErrStrategyFailed) || !strings.Contains(err.Error(), "account isolated") ||
						!strings.Contains(err.Error(), fmt.Sprint(t0+30*hr)) || !strings.HasSuffix(err.Error(), "boom") {
						t.Errorf("error %v: want ErrStrategyFailed naming account isolated, time %d and the strategy's error", err, t0+30*hr)
					}
				}
				if n := len(one[0].seen); n < 3*30+1 {
					t.Errorf("the failing run saw %d bars, want the first 30 timestamps' and AAA's of the 31st", n)
				}
				return
			}
			if errOne != nil || errAll != nil {
				t.Fatal(errOne, errAll)
			}
			if !reflect.DeepEqual(resOne, resAll) {
				t.Error("the results differ")
			}
			stopped := 0
			for a := range resOne.Accounts {
				r1, r2 := &resOne.Accounts[a], &resAll.Accounts[a]
				if r1.Fingerprint() != r2.Fingerprint() {
					t.Errorf("%s: fingerprints differ", r1.Name)
				}
				if !r1.Stopped {
					continue
				}
				stopped++
				// the stop's timestamp has three bars, none seen; nor any after
				at := r1.StopTime - hr
				n := 0
				for _, b := range k {
					if b.Time == at {
						n++
					}
				}
				if n != 3 {
					t.Errorf("%s stopped at a timestamp with %d bars, want 3", r1.Name, n)
				}
				for _, id := range one[a].seen {
					var sym string
					var tm int64
					fmt.Sscanf(id, "%s %d", &sym, &tm)
					if tm >= at {
						t.Fatalf("%s stopped at %d but the strategy saw %s", r1.Name, r1.StopTime, id)
					}
				}
				if last := one[a].seen[len(one[a].seen)-1]; last != fmt.Sprintf("CCC %d", at-hr) {
					t.Errorf("%s: last bar seen %s, want CCC at the timestamp before the stop", r1.Name, last)
				}
			}
			if v.stops && stopped == 0 {
				t.Error("no account stopped: the variant tests nothing")
			}
			if len(resOne.Accounts[0].Fills) == 0 {
				t.Error("no fills: the comparison tests nothing")
			}
		})
	}
}
