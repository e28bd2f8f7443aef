package backtest

import (
	"testing"
)

// BenchmarkStep measures one account's step alone (no source, no reader): 1 symbol, no
// strategy work.
func BenchmarkStep(b *testing.B) {
	for _, nsym := range []int{1, 15} {
		b.Run(map[int]string{1: "sym=1", 15: "sym=15"}[nsym], func(b *testing.B) {
			src := newLoopSource(nsym, 1<<62)
			cfg := Config{Wallet: d("100000"), DefaultLeverage: 2, Book: benchBook, NoFundingFallback: true}.withDefaults()
			sched := make(schedule, nsym)
			for i, in := range benchInsts(src.symbols) {
				sched[i] = []era{{inst: in, brk: in.Brackets.Float(), maker: d("0.0002"), taker: d("0.0005")}}
			}
			pv := newPaths(len(src.symbols))
			hist := newHistory(nsym, cfg.History)
			a, err := newAccount(&cfg, src.symbols, sched, hist, Setup{Name: "cross"}, StrategyFunc(func(*Broker, Bar) error { return nil }))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				src.Next()
				hist.push(src.Batch()) // the engine's, once per run, not per account
				a.step(src.Batch(), pv.one(src.Batch()))
				if len(a.res.Equity) > 1<<16 {
					a.res.Equity = a.res.Equity[:0]
				}
			}
		})
	}
}
