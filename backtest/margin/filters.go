package margin

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/shopspring/decimal"
)

// FilterRow is one row of a dated filter table: the filters it sets (nil: not set by this row)
// for Symbol from From (00:00 UTC) until a later row sets the same filter.
type FilterRow struct {
	Symbol    string
	From      time.Time
	Date      string // From as YYYY-MM-DD
	Tick      *decimal.Decimal
	Step      *decimal.Decimal
	MinQty    *decimal.Decimal
	MinNot    *decimal.Decimal // minimum notional
	MaxQty    *decimal.Decimal
	Source    string
	DateBasis string
}

// Filters is a dated table of instrument filters (see FilterTable for the embedded one).
type Filters struct {
	Rows []FilterRow // ascending by From
}

// FilterSet is the filters of one symbol at one time. A nil field is not known for that time
// (no row sets it yet); Dates holds the date of the row each known field comes from.
type FilterSet struct {
	Tick, Step, MinQty, MinNotional, MaxQty                     *decimal.Decimal
	TickDate, StepDate, MinQtyDate, MinNotionalDate, MaxQtyDate string
}

//go:embed filters.json
var embeddedFilters []byte

// FilterTable returns the embedded dated filter table (filters.json: every row with its source
// and the reason for its date; docs/margin.md §9.1). Parsed once per process; the value is
// shared and must not be modified.
func FilterTable() *Filters { return filterTable() }

var filterTable = sync.OnceValue(func() *Filters {
	f, err := ParseFilters(embeddedFilters)
	if err != nil {
		panic(err) // the embedded file is tested
	}
	return f
})

// ParseFilters reads a filter table in the layout of the embedded filters.json. Errors name
// the row and field.
func ParseFilters(data []byte) (*Filters, error) {
	var j struct {
		Readme string `json:"readme"`
		Rows   []struct {
			Symbol    string           `json:"symbol"`
			From      string           `json:"from"`
			Tick      *decimal.Decimal `json:"tick"`
			Step      *decimal.Decimal `json:"step"`
			MinQty    *decimal.Decimal `json:"min_qty"`
			MinNot    *decimal.Decimal `json:"min_notional"`
			MaxQty    *decimal.Decimal `json:"max_qty"`
			Source    string           `json:"source"`
			DateBasis string           `json:"date_basis"`
		} `json:"rows"`
	}
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, fmt.Errorf("margin: filter table: %w", err)
	}
	var f Filters
	for k, r := range j.Rows {
		where := fmt.Sprintf("margin: filter table: row %d (%s %s)", k+1, r.Symbol, r.From)
		d, err := time.Parse(time.DateOnly, r.From)
		if err != nil {
			return nil, fmt.Errorf("%s: from: not a date YYYY-MM-DD", where)
		}
		if r.Symbol == "" || r.Source == "" {
			return nil, fmt.Errorf("%s: %w: symbol and source are required", where, ErrInvalidInput)
		}
		for _, x := range []struct {
			name     string
			v        *decimal.Decimal
			positive bool
		}{{"tick", r.Tick, true}, {"step", r.Step, true}, {"min_qty", r.MinQty, false},
			{"min_notional", r.MinNot, false}, {"max_qty", r.MaxQty, true}} {
			if x.v != nil && (x.v.IsNegative() || x.positive && x.v.IsZero()) {
				return nil, fmt.Errorf("%s: %s: %w: %s must be > 0", where, x.name, ErrInvalidInput, x.v)
			}
		}
		if r.Tick == nil && r.Step == nil && r.MinQty == nil && r.MinNot == nil && r.MaxQty == nil {
			return nil, fmt.Errorf("%s: %w: the row sets no filter", where, ErrInvalidInput)
		}
		f.Rows = append(f.Rows, FilterRow{Symbol: r.Symbol, From: d, Date: r.From, Tick: r.Tick, Step: r.Step,
			MinQty: r.MinQty, MinNot: r.MinNot, MaxQty: r.MaxQty, Source: r.Source, DateBasis: r.DateBasis})
	}
	slices.SortStableFunc(f.Rows, func(a, b FilterRow) int { return a.From.Compare(b.From) })
	return &f, nil
}

// At returns symbol's filters in force at t: each field from the latest row dated on or before
// t that sets it, else (t before that filter's first row) from the earliest row that sets it,
// as for bracket tables and fees; nil when no row sets it (not known).
func (f *Filters) At(symbol string, t time.Time) FilterSet {
	var s FilterSet
	for _, r := range f.Rows {
		if r.Symbol != symbol {
			continue
		}
		if r.From.After(t) { // only filters not yet set: the earliest row of each
			set := func(dst **decimal.Decimal, date *string, v *decimal.Decimal) {
				if v != nil && *dst == nil {
					*dst, *date = v, r.Date
				}
			}
			set(&s.Tick, &s.TickDate, r.Tick)
			set(&s.Step, &s.StepDate, r.Step)
			set(&s.MinQty, &s.MinQtyDate, r.MinQty)
			set(&s.MinNotional, &s.MinNotionalDate, r.MinNot)
			set(&s.MaxQty, &s.MaxQtyDate, r.MaxQty)
			continue
		}
		set := func(dst **decimal.Decimal, date *string, v *decimal.Decimal) {
			if v != nil {
				*dst, *date = v, r.Date
			}
		}
		set(&s.Tick, &s.TickDate, r.Tick)
		set(&s.Step, &s.StepDate, r.Step)
		set(&s.MinQty, &s.MinQtyDate, r.MinQty)
		set(&s.MinNotional, &s.MinNotionalDate, r.MinNot)
		set(&s.MaxQty, &s.MaxQtyDate, r.MaxQty)
	}
	return s
}

// Changes returns the dates after `after` of symbol's rows, ascending and distinct.
func (f *Filters) Changes(symbol string, after time.Time) []time.Time {
	var out []time.Time
	for _, r := range f.Rows {
		if r.Symbol == symbol && r.From.After(after) {
			out = append(out, r.From)
		}
	}
	return slices.CompactFunc(out, time.Time.Equal)
}

// Has reports whether the table has a row for symbol.
func (f *Filters) Has(symbol string) bool {
	return slices.ContainsFunc(f.Rows, func(r FilterRow) bool { return r.Symbol == symbol })
}

// MaxGridPlaces is the finest price grid GridTick derives: 10^−8.
const MaxGridPlaces = 8

// GridTick returns the finest decimal grid the prices lie on: 10^−k with k the largest number
// of decimals any price needs in its shortest representation, at most MaxGridPlaces (prices
// that need more, e.g. synthetic ones, give 10^−8); ok is false when no price is positive and
// finite. It is how the engine takes a tick from the data when the history of a symbol's tick
// is not known: every price of the data then lies on the tick's grid.
func GridTick(prices []float64) (tick decimal.Decimal, ok bool) {
	k := 0
	for _, p := range prices {
		if !(p > 0) || math.IsInf(p, 0) {
			continue
		}
		ok = true
		e := -decimal.NewFromFloat(p).Exponent()
		if e > int32(k) {
			k = int(min(e, MaxGridPlaces))
		}
	}
	return decimal.New(1, int32(-k)), ok
}

// DerivedStep is the quantity step DefaultInstrument derives from a reference price p for a
// symbol without known filters: 10^(−⌈log10 p⌉), so that one step is worth 0.1 to 1 USDT (p
// not positive and finite: 1).
func DerivedStep(p float64) decimal.Decimal {
	if !(p > 0) || math.IsInf(p, 0) {
		p = 1
	}
	e := floorLog10(p)
	c := e // ceil(log10 p)
	if math.Pow10(e) != p {
		c = e + 1
	}
	return decimal.New(1, int32(-c))
}

// Unknown names the filters of symbol the table does not know at t ("tick", "step", "min
// qty", "min notional", "max qty"), in that order.
func (f *Filters) Unknown(symbol string, t time.Time) []string {
	s := f.At(symbol, t)
	var out []string
	for _, x := range []struct {
		name string
		v    *decimal.Decimal
	}{{"tick", s.Tick}, {"step", s.Step}, {"min qty", s.MinQty}, {"min notional", s.MinNotional}, {"max qty", s.MaxQty}} {
		if x.v == nil {
			out = append(out, x.name)
		}
	}
	return out
}
