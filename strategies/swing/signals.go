package swing

import (
	"math/bits"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/strategies/indicator"
)

// The swing trader's signals depend on the bars and on four settings only, not on the account:
// a symbol is acted on at a bar exactly when its desired side changed there (OnStep makes the
// side last acted on the desired one for every symbol it is due on, so the two differ at a
// bar only when the desired side has just changed). In a sweep that varies leverage, size or
// margin mode every account would compute the same EMAs and the same flips, so the trader is
// a backtest.SignalSharer: the run's strategies with equal settings share one signals, which
// the engine prepares once per batch before the accounts step (BENCHMARKS.md, "Per-account
// cost").

// sigKey is what the signals depend on besides the bars: the EMA periods, whether shorts are
// wanted, and which of the run's symbols are traded ('1' or '0' per symbol, in symbol order).
// The size is not part of it: it sizes the orders, not the signals.
type sigKey struct {
	fast, slow int
	short      bool
	traded     string
}

// signals is the EMAs and the flips of the accounts of one sigKey, computed once per batch:
// the same code (markDue) over the same bars as each account's OnBars, followed by what each
// account's OnStep does to the sides (the side acted on becomes the desired one).
type signals struct {
	short bool
	sym   []symState // by symbol ID: the EMAs, the last close and the desired and acted-on sides
	due   []uint64   // markDue's scratch, cleared after each batch
	// the flips of the last prepared batches: batch j's are flips[off[j]:off[j+1]], in
	// symbol order
	off   []int32
	flips []flip
}

// flip is a symbol whose desired side changed at a bar: the side (want) and the bar's close.
type flip struct {
	close float64
	id    int32
	want  int8
}

// SignalKey names the trader's signals (backtest.SignalSharer): the run's swing traders with
// the same fast and slow periods, short setting and traded symbols share them. It is nil
// before Start.
func (s *Strategy) SignalKey() any {
	if s.sym == nil {
		return nil
	}
	return s.key
}

// NewSignals returns the signals of the trader's settings, as they are before the first bar
// (backtest.SignalSharer).
func (s *Strategy) NewSignals() backtest.Signals {
	g := &signals{short: s.key.short, sym: make([]symState, len(s.sym)), due: make([]uint64, len(s.due))}
	for i := range g.sym {
		if g.sym[i].traded = s.key.traded[i] == '1'; g.sym[i].traded {
			g.sym[i].ema = *indicator.NewEMAPair(s.key.fast, s.key.slow)
		}
	}
	return g
}

// UseSignals makes the trader read its flips from g, which the engine prepares, instead of
// computing them in OnBars (backtest.SignalSharer). A g that NewSignals did not make is
// ignored: the trader then computes its own.
func (s *Strategy) UseSignals(g backtest.Signals) { s.sig, _ = g.(*signals) }

// Prepare computes the flips of each batch of bs (backtest.Signals): the symbols that OnBars
// would mark due at that batch, in symbol order, with the desired side and the bar's close.
func (g *signals) Prepare(bs []backtest.Batch) {
	g.off, g.flips = g.off[:0], g.flips[:0]
	for j := range bs {
		g.off = append(g.off, int32(len(g.flips)))
		markDue(g.sym, g.due, g.short, bs[j].Bars)
		for k, w := range g.due {
			if w == 0 {
				continue
			}
			g.due[k] = 0
			for ; w != 0; w &= w - 1 {
				i := k*64 + bits.TrailingZeros64(w)
				st := &g.sym[i]
				st.side = st.want
				g.flips = append(g.flips, flip{close: st.last, id: int32(i), want: st.want})
			}
		}
	}
	g.off = append(g.off, int32(len(g.flips)))
}

// Idle reports that batch j of the last Prepare flipped no symbol (backtest.IdleSignals): the
// trader's OnBars (which does nothing with shared signals) and OnStep (which acts on the
// flips) have nothing to do there, so the engine does not call them.
func (g *signals) Idle(j int) bool { return g.off[j] == g.off[j+1] }

var _ backtest.IdleSignals = (*signals)(nil)
