package backtest

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/shopspring/decimal"
)

// chunkSize is how many timestamps the parallel mode hands each account at once.
const chunkSize = 256

// Run replays src once and fans every event out to one account per setup, each with its own
// strategy from newStrategy. With cfg.Parallel the accounts run on a worker pool; the result is
// identical to a sequential run. Run returns the first strategy error, a data error of src, or
// ctx's error; rejected orders are not errors.
//
// Its steps: check the config and the source's symbols; read ahead until every symbol has
// shown its first bars (instruments are sized on them); build the exchange rules by date and
// open one account per setup; replay the batches read ahead, then stream the rest; collect the
// result.
func Run(ctx context.Context, cfg Config, newStrategy func() Strategy, src Source) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	symbols, err := sourceSymbols(&cfg, src)
	if err != nil {
		return nil, err
	}
	fbBook := bracketBook(&cfg, symbols)
	r := &reader{src: src, checked: checkedSource(src), symbols: symbols, noMark: make([]int, len(symbols)), fallback: make([]int, len(symbols)),
		fundingSeen: make([]bool, len(symbols)), prevT: math.MinInt64,
		bars: make([]int, len(symbols)), early: make([]int, len(symbols)), cutoff: bracketCutoffs(&cfg, symbols, fbBook)}
	var store chunkStore
	ref, grids, err := readAhead(r, &store)
	if err != nil {
		return nil, err
	}
	ahead := store.batches()
	if len(ahead) == 0 {
		return nil, fmt.Errorf("%w: the source holds no data", ErrBadSource)
	}
	start := ahead[0].Time
	sched, unknownFilters, err := buildSchedule(&cfg, symbols, ref, grids, start)
	if err != nil {
		return nil, err
	}
	accts, hist, err := openAccounts(&cfg, symbols, sched, start, newStrategy, src)
	if err != nil {
		return nil, err
	}

	sigs, err := shareSignals(accts)
	if err != nil {
		return nil, err
	}
	e := &engine{accts: accts, hist: hist, paths: newPaths(len(symbols)), signals: sigs}
	if cfg.Parallel && len(accts) > 1 {
		e.startPool()
		defer e.stopPool()
	}
	if err := e.run(ctx, ahead); err != nil {
		return nil, err
	}
	end, err := e.stream(ctx, r, &store, ahead[len(ahead)-1].Time, cfg.Parallel)
	if err != nil {
		return nil, err
	}

	for _, a := range accts {
		if err := a.flushEquity(); err != nil {
			return nil, err
		}
		if err := a.finishRecords(); err != nil {
			return nil, err
		}
	}
	res := &Result{Start: start, End: end, Symbols: symbols, Instruments: sched.first(), Config: cfg}
	for _, a := range accts {
		res.Accounts = append(res.Accounts, a.result())
	}
	res.Fallbacks = append(fallbacks(&cfg, symbols, fbBook, start, r), filterFallbacks(symbols, unknownFilters, r.bars)...)
	res.Assumptions = append(assumptions(&cfg, symbols, sched, end), fallbackAssumptions(&cfg, res.Fallbacks)...)
	return res, nil
}

// sourceSymbols returns src's symbols, checked: at least one, sorted and unique, and every
// symbol the config names among them.
func sourceSymbols(cfg *Config, src Source) ([]string, error) {
	symbols := slices.Clone(src.Symbols())
	if len(symbols) == 0 {
		return nil, ErrNoSymbols
	}
	for i := 1; i < len(symbols); i++ {
		if symbols[i] <= symbols[i-1] {
			return nil, fmt.Errorf("%w: Symbols() not sorted and unique at %d (%q)", ErrBadSource, i, symbols[i])
		}
	}
	if err := cfg.checkSymbols(symbols); err != nil {
		return nil, err
	}
	return symbols, nil
}

// gridBars is how many bars per symbol readAhead collects for the price grids.
const gridBars = 24

// readAhead reads batches into store until every symbol has shown a bar (instruments are
// sized on the first open), and then up to gridBars more timestamps, so that a tick whose
// history is not known can be taken from the grid of the first gridBars bars' prices of each
// symbol. It returns each symbol's first open (NaN: no bar in the source) and price grid
// (zero: no price to take a grid from).
func readAhead(r *reader, store *chunkStore) (ref []float64, grids []decimal.Decimal, err error) {
	n := len(r.symbols)
	ref = make([]float64, n)
	for i := range ref {
		ref[i] = math.NaN()
	}
	prices := make([][]float64, n)
	missing, short, extra := n, n, 0
	for missing > 0 || short > 0 && extra < gridBars {
		b, err := r.next()
		if err != nil {
			return nil, nil, err
		}
		if b == nil {
			break
		}
		if missing == 0 {
			extra++
		}
		for k := range b.Bars {
			x := &b.Bars[k]
			if math.IsNaN(ref[x.ID]) {
				ref[x.ID] = x.Open
				missing--
			}
			if len(prices[x.ID]) < 4*gridBars {
				prices[x.ID] = append(prices[x.ID], x.Open, x.High, x.Low, x.Close)
				if len(prices[x.ID]) == 4*gridBars {
					short--
				}
			}
		}
		store.add(b)
	}
	grids = make([]decimal.Decimal, n)
	for i := range grids {
		if g, ok := margin.GridTick(prices[i]); ok {
			grids[i] = g
		}
	}
	return ref, grids, nil
}

// openAccounts opens one account per setup, each with its strategy from newStrategy (started
// at start when it is a Starter) and its equity sink, and sizes the equity curves from src's
// size hint. It returns them with the history of bars they share.
func openAccounts(cfg *Config, symbols []string, sched schedule, start int64, newStrategy func() Strategy, src Source) ([]*account, *history, error) {
	maxHist := 0
	for _, setup := range cfg.Setups {
		maxHist = max(maxHist, cfg.forSetup(setup).History)
	}
	hist := newHistory(len(symbols), maxHist)
	accts := make([]*account, len(cfg.Setups))
	for k, setup := range cfg.Setups {
		a, err := newAccount(cfg.forSetup(setup), symbols, sched, hist, setup, newStrategy())
		if err != nil {
			return nil, nil, err
		}
		accts[k] = a
		if cfg.Equity != nil {
			a.sink = cfg.Equity(setup.Name)
			a.bsink, _ = a.sink.(EquityBlockSink)
		}
		if cfg.Records != nil {
			a.recs = newRecordStream(cfg, setup.Name)
		}
		if st, ok := a.strat.(Starter); ok {
			a.now = start
			if err := st.Start(&a.br); err != nil {
				return nil, nil, fmt.Errorf("%w: account %s, Start: %w", ErrStrategyFailed, setup.Name, err)
			}
		}
	}
	if h, ok := src.(SizeHinter); ok {
		if n := h.SizeHint(); n > 0 && n <= maxSizeHint {
			for _, a := range accts {
				if a.sink == nil {
					a.eqBlock = make([]EquityPoint, 0, n)
				}
			}
		}
	}
	return accts, hist, nil
}

// stream replays the rest of r after the batches read ahead (the last at end) and returns the
// time of the last batch. With more than one processor, one goroutine decodes and checks while
// the accounts step on others (pipeline); otherwise parallel accounts take chunks of
// chunkSize timestamps from store, and a single account (or a sequential run) steps batch by
// batch, checking ctx every 1024 batches.
func (e *engine) stream(ctx context.Context, r *reader, store *chunkStore, end int64, parallel bool) (int64, error) {
	if runtime.GOMAXPROCS(0) > 1 {
		return e.pipeline(ctx, r, end)
	}
	for {
		if parallel && len(e.accts) > 1 {
			store.reset()
			for store.n < chunkSize {
				b, err := r.next()
				if err != nil {
					return end, err
				}
				if b == nil {
					break
				}
				store.add(b)
			}
			if store.n == 0 {
				return end, nil
			}
			bs := store.batches()
			end = bs[len(bs)-1].Time
			if err := e.run(ctx, bs); err != nil {
				return end, err
			}
			continue
		}
		b, err := r.next()
		if err != nil {
			return end, err
		}
		if b == nil {
			return end, nil
		}
		end = b.Time
		e.hist.push(b)
		v := e.paths.one(b)
		if len(e.signals) > 0 {
			e.one[0] = *b
			e.prepare(e.one[:])
		}
		for _, a := range e.accts {
			a.row = 0
			if err := a.step(b, v); err != nil {
				return end, err
			}
		}
		if r.count%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return end, err
			}
		}
	}
}

// engine runs the accounts over batches, sequentially or on a worker pool.
type engine struct {
	accts []*account
	hist  *history // pushed before the accounts step, never while they do
	paths *paths   // the mark paths of the batches, built before the accounts step them
	jobs  chan *account
	wg    sync.WaitGroup
	cur   []Batch
	views []pathView // cur's mark paths
	errs  []error
	// the Signals shared by the accounts' strategies (SignalSharer), prepared with each
	// run of batches before the accounts step through it; one holds the batch that stream
	// steps on its own
	signals []*sigGroup
	one     [1]Batch
}

func (e *engine) startPool() {
	e.jobs = make(chan *account)
	e.errs = make([]error, len(e.accts))
	n := min(len(e.accts), runtime.GOMAXPROCS(0))
	for w := 0; w < n; w++ {
		go e.worker()
	}
}

func (e *engine) worker() {
	for a := range e.jobs {
		k := slices.Index(e.accts, a)
		for j := range e.cur {
			a.row = j
			if err := a.step(&e.cur[j], &e.views[j]); err != nil {
				e.errs[k] = err
				break
			}
		}
		e.wg.Done()
	}
}

func (e *engine) stopPool() { close(e.jobs) }

// run steps every account through bs, at most chunkSize timestamps at a time: the shared
// history holds chunkSize timestamps beyond the largest History.
func (e *engine) run(ctx context.Context, bs []Batch) error {
	for len(bs) > chunkSize {
		if err := e.runChunk(ctx, bs[:chunkSize]); err != nil {
			return err
		}
		bs = bs[chunkSize:]
	}
	return e.runChunk(ctx, bs)
}

// runChunk pushes bs (at most chunkSize timestamps) into the history, prepares the shared
// signals with them and steps every account through them.
func (e *engine) runChunk(ctx context.Context, bs []Batch) error {
	if len(bs) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	e.hist.pushChunk(bs)
	views := e.paths.build(bs)
	e.prepare(bs)
	if e.jobs == nil {
		for j := range bs {
			for _, a := range e.accts {
				a.row = j
				if err := a.step(&bs[j], &views[j]); err != nil {
					return err
				}
			}
		}
		return nil
	}
	e.cur, e.views = bs, views
	e.wg.Add(len(e.accts))
	for _, a := range e.accts {
		e.jobs <- a
	}
	e.wg.Wait()
	for _, err := range e.errs { // the first account's error, deterministically
		if err != nil {
			return err
		}
	}
	return nil
}

// chunk is a run of checked batches read ahead by engine.pipeline, and the error that ended
// the reading, if any (after the chunk's batches).
type chunk struct {
	store *chunkStore
	err   error
}

// pipeline reads the rest of r on a goroutine of its own, in chunks of chunkSize timestamps
// (deep copies: a Source's batch is valid only until its next Next), while the accounts step
// through the previous chunk. Errors come out in the order of a sequential run: the batches
// read before a data error are stepped first, and a strategy error stops the run before any
// later data error. It returns the time of the last batch stepped.
func (e *engine) pipeline(ctx context.Context, r *reader, end int64) (int64, error) {
	const nbuf = 3
	free := make(chan *chunkStore, nbuf)
	for range nbuf {
		free <- new(chunkStore)
	}
	full := make(chan chunk, nbuf-1)
	stop := make(chan struct{})
	go func() {
		defer close(full)
		for {
			var c *chunkStore
			select {
			case c = <-free:
			case <-stop:
				return
			}
			c.reset()
			var err error
			done := false
			for c.n < chunkSize {
				var b *Batch
				if b, err = r.next(); err != nil || b == nil {
					done = true
					break
				}
				c.add(b)
			}
			if c.n > 0 || err != nil {
				select {
				case full <- chunk{c, err}:
				case <-stop:
					return
				}
			}
			if done {
				return
			}
		}
	}()
	defer func() {
		close(stop)
		for range full { // wait for the reader to leave: r is read after Run's loop
		}
	}()
	for ch := range full {
		if ch.store.n > 0 {
			bs := ch.store.batches()
			if err := e.run(ctx, bs); err != nil {
				return end, err
			}
			end = bs[len(bs)-1].Time
		}
		if ch.err != nil {
			return end, ch.err
		}
		free <- ch.store
	}
	return end, nil
}

// chunkStore deep-copies batches into reused storage.
type chunkStore struct {
	n           int
	times       []int64
	nb, nm, nf  []int
	bars, marks []Bar
	funding     []Funding
	out         []Batch
}

func (c *chunkStore) reset() {
	c.n = 0
	c.times, c.nb, c.nm, c.nf = c.times[:0], c.nb[:0], c.nm[:0], c.nf[:0]
	c.bars, c.marks, c.funding = c.bars[:0], c.marks[:0], c.funding[:0]
}

func (c *chunkStore) add(b *Batch) {
	c.n++
	c.times = append(c.times, b.Time)
	c.nb = append(c.nb, len(b.Bars))
	c.nm = append(c.nm, len(b.Marks))
	c.nf = append(c.nf, len(b.Funding))
	c.bars = append(c.bars, b.Bars...)
	c.marks = append(c.marks, b.Marks...)
	c.funding = append(c.funding, b.Funding...)
}

// batches returns the stored batches; valid until the next reset.
func (c *chunkStore) batches() []Batch {
	c.out = c.out[:0]
	var ib, im, ifu int
	for k := 0; k < c.n; k++ {
		c.out = append(c.out, Batch{Time: c.times[k],
			Bars:    c.bars[ib : ib+c.nb[k] : ib+c.nb[k]],
			Marks:   c.marks[im : im+c.nm[k] : im+c.nm[k]],
			Funding: c.funding[ifu : ifu+c.nf[k] : ifu+c.nf[k]]})
		ib, im, ifu = ib+c.nb[k], im+c.nm[k], ifu+c.nf[k]
	}
	return c.out
}

// reader pulls and checks batches and counts the data-level facts the assumptions report.
type reader struct {
	src         Source
	checked     bool // src vouches for its batches (CheckedSource): check skipped
	symbols     []string
	prevT       int64
	count       int
	noMark      []int // klines without a mark bar, per symbol
	fallback    []int // fallback funding settlements due, per symbol
	bars        []int // klines, per symbol
	early       []int // klines before cutoff, per symbol
	cutoff      []int64
	fundingSeen []bool
	started     bool
}

// next returns the next checked batch, nil at the end.
func (r *reader) next() (*Batch, error) {
	if !r.src.Next() {
		if err := r.src.Err(); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadSource, err)
		}
		return nil, nil
	}
	b := r.src.Batch()
	if b.Time <= r.prevT {
		return nil, fmt.Errorf("%w: batch time %d not after %d", ErrBadSource, b.Time, r.prevT)
	}
	if !r.checked {
		if err := r.check(b); err != nil {
			return nil, err
		}
	}
	for k := range b.Funding {
		r.fundingSeen[b.Funding[k].ID] = true
	}
	if fallbackDue(r.prevT, b.Time, r.started) {
		for i, seen := range r.fundingSeen {
			if !seen {
				r.fallback[i]++
			}
		}
	}
	r.started = true
	mk := 0
	for k := range b.Bars {
		id := b.Bars[k].ID
		r.bars[id]++
		if b.Time < r.cutoff[id] {
			r.early[id]++
		}
		for mk < len(b.Marks) && b.Marks[mk].ID < id {
			mk++
		}
		if mk >= len(b.Marks) || b.Marks[mk].ID != id {
			r.noMark[id]++
		}
	}
	r.prevT = b.Time
	r.count++
	return b, nil
}

func (r *reader) check(b *Batch) error {
	if err := r.checkBars(b, "Bars", b.Bars); err != nil {
		return err
	}
	if err := r.checkBars(b, "Marks", b.Marks); err != nil {
		return err
	}
	prev := -1
	for k := range b.Funding {
		f := &b.Funding[k]
		if f.ID <= prev || f.ID >= len(r.symbols) || r.symbols[f.ID] != f.Symbol {
			return r.bad(b, "Funding", k, f.Symbol, "ID out of order or not matching Symbols()")
		}
		prev = f.ID
		if math.IsNaN(f.Rate) || math.IsInf(f.Rate, 0) {
			return r.bad(b, "Funding", k, f.Symbol, "rate not finite")
		}
	}
	return nil
}

func (r *reader) checkBars(b *Batch, kind string, bars []Bar) error {
	prev := -1
	for k := range bars {
		x := &bars[k]
		if x.ID <= prev || x.ID >= len(r.symbols) || r.symbols[x.ID] != x.Symbol {
			return r.bad(b, kind, k, x.Symbol, "ID out of order or not matching Symbols()")
		}
		prev = x.ID
		if x.Time != b.Time {
			return r.bad(b, kind, k, x.Symbol, "bar time differs from batch time")
		}
		// written so that NaN fails every comparison
		if !(x.Low > 0 && x.Low <= x.Open && x.Low <= x.Close && x.High >= x.Open && x.High >= x.Close && x.High <= math.MaxFloat64) {
			return r.bad(b, kind, k, x.Symbol, "prices not finite, positive and with low <= open, close <= high")
		}
	}
	return nil
}

func (r *reader) bad(b *Batch, kind string, k int, sym, msg string) error {
	return fmt.Errorf("%w: %s at %s, %s[%d] %s: %s", ErrBadSource, kind,
		time.UnixMilli(b.Time).UTC().Format(time.RFC3339), kind, k, sym, msg)
}

// result assembles the account's records.
func (a *account) result() AccountResult {
	r := a.res
	n := len(a.eqBlock)
	for _, b := range a.eqBlocks {
		n += len(b)
	}
	switch {
	case a.sink != nil:
		// streamed to Config.Equity: the result holds no curve
	case len(a.eqBlocks) == 0 && n >= cap(a.eqBlock)/2:
		// one block, sized by a SizeHint that held: the curve is already in place
		r.Equity = a.eqBlock[:n:n]
	default:
		r.Equity = make([]EquityPoint, 0, n)
		for _, b := range a.eqBlocks {
			r.Equity = append(r.Equity, b...)
		}
		r.Equity = append(r.Equity, a.eqBlock...)
	}
	a.eqBlocks, a.eqBlock = nil, nil
	r.LiqPrices = a.liqs.pts
	r.Final = a.acct.Snapshot()
	for p := range a.acct.Positions() { // in symbol order, a LONG leg before its SHORT leg
		r.Positions = append(r.Positions, p)
	}
	return r
}

// assumptions lists the modelling assumptions of a run (fallbackAssumptions adds those of its
// fallbacks).
func assumptions(cfg *Config, symbols []string, sched schedule, end int64) []Assumption {
	brackets := sched.describe(symbols, end, func(e *era) string { return e.brackets })
	fees := sched.describe(symbols, end, func(e *era) string { return e.fees })
	clearance := sched.describe(symbols, end, func(e *era) string { return e.clearance })
	filters := sched.describe(symbols, end, func(e *era) string { return e.filters })
	as := []Assumption{
		{"intrabar_path", "each bar walks open → high → low → close when close < open, open → low → high → close otherwise; all symbols step together; the mark path comes from the mark bar, the last-price path from the kline"},
		{"gap", "the first segment of each bar runs from the previous close to the open: stops and liquidations triggered in it execute at the open, resting limits at their limit price; orders arriving at this open do not trade it"},
		{"event_order", "per timestamp: at the first one of a UTC date on which a dated rule changes, the new brackets, filters and fees apply and liquidation is re-checked at the open's marks; orders submitted at the previous close arrive at the open; funding settles; the path is walked (order triggers and liquidations in path order, liquidation first on a tie); then strategies see the completed bars"},
		{"fill_market", fmt.Sprintf("market orders fill at the next bar's open with %g bps adverse slippage, taker fee, price rounded adversely to the tick", cfg.SlippageBps)},
		{"fill_limit", map[bool]string{false: "limits fill when the price trades through them", true: "limits fill when the price touches them"}[cfg.LimitTouch] + ", at the limit price, maker fee; a limit marketable when it arrives fills at the open plus slippage but never beyond its limit, as taker (post-only: rejected)"},
		{"fill_stop", "stop and take-profit orders trigger on the last-price path and fill at the trigger (at the open when the bar gapped through it; at the path's price when they enter the book already past it), with slippage, rounded adversely to the tick, taker fee"},
		{"liquidation_price_source", "liquidation is tested on the mark-price path; isolated positions close at their liquidation price, cross positions at the marks, gaps at the open"},
		{"funding_timing", "funding settles at its timestamp on the positions held after the fills at the open, at the mark bar's open (a symbol without a bar then: at its latest mark)"},
		{"funding_source", "funding rates from the data's funding series; a symbol without one gets the fallback (see funding_fallback when it applies)"},
		{"brackets", "maintenance brackets in force on each bar's UTC date, switched for open positions at the first step of the date (liquidation re-checked there): " + strings.Join(brackets, "; ")},
		{"fills", "orders fill in full (no partial fills, no volume or order-book limit); fills are time-stamped with the bar's open time, ordered by the path within it"},
		{"fees", "trading fees in force on each fill's UTC date (dated schedule: backtest/margin/fees.json, docs/margin.md §9.1): " + strings.Join(fees, "; ")},
		{"filters", "instrument filters in force on each order's UTC date (dated table: backtest/margin/filters.json, docs/margin.md §9.1; a filter the table does not know for a date is derived as stated): " + strings.Join(filters, "; ")},
		{"clearance_fee", "liquidation clearance fee rate on the liquidated notional, in force on the liquidation's UTC date: " + strings.Join(clearance, "; ")},
		{"open_order_margin", "limit and market orders reserve notional/leverage of their position-increasing part; stop and take-profit orders reserve nothing until they trigger"},
		{"ruin", "an account is ruined when its equity reaches 0, or when it is flat and its wallet cannot fund the smallest order at its leverage; a ruined account's strategy is no longer called"},
	}
	if cfg.AutoAddMargin {
		as = append(as, Assumption{"auto_add_margin", "isolated positions are topped up from the wallet when they reach their liquidation threshold (see backtest/margin)"})
	}
	if cfg.StopOnLiquidation {
		as = append(as, Assumption{"stop_on_liquidation", "after its first liquidation an account's orders are cancelled and its strategy is no longer called; remaining positions stay open"})
	}
	return as
}
