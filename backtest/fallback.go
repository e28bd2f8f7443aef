package backtest

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bt-backtest/bt/backtest/margin"
)

// Kinds of Fallback.
const (
	// FallbackMark: a kline without a mark-price bar; the last price served as the mark for
	// the path, liquidation, funding and the equity point. Count: such bars of the symbol.
	FallbackMark = "mark_from_last"
	// FallbackFunding: a symbol without funding data paid Config.FundingFallbackRate at the
	// 00/08/16 UTC boundaries. Count: settlements at that rate.
	FallbackFunding = "funding_constant"
	// FallbackNoFunding: a symbol without funding data, with the fallback disabled
	// (Config.NoFundingFallback): no funding charged. Count: settlements left out.
	FallbackNoFunding = "funding_missing"
	// FallbackBrackets: the bracket book has no table of the symbol; its default table was
	// used. Count: bars of the symbol.
	FallbackBrackets = "brackets_default"
	// FallbackBracketDate: the bracket date asked for (Config.BracketDate, or a bar's date
	// when none is pinned) is before the symbol's first snapshot; the first snapshot was used.
	// Count: bars of the symbol under it (all of them when pinned).
	FallbackBracketDate = "bracket_date_out_of_range"
	// FallbackFilters: some of the symbol's filters (tick, step, minimum quantity, minimum
	// notional, maximum quantity) are not in the dated filter table and were derived (the
	// tick from the data's grid, the others by documented rules; see the "filters"
	// assumption). Count: bars of the symbol.
	FallbackFilters = "filters_default"
)

// bracketBook returns the book default instruments take their tables from, nil when every
// symbol has a configured instrument (no book needed).
func bracketBook(cfg *Config, symbols []string) *margin.Book {
	for _, sym := range symbols {
		if !slices.ContainsFunc(cfg.Instruments, func(in margin.Instrument) bool { return in.Symbol == sym }) {
			if cfg.Book != nil {
				return cfg.Book
			}
			return margin.DefaultBook()
		}
	}
	return nil
}

// bracketCutoffs returns per symbol the start (Unix ms) of its first bracket snapshot when no
// date is pinned and the symbol takes a real table from book: the reader counts the bars
// before it. math.MinInt64 elsewhere.
func bracketCutoffs(cfg *Config, symbols []string, book *margin.Book) []int64 {
	out := make([]int64, len(symbols))
	for i, sym := range symbols {
		out[i] = math.MinInt64
		if book == nil || !cfg.BracketDate.IsZero() || slices.ContainsFunc(cfg.Instruments, func(in margin.Instrument) bool { return in.Symbol == sym }) {
			continue
		}
		if ds := book.Dates(sym); len(ds) > 0 {
			if d, err := time.Parse(time.DateOnly, ds[0]); err == nil {
				out[i] = d.UnixMilli()
			}
		}
	}
	return out
}

// fallbacks lists the run's fallbacks, in symbol order: mark, funding, brackets.
func fallbacks(cfg *Config, symbols []string, book *margin.Book, start int64, r *reader) []Fallback {
	var out []Fallback
	for i, sym := range symbols {
		if n := r.noMark[i]; n > 0 {
			out = append(out, Fallback{FallbackMark, sym, n, fmt.Sprintf("%s: no mark-price bar on %d of %d bars (%s): the last price served as the mark (liquidation, funding, equity)",
				sym, n, r.bars[i], share(n, r.bars[i]))})
		}
		if n := r.fallback[i]; n > 0 {
			if cfg.NoFundingFallback {
				out = append(out, Fallback{FallbackNoFunding, sym, n, fmt.Sprintf("%s: no funding data and the fallback disabled: %d settlements not charged", sym, n)})
			} else {
				out = append(out, Fallback{FallbackFunding, sym, n, fmt.Sprintf("%s: no funding data: the constant rate %g charged at %d settlements (00/08/16 UTC)", sym, *cfg.FundingFallbackRate, n)})
			}
		}
		if book == nil || slices.ContainsFunc(cfg.Instruments, func(in margin.Instrument) bool { return in.Symbol == sym }) {
			continue
		}
		pinned := !cfg.BracketDate.IsZero()
		at := cfg.BracketDate
		if !pinned {
			at = time.UnixMilli(start).UTC()
		}
		_, date, real := book.Table(sym, at)
		switch {
		case !real:
			out = append(out, Fallback{FallbackBrackets, sym, r.bars[i], fmt.Sprintf("%s: no bracket table in the book: the default table (%s) used", sym, book.DefaultName())})
		case pinned && date > cfg.BracketDate.UTC().Format(time.DateOnly):
			out = append(out, Fallback{FallbackBracketDate, sym, r.bars[i], fmt.Sprintf("%s: the pinned bracket date %s is before its first snapshot: the %s table used",
				sym, cfg.BracketDate.UTC().Format(time.DateOnly), date)})
		case !pinned && r.early[i] > 0:
			first := book.Dates(sym)[0]
			out = append(out, Fallback{FallbackBracketDate, sym, r.early[i], fmt.Sprintf("%s: %d bars before its first bracket snapshot: the %s table used for them", sym, r.early[i], first)})
		}
	}
	return out
}

func share(n, of int) string {
	if of <= 0 {
		return "—"
	}
	return strconv.FormatFloat(100*float64(n)/float64(of), 'f', 1, 64) + "%"
}

// fallbackAssumptions states the fallbacks among the assumptions: mark_fallback,
// funding_fallback, bracket_fallback and filters_fallback, each listing its symbols.
func fallbackAssumptions(cfg *Config, fbs []Fallback) []Assumption {
	var mark, funding, brackets, filters []string
	noFunding := false
	for _, f := range fbs {
		switch f.Kind {
		case FallbackMark:
			mark = append(mark, f.Symbol+" "+strconv.Itoa(f.Count)+" bars")
		case FallbackFunding, FallbackNoFunding:
			funding = append(funding, f.Symbol+" "+strconv.Itoa(f.Count)+"×")
			noFunding = f.Kind == FallbackNoFunding
		case FallbackBrackets, FallbackBracketDate:
			brackets = append(brackets, f.Detail)
		case FallbackFilters:
			filters = append(filters, f.Detail)
		}
	}
	var as []Assumption
	if len(mark) > 0 {
		as = append(as, Assumption{"mark_fallback", "no mark-price bar, last price used as mark: " + strings.Join(mark, ", ")})
	}
	if len(funding) > 0 {
		if noFunding {
			as = append(as, Assumption{"funding_fallback", "no funding data and fallback disabled, no funding charged: " + strings.Join(funding, ", ")})
		} else {
			as = append(as, Assumption{"funding_fallback", fmt.Sprintf("no funding data, constant rate %g at the 00/08/16 UTC boundaries, once per timestamp (bars longer than 8h pay it once per bar): %s", *cfg.FundingFallbackRate, strings.Join(funding, ", "))})
		}
	}
	if len(brackets) > 0 {
		as = append(as, Assumption{"bracket_fallback", strings.Join(brackets, "; ")})
	}
	if len(filters) > 0 {
		as = append(as, Assumption{"filters_fallback", strings.Join(filters, "; ")})
	}
	return as
}
