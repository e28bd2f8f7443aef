package csvfile

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/bt-backtest/bt/data"
	"github.com/bt-backtest/bt/data/parquet"
)

// Errors of the package, wrapped in *data.RowError (or returned with the file name) when
// they concern a row.
var (
	// ErrNoHeader: the file is empty or its first line is not a header naming a time column.
	ErrNoHeader = errors.New("no header with a time column")
	// ErrUnknownColumn: the header names a column this package does not know.
	ErrUnknownColumn = errors.New("unknown column")
	// ErrMissingColumn: a required column is absent.
	ErrMissingColumn = errors.New("missing column")
	// ErrNumber: a field is not a number.
	ErrNumber = errors.New("not a number")
	// ErrTime: a time field cannot be parsed, or changes unit, or has sub-millisecond digits.
	ErrTime = errors.New("bad time")
	// ErrFields: a row has the wrong number of fields.
	ErrFields = errors.New("wrong number of fields")
)

// Options tunes parsing. The zero value detects everything.
type Options struct {
	// TimeColumn names the time column; "" detects it (see the package doc).
	TimeColumn string
	// TimeUnit is "s", "ms", "us", "ns" or "rfc3339"; "" detects it.
	TimeUnit string
	// Interval, when set (e.g. "1h"), requires kline open times to be multiples of it.
	Interval string
	// FundingIntervalHours is the funding interval of files without an interval column;
	// 0 means data.DefaultFundingIntervalHours (8).
	FundingIntervalHours int32
}

var klineTimeCols = []string{"timestamp", "open_time_ms", "open_time", "time", "date", "datetime"}
var fundingTimeCols = []string{"funding_time_ms", "funding_time", "time", "timestamp", "calc_time"}

var aliases = map[string]string{
	"open": "open", "high": "high", "low": "low", "close": "close", "volume": "volume",
	"quote_volume": "quote_volume", "quote_asset_volume": "quote_volume",
	"trades": "trades", "count": "trades", "number_of_trades": "trades",
	"taker_buy_volume": "taker_buy_volume", "taker_buy_base_asset_volume": "taker_buy_volume",
	"taker_buy_quote_volume": "taker_buy_quote_volume", "taker_buy_quote_asset_volume": "taker_buy_quote_volume",
	"funding_rate": "rate", "rate": "rate", "last_funding_rate": "rate",
	"interval_hours": "interval_hours", "funding_interval_hours": "interval_hours",
	"close_time": "", "close_time_ms": "", "ignore": "", "symbol": "", "mark_price": "",
}

// reader holds the parsing state of one file.
type reader struct {
	name  string
	cr    *csv.Reader
	opt   Options
	col   map[string]int // canonical name -> index
	tcol  int
	tname string // the time column's name as in the header
	unit  string // resolved unit, "" until the first row
	line  int
	rec   []string
}

func newReader(r io.Reader, name string, opt Options, funding bool) (*reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		r = gz
	} else {
		r = br
	}
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.TrimLeadingSpace = true
	rd := &reader{name: name, cr: cr, opt: opt, col: map[string]int{}, tcol: -1}
	switch opt.TimeUnit {
	case "", "s", "ms", "us", "ns", "rfc3339":
	default:
		return nil, fmt.Errorf("unknown time unit %q (want s, ms, us, ns or rfc3339)", opt.TimeUnit)
	}
	head, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: %w (empty file)", name, ErrNoHeader)
	}
	if err != nil {
		return nil, rd.csvErr(err)
	}
	rd.line = 1
	timeCols := klineTimeCols
	if funding {
		timeCols = fundingTimeCols
	}
	want := strings.ToLower(opt.TimeColumn)
	names := make([]string, len(head))
	for i, h := range head {
		names[i] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
	}
	if want == "" {
	find:
		for _, c := range timeCols {
			for i, n := range names {
				if n == c {
					want = c
					rd.tcol = i
					break find
				}
			}
		}
	} else {
		for i, n := range names {
			if n == want {
				rd.tcol = i
			}
		}
	}
	if rd.tcol < 0 {
		return nil, &data.RowError{File: name, Row: 1, Field: strings.Join(head, ","), Err: ErrNoHeader}
	}
	rd.tname = strings.TrimSpace(head[rd.tcol])
	for i, n := range names {
		if i == rd.tcol {
			continue
		}
		c, ok := aliases[n]
		if !ok {
			return nil, &data.RowError{File: name, Row: 1, Field: head[i], Err: ErrUnknownColumn}
		}
		if c == "" {
			continue
		}
		if _, dup := rd.col[c]; dup {
			return nil, &data.RowError{File: name, Row: 1, Field: head[i], Err: fmt.Errorf("column %s given twice", c)}
		}
		rd.col[c] = i
	}
	need := []string{"open", "high", "low", "close"}
	if funding {
		need = []string{"rate"}
	}
	for _, c := range need {
		if _, ok := rd.col[c]; !ok {
			return nil, &data.RowError{File: name, Row: 1, Field: c, Err: ErrMissingColumn}
		}
	}
	cr.FieldsPerRecord = len(head)
	return rd, nil
}

func (rd *reader) csvErr(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		e := pe.Err
		if errors.Is(e, csv.ErrFieldCount) {
			e = ErrFields
		}
		return &data.RowError{File: rd.name, Row: pe.Line, Field: fmt.Sprintf("column %d", pe.Column), Err: e}
	}
	return fmt.Errorf("%s: line %d: %w", rd.name, rd.line+1, err)
}

// next reads a record; false at EOF.
func (rd *reader) next() (bool, error) {
	rec, err := rd.cr.Read()
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, rd.csvErr(err)
	}
	rd.rec = rec
	rd.line, _ = rd.cr.FieldPos(0)
	return true, nil
}

func (rd *reader) rowErr(field string, err error) error {
	return &data.RowError{File: rd.name, Row: rd.line, Field: field, Err: err}
}

func (rd *reader) float(c string) (float64, error) {
	i, ok := rd.col[c]
	if !ok {
		return 0, nil
	}
	s := rd.rec[i]
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, rd.rowErr(c, fmt.Errorf("%w: %q", ErrNumber, s))
	}
	return v, nil
}

func (rd *reader) int(c string) (int64, error) {
	i, ok := rd.col[c]
	if !ok {
		return 0, nil
	}
	s := rd.rec[i]
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		// Some exports write counts as "12.0".
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != float64(int64(f)) {
			return 0, rd.rowErr(c, fmt.Errorf("%w: %q", ErrNumber, s))
		}
		v = int64(f)
	}
	return v, nil
}

func unitOf(v int64) string {
	a := v
	if a < 0 {
		a = -a
	}
	switch {
	case a < 1e11:
		return "s"
	case a < 1e14:
		return "ms"
	case a < 1e17:
		return "us"
	}
	return "ns"
}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02"}

// time parses the time column to Unix ms.
func (rd *reader) time() (int64, error) {
	s := strings.TrimSpace(rd.rec[rd.tcol])
	name := rd.tname
	unit := rd.opt.TimeUnit
	if unit == "" {
		unit = rd.unit
	}
	if unit != "rfc3339" {
		if v, err := strconv.ParseInt(s, 10, 64); err == nil {
			u := unitOf(v)
			switch {
			case unit == "":
				unit = u
				rd.unit = u
			case rd.opt.TimeUnit == "" && u != unit:
				return 0, rd.rowErr(name, fmt.Errorf("%w: %q looks like %s, earlier rows were %s", ErrTime, s, u, unit))
			}
			var div int64
			switch unit {
			case "s":
				if v > 253402300799 || v < -253402300799 {
					return 0, rd.rowErr(name, fmt.Errorf("%w: %q out of range", ErrTime, s))
				}
				return v * 1000, nil
			case "ms":
				return v, nil
			case "us":
				div = 1e3
			case "ns":
				div = 1e6
			}
			if v%div != 0 {
				return 0, rd.rowErr(name, fmt.Errorf("%w: %q has sub-millisecond digits", ErrTime, s))
			}
			return v / div, nil
		}
		if unit != "" {
			return 0, rd.rowErr(name, fmt.Errorf("%w: %q is not an integer", ErrTime, s))
		}
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			if t.Nanosecond()%1e6 != 0 {
				return 0, rd.rowErr(name, fmt.Errorf("%w: %q has sub-millisecond digits", ErrTime, s))
			}
			if rd.unit == "" {
				rd.unit = "rfc3339"
			}
			return t.UnixMilli(), nil
		}
	}
	return 0, rd.rowErr(name, fmt.Errorf("%w: %q", ErrTime, s))
}

// ReadKlines parses a kline or mark-price kline CSV from r (gzipped or not); name is used in
// errors. Rows must be in strictly increasing time order and pass data.CheckKline.
func ReadKlines(r io.Reader, name string, opt Options) ([]data.Kline, error) {
	var iv int64
	if opt.Interval != "" {
		var err error
		if iv, err = data.IntervalMillis(opt.Interval); err != nil {
			return nil, fmt.Errorf("interval: %w", err)
		}
	}
	rd, err := newReader(r, name, opt, false)
	if err != nil {
		return nil, err
	}
	return readRows(rd, iv, rd.kline, func(k *data.Kline) int64 { return k.OpenTime })
}

// kline parses and checks the current record as a kline.
func (rd *reader) kline() (k data.Kline, err error) {
	if k.OpenTime, err = rd.time(); err != nil {
		return k, err
	}
	fs := [...]struct {
		name string
		dst  *float64
	}{{"open", &k.Open}, {"high", &k.High}, {"low", &k.Low}, {"close", &k.Close}, {"volume", &k.Volume},
		{"quote_volume", &k.QuoteVolume}, {"taker_buy_volume", &k.TakerBuyVolume}, {"taker_buy_quote_volume", &k.TakerBuyQuoteVolume}}
	for _, f := range fs {
		if *f.dst, err = rd.float(f.name); err != nil {
			return k, err
		}
	}
	if k.Trades, err = rd.int("trades"); err != nil {
		return k, err
	}
	if f, err := data.CheckKline(&k); err != nil {
		return k, rd.rowErr(f, err)
	}
	return k, nil
}

// ReadFunding parses a funding-rate CSV from r (gzipped or not); name is used in errors.
func ReadFunding(r io.Reader, name string, opt Options) ([]data.FundingRate, error) {
	rd, err := newReader(r, name, opt, true)
	if err != nil {
		return nil, err
	}
	ih := opt.FundingIntervalHours
	if ih == 0 {
		ih = data.DefaultFundingIntervalHours
	}
	row := func() (f data.FundingRate, err error) {
		f.IntervalHours = ih
		if f.Time, err = rd.time(); err != nil {
			return f, err
		}
		if f.Rate, err = rd.float("rate"); err != nil {
			return f, err
		}
		if _, has := rd.col["interval_hours"]; has {
			v, err := rd.int("interval_hours")
			if err != nil {
				return f, err
			}
			if v <= 0 || v > 1000 {
				return f, rd.rowErr("interval_hours", data.ErrBadInterval)
			}
			f.IntervalHours = int32(v)
		}
		if fld, err := data.CheckFunding(&f); err != nil {
			return f, rd.rowErr(fld, err)
		}
		return f, nil
	}
	return readRows(rd, 0, row, func(f *data.FundingRate) int64 { return f.Time })
}

// readRows reads the data rows of rd: row parses and checks the current record; the times
// of the rows must strictly increase and, when interval > 0 (ms), be multiples of it.
func readRows[R any](rd *reader, interval int64, row func() (R, error), timeOf func(*R) int64) ([]R, error) {
	var out []R
	for {
		ok, err := rd.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		r, err := row()
		if err != nil {
			return nil, err
		}
		t := timeOf(&r)
		if n := len(out); n > 0 {
			if err := data.CheckOrder(timeOf(&out[n-1]), t); err != nil {
				return nil, rd.rowErr(rd.tname, err)
			}
		}
		if interval > 0 && t%interval != 0 {
			return nil, rd.rowErr(rd.tname, data.ErrMisaligned)
		}
		out = append(out, r)
	}
}

// ImportFile reads the CSV file at path as series sr (klines, mark klines or funding, per
// sr.Kind) and merges it into store. For kline series, Options.Interval defaults to
// sr.Interval. Nothing is written if the file has a bad row or conflicts with the store.
// store is a *parquet.Store, or a *parquet.Tx to land several files all or nothing.
func ImportFile(store parquet.Writer, path string, sr data.Series, opt Options) (parquet.WriteStats, error) {
	if err := sr.Validate(); err != nil {
		return parquet.WriteStats{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return parquet.WriteStats{}, err
	}
	defer f.Close()
	if sr.Kind == data.KindFunding {
		rows, err := ReadFunding(f, path, opt)
		if err != nil {
			return parquet.WriteStats{}, err
		}
		return store.WriteFunding(sr, rows)
	}
	if opt.Interval == "" {
		opt.Interval = sr.Interval
	}
	rows, err := ReadKlines(f, path, opt)
	if err != nil {
		return parquet.WriteStats{}, err
	}
	return store.WriteKlines(sr, rows)
}
