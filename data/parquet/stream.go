package parquet

import (
	"fmt"
	"io"
	"io/fs"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/data"
)

const noTime = math.MaxInt64

// cursor walks the rows of one series across its partition files, one row group at a time,
// validating each row group as it is loaded. Its loader decodes the row groups: in fill, on
// the caller's goroutine, or (startAhead) on a goroutine of its own that decodes the next row
// group while the cursor's rows are taken, one row group ahead at most.
type cursor struct {
	ld    *loader // owned by the ahead goroutine while one runs
	ah    *ahead  // nil: fill decodes
	mark  bool
	fund  bool
	files []partFile
	start int64
	end   int64
	b     *block
	i, n  int   // current row; end of the usable rows of b
	head  int64 // time of row i; noTime when exhausted or failed
	err   error
	ended bool // the loader reported the end or an error, or the cursor was closed
	// taken is the time of the last row taken from the cursor (math.MinInt64: none): a
	// Stream reports the cursor's error once every row taken before it was delivered.
	taken int64
}

// loader decodes and validates the row groups of one series across its partition files.
type loader struct {
	fsys     fs.FS
	sr       data.Series
	display  func(string) string
	mark     bool
	funding  bool
	extra    bool  // decode the optional kline columns too
	interval int64 // ms; 0 for funding
	files    []partFile
	fi       int // next file
	pr       *partReader
	pending  error // a bad row's error, returned by the load after the block holding its predecessors
	last     bool  // no rows after the last block (end bound reached)
	done     bool  // the series ended or failed: load returns io.EOF
	prev     int64 // time of the last valid row
	start    int64
	end      int64
}

// newCursor prepares series sr restricted to [start, end) (end 0: no bound); a call to fill
// positions it on its first row. display maps a store path to the name used in errors
// (nil: identity).
func newCursor(fsys fs.FS, sr data.Series, start, end int64, display func(string) string) (*cursor, error) {
	st := &Store{fsys: fsys}
	parts, err := st.parts(sr)
	if err != nil {
		return nil, err
	}
	if end <= 0 {
		end = noTime
	}
	l := &loader{fsys: fsys, sr: sr, display: display, start: start, end: end, prev: math.MinInt64,
		mark: sr.Kind == data.KindMark, funding: sr.Kind == data.KindFunding}
	if display == nil {
		l.display = func(p string) string { return p }
	}
	if !l.funding {
		if l.interval, err = data.IntervalMillis(sr.Interval); err != nil {
			return nil, fmt.Errorf("parquet: %v: %w", sr, err)
		}
	}
	for _, p := range parts {
		if p.end > start && p.start < end {
			l.files = append(l.files, p)
		}
	}
	return &cursor{ld: l, mark: l.mark, fund: l.funding, files: l.files, start: start, end: end, taken: math.MinInt64}, nil
}

// advance moves to the next row.
func (c *cursor) advance() {
	c.i++
	if c.i < c.n {
		c.head = c.b.i64[fTime][c.i]
		return
	}
	c.fill()
}

// fill moves to the next row group holding a usable row, or to the series' end or error.
func (c *cursor) fill() {
	c.head = noTime
	if c.ended {
		return
	}
	var i, n int
	var err error
	if c.ah != nil {
		r := <-c.ah.out
		if c.b != nil {
			c.ah.free <- c.b // never blocks: the cursor and its goroutine share two blocks
		}
		c.b, i, n, err = r.b, r.i, r.n, r.err
	} else {
		if c.b == nil {
			c.b = new(block)
		}
		i, n, err = c.ld.load(c.b)
	}
	if err != nil {
		c.ended = true
		if err != io.EOF {
			c.err = err
		}
		return
	}
	c.i, c.n, c.head = i, n, c.b.i64[fTime][i]
}

// ahead is the hand-over between a cursor and the goroutine decoding its row groups.
type ahead struct {
	out  chan loaded   // the next row group, unbuffered: sent once decoded, when the cursor asks
	free chan *block   // blocks the cursor is done with
	stop chan struct{} // closed by cursor.close
	done chan struct{} // closed when the goroutine has left (its file closed)
}

// loaded is one result of loader.load.
type loaded struct {
	b    *block
	i, n int
	err  error
}

// startAhead starts c's goroutine decoding its row groups; call it before the first fill.
// The goroutine decodes into two blocks in turn: while the cursor's rows are taken from one,
// it decodes the next row group into the other and waits to hand it over, so a cursor holds
// at most two decoded row groups. It leaves after handing over the end or an error, or when
// the cursor is closed.
func (c *cursor) startAhead() {
	a := &ahead{out: make(chan loaded), free: make(chan *block, 2), stop: make(chan struct{}), done: make(chan struct{})}
	a.free <- new(block)
	a.free <- new(block)
	ld := c.ld
	go func() {
		defer close(a.done)
		defer ld.closeFile()
		for {
			var b *block
			select {
			case b = <-a.free:
			case <-a.stop:
				return
			}
			i, n, err := ld.load(b)
			if aheadLoaded != nil {
				aheadLoaded(ld.sr.Symbol, (err != nil && err != io.EOF) || ld.pending != nil)
			}
			select {
			case a.out <- loaded{b, i, n, err}:
			case <-a.stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	c.ah = a
}

// load decodes row groups into b until one has a usable row, and returns the usable rows
// [i, n) of b; io.EOF at the series' end, or the series' error. The error of a bad row comes
// from the load after the one returning the rows before it.
func (l *loader) load(b *block) (i, n int, err error) {
	for {
		if l.pending != nil {
			err = l.pending
			l.pending, l.done = nil, true
			l.closeFile()
			return 0, 0, err
		}
		if l.last || l.done {
			l.done = true
			l.closeFile()
			return 0, 0, io.EOF
		}
		if l.pr == nil {
			if l.fi >= len(l.files) {
				l.done = true
				return 0, 0, io.EOF
			}
			p := l.files[l.fi]
			l.fi++
			need, opt := klineNeed, []int(nil)
			switch {
			case l.extra:
				opt = klineExtra
			case l.mark:
				need = markNeed
			case l.funding:
				need, opt = fundNeed, fundOpt
			}
			pr, err := openPart(l.fsys, p.path, l.display(p.path), need, opt)
			if err != nil {
				l.done = true
				return 0, 0, err
			}
			if err := pr.checkMeta(l.sr); err != nil {
				pr.Close()
				l.done = true
				return 0, 0, err
			}
			l.pr = pr
		}
		err := l.pr.next(b)
		if err == io.EOF {
			l.closeFile()
			continue
		}
		if err != nil {
			l.done = true
			l.closeFile()
			return 0, 0, err
		}
		var bad int
		var field string
		if l.funding {
			bad, field, err = checkFunding(b, l.prev)
		} else {
			bad, field, err = checkKlines(b, l.prev, l.interval, l.mark)
		}
		n = bad
		if err != nil {
			l.pending = &data.RowError{File: l.pr.name, Row: int(l.pr.rows) + bad + 1, Field: field, Err: err}
		}
		if l.pr.rg >= len(l.pr.pf.RowGroups()) {
			// The block holds the file's last row group: release the file now, so a stream
			// over many symbols keeps few files open.
			l.closeFile()
		}
		ts := b.i64[fTime]
		if n > 0 {
			l.prev = ts[n-1]
		}
		i = sort.Search(n, func(k int) bool { return ts[k] >= l.start })
		if l.end != noTime {
			if e := sort.Search(n, func(k int) bool { return ts[k] >= l.end }); e < n {
				n = e
				l.last = true
				l.pending = nil
			}
		}
		if i < n {
			return i, n, nil
		}
	}
}

func (l *loader) closeFile() {
	if l.pr != nil {
		l.pr.Close()
		l.pr = nil
	}
}

// close stops the cursor: its goroutine, if any, has left and its file is closed on return.
func (c *cursor) close() {
	c.head, c.ended = noTime, true
	if c.ah != nil {
		close(c.ah.stop)
		<-c.ah.done
		c.ah = nil
		return
	}
	if c.ld != nil { // nil once the stream finished
		c.ld.closeFile()
	}
}

// StreamOptions selects what Stream replays.
type StreamOptions struct {
	Symbols  []string // nil or empty: every symbol that has klines at Interval
	Interval string   // kline interval, e.g. "1h"; "" picks the only one (error if several)
	Start    int64    // Unix ms, inclusive; 0: from the start
	End      int64    // Unix ms, exclusive; 0: to the end
	// Source selects the data source, e.g. "binance-um"; "" picks the only one holding klines
	// of the selected symbols at Interval (error if several).
	Source string
}

// Stream opens the merged replay of klines, mark klines and funding of the selected symbols,
// batched by timestamp, with memory bounded independently of the history's length.
// It implements backtest.Source.
//
// Each selected symbol must have klines at the interval; mark klines (same interval and
// source) and funding (same source) are replayed when stored. Rows are validated as they are
// read; the first bad row stops the stream with a *data.RowError naming the file, the row
// (1-based within the file) and the field.
func (s *Store) Stream(opt StreamOptions) (*Stream, error) {
	return s.stream(opt, readAhead())
}

// stream is Stream, each series' next row group decoded on a goroutine of its own when ahead.
func (s *Store) stream(opt StreamOptions, ahead bool) (*Stream, error) {
	if opt.End != 0 && opt.End <= opt.Start {
		return nil, fmt.Errorf("the time range is empty: it ends (%s) before or when it starts (%s)", stamp(opt.End), stamp(opt.Start))
	}
	if s.Pending() {
		return nil, ErrPending
	}
	all, err := s.List()
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, sym := range opt.Symbols {
		want[sym] = true
	}
	var klines []data.Series
	for _, sr := range all {
		if sr.Kind != data.KindKlines || (opt.Source != "" && sr.Source != opt.Source) ||
			(opt.Interval != "" && sr.Interval != opt.Interval) || (len(opt.Symbols) > 0 && !want[sr.Symbol]) {
			continue
		}
		klines = append(klines, sr)
	}
	distinct := func(f func(data.Series) string) []string {
		var out []string
		for _, sr := range klines {
			if v := f(sr); !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		slices.Sort(out)
		return out
	}
	ivs := distinct(func(sr data.Series) string { return sr.Interval })
	srcs := distinct(func(sr data.Series) string { return sr.Source })
	switch {
	case len(klines) == 0:
		return nil, fmt.Errorf("%w: no klines%s; %s", ErrNoData, selection(opt), holdings(all, nil))
	case len(ivs) > 1:
		return nil, fmt.Errorf("the store has klines at several intervals (%s): choose one (--interval, data.interval); %s",
			strings.Join(ivs, ", "), holdings(all, nil))
	case len(srcs) > 1:
		return nil, fmt.Errorf("the store has klines from several sources (%s): choose one (--origin, data.origin); %s",
			strings.Join(srcs, ", "), holdings(all, nil))
	}
	interval, source := ivs[0], srcs[0]
	syms := distinct(func(sr data.Series) string { return sr.Symbol })
	var unknown []string
	for _, sym := range opt.Symbols {
		if !slices.Contains(syms, sym) && !slices.Contains(unknown, sym) {
			unknown = append(unknown, sym)
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("%w: no %s klines of %s from %s; %s", ErrNoData, interval, strings.Join(unknown, ", "), source,
			holdings(all, func(sr data.Series) bool { return sr.Interval == interval && sr.Source == source }))
	}
	ivMs, err := data.IntervalMillis(interval)
	if err != nil {
		return nil, err
	}
	has := map[data.Series]bool{}
	for _, sr := range all {
		has[sr] = true
	}
	display := s.display()
	st := &Stream{syms: syms, interval: ivMs,
		kl: make([]*cursor, len(syms)), mk: make([]*cursor, len(syms)), fd: make([]*cursor, len(syms))}
	open := func(sr data.Series) (*cursor, error) {
		c, err := newCursor(s.fsys, sr, opt.Start, opt.End, display)
		if err != nil {
			return nil, err
		}
		if ahead {
			c.startAhead()
		}
		c.fill()
		st.all = append(st.all, c)
		for _, p := range c.files {
			st.files = append(st.files, p.path)
		}
		return c, nil
	}
	for id, sym := range syms {
		if st.kl[id], err = open(data.Series{Symbol: sym, Kind: data.KindKlines, Interval: interval, Source: source}); err != nil {
			st.Close()
			return nil, err
		}
		if mk := (data.Series{Symbol: sym, Kind: data.KindMark, Interval: interval, Source: source}); has[mk] {
			if st.mk[id], err = open(mk); err != nil {
				st.Close()
				return nil, err
			}
		}
		if fd := (data.Series{Symbol: sym, Kind: data.KindFunding, Source: source}); has[fd] {
			if st.fd[id], err = open(fd); err != nil {
				st.Close()
				return nil, err
			}
		}
	}
	if err := st.checkRange(s, opt, interval, source, len(want) > 0); err != nil {
		st.Close()
		return nil, err
	}
	slices.Sort(st.files)
	n := len(syms)
	st.batch.Bars = make([]backtest.Bar, 0, n)
	st.batch.Marks = make([]backtest.Bar, 0, n)
	st.batch.Funding = make([]backtest.Funding, 0, n)
	st.wBars = make([]backtest.Bar, windowSlots*n)
	st.wMarks = make([]backtest.Bar, windowSlots*n)
	st.nBars = make([]int32, windowSlots)
	st.nMarks = make([]int32, windowSlots)
	st.slot, st.last = windowSlots, math.MinInt64
	for _, c := range st.all {
		st.failing = st.failing || c.err != nil
	}
	st.hasMark = make([]bool, n)
	st.hasFunding = make([]bool, n)
	for id := range syms {
		st.hasMark[id] = st.mk[id] != nil && (st.mk[id].head != noTime || st.mk[id].err != nil)
		st.hasFunding[id] = st.fd[id] != nil && (st.fd[id].head != noTime || st.fd[id].err != nil)
	}
	return st, nil
}

// checkRange refuses a time range that holds no klines of a requested symbol (explicit: the
// caller named the symbols) or of any symbol, naming the span the store holds.
func (st *Stream) checkRange(s *Store, opt StreamOptions, interval, source string, explicit bool) error {
	if opt.Start == 0 && opt.End == 0 {
		return nil
	}
	var empty []string
	for id, c := range st.kl {
		if c.head == noTime && c.err == nil {
			empty = append(empty, st.syms[id])
		}
	}
	if len(empty) == 0 || (!explicit && len(empty) < len(st.syms)) {
		return nil
	}
	// Symbols with the same span are named together: "BTCUSDT, ETHUSDT from ... to ...".
	var spans []string
	bySpan := map[string][]string{}
	for _, sym := range empty {
		sr := data.Series{Symbol: sym, Kind: data.KindKlines, Interval: interval, Source: source}
		first, last, err := s.span(sr)
		if err != nil {
			return err
		}
		sp := fmt.Sprintf("from %s to %s", stamp(first), stamp(last+st.interval))
		if _, ok := bySpan[sp]; !ok {
			spans = append(spans, sp)
		}
		bySpan[sp] = append(bySpan[sp], sym)
	}
	for i, sp := range spans {
		spans[i] = strings.Join(bySpan[sp], ", ") + " " + sp
	}
	return fmt.Errorf("%w: no %s klines of %s from %s in the time range %s; the store holds %s",
		ErrNoData, interval, strings.Join(empty, ", "), source, rangeText(opt.Start, opt.End), strings.Join(spans, "; "))
}

// span returns the open times of the first and last stored row of series sr (the data covers
// [first, last+interval)).
func (s *Store) span(sr data.Series) (first, last int64, err error) {
	ps, err := s.parts(sr)
	if err != nil || len(ps) == 0 {
		return 0, 0, err
	}
	head, err := s.ReadKlines(sr, ps[0].start, ps[0].end)
	if err != nil {
		return 0, 0, err
	}
	tail, err := s.ReadKlines(sr, ps[len(ps)-1].start, ps[len(ps)-1].end)
	if err != nil || len(head) == 0 || len(tail) == 0 {
		return 0, 0, err
	}
	return head[0].OpenTime, tail[len(tail)-1].OpenTime, nil
}

// stamp formats a Unix ms time for people: RFC 3339 in UTC, to the minute when it can.
func stamp(ms int64) string {
	t := time.UnixMilli(ms).UTC()
	if t.Second() == 0 && t.Nanosecond() == 0 {
		return t.Format("2006-01-02T15:04Z")
	}
	return t.Format(time.RFC3339Nano)
}

// rangeText names a stream's time range.
func rangeText(start, end int64) string {
	switch {
	case end == 0:
		return "from " + stamp(start)
	case start == 0:
		return "before " + stamp(end)
	}
	return stamp(start) + " to " + stamp(end)
}

// selection names what StreamOptions asked for, for an error.
func selection(opt StreamOptions) string {
	var parts []string
	if len(opt.Symbols) > 0 {
		parts = append(parts, "of "+strings.Join(opt.Symbols, ", "))
	}
	if opt.Interval != "" {
		parts = append(parts, "at interval "+opt.Interval)
	}
	if opt.Source != "" {
		parts = append(parts, "from source "+opt.Source)
	}
	if len(parts) == 0 {
		return ""
	}
	return " " + strings.Join(parts, " ")
}

// holdings says which klines a store holds (those keep accepts; nil: all), grouped by
// interval and source, e.g. "the store has klines of BTCUSDT, ETHUSDT at 1h from binance-um".
func holdings(all []data.Series, keep func(data.Series) bool) string {
	type group struct{ interval, source string }
	var order []group
	syms := map[group][]string{}
	for _, sr := range all {
		if sr.Kind != data.KindKlines || (keep != nil && !keep(sr)) {
			continue
		}
		g := group{sr.Interval, sr.Source}
		if _, ok := syms[g]; !ok {
			order = append(order, g)
		}
		syms[g] = append(syms[g], sr.Symbol)
	}
	if len(order) == 0 {
		return "the store holds no klines"
	}
	var parts []string
	for _, g := range order {
		ss := syms[g]
		slices.Sort(ss)
		parts = append(parts, fmt.Sprintf("of %s at %s from %s", strings.Join(ss, ", "), g.interval, g.source))
	}
	return "the store has klines " + strings.Join(parts, "; ")
}

// Stream is the merged, time-ordered replay of a Store. See backtest.Source.
//
// Each step takes the smallest head time over the per-series cursors and collects, in symbol
// order, every cursor at that time: for time-aligned klines that is a linear pass per
// timestamp and no heap operation per bar, and the result cannot depend on the order symbols
// were listed in. A Stream holds one decoded row group per series (see Options.RowGroupRows),
// two when it decodes ahead (readAhead),
// and keeps a file open only while rows of it remain undecoded.
type Stream struct {
	syms       []string
	interval   int64
	kl, mk, fd []*cursor // by symbol ID; mk, fd entries may be nil
	all        []*cursor
	files      []string
	hasMark    []bool
	hasFunding []bool
	batch      backtest.Batch
	err        error
	done       bool

	// The window: the klines and mark klines of the next windowSlots timestamps of the
	// interval grid from win, taken cursor by cursor (each series' columns read in order,
	// while they are in the processor's cache) into per-timestamp slots of len(syms) bars;
	// nBars[k] and nMarks[k] bars of slot k are used. Next hands out slot after slot.
	win           int64
	slot          int // next slot to look at; windowSlots: the window is used up
	wBars, wMarks []backtest.Bar
	nBars, nMarks []int32
	last          int64 // time of the last batch handed out (math.MinInt64: none)
	failing       bool  // some cursor has an error (reported once its rows were handed out)
}

// readAhead tells whether a Stream decodes each series' next row group on a goroutine of
// its own (cursor.startAhead): when more than one processor runs Go code, so that decoding
// overlaps the taking of rows; with one it would only cost memory. Tests replace it to
// check that both ways give the same stream.
var readAhead = func() bool { return runtime.GOMAXPROCS(0) > 1 }

// aheadLoaded, when set (by tests), is called by a cursor's goroutine after each row group
// it decodes, with the series' symbol and whether the series failed in or after it.
var aheadLoaded func(symbol string, failed bool)

// windowSlots is the number of timestamps a Stream's window holds (see Stream.win).
const windowSlots = 256

var (
	_ backtest.Source        = (*Stream)(nil)
	_ backtest.SizeHinter    = (*Stream)(nil)
	_ backtest.CheckedSource = (*Stream)(nil)
)

// Symbols returns the stream's symbols, sorted ascending; Bar.ID indexes it.
func (st *Stream) Symbols() []string { return st.syms }

// SizeHint returns an estimate from above of the number of timestamps the stream delivers:
// the span of the selected klines partitions, clipped to the stream's range, in intervals
// (backtest.SizeHinter: the engine sizes its equity curves with it). 0 when unknown.
func (st *Stream) SizeHint() int {
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for _, c := range st.kl {
		if c == nil || len(c.files) == 0 {
			continue
		}
		lo = min(lo, max(c.files[0].start, c.start))
		hi = max(hi, min(c.files[len(c.files)-1].end, c.end))
	}
	if hi <= lo || st.interval <= 0 {
		return 0
	}
	return int(min((hi-lo+st.interval-1)/st.interval, math.MaxInt32))
}

// IntervalMillis returns the kline interval in milliseconds.
func (st *Stream) IntervalMillis() int64 { return st.interval }

// Next advances to the next timestamp holding any kline, mark kline or funding settlement.
// It returns false at the end or on error; see Err. A series' error is reported after
// every row before it was handed out, as a replay one timestamp at a time would.
func (st *Stream) Next() bool {
	if st.done {
		return false
	}
	if st.failing {
		for _, c := range st.all {
			if c.err != nil && c.taken <= st.last {
				st.err = c.err
				st.finish()
				return false
			}
		}
	}
	ts := st.nextSlot()
	t := ts
	for _, c := range st.fd {
		if c != nil && c.head < t {
			t = c.head
		}
	}
	if t == noTime {
		st.finish()
		return false
	}
	b := &st.batch
	b.Time = t
	b.Bars, b.Marks, b.Funding = b.Bars[:0:0], b.Marks[:0:0], b.Funding[:0]
	if ts == t {
		k, n := st.slot, len(st.syms)
		b.Bars = st.wBars[k*n : k*n+int(st.nBars[k]) : k*n+int(st.nBars[k])]
		b.Marks = st.wMarks[k*n : k*n+int(st.nMarks[k]) : k*n+int(st.nMarks[k])]
		st.slot++
	}
	for id, c := range st.fd {
		if c != nil && c.head == t {
			f := backtest.Funding{Symbol: st.syms[id], ID: id, Time: t, Rate: c.b.f64[fRate][c.i], IntervalHours: data.DefaultFundingIntervalHours}
			if c.b.has[fIntervalHours] {
				f.IntervalHours = int(c.b.i32[fIntervalHours][c.i])
			}
			b.Funding = append(b.Funding, f)
			c.taken = t
			c.advance()
			st.failing = st.failing || c.err != nil
		}
	}
	st.last = t
	return true
}

// nextSlot moves st.slot to the window's next slot holding a bar, refilling the window when
// it is used up, and returns the slot's time; noTime when no kline or mark kline remains.
func (st *Stream) nextSlot() int64 {
	for {
		for ; st.slot < windowSlots; st.slot++ {
			if st.nBars[st.slot] > 0 || st.nMarks[st.slot] > 0 {
				return st.win + int64(st.slot)*st.interval
			}
		}
		if !st.refill() {
			return noTime
		}
	}
}

// refill takes the klines and mark klines of the next windowSlots timestamps of the grid
// into the window, series by series; false when none remains. Kline and mark times are
// multiples of the interval (checkKlines).
func (st *Stream) refill() bool {
	win := int64(noTime)
	for _, c := range st.kl {
		win = min(win, c.head)
	}
	for _, c := range st.mk {
		if c != nil {
			win = min(win, c.head)
		}
	}
	if win == noTime {
		return false
	}
	st.win, st.slot = win, 0
	clear(st.nBars)
	clear(st.nMarks)
	end := win + windowSlots*st.interval
	for id, c := range st.kl {
		st.take(st.wBars, st.nBars, id, c, end)
	}
	for id, c := range st.mk {
		if c != nil {
			st.take(st.wMarks, st.nMarks, id, c, end)
		}
	}
	for _, c := range st.all {
		st.failing = st.failing || c.err != nil
	}
	return true
}

// take moves cursor c (symbol id) over its rows before end, storing each as a bar in its
// slot of bars (counts per slot in used): every field of backtest.Bar, in place.
func (st *Stream) take(bars []backtest.Bar, used []int32, id int, c *cursor, end int64) {
	n, iv, sym := len(st.syms), st.interval, st.syms[id]
	for c.head < end {
		b := c.b
		ts, o, h, l, cl := b.i64[fTime][:c.n], b.f64[fOpen][:c.n], b.f64[fHigh][:c.n], b.f64[fLow][:c.n], b.f64[fClose][:c.n]
		var v []float64
		if !c.mark {
			v = b.f64[fVolume][:c.n]
		}
		i := c.i
		k, kt := 0, st.win // slot k holds time kt
		for ; i < len(ts) && ts[i] < end; i++ {
			t := ts[i]
			for kt < t { // no division per row: rows are mostly one interval apart
				k, kt = k+1, kt+iv
			}
			bar := &bars[k*n+int(used[k])]
			used[k]++
			bar.Symbol, bar.ID, bar.Time, bar.End = sym, id, t, t+iv
			bar.Open, bar.High, bar.Low, bar.Close = o[i], h[i], l[i], cl[i]
			bar.Volume = 0
			if v != nil {
				bar.Volume = v[i]
			}
		}
		c.taken = ts[i-1]
		c.i = i - 1
		c.advance()
	}
}

// finish ends the stream: the cursors are closed (their goroutines gone, files closed) and
// the decoded row groups and the window let go, so that a finished Stream kept open by its
// caller (bt run keeps it until its output is written) holds no decoded data (~27 MB for a
// year of 12 symbols' klines and mark klines).
func (st *Stream) finish() {
	st.done = true
	for _, c := range st.all {
		c.close()
		c.b, c.ld = nil, nil
	}
	st.wBars, st.wMarks = nil, nil
	st.batch.Bars, st.batch.Marks = nil, nil
}

// Batch returns the current timestamp's events, valid until the next call to Next.
func (st *Stream) Batch() *backtest.Batch { return &st.batch }

// Err returns the first error met, nil at a clean end.
func (st *Stream) Err() error { return st.err }

// Close releases the open files. It is safe to call more than once.
func (st *Stream) Close() error {
	st.finish()
	return nil
}

// Checked returns true (backtest.CheckedSource): every row is validated as it is read
// (checkKlines, checkFunding: times, prices, volumes, rates), and the stream builds its
// batches in symbol order with each bar at its batch's time, so the engine need not check
// them again.
func (st *Stream) Checked() bool { return true }

// HasMark reports whether symbol id has a mark-price series in the selected range.
func (st *Stream) HasMark(id int) bool { return id >= 0 && id < len(st.hasMark) && st.hasMark[id] }

// HasFunding reports whether symbol id has a funding series in the selected range.
func (st *Stream) HasFunding(id int) bool {
	return id >= 0 && id < len(st.hasFunding) && st.hasFunding[id]
}

// Files returns the Parquet files the stream reads (for the run manifest), sorted. They are
// slash paths relative to the store root.
func (st *Stream) Files() []string { return st.files }
