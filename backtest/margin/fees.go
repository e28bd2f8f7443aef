package margin

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/shopspring/decimal"
)

// FeeRate is one row of a dated fee schedule: a rate in force for a symbol ("*": every
// symbol) from a date on, until the next row's date.
type FeeRate struct {
	Symbol    string
	From      time.Time // 00:00 UTC
	Date      string    // From as YYYY-MM-DD
	Maker     decimal.Decimal
	Taker     decimal.Decimal
	Rate      decimal.Decimal // clearance rows: the clearance fee rate
	Source    string          // where the rate comes from
	DateBasis string          // how the date was chosen
}

// Fees is a dated fee schedule: trading rows (maker and taker) and clearance rows
// (liquidation clearance fee). See FeeSchedule for the embedded one.
type Fees struct {
	Trading, Clearance []FeeRate // each ascending by From
}

//go:embed fees.json
var embeddedFees []byte

// FeeSchedule returns the embedded dated fee schedule (fees.json: every rate with its source
// and the reason for its date; docs/margin.md §9.1). Parsed once per process; the value is
// shared and must not be modified.
func FeeSchedule() *Fees { return feeSchedule() }

var feeSchedule = sync.OnceValue(func() *Fees {
	f, err := ParseFees(embeddedFees)
	if err != nil {
		panic(err) // the embedded file is tested
	}
	return f
})

// ParseFees reads a fee schedule in the layout of the embedded fees.json. Errors name the row
// and field.
func ParseFees(data []byte) (*Fees, error) {
	type row struct {
		Symbol    string          `json:"symbol"`
		From      string          `json:"from"`
		Maker     decimal.Decimal `json:"maker"`
		Taker     decimal.Decimal `json:"taker"`
		Rate      decimal.Decimal `json:"rate"`
		Source    string          `json:"source"`
		DateBasis string          `json:"date_basis"`
	}
	var j struct {
		Readme    string `json:"readme"`
		Trading   []row  `json:"trading"`
		Clearance []row  `json:"clearance"`
	}
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, fmt.Errorf("margin: fee schedule: %w", err)
	}
	conv := func(kind string, rows []row) ([]FeeRate, error) {
		var out []FeeRate
		for k, r := range rows {
			where := fmt.Sprintf("margin: fee schedule: %s row %d (%s %s)", kind, k+1, r.Symbol, r.From)
			d, err := time.Parse(time.DateOnly, r.From)
			if err != nil {
				return nil, fmt.Errorf("%s: from: not a date YYYY-MM-DD", where)
			}
			if r.Symbol == "" || r.Source == "" {
				return nil, fmt.Errorf("%s: %w: symbol and source are required", where, ErrInvalidInput)
			}
			one := decimal.NewFromInt(1)
			if kind == "trading" && (r.Maker.Abs().Cmp(one) >= 0 || r.Taker.IsNegative() || r.Taker.Cmp(one) >= 0) ||
				kind == "clearance" && (r.Rate.IsNegative() || r.Rate.Cmp(one) >= 0) {
				return nil, fmt.Errorf("%s: %w: rate outside [0, 1)", where, ErrInvalidInput)
			}
			for _, o := range out {
				if o.Symbol == r.Symbol && o.Date == r.From {
					return nil, fmt.Errorf("%s: %w: two rows for the same symbol and date", where, ErrInvalidInput)
				}
			}
			out = append(out, FeeRate{Symbol: r.Symbol, From: d, Date: r.From, Maker: r.Maker, Taker: r.Taker,
				Rate: r.Rate, Source: r.Source, DateBasis: r.DateBasis})
		}
		slices.SortStableFunc(out, func(a, b FeeRate) int { return a.From.Compare(b.From) })
		return out, nil
	}
	var f Fees
	var err error
	if f.Trading, err = conv("trading", j.Trading); err != nil {
		return nil, err
	}
	if f.Clearance, err = conv("clearance", j.Clearance); err != nil {
		return nil, err
	}
	return &f, nil
}

// at returns the row of rows in force for symbol at t: the latest row dated on or before t
// among the symbol's own rows and the "*" rows (the symbol's own on the same date), else the
// earliest such row; false when none applies to the symbol.
func at(rows []FeeRate, symbol string, t time.Time) (FeeRate, bool) {
	var best FeeRate
	found := false
	for _, r := range rows {
		if r.Symbol != symbol && r.Symbol != "*" {
			continue
		}
		if !found {
			best, found = r, true
			continue
		}
		if r.From.After(t) {
			break
		}
		if r.From.After(best.From) || r.From.Equal(best.From) && r.Symbol == symbol {
			best = r
		}
	}
	return best, found
}

// TradingAt returns the maker/taker row in force for symbol at t (before the first row: the
// first row).
func (f *Fees) TradingAt(symbol string, t time.Time) (FeeRate, bool) { return at(f.Trading, symbol, t) }

// ClearanceAt returns the clearance fee row in force for symbol at t (before the first row:
// the first row).
func (f *Fees) ClearanceAt(symbol string, t time.Time) (FeeRate, bool) {
	return at(f.Clearance, symbol, t)
}

// Changes returns the dates after `after` on which a rate of symbol may change (the dates of
// its own rows and of the "*" rows), ascending and distinct.
func (f *Fees) Changes(symbol string, after time.Time) []time.Time {
	var out []time.Time
	for _, rows := range [][]FeeRate{f.Trading, f.Clearance} {
		for _, r := range rows {
			if (r.Symbol == symbol || r.Symbol == "*") && r.From.After(after) {
				out = append(out, r.From)
			}
		}
	}
	slices.SortFunc(out, time.Time.Compare)
	return slices.CompactFunc(out, time.Time.Equal)
}
