package artifact

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/shopspring/decimal"
)

// Column names of the tables, from their descriptions in package backtest
// (records_schema.go); the Parquet columns have the same names.
var (
	equityCols  = backtest.EquityTable().Names()
	tradeCols   = backtest.TradeTable().Names()
	fillCols    = backtest.FillTable().Names()
	liqCols     = backtest.LiquidationTable().Names()
	fundingCols = backtest.FundingTable().Names()
	rejectCols  = backtest.RejectTable().Names()
	// liqColsV1 is the liquidations table of runs written before realized_pnl, shortfall and cost.
	liqColsV1 = liqCols[:13]
	// rejectColsV1 is the rejects table of runs written before the code and order columns.
	rejectColsV1 = []string{"time", "symbol", "order_id", "action", "reason"}
	barCols      = backtest.BarTable().Names()
)

// legCol is the column a hedge-mode run's trades, fills, liquidations and funding tables end
// with: the position side (LONG or SHORT) of each record. Tables of one-way runs have no such
// column (their records are all BOTH), so that they stay byte-identical to those written
// before hedge mode existed. The record descriptions (package backtest) mark it FileOmit
// "BOTH"; fileTable adds it to the files of a hedge-mode run.
const legCol = "position_side"

// withLeg returns cols, followed by legCol when hedge.
func withLeg(cols []string, hedge bool) []string {
	if !hedge {
		return cols
	}
	return append(slices.Clip(cols), legCol)
}

// fileTable returns t as recs' files write it: a FileOmit column (position_side) is added
// as the last column when some record's label is not its FileOmit value (a hedge-mode run's
// legs); else t itself.
func fileTable[R any](t *backtest.Table[R], recs []R) *backtest.Table[R] {
	k := slices.IndexFunc(t.Columns, func(c backtest.Column[R]) bool { return c.FileOmit != "" })
	if k < 0 {
		return t
	}
	c := t.Columns[k]
	if !slices.ContainsFunc(recs, func(r R) bool { return c.Str(&r) != c.FileOmit }) {
		return t
	}
	c.FileOmit = ""
	u := *t
	u.Columns = append(slices.Delete(slices.Clone(t.Columns), k, k+1), c)
	return &u
}

// parseLeg reads a legCol value: LONG, SHORT or BOTH.
func parseLeg(s string) (margin.PositionSide, bool) {
	switch s {
	case "LONG":
		return margin.Long, true
	case "SHORT":
		return margin.Short, true
	case "BOTH":
		return margin.Both, true
	}
	return 0, false
}

// csvWriter appends one CSV row at a time to a byte buffer and writes it out whole, without
// allocating per field (strings are quoted as encoding/csv would).
type csvWriter struct {
	w   io.Writer
	buf []byte
	n   int // fields in the current row
	err error

	// time's cache: the formatted "YYYY-MM-DDT" of day (Unix days), valid when dayOK
	day    int64
	dayOK  bool
	dayFmt []byte
}

const msPerDay = 86_400_000

func newCSVWriter(w io.Writer) *csvWriter { return &csvWriter{w: w, buf: make([]byte, 0, 256)} }

func (w *csvWriter) sep() {
	if w.n > 0 {
		w.buf = append(w.buf, ',')
	}
	w.n++
}

func (w *csvWriter) str(s string) {
	w.sep()
	if s == "" || !strings.ContainsAny(s, ",\"\r\n") && s[0] != ' ' && s[0] != '\t' {
		w.buf = append(w.buf, s...)
		return
	}
	w.buf = append(w.buf, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			w.buf = append(w.buf, '"')
		}
		w.buf = append(w.buf, s[i])
	}
	w.buf = append(w.buf, '"')
}

// time appends t formatted as TimeLayout. The date part is formatted once per day and the
// time of day by arithmetic: byte-identical to time.Time.AppendFormat, several times faster.
func (w *csvWriter) time(t int64) {
	w.sep()
	day, ms := t/msPerDay, t%msPerDay
	if ms < 0 {
		day, ms = day-1, ms+msPerDay
	}
	if !w.dayOK || day != w.day {
		w.dayFmt = time.UnixMilli(day*msPerDay).UTC().AppendFormat(w.dayFmt[:0], "2006-01-02T")
		w.day, w.dayOK = day, true
	}
	w.buf = append(w.buf, w.dayFmt...)
	h, m, sec, milli := ms/3_600_000, ms/60_000%60, ms/1000%60, ms%1000
	w.buf = append(w.buf, byte('0'+h/10), byte('0'+h%10), ':', byte('0'+m/10), byte('0'+m%10), ':',
		byte('0'+sec/10), byte('0'+sec%10), '.', byte('0'+milli/100), byte('0'+milli/10%10), byte('0'+milli%10), 'Z')
}

func (w *csvWriter) int(v int64)           { w.sep(); w.buf = strconv.AppendInt(w.buf, v, 10) }
func (w *csvWriter) dec(d decimal.Decimal) { w.sep(); w.buf = backtest.AppendDecimal(w.buf, d) }
func (w *csvWriter) bool(b bool)           { w.sep(); w.buf = strconv.AppendBool(w.buf, b) }

func (w *csvWriter) header(cols []string) {
	for _, c := range cols {
		w.str(c)
	}
	w.end()
}

func (w *csvWriter) end() {
	w.buf = append(w.buf, '\n')
	if w.err == nil {
		_, w.err = w.w.Write(w.buf)
	}
	w.buf, w.n = w.buf[:0], 0
}

func writeCSVFile(path string, rows func(*csvWriter)) error {
	return atomically(path, func(f *os.File) error {
		bw := bufio.NewWriterSize(f, 1<<16)
		cw := newCSVWriter(bw)
		rows(cw)
		if cw.err != nil {
			return cw.err
		}
		return bw.Flush()
	})
}

// floatCache remembers the last float64 formatted in one column: values repeat from row to
// row (the wallet between fills, the margin balance equal to the equity), and formatting a
// float is the costliest part of a row.
type floatCache struct {
	bits uint64
	ok   bool
	s    []byte
}

func (w *csvWriter) cachedFloat(c *floatCache, v float64) {
	if b := math.Float64bits(v); !c.ok || b != c.bits {
		c.s = appendFloat(c.s[:0], v)
		c.bits, c.ok = b, true
	}
	w.sep()
	w.buf = append(w.buf, c.s...)
}

// floatCol appends v as column j of the row, c holding per column the last value it
// formatted: a value repeated from the previous row, or one an earlier column formatted (the
// margin balance is the equity), is copied rather than formatted again.
func (w *csvWriter) floatCol(c []floatCache, j int, v float64) {
	b := math.Float64bits(v)
	if fc := &c[j]; fc.ok && fc.bits == b {
		w.sep()
		w.buf = append(w.buf, fc.s...)
		return
	}
	for k := range c[:j] {
		if c[k].ok && c[k].bits == b {
			w.sep()
			w.buf = append(w.buf, c[k].s...)
			return
		}
	}
	w.cachedFloat(&c[j], v)
}

// writeEquityRow is writeRow over the equity table (the table bt run writes a row of per
// minute and account) written out: the point's fields read directly, no accessor call or kind
// switch per column, each float compared with its own column's last value and then with the
// one column it most often equals (the margin balance and the wallet with the equity, the
// bar's peak ratio with the close's) before it is formatted. The bytes are writeRow's
// (TestEquityRowIsWriteRow, which also fails when the equity table's columns change); c
// holds a floatCache per column.
func writeEquityRow(w *csvWriter, c []floatCache, p *backtest.EquityPoint) {
	c = c[:9]
	w.time(p.Time)
	w.floatAlt(&c[1], nil, p.Equity)
	w.floatAlt(&c[2], &c[1], p.Wallet)
	w.floatAlt(&c[3], nil, p.UnrealizedPnL)
	w.floatAlt(&c[4], &c[1], p.MarginBalance)
	w.floatAlt(&c[5], nil, p.MaintenanceMargin)
	w.floatAlt(&c[6], nil, p.MarginRatio)
	w.floatAlt(&c[7], &c[6], p.PeakMarginRatio)
	w.floatAlt(&c[8], nil, p.Drawdown)
	w.end()
}

// floatAlt appends v: fc's text when fc last formatted v, else alt's when alt (if not nil)
// did, else v formatted into fc.
func (w *csvWriter) floatAlt(fc, alt *floatCache, v float64) {
	b := math.Float64bits(v)
	if !(fc.ok && fc.bits == b) && alt != nil && alt.ok && alt.bits == b {
		fc = alt
	}
	w.cachedFloat(fc, v)
}

// writeTable writes t's header and one row per record.
func writeTable[R any](w *csvWriter, t *backtest.Table[R], recs []R) {
	w.header(t.Names())
	cols := t.FileColumns()
	c := make([]floatCache, len(cols))
	for i := range recs {
		writeRow(w, cols, c, &recs[i])
	}
}

// writeRow writes one record as a CSV row, each column as its kind says (see package doc);
// c holds a floatCache per column.
func writeRow[R any](w *csvWriter, cols []backtest.Column[R], c []floatCache, r *R) {
	for j := range cols {
		col := &cols[j]
		switch col.Kind {
		case backtest.KindTime:
			w.time(col.Time(r))
		case backtest.KindDecimal:
			if d := col.Dec(r); col.EmptyZero && d.IsZero() {
				w.sep()
			} else {
				w.dec(d)
			}
		case backtest.KindFloat:
			w.floatCol(c, j, col.Float(r))
		case backtest.KindInt:
			w.int(col.Int(r))
		case backtest.KindString, backtest.KindEnum:
			w.str(col.Str(r))
		case backtest.KindBool:
			w.bool(col.Bool(r))
		default:
			panic("artifact: column " + col.Name + " has no valid kind")
		}
	}
	w.end()
}

// rowReader parses one CSV row field by field and keeps the first error, naming the file,
// the row (1-based, the header is row 1) and the column.
type rowReader struct {
	file string
	row  int
	cols []string
	rec  []string
	i    int
	err  error
}

func (r *rowReader) next() string {
	s := r.rec[r.i]
	r.i++
	return s
}

func (r *rowReader) fail(err error) {
	if r.err == nil {
		r.err = fmt.Errorf("%s row %d field %s: %w: %v", r.file, r.row, r.cols[r.i-1], ErrMalformed, err)
	}
}

func (r *rowReader) str() string { return r.next() }

func (r *rowReader) time() int64 {
	t, err := ParseTime(r.next())
	if err != nil {
		r.fail(err)
	}
	return t
}

func (r *rowReader) int() int64 {
	v, err := strconv.ParseInt(r.next(), 10, 64)
	if err != nil {
		r.fail(err)
	}
	return v
}

func (r *rowReader) float() float64 {
	v, err := strconv.ParseFloat(r.next(), 64)
	if err != nil {
		r.fail(err)
	}
	return v
}

// optDec reads a decimal that may be empty (zero).
func (r *rowReader) optDec() decimal.Decimal {
	if r.rec[r.i] == "" {
		r.i++
		return decimal.Decimal{}
	}
	return r.dec()
}

func (r *rowReader) dec() decimal.Decimal {
	s := r.next()
	if strings.ContainsAny(s, "eE") || strings.TrimSpace(s) != s {
		r.fail(fmt.Errorf("%q is not a plain decimal", s))
		return decimal.Decimal{}
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		r.fail(err)
	}
	return d
}

func (r *rowReader) bool() bool {
	v, err := strconv.ParseBool(r.next())
	if err != nil {
		r.fail(err)
	}
	return v
}

func (r *rowReader) mode() margin.Mode {
	s := r.next()
	m, ok := parseMode(s)
	if !ok {
		r.fail(fmt.Errorf("%q is not cross or isolated", s))
	}
	return m
}

func (r *rowReader) side(buy, sell string) backtest.Side {
	switch s := r.next(); s {
	case buy:
		return backtest.Buy
	case sell:
		return backtest.Sell
	default:
		r.fail(fmt.Errorf("%q is not %s or %s", s, buy, sell))
	}
	return 0
}

// readCSVFile reads path, checks its header against cols and calls row for every record.
func readCSVFile(path string, cols []string, row func(*rowReader)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return readCSV(f, path, cols, row)
}

func readCSV(in io.Reader, name string, cols []string, row func(*rowReader)) error {
	cr := csv.NewReader(bufio.NewReaderSize(in, 1<<16))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	hdr, err := cr.Read()
	if err == io.EOF {
		return fmt.Errorf("%s: %w: empty file, want header %s", name, ErrMalformed, strings.Join(cols, ","))
	}
	if err != nil {
		return fmt.Errorf("%s: %w: %v", name, ErrMalformed, err)
	}
	if len(hdr) != len(cols) {
		return fmt.Errorf("%s row 1: %w: header %s, want %s", name, ErrMalformed, strings.Join(hdr, ","), strings.Join(cols, ","))
	}
	cr.FieldsPerRecord = len(cols)
	for i, c := range cols {
		if hdr[i] != c {
			return fmt.Errorf("%s row 1: %w: column %d is %q, want %q", name, ErrMalformed, i+1, hdr[i], c)
		}
	}
	r := &rowReader{file: name, cols: cols, row: 1}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		r.row++
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return fmt.Errorf("%s row %d: %w: %v", name, pe.Line, ErrMalformed, pe.Err)
			}
			return fmt.Errorf("%s row %d: %w", name, r.row, err)
		}
		r.rec, r.i = rec, 0
		row(r)
		if r.err != nil {
			return r.err
		}
	}
}

func readEquity(r *rowReader) backtest.EquityPoint {
	return backtest.EquityPoint{
		Time: r.time(), Equity: r.float(), Wallet: r.float(), UnrealizedPnL: r.float(),
		MarginBalance: r.float(), MaintenanceMargin: r.float(), MarginRatio: r.float(), PeakMarginRatio: r.float(), Drawdown: r.float(),
	}
}

func readTrade(r *rowReader) backtest.Trade {
	return backtest.Trade{
		Symbol: r.str(), Mode: r.mode(), Side: r.side("long", "short"), EntryTime: r.time(), ExitTime: r.time(),
		Qty: r.dec(), EntryPrice: r.dec(), ExitPrice: r.dec(), PnL: r.dec(), Fees: r.dec(), Funding: r.dec(),
		Liquidated: r.bool(), LastWick: r.bool(), MinLiqDistance: r.float(), PeakMarginRatio: r.float(),
		EntryDecision: backtest.Decision{Time: r.time(), Seq: int(r.int())}, Leverage: int(r.int()),
	}
}

func readFill(r *rowReader) backtest.FillRecord {
	return backtest.FillRecord{
		Time: r.time(), OrderID: backtest.OrderID(r.int()), Symbol: r.str(), Side: r.side("buy", "sell"),
		Qty: r.dec(), Price: r.dec(), Fee: r.dec(), RealizedPnL: r.dec(), Maker: r.bool(), Liquidation: r.bool(), Tag: r.str(),
	}
}

// readLiqV1 reads a liquidations.csv row written before the realized_pnl, shortfall and cost
// columns (liqColsV1).
func readLiqV1(r *rowReader) margin.Liquidation {
	return margin.Liquidation{
		Time: r.time(), Symbol: r.str(), Mode: r.mode(), Qty: r.dec(), Entry: r.dec(), TriggerMark: r.dec(),
		Price: r.dec(), Bankruptcy: r.dec(), MarginLost: r.dec(), Fee: r.dec(), InsuranceDraw: r.dec(),
		Gap: r.bool(), Cascade: int(r.int()),
	}
}

// readLiq reads a liquidations.csv row; its shortfall and cost, derived from the other
// columns, must be what margin.Liquidation.Cost gives.
func readLiq(r *rowReader) margin.Liquidation {
	l := readLiqV1(r)
	l.RealizedPnL = r.dec()
	shortfall, cost := r.dec(), r.dec()
	if c, sf := l.Cost(); !c.Equal(cost) || !sf.Equal(shortfall) {
		r.fail(fmt.Errorf("shortfall %s and cost %s are not qty × (trigger mark − price) = %s and fee + shortfall = %s", shortfall, cost, sf, c))
	}
	return l
}

func readFunding(r *rowReader) backtest.FundingPayment {
	return backtest.FundingPayment{Time: r.time(), Symbol: r.str(), Qty: r.dec(), Mark: r.dec(), Rate: r.float(), Amount: r.dec()}
}

func readReject(r *rowReader) backtest.Reject {
	j := backtest.Reject{Time: r.time(), Symbol: r.str(), OrderID: backtest.OrderID(r.int()), Action: r.str(), Code: r.str(), Reason: r.str()}
	switch s := r.next(); s {
	case "buy":
		j.Side = backtest.Buy
	case "sell":
		j.Side = backtest.Sell
	case "":
	default:
		r.fail(fmt.Errorf("%q is not buy, sell or empty", s))
	}
	if s := r.next(); s != "" {
		k := slices.IndexFunc(orderTypes, func(t backtest.OrderType) bool { return t.String() == s })
		if k < 0 {
			r.fail(fmt.Errorf("%q is not an order type (market, limit, stop_market, take_profit_market)", s))
		} else {
			j.Type = orderTypes[k]
		}
	}
	j.Qty, j.Price = r.optDec(), r.optDec()
	j.Tag = r.str()
	return j
}

var orderTypes = []backtest.OrderType{backtest.Market, backtest.Limit, backtest.StopMarket, backtest.TakeProfitMarket}

// readRejectV1 reads a row of the rejects table of older runs; the code comes from the reason.
func readRejectV1(r *rowReader) backtest.Reject {
	j := backtest.Reject{Time: r.time(), Symbol: r.str(), OrderID: backtest.OrderID(r.int()), Action: r.str(), Reason: r.str()}
	j.Code = backtest.CodeOfReason(j.Reason)
	return j
}

func readBar(r *rowReader) backtest.Bar {
	return backtest.Bar{Time: r.time(), End: r.time(), Symbol: r.str(), Open: r.float(), High: r.float(), Low: r.float(), Close: r.float(), Volume: r.float()}
}
