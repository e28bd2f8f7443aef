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

// Column names of the CSV tables (the Parquet columns have the same names).
var (
	equityCols  = []string{"time", "equity", "wallet", "unrealized_pnl", "margin_balance", "maintenance_margin", "margin_ratio", "peak_margin_ratio", "drawdown"}
	tradeCols   = []string{"symbol", "mode", "side", "entry_time", "exit_time", "qty", "entry_price", "exit_price", "pnl", "fees", "funding", "liquidated", "last_wick", "min_liq_distance", "peak_margin_ratio", "entry_order_time", "entry_order_seq", "leverage"}
	fillCols    = []string{"time", "order_id", "symbol", "side", "qty", "price", "fee", "realized_pnl", "maker", "liquidation", "tag"}
	liqCols     = []string{"time", "symbol", "mode", "qty", "entry", "trigger_mark", "price", "bankruptcy", "margin_lost", "fee", "insurance_draw", "gap", "cascade"}
	fundingCols = []string{"time", "symbol", "qty", "mark", "rate", "amount"}
	rejectCols  = []string{"time", "symbol", "order_id", "action", "code", "reason", "side", "type", "qty", "price", "tag"}
	// rejectColsV1 is the rejects table of runs written before the code and order columns.
	rejectColsV1 = []string{"time", "symbol", "order_id", "action", "reason"}
	barCols      = []string{"time", "end", "symbol", "open", "high", "low", "close", "volume"}
)

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

func (w *csvWriter) int(v int64) { w.sep(); w.buf = strconv.AppendInt(w.buf, v, 10) }
func (w *csvWriter) float(v float64) {
	w.sep()
	w.buf = strconv.AppendFloat(w.buf, v, 'g', -1, 64)
}
func (w *csvWriter) dec(d decimal.Decimal)    { w.sep(); w.buf = appendDecimal(w.buf, d) }
func (w *csvWriter) bool(b bool)              { w.sep(); w.buf = strconv.AppendBool(w.buf, b) }
func (w *csvWriter) mode(m margin.Mode)       { w.str(modeString(m)) }
func (w *csvWriter) fillSide(s backtest.Side) { w.str(sideString(s, "buy", "sell")) }
func (w *csvWriter) posSide(s backtest.Side)  { w.str(sideString(s, "long", "short")) }

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
		c.s = strconv.AppendFloat(c.s[:0], v, 'g', -1, 64)
		c.bits, c.ok = b, true
	}
	w.sep()
	w.buf = append(w.buf, c.s...)
}

func writeEquity(w *csvWriter, eq []backtest.EquityPoint) {
	w.header(equityCols)
	var c equityCache
	for i := range eq {
		w.equityRow(&c, &eq[i])
	}
}

// equityCache holds the last formatted value of each float column of the equity table.
type equityCache [8]floatCache

func (w *csvWriter) equityRow(c *equityCache, p *backtest.EquityPoint) {
	w.time(p.Time)
	w.cachedFloat(&c[0], p.Equity)
	w.cachedFloat(&c[1], p.Wallet)
	w.cachedFloat(&c[2], p.UnrealizedPnL)
	if p.MarginBalance == p.Equity && math.Float64bits(p.MarginBalance) == math.Float64bits(p.Equity) {
		w.sep()
		w.buf = append(w.buf, c[0].s...)
	} else {
		w.cachedFloat(&c[3], p.MarginBalance)
	}
	w.cachedFloat(&c[4], p.MaintenanceMargin)
	w.cachedFloat(&c[5], p.MarginRatio)
	w.cachedFloat(&c[7], p.PeakMarginRatio)
	w.cachedFloat(&c[6], p.Drawdown)
	w.end()
}

func writeTrades(w *csvWriter, ts []backtest.Trade) {
	w.header(tradeCols)
	for _, t := range ts {
		w.str(t.Symbol)
		w.mode(t.Mode)
		w.posSide(t.Side)
		w.time(t.EntryTime)
		w.time(t.ExitTime)
		w.dec(t.Qty)
		w.dec(t.EntryPrice)
		w.dec(t.ExitPrice)
		w.dec(t.PnL)
		w.dec(t.Fees)
		w.dec(t.Funding)
		w.bool(t.Liquidated)
		w.bool(t.LastWick)
		w.float(t.MinLiqDistance)
		w.float(t.PeakMarginRatio)
		w.time(t.EntryDecision.Time)
		w.int(int64(t.EntryDecision.Seq))
		w.int(int64(t.Leverage))
		w.end()
	}
}

func writeFills(w *csvWriter, fs []backtest.FillRecord) {
	w.header(fillCols)
	for _, f := range fs {
		w.time(f.Time)
		w.int(int64(f.OrderID))
		w.str(f.Symbol)
		w.fillSide(f.Side)
		w.dec(f.Qty)
		w.dec(f.Price)
		w.dec(f.Fee)
		w.dec(f.RealizedPnL)
		w.bool(f.Maker)
		w.bool(f.Liquidation)
		w.str(f.Tag)
		w.end()
	}
}

func writeLiqs(w *csvWriter, ls []margin.Liquidation) {
	w.header(liqCols)
	for _, l := range ls {
		w.time(l.Time)
		w.str(l.Symbol)
		w.mode(l.Mode)
		w.dec(l.Qty)
		w.dec(l.Entry)
		w.dec(l.TriggerMark)
		w.dec(l.Price)
		w.dec(l.Bankruptcy)
		w.dec(l.MarginLost)
		w.dec(l.Fee)
		w.dec(l.InsuranceDraw)
		w.bool(l.Gap)
		w.int(int64(l.Cascade))
		w.end()
	}
}

func writeFunding(w *csvWriter, fs []backtest.FundingPayment) {
	w.header(fundingCols)
	for _, f := range fs {
		w.time(f.Time)
		w.str(f.Symbol)
		w.dec(f.Qty)
		w.dec(f.Mark)
		w.float(f.Rate)
		w.dec(f.Amount)
		w.end()
	}
}

func writeRejects(w *csvWriter, rs []backtest.Reject) {
	w.header(rejectCols)
	for _, r := range rs {
		w.time(r.Time)
		w.str(r.Symbol)
		w.int(int64(r.OrderID))
		w.str(r.Action)
		w.str(r.Code)
		w.str(r.Reason)
		o := rejectOrder(r)
		w.str(o.side)
		w.str(o.typ)
		w.str(o.qty)
		w.str(o.price)
		w.str(r.Tag)
		w.end()
	}
}

func writeBars(w *csvWriter, bs []backtest.Bar) {
	w.header(barCols)
	for _, b := range bs {
		w.time(b.Time)
		w.time(b.End)
		w.str(b.Symbol)
		w.float(b.Open)
		w.float(b.High)
		w.float(b.Low)
		w.float(b.Close)
		w.float(b.Volume)
		w.end()
	}
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

func readLiq(r *rowReader) margin.Liquidation {
	return margin.Liquidation{
		Time: r.time(), Symbol: r.str(), Mode: r.mode(), Qty: r.dec(), Entry: r.dec(), TriggerMark: r.dec(),
		Price: r.dec(), Bankruptcy: r.dec(), MarginLost: r.dec(), Fee: r.dec(), InsuranceDraw: r.dec(),
		Gap: r.bool(), Cascade: int(r.int()),
	}
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

// rejectFields are the order columns of a Reject as written: empty for an action that is no
// order, and for a zero quantity or price.
type rejectFields struct{ side, typ, qty, price string }

func rejectOrder(r backtest.Reject) rejectFields {
	if r.Action != "order" {
		return rejectFields{}
	}
	f := rejectFields{side: r.Side.String(), typ: r.Type.String()}
	if !r.Qty.IsZero() {
		f.qty = r.Qty.String()
	}
	if !r.Price.IsZero() {
		f.price = r.Price.String()
	}
	return f
}

func readBar(r *rowReader) backtest.Bar {
	return backtest.Bar{Time: r.time(), End: r.time(), Symbol: r.str(), Open: r.float(), High: r.float(), Low: r.float(), Close: r.float(), Volume: r.float()}
}
