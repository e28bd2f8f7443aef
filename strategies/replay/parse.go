package replay

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/shopspring/decimal"
)

// Errors of this package.
var (
	// ErrParse is wrapped by every *ParseError: the trade log is malformed.
	ErrParse = errors.New("replay: malformed trade log")
)

// ParseError is a malformed trade log, located by file, line and field.
type ParseError struct {
	File   string
	Row    int    // 1-based line number in the file; 0 when unknown
	Field  string // column name; "" for a whole-row or file problem
	Value  string
	Reason string
}

// Error formats the error as `replay: file row N field F "value": reason`.
func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("replay: ")
	b.WriteString(e.File)
	if e.Row > 0 {
		fmt.Fprintf(&b, " row %d", e.Row)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, " field %s", e.Field)
	}
	if e.Value != "" {
		fmt.Fprintf(&b, " %q", e.Value)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// Unwrap returns ErrParse.
func (e *ParseError) Unwrap() error { return ErrParse }

// Trade is one logged order.
type Trade struct {
	Time       int64 // Unix ms UTC
	Symbol     string
	Side       backtest.Side
	Type       backtest.OrderType // Market or Limit
	Qty        decimal.Decimal    // > 0
	Price      decimal.Decimal    // Limit only; zero for Market
	Leverage   int                // 0: keep the current leverage
	ReduceOnly bool
	// PositionSide is the optional position_side column, as Binance's order API's
	// positionSide: margin.Both (BOTH or empty: one-way mode), margin.Long or margin.Short
	// (hedge mode, where a sell on LONG reduces it and a buy on SHORT reduces that).
	PositionSide margin.PositionSide
	Row          int // line in the file
}

// Columns are the trade log's column names, in their conventional order.
var Columns = []string{"time", "symbol", "side", "type", "qty", "price", "leverage", "reduce_only"}

// OptionalColumns are the columns a trade log may have after Columns: position_side (LONG,
// SHORT, or BOTH/empty for one-way mode).
var OptionalColumns = []string{"position_side"}

const maxLeverage = 125

// Parse reads a trade log from r; file names it in errors. The trades are returned sorted by
// time, ties in file order.
func Parse(r io.Reader, file string) ([]Trade, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	perr := func(row int, field, value, format string, args ...any) error {
		return &ParseError{File: file, Row: row, Field: field, Value: value, Reason: fmt.Sprintf(format, args...)}
	}
	header, err := cr.Read()
	if err == io.EOF {
		return nil, perr(0, "", "", "empty file: want a header row %s", strings.Join(Columns, ","))
	}
	if err != nil {
		return nil, csvError(file, err)
	}
	line, _ := cr.FieldPos(0)
	col := make(map[string]int, len(Columns))
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff") // byte-order mark
		}
		if !slices.Contains(Columns, h) && !slices.Contains(OptionalColumns, h) {
			return nil, perr(line, "", h, "unknown column (want %s, optionally %s)", strings.Join(Columns, ","), strings.Join(OptionalColumns, ","))
		}
		if _, dup := col[h]; dup {
			return nil, perr(line, "", h, "duplicate column")
		}
		col[h] = i
	}
	for _, c := range Columns {
		if _, ok := col[c]; !ok {
			return nil, perr(line, "", "", "missing column %s (header must name %s)", c, strings.Join(Columns, ","))
		}
	}
	var trades []Trade
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(file, err)
		}
		row, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			return nil, perr(row, "", "", "%d fields, want %d like the header", len(rec), len(header))
		}
		get := func(name string) string {
			k, ok := col[name]
			if !ok {
				return "" // an optional column the header does not have
			}
			return strings.TrimSpace(rec[k])
		}
		t := Trade{Row: row}
		v := get("time")
		if t.Time, err = parseTime(v); err != nil {
			return nil, perr(row, "time", v, "%v", err)
		}
		t.Symbol = get("symbol")
		if t.Symbol == "" || strings.ContainsAny(t.Symbol, " \t") {
			return nil, perr(row, "symbol", t.Symbol, "want a symbol such as BTCUSDT")
		}
		switch v = get("side"); strings.ToLower(v) {
		case "buy":
			t.Side = backtest.Buy
		case "sell":
			t.Side = backtest.Sell
		default:
			return nil, perr(row, "side", v, "want buy or sell")
		}
		switch v = get("type"); strings.ToLower(v) {
		case "market":
			t.Type = backtest.Market
		case "limit":
			t.Type = backtest.Limit
		default:
			return nil, perr(row, "type", v, "want market or limit")
		}
		v = get("qty")
		if t.Qty, err = positive(v); err != nil {
			return nil, perr(row, "qty", v, "%v", err)
		}
		v = get("price")
		switch {
		case t.Type == backtest.Market && v != "":
			return nil, perr(row, "price", v, "a market order takes no price (leave it empty)")
		case t.Type == backtest.Limit:
			if t.Price, err = positive(v); err != nil {
				return nil, perr(row, "price", v, "limit order: %v", err)
			}
		}
		if v = get("leverage"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > maxLeverage {
				return nil, perr(row, "leverage", v, "want an integer in [1, %d] or empty", maxLeverage)
			}
			t.Leverage = n
		}
		switch v = get("reduce_only"); strings.ToLower(v) {
		case "", "false", "0", "no":
		case "true", "1", "yes":
			t.ReduceOnly = true
		default:
			return nil, perr(row, "reduce_only", v, "want true or false")
		}
		switch v = get("position_side"); strings.ToUpper(v) {
		case "", "BOTH":
		case "LONG":
			t.PositionSide = margin.Long
		case "SHORT":
			t.PositionSide = margin.Short
		default:
			return nil, perr(row, "position_side", v, "want LONG or SHORT (hedge mode), or BOTH or empty (one-way mode)")
		}
		trades = append(trades, t)
	}
	slices.SortStableFunc(trades, func(a, b Trade) int { return cmp.Compare(a.Time, b.Time) })
	return trades, nil
}

func csvError(file string, err error) error {
	var ce *csv.ParseError
	if errors.As(err, &ce) {
		return &ParseError{File: file, Row: ce.Line, Reason: ce.Err.Error()}
	}
	return fmt.Errorf("replay: %s: %w", file, err)
}

// parseTime reads RFC 3339 or epoch milliseconds.
func parseTime(v string) (int64, error) {
	if v == "" {
		return 0, errors.New("empty")
	}
	if strings.Trim(v, "0123456789") == "" {
		ms, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, errors.New("epoch milliseconds out of range")
		}
		// Year ~ 1973..2286 in ms; smaller values are likely seconds.
		if ms < 1e11 || ms > 1e13 {
			return 0, errors.New("epoch milliseconds out of range (seconds given?)")
		}
		return ms, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		// Binance's trade-history exports: "2025-06-01 12:00:00", in UTC.
		if t, err = time.Parse("2006-01-02 15:04:05.999999999", v); err != nil {
			return 0, errors.New("want RFC 3339 (2025-06-01T12:00:00Z), 2025-06-01 12:00:00 (UTC) or epoch milliseconds")
		}
	}
	if ms := t.UnixMilli(); ms >= 0 && ms <= 1e13 {
		return ms, nil
	}
	return 0, errors.New("out of range (1970 to 2286)")
}

func positive(v string) (decimal.Decimal, error) {
	if v == "" {
		return decimal.Zero, errors.New("empty")
	}
	if strings.ContainsAny(v, "eE") || len(v) > 40 {
		return decimal.Zero, errors.New("want a plain decimal number such as 0.015")
	}
	d, err := decimal.NewFromString(v)
	if err != nil {
		return decimal.Zero, errors.New("want a plain decimal number such as 0.015")
	}
	if d.Sign() <= 0 {
		return decimal.Zero, errors.New("must be > 0")
	}
	return d, nil
}

// Format writes trades as a trade log that Parse reads back (times as RFC 3339 in UTC with
// milliseconds). The position_side column is written only when a trade has a LONG or SHORT
// side.
func Format(w io.Writer, trades []Trade) error {
	cw := csv.NewWriter(w)
	cols := Columns
	hedge := slices.ContainsFunc(trades, func(t Trade) bool { return t.PositionSide != margin.Both })
	if hedge {
		cols = append(slices.Clip(cols), OptionalColumns...)
	}
	if err := cw.Write(cols); err != nil {
		return err
	}
	rec := make([]string, len(cols))
	for _, t := range trades {
		rec[0] = time.UnixMilli(t.Time).UTC().Format("2006-01-02T15:04:05.000Z07:00")
		rec[1] = t.Symbol
		rec[2] = "buy"
		if t.Side == backtest.Sell {
			rec[2] = "sell"
		}
		rec[3], rec[5] = "market", ""
		if t.Type == backtest.Limit {
			rec[3], rec[5] = "limit", t.Price.String()
		}
		rec[4] = t.Qty.String()
		rec[6] = ""
		if t.Leverage > 0 {
			rec[6] = strconv.Itoa(t.Leverage)
		}
		rec[7] = strconv.FormatBool(t.ReduceOnly)
		if hedge {
			rec[8] = t.PositionSide.String()
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
