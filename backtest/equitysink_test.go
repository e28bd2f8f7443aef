package backtest

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

// curveSink collects the points a sink receives.
type curveSink struct{ pts []EquityPoint }

func (c *curveSink) Add(p EquityPoint) error { c.pts = append(c.pts, p); return nil }

// With Config.Equity every account's sink receives exactly the curve a run without it keeps
// (funding-only timestamps included: the chaos market has funding between bars), the result
// holds no curve, and everything else is unchanged, sequential or parallel.
func TestEquitySinkReceivesTheCurve(t *testing.T) {
	symbols := []string{"AAA", "BBB", "CCC"}
	k, m, f := market(5, symbols, 3000)
	for _, parallel := range []bool{false, true} {
		base, err := Run(context.Background(), chaosConfig(symbols, parallel), newChaos, NewSliceSource(symbols, Batches(k, m, f)))
		if err != nil {
			t.Fatal(err)
		}
		sinks := map[string]*curveSink{}
		cfg := chaosConfig(symbols, parallel)
		names := []string{}
		cfg.Equity = func(name string) EquitySink {
			names = append(names, name)
			s := &curveSink{}
			sinks[name] = s
			return s
		}
		got, err := Run(context.Background(), cfg, newChaos, NewSliceSource(symbols, Batches(k, m, f)))
		if err != nil {
			t.Fatal(err)
		}
		if len(names) != len(base.Accounts) {
			t.Fatalf("sinks for %v, want one per account (%d)", names, len(base.Accounts))
		}
		for i := range base.Accounts {
			b, g := base.Accounts[i], got.Accounts[i]
			if g.Equity != nil {
				t.Errorf("%s: result holds %d points with a sink", g.Name, len(g.Equity))
			}
			if len(b.Equity) < 100 {
				t.Fatalf("%s: only %d points", b.Name, len(b.Equity))
			}
			if !reflect.DeepEqual(sinks[b.Name].pts, b.Equity) {
				t.Errorf("parallel %v, %s: sink got %d points, curve has %d, or they differ", parallel, b.Name, len(sinks[b.Name].pts), len(b.Equity))
			}
			b.Equity, g.Equity = nil, nil
			if !reflect.DeepEqual(b, g) {
				t.Errorf("parallel %v, %s: records differ with a sink", parallel, b.Name)
			}
		}
	}
}

// A sink's error stops the run and is returned.
func TestEquitySinkErrorStopsTheRun(t *testing.T) {
	symbols := []string{"AAA", "BBB"}
	k, m, f := market(2, symbols, 500)
	boom := errors.New("disk full")
	cfg := chaosConfig(symbols, false)
	n := 0
	cfg.Equity = func(string) EquitySink {
		return EquitySinkFunc(func(EquityPoint) error {
			if n++; n == 50 {
				return boom
			}
			return nil
		})
	}
	_, err := Run(context.Background(), cfg, newChaos, NewSliceSource(symbols, Batches(k, m, f)))
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the sink's error", err)
	}
}
