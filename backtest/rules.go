package backtest

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/bt-backtest/bt/backtest/margin"
)

// era is one symbol's exchange rules from a time on: its instrument (filters, clearance fee,
// bracket table) and the float copy of the table that the engine's own records use.
type era struct {
	from int64  // Unix ms UTC from which it is in force (math.MinInt64: from the run's start)
	what string // where the bracket table came from, for the assumptions
	inst margin.Instrument
	brk  []fbracket
}

// schedule is every symbol's eras, in Symbols order, each ascending by from. It is built once
// per run and shared, read-only, by the accounts.
type schedule [][]era

// buildSchedule returns the rules of every symbol from start on: a configured instrument for
// the whole run, else the default instrument (sized on the symbol's first open ref[i]) with
// the bracket table of each snapshot in force, switching at 00:00 UTC of its date
// (cfg.BracketDate pins one table instead).
func buildSchedule(cfg *Config, symbols []string, ref []float64, start int64) (schedule, error) {
	st := time.UnixMilli(start).UTC()
	book := cfg.Book // nil: margin.DefaultBook(), taken once when a symbol needs it
	sched := make(schedule, len(symbols))
	for i, sym := range symbols {
		if k := slices.IndexFunc(cfg.Instruments, func(in margin.Instrument) bool { return in.Symbol == sym }); k >= 0 {
			in := cfg.Instruments[k]
			sched[i] = []era{{from: math.MinInt64, what: "configured instrument", inst: in, brk: floatBrackets(in.Brackets)}}
			continue
		}
		if book == nil {
			book = margin.DefaultBook()
		}
		at := st
		if !cfg.BracketDate.IsZero() {
			at = cfg.BracketDate
		}
		tables, real := book.Schedule(sym, at)
		if !cfg.BracketDate.IsZero() {
			tables = tables[:1]
		}
		base := margin.DefaultInstrument(sym, ref[i], at, book)
		for k, d := range tables {
			in := base
			in.Brackets = d.Table
			e := era{from: d.From.UnixMilli(), inst: in, brk: floatBrackets(d.Table)}
			switch {
			case !real:
				e.what = "default table (snapshot " + d.Date + ")"
			case !cfg.BracketDate.IsZero():
				e.what = "snapshot " + d.Date + " (pinned)"
			case k == 0 && d.Date > st.Format(time.DateOnly):
				e.what = "snapshot " + d.Date + " (the earliest, used before it)"
			default:
				e.what = "snapshot " + d.Date
			}
			if k == 0 {
				e.from = math.MinInt64
			}
			sched[i] = append(sched[i], e)
		}
	}
	for i := range sched {
		for _, e := range sched[i] {
			if err := e.inst.Brackets.Validate(); err != nil {
				return nil, fmt.Errorf("%w: %s: %w", ErrBadConfig, symbols[i], err)
			}
		}
	}
	return sched, nil
}

// first returns the instruments in force at the run's start.
func (sc schedule) first() []margin.Instrument {
	out := make([]margin.Instrument, len(sc))
	for i := range sc {
		out[i] = sc[i][0].inst
	}
	return out
}

// describe lists, per symbol, the bracket tables in force between the run's start and end.
func (sc schedule) describe(symbols []string, end int64) []string {
	var out []string
	for i, eras := range sc {
		var parts []string
		for k, e := range eras {
			if e.from > end {
				break
			}
			w := e.what
			if k > 0 {
				w += " from " + time.UnixMilli(e.from).UTC().Format(time.DateOnly)
			}
			parts = append(parts, w)
		}
		out = append(out, symbols[i]+" "+strings.Join(parts, ", then "))
	}
	return out
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
		for i := range a.syms {
			a.to[i] = a.syms[i].mark
		}
		if _, ok := a.acct.NextLiquidation(a.to, a.to); ok {
			a.liquidate(t, 0, 0, 0)
		}
	}
	return nil
}
