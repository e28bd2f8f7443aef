package swing_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/strategies/swing"
)

// walk returns n hourly bars of each of k symbols: seeded geometric random walks with 1%
// hourly moves (deterministic for a seed).
func walk(k, n int, seed uint64) ([]string, []backtest.Batch) {
	return walkBy(k, n, seed, 3600_000, 0.01)
}

// walkBy returns n bars of each of k symbols at interval ms: seeded geometric random walks
// with moves of sd per bar.
func walkBy(k, n int, seed uint64, interval int64, sd float64) ([]string, []backtest.Batch) {
	rng := rand.New(rand.NewPCG(seed, 1))
	syms := make([]string, k)
	var bars []backtest.Bar
	for s := range k {
		syms[s] = fmt.Sprintf("S%02dUSDT", s)
		p := 100.0
		var q [][4]float64
		for range n {
			c := p * math.Exp(rng.NormFloat64()*sd)
			c = math.Round(c*100) / 100
			q = append(q, [4]float64{p, max(p, c) * 1.002, min(p, c) * 0.998, c})
			p = c
		}
		bars = append(bars, backtest.OHLC(syms[s], 1748736000000, interval, q...)...)
	}
	return syms, backtest.Batches(bars, nil, nil)
}

// probe wraps the swing trader and, once it is warm, measures the allocations of its
// per-bar path: OnBars of a timestamp's bars (indicator updates), OnBar of each, and OnStep's
// scan when no symbol needs an order.
type probe struct {
	inner  *swing.Strategy
	n      int
	allocs float64
	bars   []backtest.Bar
}

func (p *probe) Start(br *backtest.Broker) error { return p.inner.Start(br) }
func (p *probe) OnBar(br *backtest.Broker, b backtest.Bar) error {
	return fmt.Errorf("the engine called OnBar (%s) of a BarsHandler", b.Symbol)
}
func (p *probe) OnBars(br *backtest.Broker, bars []backtest.Bar) error {
	p.bars = append(p.bars[:0], bars...)
	return p.inner.OnBars(br, bars)
}
func (p *probe) OnStep(br *backtest.Broker, t int64) error {
	if err := p.inner.OnStep(br, t); err != nil {
		return err
	}
	p.n++
	if p.n == 300 {
		// OnBars and OnBar of this step's bars again: the EMAs move, but a few hundred
		// updates with the same close cannot flip a trend that the OnStep below would act on,
		// since OnStep is called on a new step where no symbol had a bar.
		bars := p.bars
		p.allocs = testing.AllocsPerRun(100, func() { p.inner.OnBars(br, bars) })
		p.allocs += testing.AllocsPerRun(100, func() {
			for _, b := range bars {
				p.inner.OnBar(br, b)
			}
		})
		p.allocs += testing.AllocsPerRun(100, func() { p.inner.OnStep(br, t) })
	}
	return nil
}

func TestPerBarAllocs(t *testing.T) {
	syms, batches := walk(10, 400, 7)
	p := &probe{inner: swing.New().(*swing.Strategy)}
	src := backtest.NewSliceSource(syms, batches)
	cfg := backtest.Config{Setups: []backtest.Setup{{Name: "cross"}}, NoFundingFallback: true}
	res, err := backtest.Run(context.Background(), cfg, func() backtest.Strategy { return p }, src)
	if err != nil {
		t.Fatal(err)
	}
	if p.n < 300 {
		t.Fatalf("only %d steps", p.n)
	}
	if p.allocs != 0 {
		t.Errorf("swing allocates %v times per step without trading, want 0", p.allocs)
	}
	if len(res.Accounts[0].Fills) == 0 {
		t.Error("the random walk produced no trades: the probe tests nothing")
	}
}

// benchStrategies are the benchmarks' two strategies: one that does nothing, and the swing
// trader at its defaults.
var benchStrategies = []struct {
	name string
	new  func() backtest.Strategy
}{
	{"noop", func() backtest.Strategy {
		return backtest.StrategyFunc(func(*backtest.Broker, backtest.Bar) error { return nil })
	}},
	{"swing", swing.New},
}

// BenchmarkRun replays 10 symbols × 2000 hourly bars through isolated and cross with the swing
// trader and, for comparison, a strategy that does nothing; it reports bar-events per second
// per account.
func BenchmarkRun(b *testing.B) {
	syms, batches := walk(10, 2000, 1)
	events := float64(10 * 2000)
	for _, c := range benchStrategies {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				src := backtest.NewSliceSource(syms, batches)
				if _, err := backtest.Run(context.Background(), backtest.Config{NoFundingFallback: true}, c.new, src); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(events*2*float64(b.N)/b.Elapsed().Seconds()/2, "bar-events/s/account")
		})
	}
}

// BenchmarkMinutes replays 12 symbols × 20000 minute bars (0.1% moves, so trends flip about as
// rarely as on real 1m data) through isolated and cross with the swing trader at its defaults,
// and with a strategy that does nothing: the difference is the strategy's own per-bar cost
// plus its orders' path through the engine.
func BenchmarkMinutes(b *testing.B) {
	syms, batches := walkBy(12, 20000, 7, 60_000, 0.001)
	for _, c := range benchStrategies {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var orders int
			for b.Loop() {
				src := backtest.NewSliceSource(syms, batches)
				res, err := backtest.Run(context.Background(), backtest.Config{NoFundingFallback: true}, c.new, src)
				if err != nil {
					b.Fatal(err)
				}
				orders = len(res.Accounts[0].Fills) + len(res.Accounts[0].Rejects)
			}
			b.ReportMetric(float64(orders), "orders/account")
		})
	}
}

// BenchmarkOnBar measures OnBar alone (the EMA updates and the trend's bookkeeping) over 12
// symbols × 4096 minute bars, repeated: a strategy started in a one-bar run is fed the bars
// directly (OnBar does not use the broker). It reports the cost per bar.
func BenchmarkOnBar(b *testing.B) {
	syms, batches := walkBy(12, 4096, 3, 60_000, 0.001)
	var st backtest.Strategy
	src := backtest.NewSliceSource(syms, batches[:1])
	cfg := backtest.Config{Setups: []backtest.Setup{{Name: "cross"}}, NoFundingFallback: true}
	// solo: the strategy computes its own signals (a Run would hand it shared ones)
	if _, err := backtest.Run(context.Background(), cfg, func() backtest.Strategy { st = swing.New(); return solo{st.(*swing.Strategy)} }, src); err != nil {
		b.Fatal(err)
	}
	var bars []backtest.Bar
	for _, bt := range batches {
		bars = append(bars, bt.Bars...)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, bar := range bars {
			if err := st.OnBar(nil, bar); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(bars)), "ns/bar")
}

// BenchmarkOnBars is BenchmarkOnBar with the bars handed over a timestamp at a time, as the
// engine does: OnBars of each timestamp's 12 bars. It reports the cost per bar.
func BenchmarkOnBars(b *testing.B) {
	syms, batches := walkBy(12, 4096, 3, 60_000, 0.001)
	var st *swing.Strategy
	src := backtest.NewSliceSource(syms, batches[:1])
	cfg := backtest.Config{Setups: []backtest.Setup{{Name: "cross"}}, NoFundingFallback: true}
	if _, err := backtest.Run(context.Background(), cfg, func() backtest.Strategy { st = swing.New().(*swing.Strategy); return solo{st} }, src); err != nil {
		b.Fatal(err)
	}
	n := 0
	for _, bt := range batches {
		n += len(bt.Bars)
	}
	b.ReportAllocs()
	for b.Loop() {
		for k := range batches {
			if err := st.OnBars(nil, batches[k].Bars); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/bar")
}
