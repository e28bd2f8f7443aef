package swing

import (
	"fmt"
	"math/bits"
	"slices"
	"strings"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/strategies/indicator"
	"github.com/bt-backtest/bt/strategies/internal/sizing"
	"github.com/bt-backtest/bt/strategies/param"
	"github.com/shopspring/decimal"
)

// Name is the strategy's registry name.
const Name = "swing"

// Summary is the one-line description the CLI prints.
const Summary = "trend-following swing trader over several correlated altcoins (EMA cross, fixed margin fraction)"

// Parameters.
var (
	ParamSymbols = param.Spec{Name: "symbols", Default: "", Doc: "comma-separated symbols to trade; empty: every symbol of the data"}
	ParamFast    = param.Spec{Name: "fast", Default: "72", Doc: "fast EMA period in bars"}
	ParamSlow    = param.Spec{Name: "slow", Default: "288", Doc: "slow EMA period in bars (> fast)"}
	ParamSize    = param.Spec{Name: "size", Default: "0.05", Doc: "initial margin per position as a fraction of equity at entry (0, 1]"}
	ParamShort   = param.Spec{Name: "short", Default: "true", Doc: "also hold shorts when the fast EMA is below the slow one"}
)

// Params lists the parameters with their defaults.
var Params = []param.Spec{ParamSymbols, ParamFast, ParamSlow, ParamSize, ParamShort}

// Strategy is the swing trader. Use New; one instance runs per account.
//
// It shares its signals with the run's other swing traders of the same settings
// (backtest.SignalSharer), and the engine calls it only at timestamps where a trend flipped
// (backtest.IdleSignals). A type that embeds *Strategy inherits both: if it does work of its
// own in OnBars or OnStep at every timestamp, give it a SignalKey method that returns nil (the
// trader then computes its own signals and is called at every timestamp).
type Strategy struct {
	size  float64
	short bool

	syms []string
	sym  []symState // by symbol ID: the per-bar state, one compact record per symbol
	// due marks the symbols (bit i%64 of word i/64) that had a bar at this step and whose
	// desired side differs from the side last acted on: OnStep acts on exactly these, in
	// symbol order, and clears them.
	due []uint64
	// The instrument's filters as last read (at Start, then at each entry: they are dated,
	// and an entry is sized and screened on those in force at its bar).
	qstep   []decimal.Decimal // quantity step of the symbol's instrument
	minNotD []decimal.Decimal // minimum notional of an entry, as the instrument gives it
	minNot  []float64         // minNotD as a float, for the comparison with the notional

	key sigKey   // what the signals depend on besides the bars (SignalKey)
	sig *signals // the signals shared with the run's other accounts of key; nil: computed here
}

// symState is what OnBars reads and writes for one symbol, kept together (64 bytes) so that a
// bar touches one cache line of the strategy.
type symState struct {
	ema    indicator.EMAPair // the fast and the slow EMA of the closes
	last   float64           // last close
	want   int8              // desired side at the last close: +1, −1, 0
	side   int8              // side last acted on
	traded bool
}

// New returns a swing trader; its parameters are read in Start.
func New() backtest.Strategy { return &Strategy{} }

// Start reads the parameters and allocates the state. The strategy trades at the account's
// leverage of each symbol, read when it sizes an entry.
func (s *Strategy) Start(br *backtest.Broker) error {
	r := param.NewReader(Name, br.Param)
	list := r.List(ParamSymbols)
	fast := r.Int(ParamFast, 1, 100000)
	slow := r.Int(ParamSlow, 2, 100000)
	r.Check(fast < slow, ParamFast, fmt.Sprint(fast), fmt.Sprintf("must be below slow (%d)", slow))
	s.size = r.Float(ParamSize, 1e-9, 1)
	s.short = r.Bool(ParamShort)
	if err := r.Err(); err != nil {
		return err
	}
	s.syms = br.Symbols()
	n := len(s.syms)
	s.sym = make([]symState, n)
	if len(list) == 0 {
		for i := range s.sym {
			s.sym[i].traded = true
		}
	}
	for _, name := range list {
		i := slices.Index(s.syms, name)
		if i < 0 {
			return &param.Error{Strategy: Name, Name: ParamSymbols.Name, Value: name, Reason: "not in the data (its symbols: " + strings.Join(s.syms, ", ") + ")"}
		}
		s.sym[i].traded = true
	}
	traded := make([]byte, n)
	for i := range s.sym {
		traded[i] = '0'
		if s.sym[i].traded {
			traded[i] = '1'
		}
	}
	s.key = sigKey{fast: fast, slow: slow, short: s.short, traded: string(traded)}
	s.sig = nil
	s.due = make([]uint64, (n+63)/64)
	s.qstep = make([]decimal.Decimal, n)
	s.minNot = make([]float64, n)
	s.minNotD = make([]decimal.Decimal, n)
	for i := range s.sym {
		st := &s.sym[i]
		if !st.traded {
			continue
		}
		s.filters(br, i)
		st.ema = *indicator.NewEMAPair(fast, slow)
	}
	return nil
}

// OnBar is OnBars with the one bar b. The engine calls OnBars instead (the strategy is a
// backtest.BarsHandler); OnBar makes it a backtest.Strategy and serves a caller that hands
// it bars one by one.
func (s *Strategy) OnBar(br *backtest.Broker, b backtest.Bar) error {
	return s.OnBars(br, []backtest.Bar{b})
}

// OnBars updates, for each bar of a timestamp in turn, the symbol's EMAs with the bar's close
// and marks the symbol due when its desired side differs from the side last acted on. The
// mark is only set here, and only written when it is not set yet: OnStep, which the engine
// calls after the bars of every timestamp, clears it and makes the side the wanted one, and a
// timestamp has at most one bar per symbol, so in a run the bit is written at flips only. The
// pair's Seeded, Next and Seed are inlined into markDue, which calls nothing and reads the
// engine's bars in place (one call per timestamp instead of one per symbol, each copying a
// 72-byte Bar). With shared signals (UseSignals) OnBars does nothing: the engine has computed
// the timestamp's flips once for every account of the same settings, and OnStep reads them.
func (s *Strategy) OnBars(_ *backtest.Broker, bars []backtest.Bar) error {
	if s.sig != nil {
		return nil // the shared signals have done it (Prepare); OnStep reads them
	}
	markDue(s.sym, s.due, s.short, bars)
	return nil
}

// markDue is OnBars' work on sym and due: for each bar in turn, the symbol's EMAs take the
// bar's close, and the symbol is marked due when its desired side differs from the side last
// acted on. The shared signals (signals.Prepare) run the same code.
func markDue(sym []symState, due []uint64, short bool, bars []backtest.Bar) {
	for k := range bars {
		b := &bars[k]
		i := b.ID
		if uint(i) >= uint(len(sym)) {
			continue
		}
		st := &sym[i]
		if !st.traded {
			continue
		}
		var f, w float64
		if st.ema.Seeded() {
			f, w = st.ema.Next(b.Close)
		} else {
			var ok bool
			if f, w, ok = st.ema.Seed(b.Close); !ok {
				st.last = b.Close
				continue // want stays 0 while the EMAs seed, as does side
			}
		}
		st.last = b.Close
		want := signal(f, w, short)
		st.want = want
		if want != st.side {
			if word, bit := &due[uint(i)/64], uint64(1)<<(uint(i)%64); *word&bit == 0 {
				*word |= bit
			}
		}
	}
}

// signal is the desired side: +1 when fast > slow, −1 when fast < slow and shorts are allowed,
// else 0. Equal EMAs mean no trend.
func signal(fast, slow float64, short bool) int8 {
	switch {
	case fast > slow:
		return 1
	case fast < slow && short:
		return -1
	}
	return 0
}

// OnStep acts on every traded symbol that had a bar at this timestamp and whose trend flipped
// (the symbols OnBars marked due), in symbol order.
func (s *Strategy) OnStep(br *backtest.Broker, t int64) error {
	if g := s.sig; g != nil {
		// the shared signals' flips at this batch, in symbol order: exactly the symbols that
		// OnBars would have marked due (see signals); at most timestamps there are none
		j := br.BatchIndex()
		if lo, hi := g.off[j], g.off[j+1]; lo != hi {
			s.act(br, g.flips[lo:hi])
		}
		return nil
	}
	var equity float64
	for k, w := range s.due {
		if w == 0 {
			continue
		}
		s.due[k] = 0
		for ; w != 0; w &= w - 1 {
			if equity == 0 {
				equity = br.Equity()
			}
			s.rebalance(br, k*64+bits.TrailingZeros64(w), equity)
		}
	}
	return nil
}

// act rebalances the symbols of flips (the shared signals' flips of a timestamp, in symbol
// order) as OnStep does its due symbols.
func (s *Strategy) act(br *backtest.Broker, flips []flip) {
	var equity float64
	for _, f := range flips {
		if equity == 0 {
			equity = br.Equity()
		}
		st := &s.sym[f.id]
		st.want, st.last = f.want, f.close
		s.rebalance(br, int(f.id), equity)
	}
}

// filters reads symbol i's step and minimum notional in force at this step (the exchange's
// filters are dated: BTCUSDT's minimum notional went from 5 to 100 USDT on 2024-01-01), and
// converts the minimum to a float only when it changed.
func (s *Strategy) filters(br *backtest.Broker, i int) {
	inst, _ := br.Instrument(s.syms[i])
	s.qstep[i] = inst.StepSize
	if !inst.MinNotional.Equal(s.minNotD[i]) {
		s.minNotD[i], s.minNot[i] = inst.MinNotional, inst.MinNotional.InexactFloat64()
	}
}

// rebalance moves symbol i from its held side to its wanted side (s.sym[i].side, .want).
func (s *Strategy) rebalance(br *backtest.Broker, i int, equity float64) {
	sym := s.syms[i]
	st := &s.sym[i]
	want := st.want
	st.side = want
	pos := br.Position(sym)
	if q := pos.Qty.Sign(); q != 0 && int8(q) != want {
		side := backtest.Sell
		if q < 0 {
			side = backtest.Buy
		}
		// A rejection is recorded by the engine; the next flip tries again.
		_, _ = br.Submit(backtest.Order{Symbol: sym, Side: side, Type: backtest.Market, Qty: pos.Qty.Abs(), ReduceOnly: true, Tag: "swing exit"})
	} else if q != 0 {
		return // already on the wanted side
	}
	if want == 0 || equity <= 0 {
		return
	}
	// pos's leverage is the account's: the exit above changed no leverage (it fills later)
	notional := s.size * equity * float64(pos.Leverage)
	s.filters(br, i)
	if notional < s.minNot[i] {
		return // too small to trade: the exchange would refuse it (see the package doc)
	}
	qty := sizing.Qty(notional, st.last, s.qstep[i])
	if qty.Sign() <= 0 {
		return
	}
	side := backtest.Buy
	if want < 0 {
		side = backtest.Sell
	}
	_, _ = br.Submit(backtest.Order{Symbol: sym, Side: side, Type: backtest.Market, Qty: qty, Tag: "swing entry"})
}
