package backtest

import (
	"fmt"
	"math"
	"sync/atomic"

	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/bt-backtest/bt/internal/exact"
	"github.com/shopspring/decimal"
)

// order is an open order of one account.
type order struct {
	Order
	id       OrderID
	sym      int
	fresh    bool            // submitted since the last bar: arrives at the symbol's next open
	since    int64           // timestamp from which it is in the book (it does not trade the gap before)
	attached bool            // stop-loss/take-profit child of an entry; cancelled when the position is flat
	oco      OrderID         // sibling cancelled when this one fills; 0: none
	decision Decision        // the strategy's decision that placed it (zero for the engine's own children)
	rising   bool            // stop/TP: triggers when the price rises to the level (else falls to it)
	level    float64         // trigger (stops) or limit price (limits), for screening
	sellQty  decimal.Decimal // Qty.Neg() of a sell placed by Submit (zero Decimal: not computed)
	// Qty's coefficient and exponent as Submit read them (exact.Coef), when qok: openOrderIM
	// takes them instead of reading Qty again
	qc  int64
	qe  int32
	qok bool
}

// equityBlock is the number of equity points per block of the curve; sinkBlock per block
// handed to an EquityBlockSink (10 KB per account, reused).
const (
	equityBlock = 4096
	sinkBlock   = 128
)

// symState is one account's view of one symbol. The fields every step reads (the brackets,
// the position's float shadow) come first, so that they share a few cache lines; the rules and
// fees, read at events only, come last. The market view of the current timestamp (paths,
// marks, whether the symbol moves) is the step's pathView.sym[id], shared by the run's
// accounts, and the mark in force the ledger's (margin.Account.Mark).
type symState struct {
	brk margin.FloatTable

	// the symbol's one-way position, or its LONG leg in hedge mode (the SHORT leg is in
	// account.shorts)
	posState

	id           int // the symbol's index (in account.syms and the step's pathView.sym)
	inst         margin.Instrument
	maker, taker decimal.Decimal // trading fee rates in force

	// the strategy's orders on the symbol placed at placedT so far (Decision.Seq)
	placedT int64
	placedN int

	px pxMemo // the order path's last float-to-decimal conversions of the symbol's prices
}

// posState is one position's view: a symbol's one-way position or one leg of it in hedge mode.
// The figures every probe reads and writes come first.
type posState struct {
	side margin.PositionSide // Both (one-way), Long or Short (hedge)

	// float shadow of the ledger, refreshed after every ledger event of the position
	isolated bool
	// bRise: the position is short and its cached bracket (bMMR, bCum below) has MMR <= 1 and
	// cum >= 0, so that its isolated margin ratio is highest at its highest mark where the
	// maintenance margin is >= 0 there (pathIsolated); set with the bracket
	bRise                 bool
	qty, entry, isoWallet float64
	liq                   float64 // isolated: cached liquidation price, NaN none
	// isoFar's thresholds for liquidation price fLP and closest distance fD (isoThresholds)
	fLP, fD, fAbove, fBelow float64

	// constants of the position between ledger events (refreshLeg): |qty|, and qty × entry as
	// margin.LiquidationPriceFloat computes it (side·Q·EP)
	aq, qe float64
	// the maintenance bracket last found for the position's notional (maintenance): the
	// notional n is in it while lo <= n < hi, and then FloatTable.For finds it; mmr, cum and
	// den (the liquidation formula's denominator Q·MMR − side·Q) are its figures. Reset by
	// refreshLeg (NaN bounds: no notional is in them).
	bLo, bHi, bMMR, bCum, bDen float64
	// the bracket crossLiqAt last found for a cross liquidation price's notional when it is not
	// the mark's (LiquidationPriceFloat's second bracket): [lLo, lHi), cum and denominator;
	// reset with the mark's
	lLo, lHi, lCum, lDen float64
	// crossFar's constants: fK = 4·(|qe| + the table's highest cum), set with the mark's
	// bracket (NaN when the table's highest MMR is above 1 − 2⁻¹⁰: no bound), and the bracket
	// last found for a notional a distance away, [fLo, fHi) and its MMR (reset with the mark's)
	fK, fLo, fHi, fMMR float64
	// a cross trade's window (setCrossWin): while every mark of the step is in [xLo, xHi], the
	// trade's closest distance is xD and the last-price path's inner points p have xPS·p >= xP
	// (xPS = 1 for a long, −1 for a short: p in [xP, +Inf] or [−Inf, −xP]), crossFar's f is at
	// most xF and closeQuiet says yes, when the step's sums meet the account's references (xSC,
	// xDH), and crossFar's too with a surplus of at least xR. NaN xLo: none (reset with the
	// mark's bracket). xOut: pathCross found the step outside it
	xLo, xHi, xD, xPS, xP, xF, xR float64
	xOut                          bool

	// probe's figures at the probed marks (its own, so that record's stay record's)
	probeMM, probeU float64
	// a cross position's liquidation price probed at the close marks (probe(3)), which record
	// reuses when account.liqProbed (probePath may leave it stale for a trade it need not price,
	// when record does not read it: account.liqClosed)
	closeLP float64
	// record's figures at the close mark, kept for crossLiq: maintenance margin, uPnL
	closeMM, closeU float64

	lev int

	// the decision of the order being filled (for the trade it opens)
	fillDecision Decision

	tr tradeState
}

// tradeState accumulates the round trip in progress on one symbol (trackFill). Its sums are
// exact.Fix values (int64 coefficients, 16 bytes each) while every step of every fill fits;
// from the first fill whose step does not, until the trade closes, they are the exact.Of Nums
// in nums (which fall back to Decimal arithmetic). Both give each sum the value and exponent
// of the Decimal expression. t.Fees and t.Qty are set from fees and qty when the trade closes.
type tradeState struct {
	open bool
	t    Trade
	tradeSums[exact.Fix]
	nums *tradeSums[exact.Num] // the sums when not nil (the Fix ones are then void)
	// the fill's own Decimal when qty is one fill's quantity, value and exponent (a position
	// opened by one fill): closeTrade reports it instead of making it again
	qtyDec    decimal.Decimal
	qtyShared bool
}

// tradeSums are a round trip's sums of its fills: quantities, notionals (quantity × price),
// realized PnL and fees, and the largest quantity held.
type tradeSums[N exact.Fix | exact.Num] struct {
	entryQty, entryNotional N
	exitQty, exitNotional   N
	realized, fees          N
	qty                     N // the largest quantity held
}

// account is one margin setup's replay: its ledger, strategy, orders and records. Nothing in it
// is shared with another account, except the read-only config and symbol list.
type account struct {
	cfg     *Config
	symbols []string
	symIdx  map[string]int // index of symbols, made at the Broker's first miss (Broker.sym)
	setup   Setup
	acct    *margin.Account
	strat   Strategy
	br      Broker

	onStep    StepHandler
	onBars    BarsHandler // nil: OnBar per bar
	onFill    FillHandler
	onLiq     LiquidationHandler
	onFunding FundingHandler
	onReject  RejectHandler

	syms   []symState
	orders []order
	hist   *history // the run's recent bars, shared by its accounts (read-only in step)
	// hedge position mode: shorts[i] is symbol i's SHORT leg (syms[i] holds the LONG leg);
	// nil in one-way mode
	shorts []posState

	// the exchange rules by date (shared, read-only), the era each symbol is in, and the
	// time of the next change
	sched     schedule
	eraAt     []int
	nextRules int64

	nextID OrderID
	res    AccountResult
	// row is the index of the batch being stepped within the engine's last Signals.Prepare
	// (Broker.BatchIndex); set by the engine before each step
	row int
	// sg is the shared signals' group of the account's strategy when they can be idle
	// (IdleSignals): the strategy is not called at a batch where sg.idle[row]
	sg *sigGroup
	// arrive's open-order margin updates held back (see arrive): ooDefer while arrive may hold
	// one, ooHeld when symbol ooSym's update after a fill is pending; imMinExp is the least
	// exponent of the margins updateOpenOrders has set (0 until a non-zero one)
	ooDefer, ooHeld bool
	ooSym           int
	imMinExp        int32

	now, end         int64
	nOpen            int
	crossWallet      float64
	isoTotal         float64 // the isolated wallets' sum in symbol order (refreshWallet)
	isoDirty         bool    // an isolated wallet changed since isoTotal was summed
	peak             float64
	ruinWallet       float64 // flat with less than this: cannot open the minimum order
	stopped          bool
	liquidated       bool
	walletDirty      bool
	slipUp, slipDown decimal.Decimal

	// the equity curve, in fixed blocks: no regrowth copies while streaming; joined at the end
	eqBlocks [][]EquityPoint
	eqBlock  []EquityPoint
	// with Config.Equity: the sink, the point not yet handed to it (a later funding-only
	// timestamp at the same close may still replace it) and the sink's first error
	sink    EquitySink
	bsink   EquityBlockSink // sink, when it takes blocks: the points go through eqBlock
	pending EquityPoint
	hasPend bool
	sinkErr error
	// with Config.Records: the record sink and the streamed fingerprint (records.go)
	recs *recordStream

	// barPeak is the highest margin ratio the account reached along the intrabar path of the
	// step in progress (probe; 1 at a liquidation): record puts it in the equity point
	barPeak float64
	// gen counts the changes of what probe reads (positions, wallets, marks set between
	// vertices): a probe at the same marks and the same gen finds the same figures
	gen uint64
	// probedClose: probe has just computed every open position's maintenance margin and
	// uPnL at the close marks (probeMM, probeU), which record then reuses
	probedClose bool
	// liqProbed: probe(3) has just computed every open cross trade's liquidation price at the
	// close marks (closeLP), which record then reuses
	liqProbed bool
	// pathRisk: probePath's sums at the close marks (recordOneWay's), valid when pathRiskOK
	pathRisk   margin.FloatRisk
	pathRiskOK bool
	// liqClosed: with pathRiskOK, probePath has also taken every open trade's close figures of
	// recordLiqOneWay (closeLiq), which record then skips
	liqClosed bool
	// for an account whose open positions are all cross: the references every cross trade's
	// window was set with (setCrossWin), and the steps in a row whose sums failed them; the
	// highest cross ratio of the probePath steps that left it to flushPeak, when xPeakDue
	// (xSlow: pathCross's trades outside their windows)
	xSC, xDH, xPeak float64
	xFails          int
	xPeakDue        bool
	xSlow           []int

	// the symbols with an open position (either leg in hedge mode), ascending: the loops over
	// positions visit only them, in symbol order (so sums keep their order); rebuilt when
	// openDirty (a position opened or closed)
	open      []int
	openDirty bool
	// openIso: how many of them are isolated (one-way: a symbol's position), counted with open
	// (a position's margin mode changing while it stays open sets openDirty too)
	openIso int

	// each position's liquidation price at ledger events (AccountResult.LiqPrices)
	liqs liqLine

	// the marks at the ends of the segment in progress, by symbol (NaN: not moving): rows of
	// the step's pathView (read-only), or toOwn where the account sets them itself
	from, to []float64
	pv       *pathView // the step's mark paths, shared by the run's accounts (read-only)
	// closed is 1 from the step's close marks on (the step's klines are stepped past: pv's
	// last[1] and seen[1]), 0 before (last[0], seen[0])
	closed int
	// scratch, reused every timestamp
	fromS, toOwn []float64
	liqBox       liqBox // the bar's mark ranges and whether liquidation is out of them (exec.go)
	ids          []OrderID
	liqBuf       []margin.Liquidation
}

func newAccount(cfg *Config, symbols []string, sched schedule, hist *history, setup Setup, strat Strategy) (*account, error) {
	insts := sched.first()
	acct, err := margin.NewAccount(margin.Config{Wallet: cfg.Wallet, Instruments: insts, AutoAddMargin: cfg.AutoAddMargin,
		PositionMode: cfg.PositionMode})
	if err != nil {
		return nil, fmt.Errorf("backtest: account %s: %w", setup.Name, err)
	}
	n := len(symbols)
	a := &account{
		cfg: cfg, symbols: symbols, setup: setup, acct: acct, strat: strat, hist: hist,
		sched: sched, eraAt: make([]int, n),
		syms:  make([]symState, n),
		fromS: make([]float64, n),
		toOwn: make([]float64, n),
		open:  make([]int, 0, n),
		pv:    newPaths(n).one(&Batch{}), // before the first step: nothing moves, no mark
	}
	bps := decimal.NewFromFloat(cfg.SlippageBps).Div(decimal.NewFromInt(10000))
	a.slipUp, a.slipDown = decimal.NewFromInt(1).Add(bps), decimal.NewFromInt(1).Sub(bps)
	a.br.a = a
	a.onStep, _ = strat.(StepHandler)
	a.onBars, _ = strat.(BarsHandler)
	a.onFill, _ = strat.(FillHandler)
	a.onLiq, _ = strat.(LiquidationHandler)
	a.onFunding, _ = strat.(FundingHandler)
	a.onReject, _ = strat.(RejectHandler)
	a.res.Name = setup.Name
	a.res.Modes = make(map[string]margin.Mode, n)
	for i, sym := range symbols {
		s := &a.syms[i]
		s.id = i
		s.inst = insts[i]
		s.brk = sched[i][0].brk
		a.setFees(i, &sched[i][0])
		s.liq = math.NaN()
		if cfg.PositionMode == margin.Hedge {
			s.side = margin.Long
		}
		mode := setup.modeOf(sym)
		a.res.Modes[sym] = mode
		if err := acct.SetMode(i, mode); err != nil {
			return nil, fmt.Errorf("backtest: account %s: %s: %w", setup.Name, sym, err)
		}
		if err := acct.SetLeverage(i, cfg.leverageOf(sym)); err != nil {
			return nil, fmt.Errorf("%w: account %s: %s leverage %d: %w", ErrBadConfig, setup.Name, sym, cfg.leverageOf(sym), err)
		}
	}
	a.setLegs()
	a.refreshWallet()
	a.refreshRuin()
	a.peak = a.acct.Equity()
	a.nextRules = a.nextChange()
	return a, nil
}

// setLegs lays the position states out for the ledger's position mode (all flat: at the start
// or after a position-mode change): one per symbol in one-way mode, a LONG (in syms) and a
// SHORT leg (in shorts) per symbol in hedge mode.
func (a *account) setLegs() {
	side := margin.Both
	a.shorts = nil
	a.openDirty = true
	if a.acct.PositionMode() == margin.Hedge {
		side = margin.Long
		a.shorts = make([]posState, len(a.syms))
		for i := range a.shorts {
			a.shorts[i] = posState{side: margin.Short, liq: math.NaN()}
		}
	}
	for i := range a.syms {
		a.syms[i].side = side
		a.refreshSym(i)
	}
}

// leg returns symbol i's position state on side ps (Short: the SHORT leg in hedge mode; else
// the one-way position or LONG leg).
func (a *account) leg(i int, ps margin.PositionSide) *posState {
	if ps == margin.Short && a.shorts != nil {
		return &a.shorts[i]
	}
	return &a.syms[i].posState
}

// openSyms returns the symbols with an open position (either leg), ascending.
func (a *account) openSyms() []int {
	if a.openDirty {
		a.open, a.openIso = a.open[:0], 0
		for i := range a.syms {
			if a.syms[i].qty != 0 || a.shorts != nil && a.shorts[i].qty != 0 {
				a.open = append(a.open, i)
				if a.syms[i].qty != 0 && a.syms[i].isolated {
					a.openIso++
				}
			}
		}
		a.openDirty = false
	}
	return a.open
}

// refreshSym reloads the float shadow of symbol i (both legs in hedge mode) from the ledger.
func (a *account) refreshSym(i int) {
	a.refreshLeg(i, &a.syms[i].posState)
	if a.shorts != nil {
		a.refreshLeg(i, &a.shorts[i])
	}
}

// refreshLeg reloads the float shadow of position s of symbol i from the ledger.
func (a *account) refreshLeg(i int, s *posState) {
	a.flushPeak()
	a.gen++
	wasOpen := s.qty != 0
	// the ledger's own float shadows of the quantity, the isolated wallet, the entry and the
	// isolated liquidation price (no Decimal made): InexactFloat64's values and margin.Float64's
	// of LegLiquidationPrice's price (checkLegFloats compares them)
	l := a.acct.Leg(i, s.side)
	if checkLegFloats {
		checkLeg(a.acct, i, s.side, l)
	}
	s.qty = l.Qty
	s.entry = l.Entry
	if math.Float64bits(l.IsolatedWallet) != math.Float64bits(s.isoWallet) {
		a.isoDirty = true // refreshWallet sums the isolated wallets again
	}
	s.isoWallet = l.IsolatedWallet
	if iso := l.Mode == margin.Isolated; iso != s.isolated {
		s.isolated = iso
		a.openDirty = true // (openIso; probe)
	}
	s.lev = l.Leverage
	if l.Flat {
		s.qty = 0
	}
	switch {
	case wasOpen && s.qty == 0:
		a.nOpen--
		a.openDirty = true
	case !wasOpen && s.qty != 0:
		a.nOpen++
		a.openDirty = true
	}
	s.aq = math.Abs(s.qty)
	side := margin.Buy
	if s.qty < 0 {
		side = margin.Sell
	}
	s.qe = float64(float64(side)*s.aq) * s.entry
	s.bLo, s.bHi = math.NaN(), math.NaN()
	s.lLo, s.lHi = math.NaN(), math.NaN()
	s.fLo, s.fHi = math.NaN(), math.NaN()
	s.xLo = math.NaN()
	s.liq = math.NaN()
	if s.qty != 0 && s.isolated && l.LiqOK {
		s.liq = l.Liq
	}
	a.noteLiq(i, s)
}

// refreshWallet reloads the float wallet shadows from the ledger.
// Call it after refreshSym of every symbol whose isolated wallet changed.
func (a *account) refreshWallet() {
	a.gen++
	// Wallet().InexactFloat64() without the Decimal; the isolated wallets summed again only
	// when one changed since the last sum (else the same sum)
	a.crossWallet = a.acct.WalletFloat()
	if a.isoDirty {
		a.isoDirty = false
		a.isoTotal = a.isoSum()
	}
	if checkLegFloats {
		checkWallet(a)
	}
}

// isoSum is the isolated wallets' float shadows summed in symbol order (a symbol's LONG leg
// before its SHORT leg).
func (a *account) isoSum() float64 {
	t := 0.0
	for i := range a.syms {
		t += a.syms[i].isoWallet
		if a.shorts != nil {
			t += a.shorts[i].isoWallet
		}
	}
	return t
}

// refreshRuin recomputes the wallet below which a flat account cannot open any order.
func (a *account) refreshRuin() {
	a.ruinWallet = math.Inf(1)
	for i := range a.syms {
		s := &a.syms[i]
		lev := s.lev
		if lev < 1 {
			lev = 1
		}
		w := a.syms[i].inst.MinNotional.InexactFloat64() / float64(lev)
		if w < a.ruinWallet {
			a.ruinWallet = w
		}
	}
}

// alwaysOpenMarks sets the open marks at every step, quiet or flat ones included, as step did
// before openMarks was skipped where nothing reads them: TestSkippedOpenMarksChangeNothing
// compares both ways (tests only).
var alwaysOpenMarks = false

// exhaustiveProbes turns off the probes skipped because they would find the same figures
// (the open probed again with nothing changed; record recomputing probe's figures at the
// close): TestSkippedProbesChangeNothing compares both ways.
var exhaustiveProbes = false

// barPath returns the four points of b's intrabar path, the one rule shared by order triggers
// and liquidation: open → high → low → close for a bearish bar (close < open), open → low →
// high → close otherwise.
func barPath(b *Bar) [4]float64 {
	// selected as bits, which the compiler does without a branch (bars turn bullish and
	// bearish unpredictably): the same floats
	x, y := math.Float64bits(b.Low), math.Float64bits(b.High)
	if b.Close < b.Open {
		x, y = y, x
	}
	return [4]float64{b.Open, math.Float64frombits(x), math.Float64frombits(y), b.Close}
}

// step replays one timestamp through the account; v is the timestamp's mark paths (the
// engine's paths.build of b, after every batch before it).
func (a *account) step(b *Batch, v *pathView) error {
	t := b.Time
	a.pv, a.closed = v, 0
	a.drainRecords(t, false) // with Config.Records: the records before t go to the sink
	a.now = t
	a.end = v.end
	// (0) the exchange's rules of this UTC date (brackets, filters, fees), when they change
	rules := t >= a.nextRules
	opened := rules || alwaysOpenMarks // the open marks are set
	if opened {
		a.openMarks(v)
	}
	if rules {
		a.flushPeak()
		if err := a.switchRules(t); err != nil {
			return err
		}
	}

	// (1) orders submitted since the last bar arrive at this bar's open (the positions held
	// into it are probed there first)
	a.barPeak = 0
	if a.nOpen == 0 && len(a.orders) == 0 && !exhaustiveProbes {
		// flat without orders (most of a sweep's steps): nothing arrives or triggers, no probe
		// finds a position, and funding settles nothing
		if !opened && countSkips {
			openMarkSkips.Add(1)
		}
	} else if a.quietOpen(b) && a.probePath(true) {
		// nothing arrives, no funding is due and segments 0..3 hold no event: the figures at
		// the four vertices in one pass (fund would settle nothing, and no settlement has left
		// the wallet to refresh)
		if countSkips {
			pathProbes.Add(1)
			openProbes.Add(1)
		}
	} else {
		a.flushPeak() // (before anything can happen)
		if !opened && (a.nOpen > 0 || len(a.orders) > 0) {
			a.openMarks(v)
		} else if !opened && countSkips {
			openMarkSkips.Add(1) // a flat account without orders
		}
		a.probe(0)
		gen := a.gen
		a.arrive(t)
		// (2) funding due at t, on positions held after those fills
		a.fund(b)
		// (3) the intrabar path, segment by segment, the risk probed at each vertex (the open
		// again only when something changed since it was probed there: at the same marks with
		// the same positions and wallets, probe finds the same figures)
		a.segment(t, 0)
		if a.gen != gen || exhaustiveProbes {
			a.probe(0)
		}
		if a.quietPath() && a.probePath(false) {
			// segments 1..3 hold no event: the figures at their vertices in one pass (a.from
			// and a.to stay segment 1's: nothing reads them before a segment, quietOpen,
			// quietPath or switchRules sets them again)
			if countSkips {
				pathProbes.Add(1)
			}
		} else {
			for k := 1; k < 4; k++ {
				a.segment(t, k)
				a.probe(k)
			}
		}
	}
	a.probedClose = a.nOpen > 0 && !exhaustiveProbes // probe(3) at the close marks, which the loop below keeps
	// the moving symbols' close marks, the others' marks in force: one copy
	a.acct.SetMarks(v.close)
	a.closed = 1 // the klines are stepped past (the engine pushed them into the shared history before this step)

	// (4) records, then the strategy sees the completed bars
	a.record()
	if a.sinkErr != nil {
		return fmt.Errorf("backtest: account %s, equity sink: %w", a.setup.Name, a.sinkErr)
	}
	if checkInvariants {
		if err := a.acct.Check(); err != nil {
			panic(fmt.Sprintf("backtest: account %s at %d: %v", a.setup.Name, t, err))
		}
	}
	if a.stopped {
		return nil
	}
	a.now = a.end
	if sg := a.sg; sg != nil && sg.idle[a.row] {
		return nil // the strategy's shared signals ask nothing of it at this batch
	}
	if a.onBars != nil {
		// the same bars as the loop below, in one call: nothing the strategy can do stops
		// the account (see BarsHandler), so the loop's test between bars has nothing to see
		if len(b.Bars) > 0 {
			if err := a.onBars.OnBars(&a.br, b.Bars); err != nil {
				return fmt.Errorf("%w: account %s, bars at %d: %w", ErrStrategyFailed, a.setup.Name, t, err)
			}
		}
	} else {
		for k := range b.Bars {
			if a.stopped {
				return nil
			}
			if err := a.strat.OnBar(&a.br, b.Bars[k]); err != nil {
				return fmt.Errorf("%w: account %s, %s bar %d: %w", ErrStrategyFailed, a.setup.Name, b.Bars[k].Symbol, b.Bars[k].Time, err)
			}
		}
	}
	if a.onStep != nil && !a.stopped && len(b.Bars) > 0 {
		if err := a.onStep.OnStep(&a.br, a.end); err != nil {
			return fmt.Errorf("%w: account %s, step %d: %w", ErrStrategyFailed, a.setup.Name, t, err)
		}
	}
	return nil
}

// lastOf is symbol i's latest close (NaN: none yet); during a step's path, the close before it.
func (a *account) lastOf(i int) float64 { return a.pv.last[a.closed&1][i] }

// seenOf is the number of symbol i's bars stepped past: its end in the run's history.
func (a *account) seenOf(i int) int { return a.pv.seen[a.closed&1][i] }

// openMarks sets every moving symbol's mark at the open of the step's path v (the mark bar's,
// else the kline's) in the ledger (the others keep theirs: v.open repeats them). The ledger's
// marks are the account's only ones (margin.Account.Mark, Marks): the ledger would take a fill
// price as the mark of a symbol without one, but the engine books a fill only on a moving
// symbol, whose marks openMarks, setMarksAt or the close set before it. Only a step with something to book
// before the close needs them (arrive, funding, the segments' events, the rules switch's
// liquidation check, and the handlers they call); nothing else reads them before the close
// marks replace them: the probes and liqSafe read the view's marks, the ledger's
// SafeWithin the view's ranges (and the current marks of the symbols not moving, which the
// open does not change), and a flat account without orders books nothing. So step sets them
// only for such a step, and a quiet one (quietOpen) or a flat account without orders skips
// them.
func (a *account) openMarks(v *pathView) { a.acct.SetMarks(v.open) }

// record appends the equity point of the timestamp, tracks liquidation distances and decides
// ruin. It uses the float shadows only: no decimal arithmetic, no allocation. Every risk
// figure comes from backtest/margin's float64 counterparts of its exact ones (FloatTable,
// FloatRisk, LiquidationPriceFloat, LiquidationDistance), summed in symbol order.
func (a *account) record() {
	eq := a.acct.Equity()
	wallet := a.crossWallet + a.isoTotal
	// a flat account's risk: FloatRisk's zero sums, whose Risk is a maintenance margin of 0
	// and a ratio of 0 (no cross margin, no isolated position)
	var mm, ratio float64
	if a.nOpen > 0 {
		mm, ratio = a.closeRisk()
	}
	a.probedClose, a.liqProbed, a.pathRiskOK, a.liqClosed = false, false, false, false
	if eq > a.peak {
		a.peak = eq
	}
	dd := 0.0
	if a.peak > 0 {
		dd = (a.peak - eq) / a.peak
	}
	peak := max(a.barPeak, ratio)
	if math.IsInf(peak, 1) {
		peak = math.MaxFloat64
	}
	if a.sink != nil && a.bsink == nil {
		a.emit(EquityPoint{
			Time: a.end, Equity: eq, Wallet: wallet, UnrealizedPnL: eq - wallet, MarginBalance: eq,
			MaintenanceMargin: mm, MarginRatio: ratio, PeakMarginRatio: peak, Drawdown: dd,
		})
	} else {
		// the point is written in its place in the block
		blk := a.eqBlock
		n := len(blk)
		if n > 0 && blk[n-1].Time == a.end {
			// a timestamp without bars (funding only) at the previous bar's close: one point
			// per time, the bar's intrabar peak kept
			peak = max(peak, blk[n-1].PeakMarginRatio)
			n--
		} else if n == cap(blk) {
			a.nextEquityBlock()
			blk, n = a.eqBlock, len(a.eqBlock)
		}
		blk = blk[:n+1]
		// field by field (a composite literal is built aside and copied): every field of
		// EquityPoint, which equityPointFields keeps in step
		p := &blk[n]
		p.Time, p.Equity, p.Wallet, p.UnrealizedPnL, p.MarginBalance = a.end, eq, wallet, eq-wallet, eq
		p.MaintenanceMargin, p.MarginRatio, p.PeakMarginRatio, p.Drawdown = mm, ratio, peak, dd
		a.eqBlock = blk
	}
	if !a.res.Ruined && (eq <= 1e-9 || a.nOpen == 0 && wallet < a.ruinWallet) {
		a.res.Ruined, a.res.RuinTime = true, a.end
		a.stop()
	}
}

// closeRisk is record's risk of an account with open positions at the close marks: the
// maintenance margin and the highest margin ratio (+Inf as math.MaxFloat64), from probePath's
// sums when it took them, and each open trade's liquidation figures there.
func (a *account) closeRisk() (mm, ratio float64) {
	var risk margin.FloatRisk
	rp := &risk // the sums: risk, or probePath's (read in place)
	open := a.openSyms()
	switch {
	case a.shorts == nil && a.probedClose && a.pathRiskOK:
		rp = &a.pathRisk // probePath's sums at the close marks: recordOneWay's
	case a.shorts == nil && a.probedClose:
		a.recordOneWay(&risk)
	default:
		for _, i := range open {
			s := &a.syms[i]
			recordRisk(s, &s.posState, a.acct.Mark(i), &risk, a.probedClose)
			if a.shorts != nil {
				recordRisk(s, &a.shorts[i], a.acct.Mark(i), &risk, a.probedClose)
			}
		}
	}
	if a.shorts == nil && a.probedClose {
		if !(a.pathRiskOK && a.liqClosed) { // (probePath's pass took them)
			a.recordLiqOneWay(rp)
		}
	} else {
		for _, i := range open {
			s := &a.syms[i]
			if a.shorts == nil {
				a.recordLiq(s, &s.posState, nil, &risk)
				continue
			}
			a.recordLiq(s, &s.posState, &a.shorts[i], &risk)
			a.recordLiq(s, &a.shorts[i], &s.posState, &risk)
		}
	}
	r := rp.Risk(a.crossWallet)
	mm, ratio = r.MaintenanceMargin, r.MaxMarginRatio
	if math.IsInf(ratio, 1) {
		ratio = math.MaxFloat64
	}
	return mm, ratio
}

// recordOneWay is recordRisk over the open positions in one-way mode when probe has just
// computed their figures at the close (probedClose): FloatRisk.Add's sums, in the same order.
func (a *account) recordOneWay(risk *margin.FloatRisk) {
	syms := a.syms
	for _, i := range a.open {
		s := &syms[i]
		mm, u := s.probeMM, s.probeU
		s.closeMM, s.closeU = mm, u
		risk.MaintenanceMargin += mm
		risk.UnrealizedPnL += u
		if s.isolated {
			// builtin max: math.Max's result, NaN and signed zeros included
			risk.IsolatedMaxRatio = max(risk.IsolatedMaxRatio, margin.MarginRatioFloat(mm, s.isoWallet+u))
			continue
		}
		risk.CrossMM += mm
		risk.CrossUPnL += u
	}
}

// recordRisk adds position p of symbol s at its close mark to risk, keeping its figures for
// crossLiq.
func recordRisk(s *symState, p *posState, mark float64, risk *margin.FloatRisk, probed bool) {
	if p.qty == 0 {
		return
	}
	m, upnl := p.probeMM, p.probeU // probe's, at the same marks (probed)
	if !probed {
		m = s.brk.MaintenanceMargin(math.Abs(p.qty) * mark)
		upnl = float64(p.qty * (mark - p.entry))
	}
	p.closeMM, p.closeU = m, upnl
	mode := margin.Cross
	if p.isolated {
		mode = margin.Isolated
	}
	risk.Add(mode, m, upnl, p.isoWallet)
}

// recordLiq tracks the distance to liquidation and the last-price wick of position p of
// symbol s at the close (sib: its other leg in hedge mode, else nil).
func (a *account) recordLiq(s *symState, p, sib *posState, risk *margin.FloatRisk) {
	if p.qty == 0 || !p.tr.open {
		return
	}
	lp := p.liq
	dir := p.qty // the way the price must move to liquidate: down for a long
	if !p.isolated {
		if a.liqProbed {
			lp = p.closeLP // probe(3)'s, at the same marks, positions and wallets
		} else {
			lp = a.crossLiq(s, p, sib, risk.CrossMM, risk.CrossUPnL)
		}
		if sib != nil && sib.qty != 0 && !sib.isolated {
			dir = p.qty + sib.qty // two cross legs share one LP: the net position's direction
		}
	}
	if d := margin.LiquidationDistance(a.acct.Mark(s.id), lp); d < p.tr.t.MinLiqDistance {
		p.tr.t.MinLiqDistance = d
	}
	if sp := &a.pv.sym[s.id]; sp.present() && lp > 0 && !p.tr.t.LastWick && wick(sp, dir, lp) {
		p.tr.t.LastWick = true
	}
}

// wick reports whether the inner points p1, p2 of a symbol's last-price path sp (its kline's
// extremes) reach the liquidation price lp of a position that liquidates when the price moves
// down (dir > 0: a long) or up: the lower is <= lp when either is, the higher >= lp when either
// is (they are finite, or NaN without a kline, where no comparison holds). recordLiq and
// closeLiq share it.
func wick(sp *symPath, dir, lp float64) bool {
	p1, p2 := sp.lp[1], sp.lp[2]
	if dir > 0 {
		return p1 <= lp || p2 <= lp
	}
	return p1 >= lp || p2 >= lp
}

// recordLiqOneWay is recordLiq over the open positions in one-way mode when probe has just
// run at the close marks (probedClose). Where that probe took a trade's distance to a
// liquidation price > 0 at the close (an isolated position's; a cross position's when
// liqProbed), recordLiq's distance is the same number, which cannot lower the minimum the
// probe has just taken: only the "no liquidation price" distance (1) and the wick are left.
func (a *account) recordLiqOneWay(risk *margin.FloatRisk) {
	syms := a.syms
	for _, i := range a.open {
		s := &syms[i]
		if !s.tr.open {
			continue
		}
		lp := s.liq
		if !s.isolated {
			if !a.liqProbed {
				a.recordLiq(s, &s.posState, nil, risk)
				continue
			}
			lp = s.closeLP
		}
		s.closeLiq(lp, &a.pv.sym[i])
	}
}

// closeLiq is recordLiqOneWay's part for the open trade of symbol s's one-way position with
// liquidation price lp at the close marks (sp: its paths at the step): the "no liquidation
// price" distance (1) and the last-price wick (none without a kline: wick). It only lowers a
// minimum to 1 and sets a flag, so taking it twice at the same close changes nothing.
func (s *symState) closeLiq(lp float64, sp *symPath) {
	t := &s.tr.t
	if !(lp > 0) {
		if 1 < t.MinLiqDistance { // LiquidationDistance without a price
			t.MinLiqDistance = 1
		}
		return
	}
	if !t.LastWick {
		t.LastWick = wick(sp, s.qty, lp)
	}
}

// probe raises the step's intrabar peak margin ratio (barPeak), and every open trade's peak
// margin ratio and closest distance to liquidation, to their values at one point of the path:
// vertex k of each moving symbol's mark path (k < 0: the current marks), the positions as they
// are. It is record's arithmetic (margin's float risk functions) at other marks; like record it
// allocates nothing. Between two probed points (vertices and events) the marks move linearly,
// so a ratio MM/(wallet + uPnL) with MM and uPnL linear is monotone there (bracket edges aside):
// the probed points hold the path's peak.
func (a *account) probe(k int) {
	if a.nOpen == 0 {
		return
	}
	if a.shorts == nil && !exhaustiveProbes && a.probeOneWay(k) {
		return
	}
	var risk margin.FloatRisk
	open := a.openSyms()
	for _, i := range open {
		s := &a.syms[i]
		m := a.probeMark(s, k)
		a.probeRisk(s, &s.posState, m, &risk)
		if a.shorts != nil {
			a.probeRisk(s, &a.shorts[i], m, &risk)
		}
	}
	if risk.CrossMM <= 0 {
		return
	}
	r := margin.MarginRatioFloat(risk.CrossMM, a.crossWallet+risk.CrossUPnL)
	a.barPeak = max(a.barPeak, r)
	// probe(3) is at the close marks, where record finds the same liquidation prices
	a.liqProbed = k == 3 && !exhaustiveProbes
	for _, i := range open {
		s := &a.syms[i]
		if a.shorts == nil {
			a.probeLiq(s, &s.posState, nil, k, r, &risk)
			continue
		}
		a.probeLiq(s, &s.posState, &a.shorts[i], k, r, &risk)
		a.probeLiq(s, &a.shorts[i], &s.posState, k, r, &risk)
	}
}

// probeOneWay is probe in one-way mode, the per-bar hot loop: probeRisk's and probeLiq's
// arithmetic in one function over the open positions, with the same operations in the same
// order (the cross sums from 0 in symbol order as FloatRisk.Add makes them, crossLiqAt's
// liquidation price), so the same floats. The barPeak and the trades' peaks are maxima, which
// do not depend on the order they are taken in (the builtin max is associative and
// commutative, NaN and signed zeros included). exhaustiveProbes takes probe's general path,
// which TestSkippedProbesChangeNothing compares with this one.
//
// It reports false, having done part of the work, when a position's notional left its cached
// bracket: probe then takes the general path, which finds the bracket (for the next probes)
// and redoes everything. What probeOneWay has already written is either rewritten (the
// positions' figures) or a maximum or minimum that the general path takes again with the same
// values, which leaves it as it is. (Without a call in its first loop the compiler keeps that
// loop's values in registers.)
func (a *account) probeOneWay(k int) bool {
	syms, paths, marks := a.syms, a.pv.sym, a.acct.Marks()
	peak := a.barPeak
	vertex, kk := k >= 0, k&3 // kk: k in [0, 4) without a bounds check per position
	var cmm, cu float64       // Σ cross maintenance margin, Σ cross uPnL
	for _, i := range a.openSyms() {
		s := &syms[i]
		m := marks[i]
		if vertex { // (a symbol not moving: its mark, which its path repeats)
			m = paths[i].mp[kk]
		}
		n := s.aq * m
		if !(n >= s.bLo && n < s.bHi) {
			return false
		}
		mm := float64(n*s.bMMR) - s.bCum
		u := float64(s.qty * (m - s.entry))
		s.probeMM, s.probeU = mm, u
		if !s.isolated {
			cmm += mm
			cu += u
			continue
		}
		r := margin.MarginRatioFloat(mm, s.isoWallet+u)
		peak = max(peak, r)
		if s.tr.open {
			s.tr.t.PeakMarginRatio = max(s.tr.t.PeakMarginRatio, r)
			if s.liq > 0 {
				s.tr.t.MinLiqDistance = min(s.tr.t.MinLiqDistance, margin.LiquidationDistance(m, s.liq))
			}
		}
	}
	if cmm <= 0 {
		a.barPeak = peak
		return true
	}
	r := margin.MarginRatioFloat(cmm, a.crossWallet+cu)
	a.barPeak = max(peak, r)
	a.liqProbed = k == 3 // probe(3) is at the close marks, where record finds the same LPs
	w := a.crossWallet
	for _, i := range a.open {
		s := &syms[i]
		if s.isolated || !s.tr.open {
			continue
		}
		s.tr.t.PeakMarginRatio = max(s.tr.t.PeakMarginRatio, r)
		m := marks[i]
		if vertex { // (a symbol not moving: its mark, which its path repeats)
			m = paths[i].mp[kk]
		}
		// crossLiqAt, its bracket's case inline
		lp := (w - (cmm - s.probeMM) + (cu - s.probeU) + s.bCum - s.qe) / s.bDen
		n := 0.0
		if lp > 0 {
			n = s.aq * lp
		}
		if !(n >= s.bLo && n < s.bHi) { // (the first loop has checked the mark's notional)
			lp = s.crossLiqAt(w, cmm-s.probeMM, cu-s.probeU, m, s.brk)
		}
		if k == 3 {
			s.closeLP = lp
		}
		if lp > 0 {
			s.tr.t.MinLiqDistance = min(s.tr.t.MinLiqDistance, margin.LiquidationDistance(m, lp))
		}
	}
	return true
}

// flushPeak raises the peak margin ratio of every open cross trade to xPeak, the highest cross
// margin ratio of the probePath steps that left it there (every open position cross, the sums
// within the references), and clears it. It runs before anything can change the open trades or
// read their figures: before step's events and its rules' switch (a trade closes at its fill,
// before refreshLeg), and in refreshLeg (a change through the Broker; none of them changes
// the open trades now), so that the trades it raises are those open at each of those steps,
// and each peak is the same float as when raised at every step (the builtin max being
// associative and commutative, NaN and signed zeros included). TestSkippedProbesChangeNothing
// fails without the first.
func (a *account) flushPeak() {
	if !a.xPeakDue {
		return
	}
	a.xPeakDue = false
	for _, i := range a.open { // (the open positions of those steps: none changed since)
		if s := &a.syms[i]; !s.isolated && s.tr.open {
			s.tr.t.PeakMarginRatio = max(s.tr.t.PeakMarginRatio, a.xPeak)
		}
	}
}

// quietOpen reports whether nothing can happen in the step before its path's vertices 1..3
// either, so that probePath may take the open (probe(0)) with them: on top of quietPath's
// conditions, no funding is due at b.Time (fund would settle nothing) and no position can
// reach its liquidation threshold in the gap segment (liqSafe(0), which segment 0 would ask
// with the same generation; its answer covers the whole path, which quietPath then reuses).
// With no open order nothing arrives and nothing triggers. The probe of the open taken
// after arrive, fund and segment 0 then sees the positions and wallets probe(0) would have
// seen before them.
func (a *account) quietOpen(b *Batch) bool {
	if a.nOpen == 0 || len(a.orders) > 0 || a.shorts != nil || exhaustiveProbes || noLiqScreen ||
		len(b.Funding) > 0 || !a.cfg.NoFundingFallback && len(a.pv.fallback) > 0 {
		return false
	}
	a.from, a.to = a.pv.pts[0], a.pv.pts[1] // segment 0's, as segment(t, 0) sets them
	return a.liqSafe(0)
}

// quietPath reports whether segments 1..3 of the step's path can hold no event, so that the
// probes of their vertices may be taken together after them (probePath): the account has an
// open position and no open order (nothing can trigger), and no position can reach its
// liquidation threshold on the rest of the path (liqSafe, which segment 1 would ask). In hedge
// mode and with exhaustiveProbes every vertex is probed after its segment.
func (a *account) quietPath() bool {
	if a.nOpen == 0 || len(a.orders) > 0 || a.shorts != nil || exhaustiveProbes || noLiqScreen {
		return false
	}
	a.from, a.to = a.pv.pts[1], a.pv.pts[2] // segment 1's, which liqSafe(1) reads
	return a.liqSafe(1)
}

// probePath is probe(1), probe(2) and probe(3) (probeOneWay's arithmetic at each vertex) in
// one pass over the open positions, for a path whose segments 1..3 hold no event (quietPath),
// and with open also probe(0), for a step where nothing happens before them either (quietOpen:
// nothing arrives, no funding is due, no liquidation in the gap): the positions, wallets and
// brackets are the same at the vertices, so each position's figures are taken at the marks at
// once. Every float is the one the probes compute: each vertex's cross sums are summed in
// symbol order from 0, and the peaks and closest distances are maxima and minima of the same
// values, whose order does not matter (the builtin max and min are associative and
// commutative, NaN and signed zeros included). Without open, vertex 0 is taken at vertex 1's
// marks, the same figures as vertex 1's again (max(x, x) and min(x, x) are x), so the pass
// needs no branch for it. It leaves closeLP and liqProbed as probe(3) leaves them, and the
// close's figures of record (pathRisk; closeMM, closeU of the cross positions, which crossLiq
// reads); probeMM and probeU, which only the probes and recordOneWay read after writing them
// (recordOneWay only when pathRiskOK is false), it leaves as they are. While each open trade's
// figures are at hand it also takes recordLiqOneWay's part of them at the close (closeLiq:
// its liquidation price there is the isolated one or closeLP), so that record skips that pass
// (liqClosed; TestPathProbeTakesCloseFigures). A cross trade whose distances at the vertices
// provably cannot lower its closest one (crossFar) is not priced there, and when closeLiq
// provably changes nothing for it either (closeQuiet) not at the close: its closeLP stays as it
// was, which record does not read (liqClosed; TestCrossFarBound). In an account whose open
// positions are all cross, a trade whose step stays within its window (setCrossWin) is asked
// crossWinFar instead, whose yes is theirs (TestCrossWindow).
//
// It reports false when a mark's notional leaves a position's cached bracket, having written
// only maxima and minima that the probes then take again with the same values, and figures
// they rewrite (closeMM, closeU by recordOneWay, as pathRiskOK stays false): the caller probes
// the vertices one by one.
func (a *account) probePath(open bool) bool {
	syms, paths := a.syms, a.pv.sym
	peak := a.barPeak
	j0 := 1 // the path point vertex 0 is taken at
	if open {
		j0 = 0
	}
	// per vertex: Σ cross maintenance margin, Σ cross uPnL
	var cmm0, cmm1, cmm2, cmm3, cu0, cu1, cu2, cu3 float64
	var risk margin.FloatRisk // at the close marks, as recordOneWay sums it
	need := math.Inf(1)       // pathCross's pathSums.need (+Inf: none)
	openSyms := a.openSyms()
	if countSkips {
		switch a.openIso {
		case 0:
			pathKinds[0].Add(1)
		case len(openSyms):
			pathKinds[1].Add(1)
		default:
			pathKinds[2].Add(1)
		}
	}
	switch {
	case a.openIso == 0: // every open position cross: the loop without the isolated figures
		var cs pathSums
		if !a.pathCross(openSyms, j0, &cs) {
			return false
		}
		cmm0, cmm1, cmm2, cmm3 = cs.mm[0], cs.mm[1], cs.mm[2], cs.mm[3]
		cu0, cu1, cu2, cu3 = cs.u[0], cs.u[1], cs.u[2], cs.u[3]
		need = cs.need
		// the sums over every position, in symbol order from 0: the cross ones at the close
		risk.MaintenanceMargin, risk.UnrealizedPnL = cmm3, cu3
	case a.openIso == len(openSyms): // every open position isolated: no cross sums
		var ok bool
		if peak, ok = a.pathIsolated(openSyms, j0, peak, &risk); !ok {
			return false
		}
	default:
		var cs pathSums
		var ok bool
		if peak, ok = a.pathMixed(openSyms, j0, peak, &risk, &cs); !ok {
			return false
		}
		cmm0, cmm1, cmm2, cmm3 = cs.mm[0], cs.mm[1], cs.mm[2], cs.mm[3]
		cu0, cu1, cu2, cu3 = cs.u[0], cs.u[1], cs.u[2], cs.u[3]
	}
	// the cross account's ratio at the vertices where probe would take it (probeOneWay goes
	// on unless the sum is <= 0: a NaN sum goes on); rc is their maximum, -Inf for none (the
	// identity of max, NaN and signed zeros included)
	on0, on1, on2, on3 := !(cmm0 <= 0), !(cmm1 <= 0), !(cmm2 <= 0), !(cmm3 <= 0)
	rc := math.Inf(-1)
	if on0 {
		rc = max(rc, margin.MarginRatioFloat(cmm0, a.crossWallet+cu0))
	}
	if on1 {
		rc = max(rc, margin.MarginRatioFloat(cmm1, a.crossWallet+cu1))
	}
	if on2 {
		rc = max(rc, margin.MarginRatioFloat(cmm2, a.crossWallet+cu2))
	}
	if on3 {
		rc = max(rc, margin.MarginRatioFloat(cmm3, a.crossWallet+cu3))
	}
	a.barPeak = max(peak, rc)
	a.liqProbed = on3 // probe(3) is at the close marks, where record finds the same LPs
	risk.CrossMM, risk.CrossUPnL = cmm3, cu3
	a.pathRisk, a.pathRiskOK = risk, true
	// the isolated trades' close figures are taken (closeLiq); the cross trades' are below when
	// on3 (else record takes them all again: closeLiq is idempotent)
	a.liqClosed = on3 || !(on0 || on1 || on2)
	if !(on0 || on1 || on2 || on3) {
		return true
	}
	w := a.crossWallet
	// the cross account's margin surplus Δ = wallet + Σ uPnL − Σ MM at the vertices where probe
	// takes the distances (its lowest and highest; NaN when one is NaN) and the largest scale
	// of its terms: crossFar's bound of the distances there
	dlo, dhi, sc := math.Inf(1), math.Inf(-1), 0.0
	if on0 && open { // (else vertex 1's again)
		dk := w + cu0 - cmm0
		dlo, dhi, sc = min(dlo, dk), max(dhi, dk), max(sc, math.Abs(w)+math.Abs(cmm0)+math.Abs(cu0))
	}
	if on1 {
		dk := w + cu1 - cmm1
		dlo, dhi, sc = min(dlo, dk), max(dhi, dk), max(sc, math.Abs(w)+math.Abs(cmm1)+math.Abs(cu1))
	}
	if on2 {
		dk := w + cu2 - cmm2
		dlo, dhi, sc = min(dlo, dk), max(dhi, dk), max(sc, math.Abs(w)+math.Abs(cmm2)+math.Abs(cu2))
	}
	if on3 {
		dk := w + cu3 - cmm3
		dlo, dhi, sc = min(dlo, dk), max(dhi, dk), max(sc, math.Abs(w)+math.Abs(cmm3)+math.Abs(cu3))
	}
	// with every open position cross (pathCross set xOut), the trades' windows: used when the
	// sums meet the references (fast), set again for the trades outside them or taken further;
	// when the sums fail the references, new ones from time to time (1, 2, 4... failures in a
	// row), every open trade's window set again with them (win) or voided
	fast, win := false, false
	if a.openIso == 0 {
		if fast = sc <= a.xSC && dhi <= a.xDH; fast {
			a.xFails = 0
			// the open trades' peak ratios are raised to rc by flushPeak
			if a.xPeakDue {
				a.xPeak = max(a.xPeak, rc)
			} else {
				a.xPeak, a.xPeakDue = rc, true
			}
		} else if a.xFails++; a.xFails&(a.xFails-1) == 0 {
			a.xSC, a.xDH, win = sc+sc, dhi+math.Abs(dhi)/8, true
		}
	}
	list := openSyms
	if fast && dlo >= need {
		// every trade within its window says yes (crossWinNeed's monotony): only the others
		if countSkips {
			crossWinSkips.Add(int64(len(openSyms) - len(a.xSlow)))
		}
		list = a.xSlow
	}
	for _, i := range list {
		s := &syms[i]
		if s.isolated || !s.tr.open {
			if win {
				s.xLo = math.NaN()
			}
			continue
		}
		t := &s.tr.t
		if !fast {
			t.PeakMarginRatio = max(t.PeakMarginRatio, rc)
		}
		if fast && !s.xOut && dlo >= s.xR {
			// within the window, with the surplus its xR asks: crossWinFar would say yes
			if countSkips {
				crossWinSkips.Add(1)
			}
			continue
		}
		sp := &paths[i] // (a symbol not moving: its mark four times)
		m0, m1, m2, m3 := sp.mp[j0], sp.mp[1], sp.mp[2], sp.mp[3]
		if fast && !s.xOut && s.crossWinFar(dlo, sc, markHi(m0, m1, m2, m3)) {
			// within the window, crossFar and closeQuiet would say yes
			if countSkips {
				crossWinSkips.Add(1)
			}
			continue
		}
		d := math.Inf(1) // the closest distance at the vertices (+Inf: the identity of min)
		if s.crossFar(dlo, dhi, sc, m0, m1, m2, m3, t.MinLiqDistance) {
			// no distance at the vertices can lower the trade's closest one; when closeLiq
			// would change nothing either, the close's liquidation price is not needed (closeLP
			// is left as it was: record does not read it, liqClosed)
			if !on3 || s.closeQuiet(m3, sp) {
				if countSkips {
					crossFarSkips.Add(1)
				}
				if win || fast && (s.xOut || t.MinLiqDistance != s.xD) {
					a.setCrossWin(s, m0, m1, m2, m3)
				}
				continue
			}
		} else {
			d = s.pathDistances(w, open, on0, on1, on2, m0, m1, m2, cmm0, cmm1, cmm2, cu0, cu1, cu2)
		}
		if on3 {
			mm, u := s.closeMM, s.closeU // the first loop's mm3, u3
			lp := s.pathLiq(w, cmm3-mm, cu3-u, m3)
			s.closeLP = lp
			if lp > 0 {
				d = min(d, margin.LiquidationDistance(m3, lp))
			}
		}
		t.MinLiqDistance = min(t.MinLiqDistance, d)
		if on3 {
			s.closeLiq(s.closeLP, sp)
		}
		if win || fast && (s.xOut || t.MinLiqDistance != s.xD) {
			a.setCrossWin(s, m0, m1, m2, m3)
		}
	}
	return true
}

// pathMixed is probePath's first loop for an account with cross and isolated open positions
// (open): per position in symbol order its figures at the four vertices, the cross ones summed
// into cs (and their closeMM, closeU), the isolated ones' ratios raising peak, risk's
// IsolatedMaxRatio and their trades' peaks, distances and close figures; risk's sums take
// every position's at the close. It returns the step's peak raised from peak; false as
// probePath's loop reports it (a notional out of its cached bracket). For an account whose
// positions are all isolated it is what pathIsolated computes with the four ratios of every
// position (TestPathIsolatedIsTheFourRatios holds pathIsolated to it).
func (a *account) pathMixed(open []int, j0 int, peak float64, risk *margin.FloatRisk, cs *pathSums) (float64, bool) {
	syms, paths := a.syms, a.pv.sym
	var cmm0, cmm1, cmm2, cmm3, cu0, cu1, cu2, cu3 float64
	for _, i := range open {
		s := &syms[i]
		sp := &paths[i] // (a symbol not moving: its mark four times)
		m0, m1, m2, m3 := sp.mp[j0], sp.mp[1], sp.mp[2], sp.mp[3]
		n0, n1, n2, n3 := s.aq*m0, s.aq*m1, s.aq*m2, s.aq*m3
		if !(n0 >= s.bLo && n0 < s.bHi && n1 >= s.bLo && n1 < s.bHi && n2 >= s.bLo && n2 < s.bHi && n3 >= s.bLo && n3 < s.bHi) {
			return peak, false // (what the loop wrote so far the probes rewrite or take again)
		}
		mm0, mm1 := float64(n0*s.bMMR)-s.bCum, float64(n1*s.bMMR)-s.bCum
		mm2, mm3 := float64(n2*s.bMMR)-s.bCum, float64(n3*s.bMMR)-s.bCum
		u0, u1 := float64(s.qty*(m0-s.entry)), float64(s.qty*(m1-s.entry))
		u2, u3 := float64(s.qty*(m2-s.entry)), float64(s.qty*(m3-s.entry))
		risk.MaintenanceMargin += mm3
		risk.UnrealizedPnL += u3
		if !s.isolated {
			s.closeMM, s.closeU = mm3, u3 // (crossLiq's, for record when liqProbed is false)
			cmm0, cmm1, cmm2, cmm3 = cmm0+mm0, cmm1+mm1, cmm2+mm2, cmm3+mm3
			cu0, cu1, cu2, cu3 = cu0+u0, cu1+u1, cu2+u2, cu3+u3
			continue
		}
		w := s.isoWallet
		r3 := margin.MarginRatioFloat(mm3, w+u3)
		risk.IsolatedMaxRatio = max(risk.IsolatedMaxRatio, r3)
		r := max(margin.MarginRatioFloat(mm0, w+u0), margin.MarginRatioFloat(mm1, w+u1), margin.MarginRatioFloat(mm2, w+u2), r3)
		peak = max(peak, r)
		if s.tr.open {
			s.tr.t.PeakMarginRatio = max(s.tr.t.PeakMarginRatio, r)
			if lp := s.liq; lp > 0 {
				if lp != s.fLP || s.tr.t.MinLiqDistance != s.fD { // (a NaN d never matches)
					s.setIsoFar(lp)
				}
				if hi, lo := s.fAbove, s.fBelow; m0 >= hi && m1 >= hi && m2 >= hi && m3 >= hi || m0 <= lo && m1 <= lo && m2 <= lo && m3 <= lo {
					if countSkips {
						isoFarSkips.Add(1)
					}
				} else {
					s.isoDistances(lp, m0, m1, m2, m3)
				}
			}
			s.closeLiq(s.liq, sp)
		}
	}
	cs.mm = [4]float64{cmm0, cmm1, cmm2, cmm3}
	cs.u = [4]float64{cu0, cu1, cu2, cu3}
	return peak, true
}

// pathSums holds probePath's cross sums at the path's four vertices: Σ maintenance margin and
// Σ uPnL of the cross positions, in symbol order from 0; and need, the highest xR of the trades
// within their windows (-Inf: none): a surplus at least need gets crossWinFar's yes from each of
// them in a step within the references.
type pathSums struct {
	mm, u [4]float64
	need  float64
}

// pathCross is probePath's first loop for an account whose open positions (open) are all cross
// (openIso = 0): the same arithmetic in the same order as the mixed loop, without the isolated
// branch, whose figures kept every float register busy (the loop reloaded its sums at every
// position). It sets cs, each position's closeMM, closeU, and xOut when the step is outside the
// trade's window (setCrossWin: its marks, closest distance and last-price points; a window lies
// in the cached bracket, so marks in it have their notionals there), listing those in a.xSlow;
// false as probePath's loop reports it (a notional out of its cached bracket: what it wrote the
// probes rewrite).
func (a *account) pathCross(open []int, j0 int, cs *pathSums) bool {
	syms, paths := a.syms, a.pv.sym
	var cmm0, cmm1, cmm2, cmm3, cu0, cu1, cu2, cu3 float64
	need := math.Inf(-1)
	a.xSlow = a.xSlow[:0]
	for _, i := range open {
		s := &syms[i]
		sp := &paths[i] // (a symbol not moving: its mark four times)
		m0, m1, m2, m3 := sp.mp[j0], sp.mp[1], sp.mp[2], sp.mp[3]
		n0, n1, n2, n3 := s.aq*m0, s.aq*m1, s.aq*m2, s.aq*m3
		out := !(s.marksInWin(m0, m1, m2, m3) && s.pointsInWin(sp))
		if out {
			if !(n0 >= s.bLo && n0 < s.bHi && n1 >= s.bLo && n1 < s.bHi && n2 >= s.bLo && n2 < s.bHi && n3 >= s.bLo && n3 < s.bHi) {
				return false
			}
			a.xSlow = append(a.xSlow, i)
		} else {
			if r := s.xR; r > need { // (finite: a plain comparison, not the builtin's rules)
				need = r
			}
		}
		s.xOut = out
		mm0, mm1 := float64(n0*s.bMMR)-s.bCum, float64(n1*s.bMMR)-s.bCum
		mm2, mm3 := float64(n2*s.bMMR)-s.bCum, float64(n3*s.bMMR)-s.bCum
		u0, u1 := float64(s.qty*(m0-s.entry)), float64(s.qty*(m1-s.entry))
		u2, u3 := float64(s.qty*(m2-s.entry)), float64(s.qty*(m3-s.entry))
		s.closeMM, s.closeU = mm3, u3 // (crossLiq's, for record when liqProbed is false)
		cmm0, cmm1, cmm2, cmm3 = cmm0+mm0, cmm1+mm1, cmm2+mm2, cmm3+mm3
		cu0, cu1, cu2, cu3 = cu0+u0, cu1+u1, cu2+u2, cu3+u3
	}
	cs.mm = [4]float64{cmm0, cmm1, cmm2, cmm3}
	cs.u = [4]float64{cu0, cu1, cu2, cu3}
	cs.need = need
	return true
}

// pathIsolated is probePath's first loop for an account whose open positions (open) are all
// isolated (openIso = len(open)): the same arithmetic in the same order as the mixed loop,
// without the cross sums (which stay 0). It returns the step's peak raised from peak, and sets
// risk's sums at the close and its IsolatedMaxRatio; false as probePath's loop reports it, and
// also for a mark <= 0 (which no price is), where the probes take the vertices one by one.
//
// The highest of a position's four ratios is the mixed loop's max of MarginRatioFloat(mm_k, fl(w +
// u_k)), the very float; for a short with bRise it is the ratio at the highest mark alone (one
// division where the four took three besides the close's), when mm there is >= 0. In floats: for
// marks 0 < m_a <= m_b, the notionals fl(Q·m) and mm = fl(fl(n·MMR) − cum) do not fall (rounding is
// monotone; MMR >= 0, as mm_b >= 0 with cum >= 0 makes it), and stay finite (0 <= MMR <= 1, cum >=
// 0: −cum <= mm <= n); u = fl(qty·fl(m − entry)) does not rise (qty < 0), so neither does the
// balance B = fl(w + u) (a NaN B at m_a makes B_b NaN or −Inf). If B_b is not > 0, r_b = +Inf. Else
// B_a >= B_b > 0 and, with mm_b >= 0, either mm_a >= 0 and mm_a/B_a <= mm_b/B_a <= mm_b/B_b, so r_a
// <= r_b, or mm_a < 0 and r_a <= −0 <= r_b (r_b = −0 only with MMR = −0, where every mm is −0 and
// every ratio −0). No ratio is NaN (mm finite; B NaN or <= 0 gives +Inf; B = +Inf gives ±0), so the
// builtin max of the four is r_b, signed zeros included.
// TestPathIsolatedIsTheFourRatios compares it with the four ratios on random and edge cases.
func (a *account) pathIsolated(open []int, j0 int, peak float64, risk *margin.FloatRisk) (float64, bool) {
	syms, paths := a.syms, a.pv.sym
	var rmm, ru, rmax float64 // risk's MaintenanceMargin, UnrealizedPnL, IsolatedMaxRatio
	for _, i := range open {
		s := &syms[i]
		sp := &paths[i] // (a symbol not moving: its mark four times)
		m0, m1, m2, m3 := sp.mp[j0], sp.mp[1], sp.mp[2], sp.mp[3]
		// the lowest and highest mark from their bits (conditional moves, no branch): when mh > 0
		// no mark has its sign bit set or is NaN (its bits would be the highest), so the bits
		// order as the values do and ml, mh are their minimum and maximum; |qty|·m is monotone
		// in m, so every notional is in the bracket when the lowest and highest are
		b0, b1, b2, b3 := math.Float64bits(m0), math.Float64bits(m1), math.Float64bits(m2), math.Float64bits(m3)
		ml, mh := math.Float64frombits(min(b0, b1, b2, b3)), math.Float64frombits(max(b0, b1, b2, b3))
		if !(mh > 0 && s.aq*ml >= s.bLo && s.aq*mh < s.bHi) {
			// (a mark NaN, or <= 0 as no price is: the probes take the vertices one by one)
			return peak, false
		}
		mm3, u3 := float64(float64(s.aq*m3)*s.bMMR)-s.bCum, float64(s.qty*(m3-s.entry))
		rmm += mm3
		ru += u3
		w := s.isoWallet
		r3 := margin.MarginRatioFloat(mm3, w+u3)
		rmax = max(rmax, r3)
		// r: the highest of the four ratios, a short's at its highest mark when bRise and its
		// maintenance margin there is >= 0 (the argument above); else the four taken
		var r float64
		if mmh := float64(float64(s.aq*mh)*s.bMMR) - s.bCum; s.bRise && mmh >= 0 {
			r = margin.MarginRatioFloat(mmh, w+float64(s.qty*(mh-s.entry)))
		} else {
			mm0, mm1 := float64(float64(s.aq*m0)*s.bMMR)-s.bCum, float64(float64(s.aq*m1)*s.bMMR)-s.bCum
			mm2 := float64(float64(s.aq*m2)*s.bMMR) - s.bCum
			u0, u1 := float64(s.qty*(m0-s.entry)), float64(s.qty*(m1-s.entry))
			u2 := float64(s.qty * (m2 - s.entry))
			// (a tree of maxima: the same float, the builtin max being associative and
			// commutative, NaN and signed zeros included; two deep instead of three)
			r = max(max(margin.MarginRatioFloat(mm0, w+u0), margin.MarginRatioFloat(mm1, w+u1)), max(margin.MarginRatioFloat(mm2, w+u2), r3))
		}
		peak = max(peak, r)
		if s.tr.open {
			s.tr.t.PeakMarginRatio = max(s.tr.t.PeakMarginRatio, r)
			if lp := s.liq; lp > 0 {
				if lp != s.fLP || s.tr.t.MinLiqDistance != s.fD { // (a NaN d never matches)
					s.setIsoFar(lp)
				}
				// (every mark >= fAbove, or every one <= fBelow)
				if ml >= s.fAbove || mh <= s.fBelow {
					if countSkips {
						isoFarSkips.Add(1)
					}
				} else {
					s.isoDistances(lp, m0, m1, m2, m3)
				}
			}
			s.closeLiq(s.liq, sp)
		}
	}
	risk.MaintenanceMargin, risk.UnrealizedPnL, risk.IsolatedMaxRatio = rmm, ru, rmax
	return peak, true
}

// closeQuiet reports whether closeLiq would change nothing for symbol s's one-way cross trade
// at the close mark m (sp: its paths at the step), whose liquidation price LP there, if > 0,
// is at a distance of at least the trade's closest one d = MinLiqDistance (crossFar): LP <= 0
// would lower d to 1, which it cannot when d <= 1 (or NaN), and a short's LP is above m > 0;
// a wick is already recorded, or neither inner point p of the last-price path can reach LP.
// For a long (LP below m) a point p <= LP would give fl(m − p) >= fl(m − LP) (rounding is
// monotone), so fl(fl(m − p)/m) >= the distance >= d; it cannot when fl(m − p) < lim =
// fl(fl(d·m)·(1 − 2⁻³⁰)) <= d·m·(1 − 2⁻³¹), which makes fl(fl(m − p)/m) < d (and a p above m
// is above LP: crossFar's surplus keeps LP below m). For a short the same with p − m. Without
// a kline (NaN points) it answers false unless a wick is recorded, which only has the close
// priced. It is small enough to be inlined into probePath's loop (a call there costs the
// loop's values reloaded). TestCrossFarBound compares it with closeLiq.
func (s *symState) closeQuiet(m float64, sp *symPath) bool {
	d := s.tr.t.MinLiqDistance
	x1, x2 := m-sp.lp[1], m-sp.lp[2] // (NaN without a kline: no answer but a recorded wick)
	if s.qty < 0 {
		x1, x2 = -x1, -x2 // p − m, exactly (rounding is symmetric)
	} else if 1 < d {
		return false
	}
	lim := float64(d*m) * (1 - crossSlack)
	return s.tr.t.LastWick || x1 < lim && x2 < lim
}

// pathDistances is probePath's closest distance to liquidation of symbol s's one-way cross
// position at the path's vertices 0..2 where probe takes it (on0 with open, on1, on2; +Inf
// for none), the cross sums at the vertices given.
func (s *symState) pathDistances(w float64, open, on0, on1, on2 bool, m0, m1, m2, cmm0, cmm1, cmm2, cu0, cu1, cu2 float64) float64 {
	// the position's own figures at the vertices again, the first loop's arithmetic (the
	// same floats; cheaper than storing them there, in a cache line the loop does not touch)
	bMMR, bCum, qty, entry := s.bMMR, s.bCum, s.qty, s.entry
	d := math.Inf(1) // (+Inf: the identity of min)
	if on0 && open { // (else vertex 1's again)
		mm, u := float64(float64(s.aq*m0)*bMMR)-bCum, float64(qty*(m0-entry))
		if lp := s.pathLiq(w, cmm0-mm, cu0-u, m0); lp > 0 {
			d = min(d, margin.LiquidationDistance(m0, lp))
		}
	}
	if on1 {
		mm, u := float64(float64(s.aq*m1)*bMMR)-bCum, float64(qty*(m1-entry))
		if lp := s.pathLiq(w, cmm1-mm, cu1-u, m1); lp > 0 {
			d = min(d, margin.LiquidationDistance(m1, lp))
		}
	}
	if on2 {
		mm, u := float64(float64(s.aq*m2)*bMMR)-bCum, float64(qty*(m2-entry))
		if lp := s.pathLiq(w, cmm2-mm, cu2-u, m2); lp > 0 {
			d = min(d, margin.LiquidationDistance(m2, lp))
		}
	}
	return d
}

// crossSlack is crossFar's relative slack, 2⁻³⁰: far more than the rounding it covers (a few
// dozen roundings of at most 2⁻⁵³ each, relative to the terms' scale, and the liquidation
// formula's denominator's, at most 2⁻⁴³ with the table's highest MMR <= 1 − 2⁻¹⁰).
const crossSlack = 0x1p-30

// crossFar reports whether no distance to liquidation that probePath takes for symbol s's
// one-way cross position at the path's vertices (pathDistances, and the close's) can be below
// d (the trade's closest so far), so that they cannot lower it. dlo and dhi are the lowest and
// highest cross margin surplus Δ = fl(fl(wallet + Σ uPnL) − Σ MM) at the vertices where probe
// takes the distances, sc the highest |wallet| + |Σ MM| + |Σ uPnL| there, m0..m3 the
// position's marks at the vertices (finite, > 0; their notionals in the cached bracket b; a
// vertex where no distance is taken only widens their range).
//
// The bound. Whatever bracket β pathLiq's answer comes from (the mark's, the second cached
// one, or LiquidationPriceFloat's search, consistent or not), it is
// LP = fl(fl(fl(base + cum_β) − qe) / den_β) with base = fl(fl(wallet − fl(ΣMM − mm)) +
// fl(ΣuPnL − u)) and den_β = fl(fl(Q·MMR_β) − qty) (Q = |qty|). In real arithmetic on the
// same float inputs, with mm ≈ Q·m·MMR_b − cum_b, u ≈ qty·(m − entry) and qe ≈ qty·entry:
// LP − m = (Δ' + G_β)/(Q·MMR_β − qty), where Δ' = Δ + e, G_β = MM(Q·m) − MM_β(Q·m), MM is the
// table's maintenance margin (a valid table's is continuous with non-decreasing MMR, so
// convex, and each bracket's line MM_β(n) = n·MMR_β − cum_β lies below it; MM(Q·m) = MM_b(Q·m))
// and e gathers the roundings: |e| is a few dozen 2⁻⁵³ times S = sc + 4(Q·m + |qe| + the
// table's highest cum), which bounds every term they are relative to (|mm|, |u|, |base|,
// cum_β, Q·m, and the float table's departures from continuity at its caps).
//
// Let S' be that surplus with the position's own mark moved from m (the other positions as
// they are): for a short (qty = −Q) S'(m + y) = Δ' − Q·y − (MM(Q·(m + y)) − MM(Q·m)), for a
// long S'(m − y) = Δ' − Q·y + (MM(Q·m) − MM(Q·(m − y))). For a short x = LP − m > 0 solves
// Δ' + G_β = Q·x·(1 + MMR_β), i.e. S'(m + x) = MM_β(Q·(m + x)) − MM(Q·(m + x)) <= 0; for a long
// with LP >= 0 (no distance is taken otherwise) x = m − LP solves Δ' + G_β = Q·x·(1 − MMR_β),
// i.e. S'(m − x) = MM_β(Q·(m − x)) − MM(Q·(m − x)) <= 0. A chord of the convex MM rises at most
// at the slope of its right end and at least at that of its left end (the MMR of the bracket
// FloatTable.For finds there: MMR(n)), so S'(m + x) >= Δ' − Q·x·(1 + MMR(Q·(m + x))) and
// S'(m − x) >= Δ' − Q·x·(1 − MMR(Q·(m − x))). Were the distance x/m below d, the notional
// Q·(m ± x) would lie below N = Q·m·(1 + d) (short) or above N = Q·m·(1 − d) (long), where
// MMR is at most (short) or at least (long) μ = MMR(N) (MMR is non-decreasing), and with
// f = 1 ± μ, Δ' >= Q·m·d·f would make S' > 0 there: so the distance is at least d, whichever
// bracket β the answer comes from. crossFar takes N from the highest vertex notional nhi,
// raised by 2⁻³⁰ (short), or from the lowest nlo, lowered by 2⁻³⁰ (long; N <= 0 finds the
// first bracket's MMR, the lowest): covering every vertex and N's own rounding. Better still,
// f = 1 ∓ MMR_b where LP provably stays in the mark's bracket b (the fast path answers bracket b
// when Q·LP >= bLo for a long, which (Q·m − bLo)(1 − MMR_b) > Δ + |e| ensures, and Q·LP < bHi
// for a short: (bHi − Q·m)(1 + MMR_b) > Δ + |e|); that is the cheaper test, taken first.
//
// The float distance fl(|fl(m − LP)|/m) is within 2⁻⁴⁰·(1 + distance) of the real one (LP's
// own rounding: den_β's relative error is at most 2⁻⁵²/(1 − MMR_β) <= 2⁻⁴² with the highest
// MMR <= 1 − 2⁻¹⁰). With Δ >= dlo − 2⁻⁵²·sc and Q·mlo <= Q·m <= Q·mhi, the test below asks
// dlo >= slack + d·Q·mhi·f·(1 + 2⁻³⁰), and the certificates hold with a factor 1 − 2⁻³⁰, where
// slack = 2⁻³⁰·S: that covers every rounding above and the test's own by a factor over 2¹⁰.
// Non-finite inputs (sc = +Inf or NaN, d = +Inf or NaN, a NaN surplus) answer false.
// TestCrossFarBound compares it with pathDistances on random positions, marks at and across
// bracket edges and liquidation prices near the marks, across caps and <= 0.
func (s *symState) crossFar(dlo, dhi, sc, m0, m1, m2, m3, d float64) bool {
	if !(sc < math.Inf(1)) || !(d < math.Inf(1)) {
		return false
	}
	// the lowest and highest mark without a branch (their order is the bar's, which the branch
	// predictor misses): finite floats > 0 order as their bits do, and the integer min and max
	// compile to conditional moves
	b0, b1, b2, b3 := math.Float64bits(m0), math.Float64bits(m1), math.Float64bits(m2), math.Float64bits(m3)
	mlo, mhi := math.Float64frombits(min(b0, b1, b2, b3)), math.Float64frombits(max(b0, b1, b2, b3))
	nlo, nhi := s.aq*mlo, s.aq*mhi
	slack := s.crossSlackOf(sc, nhi)
	f := s.crossF(dhi, slack, nlo, nhi, d)
	return dlo >= slack+float64(float64(float64(d*nhi)*f)*(1+crossSlack))
}

// crossSlackOf is crossFar's slack 2⁻³⁰·(sc + 4·nhi + fK) (fK: 4·(|qe| + the highest cum), or
// NaN for a table without the bound, which fails the test; the sum's own rounding is far inside
// the slack's factor). Like crossF and crossFar's last line, every rounding is explicit (no
// fused operation), so that the figures setCrossWin takes are the same functions of the same
// inputs.
func (s *symState) crossSlackOf(sc, nhi float64) float64 {
	return float64(crossSlack * float64(sc+float64(4*nhi+s.fK)))
}

// crossF is crossFar's f = 1 ∓ μ for the highest surplus dhi, its slack and the lowest and
// highest vertex notionals nlo, nhi: 1 ∓ the mark's bracket's MMR where the certificate holds,
// else 1 ∓ the MMR of the notional a distance d away.
//
// It does not rise when dhi, the slack or nhi fall or nlo rises (d >= 0, nlo > 0, the bracket
// table valid, the notionals in the cached bracket), so that crossF at a window's worst figures
// (setCrossWin) is at least crossFar's f in a step within it: every rounding is monotone and
// the factors are >= 0 (f = 1 ∓ MMR > 0, MMR being in [0, 1)); a certificate that holds keeps
// holding (its left side does not fall, its right side does not rise); and where it fails, the
// MMR a distance away is at least the mark's bracket's for a short (at N >= nhi) and at most it
// for a long (at N <= nlo), and it does not fall with nhi (short) or rise with nlo (long, whose
// N for d > 1 is <= 0, below the first cap).
func (s *symState) crossF(dhi, slack, nlo, nhi, d float64) float64 {
	if s.qty > 0 {
		f := 1 - s.bMMR
		if !(float64(float64(nlo-s.bLo)*f)*(1-crossSlack) > dhi+slack) {
			f = 1 - s.farMMR(float64(nlo*(1-d))*(1-crossSlack))
		}
		return f
	}
	f := 1 + s.bMMR
	if !(float64(float64(s.bHi-nhi)*f)*(1-crossSlack) > dhi+slack) {
		f = 1 + s.farMMR(float64(nhi*(1+d))*(1+crossSlack))
	}
	return f
}

// marksInWin and pointsInWin report whether a step with marks m0..m3 and last-price path sp is
// within the window of symbol s's trade (setCrossWin): every mark in [xLo, xHi]; the trade's
// closest distance xD and the path's inner points p with xPS·p >= xP (exact: xPS is ±1), that
// is in [xPLo, xPHi] = [xP, +Inf] for a long, [−Inf, −xP] for a short. (A NaN bound, distance or
// point: no.) Two functions small enough to be inlined.
func (s *symState) marksInWin(m0, m1, m2, m3 float64) bool {
	return m0 >= s.xLo && m0 <= s.xHi && m1 >= s.xLo && m1 <= s.xHi && m2 >= s.xLo && m2 <= s.xHi && m3 >= s.xLo && m3 <= s.xHi
}

func (s *symState) pointsInWin(sp *symPath) bool {
	return s.tr.t.MinLiqDistance == s.xD && s.xPS*sp.lp[1] >= s.xP && s.xPS*sp.lp[2] >= s.xP
}

// markHi is the highest of the marks m0..m3 (finite, > 0) as crossFar takes it: from their
// bits (integer maxima, conditional moves without a branch).
func markHi(m0, m1, m2, m3 float64) float64 {
	return math.Float64frombits(max(math.Float64bits(m0), math.Float64bits(m1), math.Float64bits(m2), math.Float64bits(m3)))
}

// crossWinFar is crossFar's test for a trade within its window (marksInWin, pointsInWin) in a
// step whose sums meet the account's references, mhi its highest mark (markHi): the same slack
// and nhi, with f at most xF, crossFar's (setCrossWin), so that a yes here is crossFar's yes,
// and closeQuiet's.
func (s *symState) crossWinFar(dlo, sc, mhi float64) bool {
	return dlo >= s.crossWinNeed(sc, mhi)
}

// crossWinNeed is the lowest surplus for which crossWinFar says yes. It does not fall when sc or
// mhi rise (every rounding monotone, every factor >= 0), so that a surplus at least xR =
// crossWinNeed(xSC, xHi) (setCrossWin) gets a yes in a step within the window and references.
func (s *symState) crossWinNeed(sc, mhi float64) float64 {
	nhi := s.aq * mhi
	return s.crossSlackOf(sc, nhi) + float64(float64(float64(s.xD*nhi)*s.xF)*(1+crossSlack))
}

// crossWinSkips counts, with countSkips, the cross trades probePath left as they were within
// their windows (tests only).
var crossWinSkips atomic.Int64

// setCrossWin sets the window of symbol s's open one-way cross trade in an account whose open
// positions are all cross, after probePath took it at the step's marks m0..m3 (their notionals
// in the cached bracket): marks [xLo, xHi] around them within the bracket, the trade's closest
// distance xD = d, the f crossF finds at the window's worst figures with the account's
// references (xF), last-price points [xPLo, xPHi] for closeQuiet (xPS, xP), and xR. It voids
// the window (NaN xLo) where d is not finite and >= 0 (or a long's not <= 1, where closeQuiet
// says no), the references are not finite, the table has no bound (fK NaN) or xR is not finite.
//
// In a later step with every mark in [xLo, xHi], MinLiqDistance = xD, lp[1] and lp[2] in [xPLo,
// xPHi], and sums with sc <= xSC and dhi <= xDH, as long as the bracket, the position and the
// references are those of the window (refreshLeg, maintenance and probePath's new references
// void it): the marks are finite and > 0, so crossFar's nlo >= NL = fl(Q·xLo) and nhi <= NH =
// fl(Q·xHi) (rounding is monotone), its slack is at most crossSlackOf(xSC, NH) and its f at most
// xF = crossF(xDH, that slack, NL, NH, d) (crossF's monotony), so that crossFar says yes when
// dlo >= slack + fl(fl(fl(d·nhi)·xF)·(1 + 2⁻³⁰)) (crossWinFar's test, its slack the same), and
// so when dlo >= xR = crossWinNeed(xSC, xHi), the most that test asks in the window;
// closeQuiet says yes: for a long fl(m − p) <= fl(xHi − xPLo) < fl(fl(d·xLo)·(1 − 2⁻³⁰)) <= its
// lim (d >= 0), for a short fl(p − m) <= fl(xPHi − xLo) < the same, and with LastWick (which
// stays set while the trade is open) it needs no point. The window's room is at most d/8, so
// that the last-price points may stay in theirs. TestCrossWindow checks it.
func (a *account) setCrossWin(s *symState, m0, m1, m2, m3 float64) {
	s.xLo = math.NaN()
	d := s.tr.t.MinLiqDistance
	long := s.qty > 0
	if !(d >= 0 && d < math.Inf(1)) || s.qty == 0 || long && !(d <= 1) || !(a.xSC < math.Inf(1) && a.xDH < math.Inf(1)) || s.fK != s.fK {
		return
	}
	mlo, mhi := min(m0, m1, m2, m3), max(m0, m1, m2, m3)
	if !(mlo > 0 && mhi < math.Inf(1)) {
		return
	}
	e := min(crossWinWidth, d/8)
	lo, hi := mlo*(1-e), mhi*(1+e)
	if !(s.aq*lo >= s.bLo) {
		lo = mlo // (in the bracket: pathCross checked every mark's notional)
	}
	if !(s.aq*hi < s.bHi) {
		hi = mhi
	}
	nl, nh := s.aq*lo, s.aq*hi
	f := s.crossF(a.xDH, s.crossSlackOf(a.xSC, nh), nl, nh, d)
	lim := float64(d*lo) * (1 - crossSlack) // closeQuiet's at xLo
	ps, pb := 1.0, math.Inf(-1)             // xPS, xP: [xPLo, xPHi] = [−Inf, +Inf]
	if !long {
		ps = -1
	}
	if !s.tr.t.LastWick {
		if long {
			if pb = hi - lim*0.75; !(hi-pb < lim) { // xPLo
				return
			}
		} else if pHi := lo + lim*0.75; !(pHi-lo < lim) {
			return
		} else {
			pb = -pHi
		}
	}
	s.xHi, s.xD, s.xF, s.xPS, s.xP = hi, d, f, ps, pb
	if s.xR = s.crossWinNeed(a.xSC, hi); s.xR < math.Inf(1) { // (of xD and xF just set)
		s.xLo = lo // (else none: pathCross takes xR as a finite number)
	}
}

// crossWinWidth is the most relative room a cross trade's window leaves around the step's marks:
// a wider window is left less often, but its xR asks more of the account's surplus (2⁻⁵ and
// 2⁻⁶ took more instructions in the swing sweep, 2⁻⁸ as many, 2⁻¹⁰ far more).
const crossWinWidth = 0x1p-7

// farMMR is s.brk.For(n).MMR, the bracket kept in s's cache while n stays in it (the first
// bracket whose cap exceeds n: [the previous cap, its cap)).
func (s *symState) farMMR(n float64) float64 {
	if n >= s.fLo && n < s.fHi {
		return s.fMMR
	}
	brk := s.brk
	j := 0
	for j < len(brk)-1 && !(n < brk[j].Cap) {
		j++
	}
	s.fLo, s.fHi, s.fMMR = math.Inf(-1), math.Inf(1), brk[j].MMR
	if j > 0 {
		s.fLo = brk[j-1].Cap
	}
	if j < len(brk)-1 {
		s.fHi = brk[j].Cap
	}
	return s.fMMR
}

// setIsoFar sets the thresholds of symbol s's isolated trade for liquidation price lp and its
// closest distance d = MinLiqDistance (isoThresholds), which probePath's loops keep until
// either changes (d only falls; lp changes at ledger events): every mark of the step at or
// above fAbove, or every one at or below fBelow, is at a distance of at least d, so that the
// four distances cannot lower it (probePath skips them: a few comparisons per trade and step
// instead of liqDistanceBound's range and division; TestIsoThresholds checks the thresholds).
func (s *symState) setIsoFar(lp float64) {
	d := s.tr.t.MinLiqDistance
	s.fLP, s.fD = lp, d
	s.fAbove, s.fBelow = isoThresholds(lp, d)
}

// isoDistances lowers symbol s's isolated trade's closest distance to its liquidation price
// lp > 0 to the distances from the marks m0..m3, unless liqDistanceBound shows they cannot
// lower it (probePath's loops, where the thresholds of setIsoFar did not).
func (s *symState) isoDistances(lp, m0, m1, m2, m3 float64) {
	if !(liqDistanceBound(lp, m0, m1, m2, m3) >= s.tr.t.MinLiqDistance) {
		s.tr.t.MinLiqDistance = min(s.tr.t.MinLiqDistance, margin.LiquidationDistance(m0, lp),
			margin.LiquidationDistance(m1, lp), margin.LiquidationDistance(m2, lp),
			margin.LiquidationDistance(m3, lp))
	}
}

// isoThresholds returns, for a liquidation price lp > 0 and a distance d, a price above such
// that every float m >= above has fl(fl(m − lp)/m) >= d, and one below such that every float
// 0 < m <= below has fl(fl(lp − m)/m) >= d (LiquidationDistance's |m − lp|/m, rounding being
// symmetric), or +Inf and 0 where it finds none.
//
// With D = d·(1 + 2⁻⁵²), a real (m − lp)/m >= D gives fl(m − lp) >= (m − lp)(1 − 2⁻⁵³) (m and lp
// are normal: exact within a factor 2 of each other, else a normal result) and a quotient >= D(1 − 2⁻⁵³) > d, whose
// rounding is >= d (rounding is monotone and d a float); the same for (lp − m)/m. And
// (m − lp)/m >= D when m >= lp/(1 − D) (D < 1), (lp − m)/m >= D when m <= lp/(1 + D). The
// thresholds are those quotients from y = fl(d·(1 + 2⁻³⁰)) >= D, each operation rounded (a
// relative error of at most 2⁻⁵³ each; 1 − y is exact or within 2⁻⁵³ of itself, and at least
// 2⁻¹⁰ by the guard), then moved outward by a factor 1 ± 2⁻³⁰, which covers them many times
// over. A d so small that y is subnormal (y may then be below D) needs nothing: above >=
// lp(1 + 2⁻³¹) already gives (m − lp)/m >= 2⁻³² > D, and 1 + y rounds to 1 >= (1 + D)(1 − 2⁻⁵³).
// An lp below 2⁻¹⁰⁰⁰, a d >= 1 − 2⁻¹⁰ (for above), a NaN or +Inf d, and a below that
// underflows find no threshold.
func isoThresholds(lp, d float64) (above, below float64) {
	above, below = math.Inf(1), 0
	if !(lp >= 0x1p-1000) || !(d >= 0 && d < math.Inf(1)) {
		return above, below
	}
	y := d * (1 + 0x1p-30)
	if y < 1-0x1p-10 {
		above = lp / (1 - y) * (1 + 0x1p-30)
	}
	if b := lp / (1 + y) * (1 - 0x1p-30); b >= 0x1p-1000 {
		below = b
	}
	return above, below
}

// liqDistanceBound is a lower bound of margin.LiquidationDistance(m, lp) for m = m0..m3
// (finite, > 0: the reader refuses other prices, and an open position's symbol has a mark) and
// lp > 0, as floats, or 0: with lo and hi the lowest and highest m, a price
// lp <= lo is |m − lp|/m = fl(fl(m − lp)/m) >= fl(fl(lo − lp)/hi), and lp >= hi is
// fl(fl(lp − m)/m) >= fl(fl(lp − hi)/hi), because rounding is monotone (m − lp >= lo − lp >= 0
// and 0 < m <= hi, and so on). When the bound is at least a trade's closest distance so far,
// the four distances cannot lower it (probePath skips them; with exhaustiveProbes the probes
// take them one by one).
func liqDistanceBound(lp, m0, m1, m2, m3 float64) float64 {
	lo, hi := m0, m0 // (finite: plain comparisons, not the builtins' NaN rules)
	if m1 < lo {
		lo = m1
	}
	if m1 > hi {
		hi = m1
	}
	if m2 < lo {
		lo = m2
	}
	if m2 > hi {
		hi = m2
	}
	if m3 < lo {
		lo = m3
	}
	if m3 > hi {
		hi = m3
	}
	switch {
	case lp <= lo:
		return (lo - lp) / hi
	case lp >= hi:
		return (lp - hi) / hi
	}
	return 0
}

// pathLiq is probeOneWay's liquidation price of symbol s's one-way cross position p at mark m
// (whose notional is in the cached bracket), the other cross positions giving otherMM and
// otherPnL: crossLiqAt, its cases of the cached brackets inline.
func (s *symState) pathLiq(wallet, otherMM, otherPnL, m float64) float64 {
	p := &s.posState
	base := wallet - otherMM + otherPnL
	lp := (base + p.bCum - p.qe) / p.bDen
	n := 0.0
	if lp > 0 {
		n = p.aq * lp
	}
	if n >= p.bLo && n < p.bHi {
		return lp
	}
	if n >= p.lLo && n < p.lHi { // crossLiqAt's second bracket, cached
		lp = (base + p.lCum - p.qe) / p.lDen
		n = 0.0
		if lp > 0 {
			n = p.aq * lp
		}
		if n >= p.lLo && n < p.lHi {
			return lp
		}
	}
	return p.crossLiqAt(wallet, otherMM, otherPnL, m, s.brk)
}

// probeRisk is probe's first pass for position p of symbol s at mark m: its figures, and an
// isolated position's own ratio and distance to liquidation.
func (a *account) probeRisk(s *symState, p *posState, m float64, risk *margin.FloatRisk) {
	if p.qty == 0 {
		return
	}
	mm := p.maintenance(s.brk, p.aq*m)
	u := float64(p.qty * (m - p.entry))
	p.probeMM, p.probeU = mm, u
	if !p.isolated {
		risk.Add(margin.Cross, mm, u, 0)
		return
	}
	r := margin.MarginRatioFloat(mm, p.isoWallet+u)
	a.barPeak = max(a.barPeak, r)
	if p.tr.open {
		p.tr.t.PeakMarginRatio = max(p.tr.t.PeakMarginRatio, r)
		if p.liq > 0 {
			p.tr.t.MinLiqDistance = min(p.tr.t.MinLiqDistance, margin.LiquidationDistance(m, p.liq))
		}
	}
}

// probeLiq is probe's second pass for cross position p of symbol s (sib: its other leg in
// hedge mode, else nil), with the cross account's ratio r at vertex k.
func (a *account) probeLiq(s *symState, p, sib *posState, k int, r float64, risk *margin.FloatRisk) {
	if p.qty == 0 || p.isolated || !p.tr.open {
		return
	}
	p.tr.t.PeakMarginRatio = max(p.tr.t.PeakMarginRatio, r)
	m := a.probeMark(s, k)
	var lp float64
	if sib != nil && sib.qty != 0 && !sib.isolated {
		lp = hedgeLiqFloat(p, sib, a.crossWallet, risk.CrossMM-p.probeMM-sib.probeMM,
			risk.CrossUPnL-p.probeU-sib.probeU, m, s.brk)
	} else {
		lp = p.crossLiqAt(a.crossWallet, risk.CrossMM-p.probeMM, risk.CrossUPnL-p.probeU, m, s.brk)
	}
	if k == 3 {
		p.closeLP = lp
	}
	if lp > 0 {
		p.tr.t.MinLiqDistance = min(p.tr.t.MinLiqDistance, margin.LiquidationDistance(m, lp))
	}
}

// maintenance is brk.MaintenanceMargin(n) (n: the position's notional |qty| × mark), the
// bracket taken from p's cache while n stays in it: the same bracket FloatTable.For finds (it
// returns the first bracket whose cap exceeds n; the cached one is the first while its
// predecessor's cap <= n < its cap) and the same formula, so the same float. Every probe
// searches afresh with exhaustiveProbes.
func (p *posState) maintenance(brk margin.FloatTable, n float64) float64 {
	if !(n >= p.bLo && n < p.bHi) || exhaustiveProbes {
		j := 0
		for j < len(brk)-1 && !(n < brk[j].Cap) {
			j++
		}
		b := brk[j]
		p.bLo, p.bHi, p.bMMR, p.bCum = math.Inf(-1), b.Cap, b.MMR, b.Cum
		if j > 0 {
			p.bLo = brk[j-1].Cap
		}
		if j == len(brk)-1 {
			p.bHi = math.Inf(1)
		}
		// margin.LiquidationPriceFloat's denominator Q·MMR − side·Q (side·Q is qty)
		p.bDen = float64(p.aq*b.MMR) - p.qty
		p.bRise = p.qty < 0 && b.MMR <= 1 && b.Cum >= 0
		p.fK = math.NaN()  // crossFar's (no bound past an MMR of 1 − 2⁻¹⁰)
		p.xLo = math.NaN() // (the window was the old bracket's)
		if top := brk[len(brk)-1]; top.MMR <= 1-0x1p-10 {
			p.fK = 4 * (math.Abs(p.qe) + top.Cum)
		}
		return brk.MaintenanceMargin(n)
	}
	return float64(n*p.bMMR) - p.bCum
}

// crossLiqAt is margin.LiquidationPriceFloat of one-way cross position p at mark m, the other
// cross positions giving otherMM and otherPnL, right after p.maintenance at the same mark
// (its bracket cached). LiquidationPriceFloat solves LP = (WB − TMM1 + UPNL1 + cum − side·Q·EP)
// / (Q·MMR − side·Q) with the bracket of Q·m and returns it when the bracket of Q·LP (of 0 for
// LP <= 0) is the same; else it solves again with that bracket and returns that LP when its
// bracket is again the same (and goes on otherwise). crossLiqAt does those two steps, in the
// same order and arithmetic, with the mark's cached bracket and a second cached bracket (lLo,
// lHi: a cross position whose LP is <= 0 has it in the first bracket, while its notional is
// in a higher one), and defers to LiquidationPriceFloat itself past them.
func (p *posState) crossLiqAt(wallet, otherMM, otherPnL, m float64, brk margin.FloatTable) float64 {
	if !exhaustiveProbes {
		n := p.aq * m
		if n >= p.bLo && n < p.bHi {
			base := wallet - otherMM + otherPnL
			lp := (base + p.bCum - p.qe) / p.bDen
			n = 0.0
			if lp > 0 {
				n = p.aq * lp
			}
			if n >= p.bLo && n < p.bHi {
				return lp
			}
			if !(n >= p.lLo && n < p.lHi) && n == n {
				j := 0 // FloatTable.For's bracket
				for j < len(brk)-1 && !(n < brk[j].Cap) {
					j++
				}
				b := brk[j]
				p.lLo, p.lHi, p.lCum = math.Inf(-1), math.Inf(1), b.Cum
				if j > 0 {
					p.lLo = brk[j-1].Cap
				}
				if j < len(brk)-1 {
					p.lHi = b.Cap
				}
				p.lDen = float64(p.aq*b.MMR) - p.qty // LiquidationPriceFloat's Q·MMR − side·Q
			}
			if len(brk) > 1 {
				lp = (base + p.lCum - p.qe) / p.lDen
				n = 0.0
				if lp > 0 {
					n = p.aq * lp
				}
				if n >= p.lLo && n < p.lHi {
					return lp
				}
			}
		}
	}
	side := margin.Buy
	if p.qty < 0 {
		side = margin.Sell
	}
	return margin.LiquidationPriceFloat(margin.FloatLiqInput{Side: side, Qty: p.aq, Entry: p.entry,
		Wallet: wallet, OtherMM: otherMM, OtherPnL: otherPnL, Mark: m, Brackets: brk})
}

// hedgeLiqFloat is the shared float liquidation price of a symbol's two cross legs p and sib
// (docs/margin.md §4.1), the other symbols' cross positions giving otherMM and otherPnL.
func hedgeLiqFloat(p, sib *posState, wallet, otherMM, otherPnL, mark float64, brk margin.FloatTable) float64 {
	l, sh := p, sib
	if l.qty < 0 {
		l, sh = sh, l
	}
	return margin.HedgeLiquidationPriceFloat(margin.HedgeFloatLiqInput{Long: l.qty, LongEntry: l.entry,
		Short: -sh.qty, ShortEntry: sh.entry, Wallet: wallet, OtherMM: otherMM, OtherPnL: otherPnL,
		Mark: mark, Brackets: brk})
}

// probeMark is s's mark at vertex k of its path (k < 0: its current mark).
func (a *account) probeMark(s *symState, k int) float64 {
	if k >= 0 { // (a symbol not moving: its mark, which its path repeats)
		return a.pv.sym[s.id].mp[k]
	}
	return a.acct.Mark(s.id)
}

// emit hands the pending point to the sink when pt has a later time and keeps pt pending: a
// timestamp without bars at the same close replaces the pending point, as in the curve.
func (a *account) emit(pt EquityPoint) {
	if a.hasPend && a.pending.Time != pt.Time && a.sinkErr == nil {
		a.sinkErr = a.sink.Add(a.pending)
	} else if a.hasPend && a.pending.Time == pt.Time {
		pt.PeakMarginRatio = max(pt.PeakMarginRatio, a.pending.PeakMarginRatio)
	}
	a.pending, a.hasPend = pt, true
}

// equityPointFields lists EquityPoint's fields, which record sets one by one in a reused
// block: the conversion below stops compiling when a field is added to EquityPoint (or one is
// renamed, retyped or moved) until record sets it too and it is added here.
type equityPointFields struct {
	Time                                                      int64
	Equity, Wallet, UnrealizedPnL, MarginBalance              float64
	MaintenanceMargin, MarginRatio, PeakMarginRatio, Drawdown float64
}

var _ = EquityPoint(equityPointFields{})

// nextEquityBlock makes room for the next point of the curve when eqBlock is full: a block
// sink (bsink) takes the full block, which is then reused; without a sink the block joins
// eqBlocks and a new one is started.
func (a *account) nextEquityBlock() {
	if a.bsink != nil {
		if a.eqBlock == nil {
			a.eqBlock = make([]EquityPoint, 0, sinkBlock)
			return
		}
		if a.sinkErr == nil {
			a.sinkErr = a.bsink.AddBlock(a.eqBlock)
		}
		a.eqBlock = a.eqBlock[:0]
		return
	}
	if a.eqBlock != nil {
		a.eqBlocks = append(a.eqBlocks, a.eqBlock)
	}
	a.eqBlock = make([]EquityPoint, 0, equityBlock)
}

// flushEquity hands the last pending point (the last block's points) to the sink.
func (a *account) flushEquity() error {
	if a.sink != nil && a.hasPend && a.sinkErr == nil {
		a.sinkErr = a.sink.Add(a.pending)
		a.hasPend = false
	}
	if a.bsink != nil && len(a.eqBlock) > 0 && a.sinkErr == nil {
		a.sinkErr = a.bsink.AddBlock(a.eqBlock)
		a.eqBlock = a.eqBlock[:0]
	}
	if a.sinkErr != nil {
		return fmt.Errorf("backtest: account %s, equity sink: %w", a.setup.Name, a.sinkErr)
	}
	return nil
}

// crossLiq is the float estimate of cross position p's liquidation price (symbol s; sib its
// other leg in hedge mode, else nil), other cross positions held at their current marks
// (docs/margin.md §4), by margin.LiquidationPriceFloat, or HedgeLiquidationPriceFloat when
// both legs are open (§4.1). It takes the positions' own maintenance margin and uPnL from
// record's pass (closeMM, closeU) and the cross totals crossMM and crossUPnL.
func (a *account) crossLiq(s *symState, p, sib *posState, crossMM, crossUPnL float64) float64 {
	if sib != nil && sib.qty != 0 && !sib.isolated {
		return hedgeLiqFloat(p, sib, a.crossWallet, crossMM-p.closeMM-sib.closeMM, crossUPnL-p.closeU-sib.closeU,
			a.acct.Mark(s.id), s.brk)
	}
	side := margin.Buy
	if p.qty < 0 {
		side = margin.Sell
	}
	return margin.LiquidationPriceFloat(margin.FloatLiqInput{Side: side, Qty: math.Abs(p.qty), Entry: p.entry,
		Wallet: a.crossWallet, OtherMM: crossMM - p.closeMM, OtherPnL: crossUPnL - p.closeU,
		Mark: a.acct.Mark(s.id), Brackets: s.brk})
}

// stop ends the strategy's trading: it is not called again and its orders are cancelled.
func (a *account) stop() {
	if a.stopped {
		return
	}
	a.stopped = true
	a.res.Stopped, a.res.StopTime = true, a.end
	a.cancelWhere(func(*order) bool { return true })
}

// fund settles the funding due at b.Time: the source's funding events, and the constant-rate
// fallback at 00:00/08:00/16:00 UTC for symbols the source has not delivered funding for (the
// step's view lists them: the same for every account).
func (a *account) fund(b *Batch) {
	t := b.Time
	for k := range b.Funding {
		f := &b.Funding[k]
		a.settle(t, f.ID, f.Rate)
	}
	if !a.cfg.NoFundingFallback {
		for _, i := range a.pv.fallback {
			a.settle(t, i, *a.cfg.FundingFallbackRate)
		}
	}
	if a.walletDirty {
		a.refreshWallet()
		a.walletDirty = false
	}
}

// fallbackDue reports whether an 8-hour funding boundary (00/08/16 UTC) lies in (prev, t],
// or at t itself for the first timestamp of the run.
func fallbackDue(prev, t int64, started bool) bool {
	if !started {
		return t%fundingPeriodMs == 0
	}
	return floorDiv(t, fundingPeriodMs) > floorDiv(prev, fundingPeriodMs)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// settle books one funding payment of symbol i at the mark of the open (one per open leg in
// hedge mode, LONG first).
func (a *account) settle(t int64, i int, rate float64) {
	a.settleLeg(t, i, &a.syms[i].posState, rate)
	if a.shorts != nil {
		a.settleLeg(t, i, &a.shorts[i], rate)
	}
}

// markDec is decimal.NewFromFloat(mark) for a mark of symbol i: made from the coefficient and
// exponent floatCoef reads (exact.FloatCoef's, NewFromFloat's: on the tick grid without
// formatting the float, and remembered), NewFromFloat itself when they do not fit.
func (a *account) markDec(i int, mark float64) decimal.Decimal {
	d := decimal.Decimal{}
	if c, e, ok := a.floatCoef(i, mark); ok {
		d = decimal.New(c, e)
	} else {
		d = decimal.NewFromFloat(mark)
	}
	if checkMarkDec {
		if w := decimal.NewFromFloat(mark); !d.Equal(w) || d.Exponent() != w.Exponent() {
			panic(fmt.Sprintf("backtest: funding mark %v of symbol %d: %s (exp %d), NewFromFloat %s (exp %d)",
				mark, i, d, d.Exponent(), w, w.Exponent()))
		}
		markDecChecked++
	}
	return d
}

// checkMarkDec makes markDec compare its Decimal with decimal.NewFromFloat's and panic on a
// difference (tests); markDecChecked counts the comparisons.
var (
	checkMarkDec   = false
	markDecChecked = 0
)

// settleLeg books one funding payment of position s of symbol i.
func (a *account) settleLeg(t int64, i int, s *posState, rate float64) {
	if s.qty == 0 {
		return
	}
	mark := a.acct.Mark(i)
	if math.IsNaN(mark) {
		return
	}
	qty, _ := a.acct.QtyFix(i, s.side)
	markF := exact.Fix{} // the Fix of decimal.NewFromFloat(mark), read through the symbol's memo
	if c, e, ok := a.floatCoef(i, mark); ok {
		markF = exact.FixNew(c, e)
	}
	amt, err := a.acct.FundLegFix(i, s.side, t, rate, mark, markF)
	if err != nil {
		a.addReject(Reject{Time: t, Symbol: a.symbols[i], Action: "funding", Reason: rejectReason(err), Code: rejectCode(err)})
		return
	}
	p := FundingPayment{Time: t, Symbol: a.symbols[i], PositionSide: s.side, Qty: qty, Mark: a.markDec(i, mark), Rate: rate, Amount: amt}
	a.res.Funding = append(a.res.Funding, p)
	if s.tr.open {
		s.tr.t.Funding = s.tr.t.Funding.Add(amt)
	}
	a.refreshLeg(i, s)
	a.walletDirty = true
	if a.onFunding != nil && !a.stopped {
		a.onFunding.OnFunding(&a.br, p)
	}
}
