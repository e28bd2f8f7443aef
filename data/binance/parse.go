package binance

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/bt-backtest/bt/data"
)

// klineColumns are the 12 columns of klines and markPriceKlines files, as named in their
// header row.
var klineColumns = []string{"open_time", "open", "high", "low", "close", "volume", "close_time",
	"quote_volume", "count", "taker_buy_volume", "taker_buy_quote_volume", "ignore"}

// fundingColumns are the 3 columns of fundingRate files.
var fundingColumns = []string{"calc_time", "funding_interval_hours", "last_funding_rate"}

const maxLine = 64 << 10

// microsFrom: timestamps at or above it are microseconds (as ms it would be the year 5138).
const microsFrom = 1e14

// IntervalMillis returns the length of a kline interval ("1s".."1d", "3d", "1w") in
// milliseconds, or 0 for "1mo"/"1M" and unknown intervals.
func IntervalMillis(interval string) int64 {
	if len(interval) < 2 {
		return 0
	}
	n, err := strconv.ParseInt(interval[:len(interval)-1], 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	var unit time.Duration
	switch interval[len(interval)-1] {
	case 's':
		unit = time.Second
	case 'm':
		unit = time.Minute
	case 'h':
		unit = time.Hour
	case 'd':
		unit = 24 * time.Hour
	case 'w':
		unit = 7 * 24 * time.Hour
	default:
		return 0
	}
	return n * unit.Milliseconds()
}

// lines iterates over the non-empty lines of a CSV, tracking the 1-based line number.
type lines struct {
	sc   *bufio.Scanner
	row  int
	name string
}

func newLines(r io.Reader, name string) *lines {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	return &lines{sc: sc, name: name}
}

func (l *lines) next() ([]byte, bool) {
	for l.sc.Scan() {
		l.row++
		b := bytes.TrimRight(l.sc.Bytes(), "\r")
		if len(b) > 0 {
			return b, true
		}
	}
	return nil, false
}

func (l *lines) err() error {
	err := l.sc.Err()
	if err == nil {
		return nil
	}
	if errors.Is(err, bufio.ErrTooLong) {
		return &ParseError{File: l.name, Row: l.row + 1, Err: ErrLineTooLong}
	}
	return &ParseError{File: l.name, Row: l.row + 1, Err: err}
}

// split splits line at commas into dst (reused), trimming spaces.
func split(dst []string, line []byte) []string {
	dst = dst[:0]
	s := string(line)
	for {
		i := indexComma(s)
		if i < 0 {
			return append(dst, trimSpace(s))
		}
		dst = append(dst, trimSpace(s[:i]))
		s = s[i+1:]
	}
}

func indexComma(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == ',' {
			return i
		}
	}
	return -1
}

func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// isHeader reports whether a first line is a header: its first field is not a number.
func isHeader(fields []string) bool {
	if len(fields) == 0 || fields[0] == "" {
		return true
	}
	_, err := strconv.ParseFloat(fields[0], 64)
	return err != nil
}

func checkHeader(fields, want []string, name string) error {
	if len(fields) != len(want) {
		return &ParseError{File: name, Row: 1, Err: fmt.Errorf("%w: %d columns, want %d (%v)", ErrHeader, len(fields), len(want), want)}
	}
	for i, f := range fields {
		if f != want[i] {
			return &ParseError{File: name, Row: 1, Field: want[i], Err: fmt.Errorf("%w: column %d is %q, want %q", ErrHeader, i+1, f, want[i])}
		}
	}
	return nil
}

// toMillis converts a timestamp in ms or µs (detected by magnitude) to ms. With exact,
// a µs timestamp must be a whole millisecond; otherwise it is truncated (close times end
// in 999999 µs).
func toMillis(t int64, exact bool) (int64, error) {
	switch {
	case t < 0:
		return 0, fmt.Errorf("%w: negative timestamp %d", ErrTime, t)
	case t >= microsFrom*1000:
		return 0, fmt.Errorf("%w: timestamp %d too large for ms or µs", ErrTime, t)
	case t >= microsFrom:
		if exact && t%1000 != 0 {
			return 0, fmt.Errorf("%w: µs timestamp %d is not a whole millisecond", ErrTime, t)
		}
		return t / 1000, nil
	}
	return t, nil
}

// ParseKlines reads a klines or markPriceKlines CSV (12 columns, with or without a
// header row) and returns its rows, validated as the package doc says. name is used in
// errors. interval ("1m", "1h", ...) sets the alignment check; "" skips it. With mark
// set, only OpenTime and OHLC are kept.
func ParseKlines(r io.Reader, name, interval string, mark bool) ([]data.Kline, error) {
	step := IntervalMillis(interval)
	if step > 24*time.Hour.Milliseconds() {
		step = 0 // 3d and 1w bars are not aligned to the Unix epoch
	}
	parse := func(f []string) (data.Kline, string, error) { return parseKlineFields(f, mark) }
	follows := func(k, prev *data.Kline) error {
		if step > 0 && k.OpenTime%step != 0 {
			return fmt.Errorf("%w: %d not aligned to %s", ErrTime, k.OpenTime, interval)
		}
		if prev != nil && k.OpenTime <= prev.OpenTime {
			what := "out of order"
			if k.OpenTime == prev.OpenTime {
				what = "duplicate"
			}
			return fmt.Errorf("%w: %s %s", ErrTime, what, time.UnixMilli(k.OpenTime).UTC().Format(time.RFC3339))
		}
		return nil
	}
	return parseRows(r, name, klineColumns, parse, follows)
}

// parseKlineFields parses one 12-column kline row; on error it names the bad field.
func parseKlineFields(f []string, mark bool) (k data.Kline, field string, err error) {
	if len(f) != len(klineColumns) {
		return k, "", fmt.Errorf("%w: %d, want %d", ErrColumns, len(f), len(klineColumns))
	}
	ot, err := parseInt(f[0])
	if err != nil {
		return k, "open_time", err
	}
	if k.OpenTime, err = toMillis(ot, true); err != nil {
		return k, "open_time", err
	}
	ct, err := parseInt(f[6])
	if err != nil {
		return k, "close_time", err
	}
	if ct, err = toMillis(ct, false); err != nil {
		return k, "close_time", err
	}
	if ct < k.OpenTime {
		return k, "close_time", fmt.Errorf("%w: close_time %d before open_time %d", ErrTime, ct, k.OpenTime)
	}
	prices := [4]*float64{&k.Open, &k.High, &k.Low, &k.Close}
	for i, p := range prices {
		if *p, err = parseFloat(f[1+i]); err != nil {
			return k, klineColumns[1+i], err
		}
	}
	if !mark {
		vols := [...]struct {
			col int
			dst *float64
		}{{5, &k.Volume}, {7, &k.QuoteVolume}, {9, &k.TakerBuyVolume}, {10, &k.TakerBuyQuoteVolume}}
		for _, v := range vols {
			if *v.dst, err = parseFloat(f[v.col]); err != nil {
				return k, klineColumns[v.col], err
			}
		}
		if k.Trades, err = parseInt(f[8]); err != nil {
			return k, "count", err
		}
	}
	// The shared checks: prices finite and > 0, low <= open, close <= high, volumes >= 0.
	if field, err := data.CheckKline(&k); err != nil {
		if field == "trades" {
			field = "count" // Binance's name for the column
		}
		return k, field, fmt.Errorf("%w: %w", ErrValue, err)
	}
	return k, "", nil
}

func parseInt(s string) (int64, error) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %q", ErrNumber, s)
	}
	return v, nil
}

func parseFloat(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %q", ErrNumber, s)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%w: %q", ErrValue, s)
	}
	return v, nil
}

// ParseFunding reads a fundingRate CSV (calc_time,funding_interval_hours,
// last_funding_rate, with or without a header) and returns its rows. calc_time is
// rounded to the nearest minute; rates must be finite, interval hours in 1..24, times
// strictly increasing.
func ParseFunding(r io.Reader, name string) ([]data.FundingRate, error) {
	follows := func(fr, prev *data.FundingRate) error {
		if prev != nil && fr.Time <= prev.Time {
			return fmt.Errorf("%w: %s not after %s", ErrTime,
				time.UnixMilli(fr.Time).UTC().Format(time.RFC3339), time.UnixMilli(prev.Time).UTC().Format(time.RFC3339))
		}
		return nil
	}
	return parseRows(r, name, fundingColumns, parseFundingFields, follows)
}

// parseRows is the line loop of ParseKlines and ParseFunding. The first non-empty line may
// be a header (see isHeader), which must be line 1 and name columns. Every other line is a
// row: parse turns its fields into a T or names the bad field; follows checks the row
// against the one before it (prev is nil for the first) and faults columns[0], the time.
// A file without rows is ErrNoRows.
func parseRows[T any](r io.Reader, name string, columns []string,
	parse func(fields []string) (T, string, error), follows func(row, prev *T) error) ([]T, error) {
	ln := newLines(r, name)
	var (
		rows   []T
		fields []string
		header bool
	)
	for {
		line, ok := ln.next()
		if !ok {
			break
		}
		fields = split(fields, line)
		if len(rows) == 0 && !header && isHeader(fields) {
			if ln.row != 1 {
				return nil, &ParseError{File: name, Row: ln.row, Field: columns[0], Err: fmt.Errorf("%w: %q", ErrNumber, fields[0])}
			}
			if err := checkHeader(fields, columns, name); err != nil {
				return nil, err
			}
			header = true
			continue
		}
		row, field, err := parse(fields)
		if err != nil {
			return nil, &ParseError{File: name, Row: ln.row, Field: field, Err: err}
		}
		// Checked in place: &row would escape through follows, a heap row per line.
		rows = append(rows, row)
		var prev *T
		if n := len(rows); n > 1 {
			prev = &rows[n-2]
		}
		if err := follows(&rows[len(rows)-1], prev); err != nil {
			return nil, &ParseError{File: name, Row: ln.row, Field: columns[0], Err: err}
		}
	}
	if err := ln.err(); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, &ParseError{File: name, Err: ErrNoRows}
	}
	return rows, nil
}

func parseFundingFields(f []string) (fr data.FundingRate, field string, err error) {
	if len(f) != len(fundingColumns) {
		return fr, "", fmt.Errorf("%w: %d, want %d", ErrColumns, len(f), len(fundingColumns))
	}
	t, err := parseInt(f[0])
	if err != nil {
		return fr, "calc_time", err
	}
	if t, err = toMillis(t, false); err != nil {
		return fr, "calc_time", err
	}
	const minute = 60_000
	fr.Time = (t + minute/2) / minute * minute
	h, err := parseInt(f[1])
	if err != nil {
		return fr, "funding_interval_hours", err
	}
	if h < 1 || h > 24 {
		return fr, "funding_interval_hours", fmt.Errorf("%w: %d hours", ErrValue, h)
	}
	fr.IntervalHours = int32(h)
	if fr.Rate, err = parseFloat(f[2]); err != nil {
		return fr, "last_funding_rate", err
	}
	return fr, "", nil
}
