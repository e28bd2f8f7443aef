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

// blockSink collects the points a block sink receives, and the sizes of the blocks.
type blockSink struct {
	pts    []EquityPoint
	blocks []int
}

func (c *blockSink) Add(EquityPoint) error { panic("Add called on a block sink") }

func (c *blockSink) AddBlock(pts []EquityPoint) error {
	c.pts = append(c.pts, pts...)
	c.blocks = append(c.blocks, len(pts))
	return nil
}

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
		bsinks := map[string]*blockSink{}
		cfg := chaosConfig(symbols, parallel)
		names := []string{}
		cfg.Equity = func(name string) EquitySink {
			names = append(names, name)
			if len(names)%2 == 0 { // every other account's sink takes blocks
				s := &blockSink{}
				bsinks[name] = s
				return s
			}
			s := &curveSink{}
			sinks[name] = s
			return s
		}
		got, err := Run(context.Background(), cfg, newChaos, NewSliceSource(symbols, Batches(k, m, f)))
		if err != nil {
			t.Fatal(err)
		}
		if len(bsinks) == 0 {
			t.Fatal("no account had a block sink")
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
			var pts []EquityPoint
			if s := bsinks[b.Name]; s != nil {
				pts = s.pts
				// full blocks, then the rest once
				for k, n := range s.blocks {
					if n == 0 || n > sinkBlock || n < sinkBlock && k < len(s.blocks)-1 {
						t.Errorf("parallel %v, %s: blocks of %v points", parallel, b.Name, s.blocks)
						break
					}
				}
			} else {
				pts = sinks[b.Name].pts
			}
			if !reflect.DeepEqual(pts, b.Equity) {
				t.Errorf("parallel %v, %s: sink got %d points, curve has %d, or they differ", parallel, b.Name, len(pts), len(b.Equity))
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

// A block sink's error stops the run and is returned.
func TestEquityBlockSinkErrorStopsTheRun(t *testing.T) {
	symbols := []string{"AAA", "BBB"}
	k, m, f := market(2, symbols, 500)
	boom := errors.New("disk full")
	cfg := chaosConfig(symbols, false)
	cfg.Equity = func(string) EquitySink { return failingBlocks{boom} }
	_, err := Run(context.Background(), cfg, newChaos, NewSliceSource(symbols, Batches(k, m, f)))
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the sink's error", err)
	}
}

type failingBlocks struct{ err error }

func (failingBlocks) Add(EquityPoint) error          { panic("Add called on a block sink") }
func (f failingBlocks) AddBlock([]EquityPoint) error { return f.err }
