package backtest

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/shopspring/decimal"
)

// era is one symbol's exchange rules from a time on: its instrument (filters, clearance fee,
// bracket table), the float copy of the table that the engine's own records use, and the
// trading fee rates.
type era struct {
	from         int64 // Unix ms UTC from which it is in force (math.MinInt64: from the run's start)
	brackets     string
	fees         string // maker and taker, and where they come from
	clearance    string // the clearance fee rate, and where it comes from
	filters      string // the filters, and where each comes from
	inst         margin.Instrument
	brk          margin.FloatTable
	maker, taker decimal.Decimal
}

// schedule is every symbol's eras, in Symbols order, each ascending by from. It is built once
// per run and shared, read-only, by the accounts.
type schedule [][]era

// buildSchedule returns the rules of every symbol from start on, in eras that begin at
// 00:00 UTC of each date on which one of them changes:
//   - instrument: a configured one for the whole run (Config.Instruments), else the default
//     instrument sized on the symbol's first open ref[i], with the bracket table of each
//     snapshot in force (Config.BracketDate pins one table instead);
//   - clearance fee rate: Config.ClearanceFee, else a configured instrument's own, else the
//     dated fee schedule's;
//   - maker and taker fees: Config.MakerFee and Config.TakerFee when set, else the dated fee
//     schedule's (Config.Fees, nil: margin.FeeSchedule()).
//   - filters (tick, step, minimum quantity and notional, maximum quantity): a configured
//     instrument's, else the dated filter table's (Config.Filters, nil: margin.FilterTable());
//     a filter the table does not know at a date is derived: the tick from the grid of the
//     data's first prices (grids[i]; zero: DefaultInstrument's rule), the step from the
//     first open (margin.DerivedStep), the minimum quantity equal to the step, the minimum
//     notional Binance's default 5, no maximum quantity.
//
// It also returns, per symbol, the filters the dated table does not know at the start (nil:
// none, or a configured instrument), for the FallbackFilters entries.
func buildSchedule(cfg *Config, symbols []string, ref []float64, grids []decimal.Decimal, start int64) (schedule, [][]string, error) {
	st := time.UnixMilli(start).UTC()
	book := cfg.Book // nil: margin.DefaultBook(), taken once when a symbol needs it
	fees := cfg.Fees
	if fees == nil {
		fees = margin.FeeSchedule()
	}
	filters := cfg.Filters
	if filters == nil {
		filters = margin.FilterTable()
	}
	sched := make(schedule, len(symbols))
	unknown := make([][]string, len(symbols))
	for i, sym := range symbols {
		k := slices.IndexFunc(cfg.Instruments, func(in margin.Instrument) bool { return in.Symbol == sym })
		configured := k >= 0
		var tables []margin.Dated
		real := true
		switch {
		case configured:
			tables = []margin.Dated{{From: st, Table: cfg.Instruments[k].Brackets}}
		case !cfg.BracketDate.IsZero():
			if book == nil {
				book = margin.DefaultBook()
			}
			tables, real = book.Schedule(sym, cfg.BracketDate)
			tables = tables[:1]
		default:
			if book == nil {
				book = margin.DefaultBook()
			}
			tables, real = book.Schedule(sym, st)
		}
		if !configured {
			unknown[i] = filters.Unknown(sym, st)
		}
		// the dates on which something changes, from the start on
		dates := []time.Time{st}
		for _, d := range tables[1:] {
			dates = append(dates, d.From)
		}
		// (fee dates always: an account's own Setup.Config may use the schedule)
		dates = append(dates, fees.Changes(sym, st)...)
		if !configured {
			dates = append(dates, filters.Changes(sym, st)...)
		}
		slices.SortFunc(dates, time.Time.Compare)
		dates = slices.CompactFunc(dates, time.Time.Equal)

		var base margin.Instrument
		if configured {
			base = cfg.Instruments[k]
		} else {
			at := st
			if !cfg.BracketDate.IsZero() {
				at = cfg.BracketDate
			}
			base = margin.DefaultInstrument(sym, ref[i], at, book)
		}
		tk := 0
		for n, d := range dates {
			for tk+1 < len(tables) && !tables[tk+1].From.After(d) {
				tk++
			}
			e := era{from: d.UnixMilli(), inst: base}
			if n == 0 {
				e.from = math.MinInt64
			}
			if configured {
				e.filters = "configured instrument"
			} else {
				e.filters = setFilters(&e.inst, filters.At(sym, d), d, grids[i], ref[i])
			}
			tb := tables[tk]
			e.inst.Brackets = tb.Table
			e.brk = tb.Table.Float()
			switch {
			case configured:
				e.brackets = "configured instrument"
			case !real:
				e.brackets = "default table (snapshot " + tb.Date + ")"
			case !cfg.BracketDate.IsZero():
				e.brackets = "snapshot " + tb.Date + " (pinned)"
			case tk == 0 && tb.Date > st.Format(time.DateOnly):
				e.brackets = "snapshot " + tb.Date + " (the earliest, used before it)"
			default:
				e.brackets = "snapshot " + tb.Date
			}
			tr, ok := fees.TradingAt(sym, d)
			if !ok && (cfg.MakerFee == nil || cfg.TakerFee == nil) {
				return nil, nil, fmt.Errorf("%w: the fee schedule has no maker/taker rate for %s", ErrBadConfig, sym)
			}
			e.maker, e.taker = tr.Maker, tr.Taker // an account's configured rates replace them (account.setFees)
			mk, tk := e.maker, e.taker
			mw, tw := "schedule from "+tr.Date, "schedule from "+tr.Date
			if cfg.MakerFee != nil {
				mk, mw = *cfg.MakerFee, "configured"
			}
			if cfg.TakerFee != nil {
				tk, tw = *cfg.TakerFee, "configured"
			}
			e.fees = fmt.Sprintf("maker %s (%s), taker %s (%s)", pct(mk), mw, pct(tk), tw)
			switch {
			case cfg.ClearanceFee != nil:
				e.inst.LiquidationFee = *cfg.ClearanceFee
				e.clearance = pct(e.inst.LiquidationFee) + " (configured)"
			case configured:
				e.clearance = pct(e.inst.LiquidationFee) + " (configured instrument)"
			default:
				cl, ok := fees.ClearanceAt(sym, d)
				if !ok {
					return nil, nil, fmt.Errorf("%w: the fee schedule has no clearance fee rate for %s", ErrBadConfig, sym)
				}
				e.inst.LiquidationFee = cl.Rate
				e.clearance = pct(cl.Rate) + " (schedule from " + cl.Date + ")"
			}
			sched[i] = append(sched[i], e)
		}
	}
	for i := range sched {
		for _, e := range sched[i] {
			if err := e.inst.Brackets.Validate(); err != nil {
				return nil, nil, fmt.Errorf("%w: %s: %w", ErrBadConfig, symbols[i], err)
			}
		}
	}
	return sched, unknown, nil
}

// setFilters sets in's filters from the table's set fs, deriving those it does not know, and
// describes where each comes from.
func setFilters(in *margin.Instrument, fs margin.FilterSet, at time.Time, grid decimal.Decimal, ref float64) string {
	day := at.Format(time.DateOnly)
	var parts []string
	pick := func(name string, dst *decimal.Decimal, v *decimal.Decimal, date string, derived decimal.Decimal, how string) {
		switch {
		case v != nil && date > day:
			*dst = *v
			parts = append(parts, name+" "+v.String()+" (table's earliest row, of "+date+")")
		case v != nil:
			*dst = *v
			parts = append(parts, name+" "+v.String()+" (table from "+date+")")
		case how == "none":
			*dst = decimal.Zero
			parts = append(parts, name+" none (not known)")
		default:
			*dst = derived
			parts = append(parts, name+" "+derived.String()+" ("+how+")")
		}
	}
	// DefaultInstrument's tick (5 significant digits of the first open) unless the data's
	// grid is finer: every price of the data lies on the tick's grid, and a few first bars
	// that happen to lie on a coarser grid do not coarsen it
	tick, how := in.TickSize, "not known: 5 significant digits of the first open; the data's grid is not finer"
	if grid.IsPositive() && grid.LessThan(tick) {
		tick, how = grid, "not known: the data's price grid"
	}
	pick("tick", &in.TickSize, fs.Tick, fs.TickDate, tick, how)
	pick("step", &in.StepSize, fs.Step, fs.StepDate, margin.DerivedStep(ref), "not known: worth 0.1 to 1 USDT at the first open")
	pick("min qty", &in.MinQty, fs.MinQty, fs.MinQtyDate, in.StepSize, "not known: the step")
	pick("min notional", &in.MinNotional, fs.MinNotional, fs.MinNotionalDate, margin.DefaultMinNotional, "not known: Binance's default")
	pick("max qty", &in.MaxQty, fs.MaxQty, fs.MaxQtyDate, decimal.Zero, "none")
	return strings.Join(parts, ", ")
}

// filterFallbacks returns a FallbackFilters entry per symbol with filters the dated table
// does not know (unknown, from buildSchedule); bars[i]: the symbol's bars.
func filterFallbacks(symbols []string, unknown [][]string, bars []int) []Fallback {
	var out []Fallback
	for i, u := range unknown {
		if len(u) > 0 {
			out = append(out, Fallback{FallbackFilters, symbols[i], bars[i], fmt.Sprintf(
				"%s: %s not in the dated filter table: derived as the filters assumption says (give an instrument of the symbol to use its real filters)",
				symbols[i], strings.Join(u, ", "))})
		}
	}
	return out
}

// pct formats a rate as a percentage ("0.04%").
func pct(r decimal.Decimal) string { return r.Shift(2).String() + "%" }

// first returns the instruments in force at the run's start.
func (sc schedule) first() []margin.Instrument {
	out := make([]margin.Instrument, len(sc))
	for i := range sc {
		out[i] = sc[i][0].inst
	}
	return out
}

// describe lists, per symbol, what of (brackets, fees or clearance) was in force between the
// run's start and end, with the dates each value took over.
func (sc schedule) describe(symbols []string, end int64, what func(*era) string) []string {
	var out []string
	for i, eras := range sc {
		var parts []string
		last := ""
		for k := range eras {
			e := &eras[k]
			if e.from > end {
				break
			}
			w := what(e)
			if w == last {
				continue
			}
			last = w
			if k > 0 {
				w += " from " + time.UnixMilli(e.from).UTC().Format(time.DateOnly)
			}
			parts = append(parts, w)
		}
		out = append(out, symbols[i]+" "+strings.Join(parts, ", then "))
	}
	return out
}

// setFees sets symbol i's trading fee rates from era e, unless the account's configuration
// sets them.
func (a *account) setFees(i int, e *era) {
	s := &a.syms[i]
	s.maker, s.taker = e.maker, e.taker
	if a.cfg.MakerFee != nil {
		s.maker = *a.cfg.MakerFee
	}
	if a.cfg.TakerFee != nil {
		s.taker = *a.cfg.TakerFee
	}
}

// nextChange returns the earliest time after the eras the account is in at which a symbol's
// rules change (math.MaxInt64: never).
func (a *account) nextChange() int64 {
	next := int64(math.MaxInt64)
	for i, k := range a.eraAt {
		if eras := a.sched[i]; k+1 < len(eras) && eras[k+1].from < next {
			next = eras[k+1].from
		}
	}
	return next
}

// switchRules moves every symbol to the era in force at t (called at the first step at or
// after a change, before the orders of that step arrive), then re-checks liquidation at the
// current marks: under the new bracket table a position may already be past its threshold,
// and it is liquidated there, as a gap (at the marks of the step's open). It costs nothing on
// steps without a change.
func (a *account) switchRules(t int64) error {
	changed := false
	for i := range a.syms {
		eras := a.sched[i]
		k := a.eraAt[i]
		for k+1 < len(eras) && eras[k+1].from <= t {
			k++
		}
		if k == a.eraAt[i] {
			continue
		}
		a.eraAt[i] = k
		if err := a.acct.SetInstrument(i, eras[k].inst); err != nil {
			return fmt.Errorf("backtest: account %s: %s rules from %s: %w", a.setup.Name, a.symbols[i],
				time.UnixMilli(eras[k].from).UTC().Format(time.DateOnly), err)
		}
		s := &a.syms[i]
		s.inst, s.brk = eras[k].inst, eras[k].brk
		s.px.gridSet = false // the order path's tick memo reads the new tick (it may have changed)
		a.setFees(i, &eras[k])
		a.refreshSym(i)
		changed = true
	}
	a.nextRules = a.nextChange()
	if !changed {
		return nil
	}
	a.refreshWallet()
	a.refreshRuin()
	if a.nOpen > 0 {
		a.to = a.toOwn // (a.to may hold the previous step's path view, which is shared)
		copy(a.to, a.acct.Marks())
		if _, ok := a.acct.NextLiquidation(a.to, a.to); ok {
			a.liquidate(t, 0, 0, 0)
		}
	}
	return nil
}
