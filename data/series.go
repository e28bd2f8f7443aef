package data

import (
	"errors"
	"fmt"
	"math"
	"strconv"
)

// Kind is the kind of a series.
type Kind string

// The three kinds of series bt stores.
const (
	KindKlines  Kind = "klines"  // last-price klines
	KindMark    Kind = "mark"    // mark-price klines
	KindFunding Kind = "funding" // funding rates
)

// Series names one stored series. Symbol, Interval, Kind and Source are written to each
// Parquet file's key/value metadata and to its path.
type Series struct {
	Symbol   string // e.g. "BTCUSDT"
	Kind     Kind
	Interval string // "1m", "5m", "1h", ...; empty for funding
	Source   string // e.g. "binance-um", "binance-spot", "csv", "synth"
}

// Kline is one kline row. Mark-price klines use OpenTime..Close only. The optional
// fields are zero when the source lacks them (HasExtra reports whether they were present).
type Kline struct {
	OpenTime            int64 // Unix ms UTC of the bar open
	Open                float64
	High                float64
	Low                 float64
	Close               float64
	Volume              float64 // base units
	QuoteVolume         float64
	Trades              int64
	TakerBuyVolume      float64
	TakerBuyQuoteVolume float64
}

// DefaultFundingIntervalHours is the funding interval assumed for rows whose source does not
// state one (a CSV or Parquet file without an interval column): Binance's standard 8 hours.
// Symbols settling every 4 h or 1 h need the interval in the file.
const DefaultFundingIntervalHours = 8

// FundingRate is one funding settlement row.
type FundingRate struct {
	Time          int64   // Unix ms UTC of the settlement
	Rate          float64 // per funding interval; positive: longs pay shorts
	IntervalHours int32
}

// Errors reported by the validators. They are wrapped in a *RowError that names the file, the
// row and the field; test for them with errors.Is.
var (
	// ErrOutOfOrder: a time is not after the previous row's time.
	ErrOutOfOrder = errors.New("time not strictly increasing")
	// ErrDuplicate: a time equals the previous row's time.
	ErrDuplicate = errors.New("duplicate time")
	// ErrMisaligned: a kline open time is not a multiple of the interval.
	ErrMisaligned = errors.New("time not aligned to the interval")
	// ErrBadTime: a time is negative or beyond year 9999.
	ErrBadTime = errors.New("time out of range")
	// ErrBadPrice: a price is NaN, infinite, zero or negative.
	ErrBadPrice = errors.New("price not finite and positive")
	// ErrLowAboveHigh: low > high.
	ErrLowAboveHigh = errors.New("low above high")
	// ErrOutsideRange: open or close lies outside [low, high].
	ErrOutsideRange = errors.New("price outside [low, high]")
	// ErrBadVolume: a volume or count is negative, NaN or infinite.
	ErrBadVolume = errors.New("volume negative or not finite")
	// ErrBadRate: a funding rate is NaN or infinite.
	ErrBadRate = errors.New("funding rate not finite")
	// ErrBadInterval: a funding interval is not positive, or a kline interval is unknown.
	ErrBadInterval = errors.New("bad interval")
)

// RowError is a data fault at one row of one file. Row counts data rows from 1 (importers
// that read text files use the line number instead, and say so), or is 0 when the fault is
// the whole file. Field is the column name, as stored ("open_time", "low", "rate", ...), or
// "" when the fault is the whole row or file.
type RowError struct {
	File  string
	Row   int
	Field string
	Err   error
}

// Error formats the fault as "file: row N: field F: cause", leaving out the field part
// when Field is "" and both row and field when Row is 0.
func (e *RowError) Error() string {
	switch {
	case e.Row == 0:
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	case e.Field == "":
		return fmt.Sprintf("%s: row %d: %v", e.File, e.Row, e.Err)
	}
	return fmt.Sprintf("%s: row %d: field %s: %v", e.File, e.Row, e.Field, e.Err)
}

// Unwrap returns the cause, one of the sentinels above or an importer's own.
func (e *RowError) Unwrap() error { return e.Err }

// maxTime is 9999-12-31T23:59:59.999Z in Unix ms.
const maxTime = 253402300799999

func goodPrice(p float64) bool { return p > 0 && !math.IsInf(p, 1) } // NaN > 0 is false

func goodVolume(v float64) bool { return v >= 0 && !math.IsInf(v, 1) }

// CheckKline checks one kline on its own: time in range, prices finite and positive,
// low <= high, open and close within [low, high], volumes and counts finite and not negative.
// It returns the first offending field's stored column name and the error.
func CheckKline(k *Kline) (field string, err error) {
	switch {
	case k.OpenTime < 0 || k.OpenTime > maxTime:
		return "open_time", ErrBadTime
	case !goodPrice(k.Open):
		return "open", ErrBadPrice
	case !goodPrice(k.High):
		return "high", ErrBadPrice
	case !goodPrice(k.Low):
		return "low", ErrBadPrice
	case !goodPrice(k.Close):
		return "close", ErrBadPrice
	case k.Low > k.High:
		return "low", ErrLowAboveHigh
	case k.Open < k.Low || k.Open > k.High:
		return "open", ErrOutsideRange
	case k.Close < k.Low || k.Close > k.High:
		return "close", ErrOutsideRange
	case !goodVolume(k.Volume):
		return "volume", ErrBadVolume
	case !goodVolume(k.QuoteVolume):
		return "quote_volume", ErrBadVolume
	case k.Trades < 0:
		return "trades", ErrBadVolume
	case !goodVolume(k.TakerBuyVolume):
		return "taker_buy_volume", ErrBadVolume
	case !goodVolume(k.TakerBuyQuoteVolume):
		return "taker_buy_quote_volume", ErrBadVolume
	}
	return "", nil
}

// CheckFunding checks one funding row on its own: time in range, rate finite, interval > 0.
func CheckFunding(f *FundingRate) (field string, err error) {
	switch {
	case f.Time < 0 || f.Time > maxTime:
		return "time", ErrBadTime
	case math.IsNaN(f.Rate) || math.IsInf(f.Rate, 0):
		return "rate", ErrBadRate
	case f.IntervalHours <= 0:
		return "interval_hours", ErrBadInterval
	}
	return "", nil
}

// CheckOrder returns nil if t follows prev strictly, else ErrDuplicate or ErrOutOfOrder.
func CheckOrder(prev, t int64) error {
	switch {
	case t > prev:
		return nil
	case t == prev:
		return ErrDuplicate
	}
	return ErrOutOfOrder
}

// ValidateKlines checks rows as CheckKline does, and that open times strictly increase.
// Errors are *RowError values naming file and the 1-based row index.
func ValidateKlines(rows []Kline, file string) error {
	return ValidateKlinesAligned(rows, 0, file)
}

// ValidateKlinesAligned is ValidateKlines that also checks, when interval > 0 (milliseconds,
// see IntervalMillis), that every open time is a multiple of interval.
func ValidateKlinesAligned(rows []Kline, interval int64, file string) error {
	for i := range rows {
		k := &rows[i]
		if f, err := CheckKline(k); err != nil {
			return &RowError{File: file, Row: i + 1, Field: f, Err: err}
		}
		if i > 0 {
			if err := CheckOrder(rows[i-1].OpenTime, k.OpenTime); err != nil {
				return &RowError{File: file, Row: i + 1, Field: "open_time", Err: err}
			}
		}
		if interval > 0 && k.OpenTime%interval != 0 {
			return &RowError{File: file, Row: i + 1, Field: "open_time", Err: ErrMisaligned}
		}
	}
	return nil
}

// ValidateFunding checks rows as CheckFunding does, and that times strictly increase.
func ValidateFunding(rows []FundingRate, file string) error {
	for i := range rows {
		f := &rows[i]
		if fld, err := CheckFunding(f); err != nil {
			return &RowError{File: file, Row: i + 1, Field: fld, Err: err}
		}
		if i > 0 {
			if err := CheckOrder(rows[i-1].Time, f.Time); err != nil {
				return &RowError{File: file, Row: i + 1, Field: "time", Err: err}
			}
		}
	}
	return nil
}

// IntervalMillis returns the length of a kline interval in milliseconds. It accepts Binance's
// fixed intervals: 1s, 1m, 3m, 5m, 15m, 30m, 1h, 2h, 4h, 6h, 8h, 12h, 1d, 3d, 1w (and any
// other positive count of s, m, h, d or w). Calendar months ("1M") have no fixed length
// and are rejected.
func IntervalMillis(interval string) (int64, error) {
	if len(interval) < 2 {
		return 0, fmt.Errorf("%w: %q", ErrBadInterval, interval)
	}
	n, err := strconv.ParseInt(interval[:len(interval)-1], 10, 64)
	if err != nil || n <= 0 || n > 1000 {
		return 0, fmt.Errorf("%w: %q", ErrBadInterval, interval)
	}
	var unit int64
	switch interval[len(interval)-1] {
	case 's':
		unit = 1000
	case 'm':
		unit = 60 * 1000
	case 'h':
		unit = 3600 * 1000
	case 'd':
		unit = 24 * 3600 * 1000
	case 'w':
		unit = 7 * 24 * 3600 * 1000
	default:
		return 0, fmt.Errorf("%w: %q", ErrBadInterval, interval)
	}
	return n * unit, nil
}

// Validate checks that a Series is well formed: a known Kind, a Symbol and Source made of
// letters, digits, '-' and '_' (they become path elements), and an Interval that
// IntervalMillis accepts for klines and mark klines, empty for funding.
func (s Series) Validate() error {
	if !pathSafe(s.Symbol) {
		return fmt.Errorf("series %v: bad symbol %q", s, s.Symbol)
	}
	if !pathSafe(s.Source) {
		return fmt.Errorf("series %v: bad source %q", s, s.Source)
	}
	switch s.Kind {
	case KindKlines, KindMark:
		if _, err := IntervalMillis(s.Interval); err != nil {
			return fmt.Errorf("series %v: %w", s, err)
		}
	case KindFunding:
		if s.Interval != "" {
			return fmt.Errorf("series %v: funding has no interval", s)
		}
	default:
		return fmt.Errorf("series %v: unknown kind %q", s, s.Kind)
	}
	return nil
}

// String formats s as source/kind/symbol[/interval], e.g. "binance-um/klines/BTCUSDT/1h".
func (s Series) String() string {
	str := s.Source + "/" + string(s.Kind) + "/" + s.Symbol
	if s.Interval != "" {
		str += "/" + s.Interval
	}
	return str
}

func pathSafe(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
