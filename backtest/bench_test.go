package backtest

import (
	"context"
	"fmt"
	"math"
	"syscall"
	"testing"
	"time"

	"github.com/bt-backtest/bt/backtest/margin"
)

// loopSource replays a fixed cycle of bars for n timestamps without allocating: it rewrites the
// times of one reused Batch.
type loopSource struct {
	symbols []string
	cycle   [][]Bar // per timestamp of the cycle, bars and marks are the same
	b       Batch
	k, n    int
}

func newLoopSource(nsym, n int) *loopSource {
	s := &loopSource{n: n}
	for i := range nsym {
		s.symbols = append(s.symbols, fmt.Sprintf("S%02dUSDT", i))
	}
	const cycle = 1000
	for k := range cycle {
		var bars []Bar
		for i, sym := range s.symbols {
			// a gentle oscillation on the 0.1 tick, bullish and bearish bars alternating
			c := math.Round((100+5*math.Sin(float64(k)/30+float64(i)))*10) / 10
			o := math.Round((100+5*math.Sin(float64(k-1)/30+float64(i)))*10) / 10
			bars = append(bars, Bar{Symbol: sym, ID: i, Open: o, High: math.Max(o, c) + 0.3, Low: math.Min(o, c) - 0.3, Close: c, Volume: 1})
		}
		s.cycle = append(s.cycle, bars)
	}
	s.b.Bars = make([]Bar, nsym)
	s.b.Marks = make([]Bar, nsym)
	return s
}

func (s *loopSource) Symbols() []string { return s.symbols }
func (s *loopSource) Err() error        { return nil }
func (s *loopSource) Batch() *Batch     { return &s.b }
func (s *loopSource) Next() bool {
	if s.k >= s.n {
		return false
	}
	t := t0 + int64(s.k)*hr
	s.b.Time = t
	copy(s.b.Bars, s.cycle[s.k%len(s.cycle)])
	copy(s.b.Marks, s.b.Bars)
	for i := range s.b.Bars {
		s.b.Bars[i].Time, s.b.Bars[i].End = t, t+hr
		s.b.Marks[i].Time, s.b.Marks[i].End, s.b.Marks[i].Volume = t, t+hr, 0
	}
	s.k++
	return true
}

// holder buys 0.5 of every symbol once and holds: positions stay open, so every bar marks,
// screens and values them.
type holder struct{ done []bool }

func (h *holder) OnBar(br *Broker, b Bar) error {
	if h.done == nil {
		h.done = make([]bool, len(br.Symbols()))
	}
	if !h.done[b.ID] {
		h.done[b.ID] = true
		br.Submit(Order{Symbol: b.Symbol, Side: Buy, Type: Market, Qty: d("0.5")})
	}
	return nil
}

// smaCross is a small realistic strategy: a 10/30 moving-average cross per symbol from
// Broker.Bars, trading in and out with attached stops.
type smaCross struct{}

func (smaCross) OnBar(br *Broker, b Bar) error {
	bars := br.Bars(b.Symbol, 30)
	if len(bars) < 30 {
		return nil
	}
	var fast, slow float64
	for k, x := range bars {
		slow += x.Close
		if k >= 20 {
			fast += x.Close
		}
	}
	fast, slow = fast/10, slow/30
	pos := br.Position(b.Symbol).Qty
	switch {
	case fast > slow && !pos.IsPositive():
		br.CancelAll(b.Symbol)
		q := d("0.5")
		if pos.IsNegative() {
			q = q.Add(pos.Abs())
		}
		br.Submit(Order{Symbol: b.Symbol, Side: Buy, Type: Market, Qty: q})
	case fast < slow && !pos.IsNegative():
		br.CancelAll(b.Symbol)
		q := d("0.5")
		if pos.IsPositive() {
			q = q.Add(pos)
		}
		br.Submit(Order{Symbol: b.Symbol, Side: Sell, Type: Market, Qty: q})
	}
	return nil
}

var benchSetups = [][]Setup{
	{{Name: "isolated", Mode: margin.Isolated}},
	{{Name: "isolated", Mode: margin.Isolated}, {Name: "cross", Mode: margin.Cross}},
	{{Name: "isolated", Mode: margin.Isolated}, {Name: "cross", Mode: margin.Cross},
		{Name: "mix", Mode: margin.Cross, Overrides: map[string]margin.Mode{"S00USDT": margin.Isolated}}},
}

// benchStrategies are the strategies of BenchmarkRun and BenchmarkAccounts: doing nothing,
// buying and holding every symbol, and a moving-average cross.
var benchStrategies = []struct {
	name string
	new  func() Strategy
}{
	{"noop", func() Strategy { return StrategyFunc(func(*Broker, Bar) error { return nil }) }},
	{"hold", func() Strategy { return &holder{} }},
	{"smacross", func() Strategy { return smaCross{} }},
}

// BenchmarkRun measures the loop's cost per timestamp (one op = one timestamp through every
// account) with a do-nothing strategy, a buy-and-hold strategy (positions open on every
// symbol) and a moving-average cross, for 1 and 15 symbols and 1–3 accounts, sequentially.
// bar-events/s counts one symbol's bar through one account as one event.
func BenchmarkRun(b *testing.B) {
	for _, st := range benchStrategies {
		for _, nsym := range []int{1, 15} {
			for _, setups := range benchSetups {
				b.Run(fmt.Sprintf("%s/sym=%d/acct=%d", st.name, nsym, len(setups)), func(b *testing.B) {
					benchRun(b, nsym, setups, false, st.new)
				})
			}
		}
	}
}

// BenchmarkRunParallel is BenchmarkRun's hold case with Config.Parallel.
func BenchmarkRunParallel(b *testing.B) {
	for _, nsym := range []int{1, 15} {
		setups := benchSetups[2]
		b.Run(fmt.Sprintf("hold/sym=%d/acct=%d", nsym, len(setups)), func(b *testing.B) {
			benchRun(b, nsym, setups, true, func() Strategy { return &holder{} })
		})
	}
}

var benchBook = margin.DefaultBook()

func benchRun(b *testing.B, nsym int, setups []Setup, parallel bool, newStrat func() Strategy) {
	src := newLoopSource(nsym, b.N)
	// the bracket book is parsed once, outside the timing: it is setup, not per-bar cost
	cfg := Config{Setups: setups, Parallel: parallel, Wallet: d("100000"), DefaultLeverage: 2, Book: benchBook,
		NoFundingFallback: true} // funding is ledger work every 8h, measured apart from the loop
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	res, err := Run(context.Background(), cfg, newStrat, src)
	if err != nil {
		b.Fatal(err)
	}
	cpu := cpuTime() - cpu0
	b.StopTimer()
	for _, a := range res.Accounts {
		if len(a.Liquidations) > 0 {
			b.Fatalf("%s liquidated", a.Name)
		}
	}
	ev := float64(b.N) * float64(nsym) * float64(len(setups))
	b.ReportMetric(ev/b.Elapsed().Seconds(), "bar-events/s")
	b.ReportMetric(b.Elapsed().Seconds()*1e9/ev, "ns/bar-event")
	// CPU time is steadier than wall time on a shared machine; with Parallel it sums the cores
	b.ReportMetric(cpu.Seconds()*1e9/ev, "cpu-ns/bar-event")
}

// cpuTime returns the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchInsts(symbols []string) []margin.Instrument {
	out := make([]margin.Instrument, len(symbols))
	for i, s := range symbols {
		out[i] = margin.DefaultInstrument(s, 100, time.UnixMilli(t0).UTC(), benchBook)
	}
	return out
}

// BenchmarkAccounts measures the cost of one more account: n accounts (isolated and cross
// alternating, leverage 2–5 by account, as a sweep runs them) on 12 symbols, one op = one
// timestamp through every account; ns/account/step is the op's time over n (cpu-ns: the
// process's CPU time, steadier on a shared machine). noop keeps every account flat; hold
// opens a position on every symbol at once and keeps it (every step marks, screens and
// probes 12 positions); smacross trades in and out and reads Broker.Bars.
func BenchmarkAccounts(b *testing.B) {
	for _, st := range benchStrategies {
		for _, n := range []int{2, 8, 32} {
			b.Run(fmt.Sprintf("%s/n=%d", st.name, n), func(b *testing.B) {
				var setups []Setup
				for k := range n {
					c := Config{Wallet: d("100000"), DefaultLeverage: 2 + k%4, Book: benchBook, NoFundingFallback: true}
					mode := margin.Isolated
					if k%2 == 1 {
						mode = margin.Cross
					}
					setups = append(setups, Setup{Name: fmt.Sprintf("a%d", k), Mode: mode, Config: &c})
				}
				src := newLoopSource(12, b.N)
				cfg := Config{Setups: setups, Wallet: d("100000"), Book: benchBook, NoFundingFallback: true}
				b.ReportAllocs()
				b.ResetTimer()
				cpu0 := cpuTime()
				if _, err := Run(context.Background(), cfg, st.new, src); err != nil {
					b.Fatal(err)
				}
				cpu := cpuTime() - cpu0
				b.StopTimer()
				steps := float64(b.N) * float64(n)
				b.ReportMetric(b.Elapsed().Seconds()*1e9/steps, "ns/account/step")
				b.ReportMetric(cpu.Seconds()*1e9/steps, "cpu-ns/account/step")
			})
		}
	}
}
