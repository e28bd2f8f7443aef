package backtest

import (
	"bufio"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/shopspring/decimal"
)

// CanonicalLog writes the account's canonical text log: one line per fill, liquidation,
// funding payment and rejection, in the order they happened, then the final balances. Each
// record line is its table's Log word followed by key=value for every column of the table
// (records_schema.go) that has a Log key, in column order. Decimals are printed exactly
// (decimal.String), times as Unix ms, floats with strconv's shortest format, strings
// Go-quoted, booleans as 1/0, so the log is byte-identical on every machine. Fingerprint
// hashes it. In hedge mode fill, liquidation and funding lines name the leg (pos=LONG,
// pos=SHORT); one-way lines leave it out, as before hedge mode existed. A reject line holds the time, symbol, order id, action and reason; the refused
// order's side, type, quantity, price and tag and the reason's code are in Reject and the
// artifacts but not in the log, so that fingerprints stay comparable with runs recorded
// before they existed. It returns ErrRecordsStreamed for an account whose records went to a
// RecordSink (Config.Records).
func (r *AccountResult) CanonicalLog(w io.Writer) error {
	bw := bufio.NewWriter(w)
	var buf []byte
	line := func() {
		buf = append(buf, '\n')
		bw.Write(buf)
		buf = buf[:0]
	}
	if r.streamed {
		return ErrRecordsStreamed
	}
	var memo logMemo
	buf = append(buf, "account name="...)
	buf = appendQuoted(buf, r.Name)
	line()
	// merge the record streams in time order; within a time, in the order of the kinds below,
	// each kind already in execution order
	fi, li, pi, ji := 0, 0, 0, 0
	for fi < len(r.Fills) || li < len(r.Liquidations) || pi < len(r.Funding) || ji < len(r.Rejects) {
		t := r.nextTime(fi, li, pi, ji)
		for ; pi < len(r.Funding) && r.Funding[pi].Time == t; pi++ {
			buf = appendFundingLine(buf, &r.Funding[pi], &memo)
			line()
		}
		for ; fi < len(r.Fills) && r.Fills[fi].Time == t; fi++ {
			buf = appendFillLine(buf, &r.Fills[fi], &memo)
			line()
		}
		for ; li < len(r.Liquidations) && r.Liquidations[li].Time == t; li++ {
			buf = appendLogLine(buf, &liquidationTable, &r.Liquidations[li])
			line()
		}
		for ; ji < len(r.Rejects) && r.Rejects[ji].Time == t; ji++ {
			buf = appendRejectLine(buf, &r.Rejects[ji], &memo)
			line()
		}
	}
	buf = appendFinal(buf, r.Final, r.Ruined, r.RuinTime)
	line()
	return bw.Flush()
}

// nextTime is the earliest time among the records at fills[fi], liquidations[li], funding[pi]
// and rejects[ji] (the largest int64 when all are past their ends): the next time of
// CanonicalLog's merge, and of drainRecords' streamed one.
func (r *AccountResult) nextTime(fi, li, pi, ji int) int64 {
	t := int64(1<<63 - 1)
	if pi < len(r.Funding) {
		t = min(t, r.Funding[pi].Time)
	}
	if fi < len(r.Fills) {
		t = min(t, r.Fills[fi].Time)
	}
	if li < len(r.Liquidations) {
		t = min(t, r.Liquidations[li].Time)
	}
	if ji < len(r.Rejects) {
		t = min(t, r.Rejects[ji].Time)
	}
	return t
}

// appendFinal appends the canonical log's last line, without the newline: the final balances
// and the ruin.
func appendFinal(buf []byte, f margin.Snapshot, ruined bool, ruinTime int64) []byte {
	dec := func(key string, d decimal.Decimal) {
		buf = append(buf, ' ')
		buf = append(buf, key...)
		buf = append(buf, '=')
		buf = AppendDecimal(buf, d)
	}
	num := func(key string, n int64) {
		buf = append(buf, ' ')
		buf = append(buf, key...)
		buf = append(buf, '=')
		buf = strconv.AppendInt(buf, n, 10)
	}
	buf = append(buf, "final"...)
	dec("wallet", f.Wallet)
	dec("isolated", f.IsolatedWallets)
	dec("upnl", f.UnrealizedPnL)
	dec("equity", f.MarginBalance)
	if ruined {
		num("ruined", 1)
	} else {
		num("ruined", 0)
	}
	num("ruin_t", ruinTime)
	return buf
}

// appendLogLine appends rec's canonical log line, without the newline: the table's Log word,
// then " key=value" for each column with a Log key.
func appendLogLine[R any](buf []byte, t *Table[R], rec *R) []byte {
	buf = append(buf, t.Log...)
	for i := range t.Columns {
		c := &t.Columns[i]
		if c.Log == "" || c.LogOmit != "" && c.Str(rec) == c.LogOmit {
			continue
		}
		if c.logKey != "" {
			buf = append(buf, c.logKey...)
		} else {
			buf = append(buf, ' ')
			buf = append(buf, c.Log...)
			buf = append(buf, '=')
		}
		switch c.Kind {
		case KindTime:
			buf = strconv.AppendInt(buf, c.Time(rec), 10)
		case KindInt:
			buf = strconv.AppendInt(buf, c.Int(rec), 10)
		case KindDecimal:
			buf = AppendDecimal(buf, c.Dec(rec))
		case KindFloat:
			buf = strconv.AppendFloat(buf, c.Float(rec), 'g', -1, 64)
		case KindString:
			buf = appendQuoted(buf, c.Str(rec))
		case KindEnum:
			if c.Int != nil {
				buf = strconv.AppendInt(buf, c.Int(rec), 10)
			} else {
				buf = append(buf, c.Str(rec)...)
			}
		case KindBool:
			if c.Bool(rec) {
				buf = append(buf, '1')
			} else {
				buf = append(buf, '0')
			}
		default:
			panic("backtest: column " + c.Name + " of " + t.Name + " has no valid kind")
		}
	}
	return buf
}

// appendFillLine is appendLogLine(buf, &fillTable, f) written out: the fill line's keys in
// the table's column order, without the generic loop's accessor call per column (a sweep
// writes one per fill of every account for its fingerprint); m is the log's memo. TestFastLogLines compares the two
// on fills with every field set: a column given a Log key fails it until it is added here.
func appendFillLine(buf []byte, f *FillRecord, m *logMemo) []byte {
	buf = append(buf, "fill t="...)
	buf = m.time(buf, f.Time)
	buf = append(buf, " id="...)
	buf = appendInt(buf, int64(f.OrderID))
	buf = append(buf, " sym="...)
	buf = appendQuotedMemo(buf, f.Symbol, &m.sym)
	if pos := f.PositionSide.String(); pos != "BOTH" { // LogOmit
		buf = append(buf, " pos="...)
		buf = append(buf, pos...)
	}
	buf = append(buf, " side="...)
	buf = appendInt(buf, int64(f.Side))
	buf = append(buf, " qty="...)
	buf = AppendDecimal(buf, f.Qty)
	buf = append(buf, " price="...)
	buf = AppendDecimal(buf, f.Price)
	buf = append(buf, " fee="...)
	buf = AppendDecimal(buf, f.Fee)
	buf = append(buf, " pnl="...)
	buf = AppendDecimal(buf, f.RealizedPnL)
	buf = append(buf, " maker="...)
	buf = append(buf, logBool(f.Maker))
	buf = append(buf, " liq="...)
	buf = append(buf, logBool(f.Liquidation))
	buf = append(buf, " tag="...)
	return appendQuotedMemo(buf, f.Tag, &m.tag)
}

// appendFundingLine is appendLogLine(buf, &fundingTable, p) written out, as appendFillLine
// (TestFastLogLines).
func appendFundingLine(buf []byte, p *FundingPayment, m *logMemo) []byte {
	buf = append(buf, "funding t="...)
	buf = m.time(buf, p.Time)
	buf = append(buf, " sym="...)
	buf = appendQuotedMemo(buf, p.Symbol, &m.sym)
	if pos := p.PositionSide.String(); pos != "BOTH" { // LogOmit
		buf = append(buf, " pos="...)
		buf = append(buf, pos...)
	}
	buf = append(buf, " qty="...)
	buf = AppendDecimal(buf, p.Qty)
	buf = append(buf, " mark="...)
	buf = AppendDecimal(buf, p.Mark)
	buf = append(buf, " rate="...)
	buf = strconv.AppendFloat(buf, p.Rate, 'g', -1, 64)
	buf = append(buf, " amount="...)
	return AppendDecimal(buf, p.Amount)
}

// appendRejectLine is appendLogLine(buf, &rejectTable, j) written out, as appendFillLine
// (TestFastLogLines).
func appendRejectLine(buf []byte, j *Reject, m *logMemo) []byte {
	buf = append(buf, "reject t="...)
	buf = m.time(buf, j.Time)
	buf = append(buf, " sym="...)
	buf = appendQuotedMemo(buf, j.Symbol, &m.sym)
	buf = append(buf, " id="...)
	buf = appendInt(buf, int64(j.OrderID))
	buf = append(buf, " action="...)
	buf = appendQuotedMemo(buf, j.Action, &m.action)
	buf = append(buf, " reason="...)
	return appendQuotedMemo(buf, j.Reason, &m.reason)
}

// logMemo is what the written-out lines of one log remember from the lines before: the text
// of the last time written (a funding round's lines and a flip's fills share their time) and,
// per quoted field, the last two strings found plain (printable ASCII without a quote or a
// backslash, which appendQuoted copies between quotes as it is): an equal string, usually
// the symbol, tag, action or reason of one of the two lines before, is copied without its
// scan.
type logMemo struct {
	t                        int64
	tLen                     int // the length of t's text in tBuf; 0: none yet
	tBuf                     [20]byte
	sym, tag, action, reason [2]string // the last two plain strings of each field ("" is plain)
}

// time appends t as strconv.AppendInt writes it.
func (m *logMemo) time(buf []byte, t int64) []byte {
	if m.tLen == 0 || t != m.t {
		m.t, m.tLen = t, len(appendInt(m.tBuf[:0], t))
	}
	return append(buf, m.tBuf[:m.tLen]...)
}

// appendInt appends x in decimal as strconv.AppendInt(buf, x, 10) does: a non-negative x's
// digits four at a time (AppendFixed).
func appendInt(buf []byte, x int64) []byte {
	if x < 0 {
		return strconv.AppendInt(buf, x, 10)
	}
	return AppendFixed(buf, uint64(x), 0)
}

// appendQuotedMemo is appendQuoted(buf, s), known holding the last two strings of its field
// found plain (logMemo): a strategy's tags alternate ("exit", "entry"), a flip's two fills
// name one symbol.
func appendQuotedMemo(buf []byte, s string, known *[2]string) []byte {
	if s != known[0] && s != known[1] {
		if !plainASCII(s) {
			return strconv.AppendQuote(buf, s)
		}
		known[0], known[1] = s, known[0]
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"')
}

// logBool is a boolean as the canonical log writes it: '1' or '0'.
func logBool(b bool) byte {
	if b {
		return '1'
	}
	return '0'
}

// appendQuoted appends s Go-quoted, as strconv.AppendQuote: a string of printable ASCII
// without a quote or a backslash (a symbol, a tag) is copied between quotes as it is, which is
// what AppendQuote writes for it, without decoding it rune by rune.
func appendQuoted(buf []byte, s string) []byte {
	if !plainASCII(s) {
		return strconv.AppendQuote(buf, s)
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"')
}

// plainASCII reports whether s is printable ASCII without a quote or a backslash: what
// strconv.AppendQuote copies between quotes unchanged.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c > '~' || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

func modeName(m margin.Mode) string {
	if m == margin.Isolated {
		return "isolated"
	}
	return "cross"
}

// Fingerprint returns the hex sha256 of the account's CanonicalLog: two runs with equal
// fingerprints booked the same fills, liquidations, funding and rejections to the last digit
// and ended with the same balances. For an account whose records streamed to a RecordSink it
// is the hash computed while they streamed, the same.
func (r *AccountResult) Fingerprint() string {
	if r.streamed {
		return r.fp // hashed while the records streamed (Config.Records); "" with Config.NoFingerprint
	}
	h := sha256.New()
	r.CanonicalLog(h)
	return hex.EncodeToString(h.Sum(nil))
}

// RecordSink receives an account's records during a run instead of AccountResult's record
// slices (Config.Records): a sweep or a Monte Carlo path summarizes them as they come and
// holds nothing per record. Each kind comes in the order the account booked it (the order of
// the slices it replaces), at the latest at the start of the account's next timestamp and at
// the end of the run. The pointer is valid only during the call: a sink keeps copies.
type RecordSink interface {
	Fill(f *FillRecord)
	Trade(t *Trade)
	Liquidation(l *margin.Liquidation)
	Funding(p *FundingPayment)
	Reject(r *Reject)
}

// ErrRecordsStreamed is CanonicalLog's error for an account whose records went to a
// RecordSink (Config.Records): the result holds no records to write; its Fingerprint was
// computed while they streamed.
var ErrRecordsStreamed = errors.New("backtest: the account's records were streamed to a record sink, not kept")

// recordStream is an account's record sink with its streamed fingerprint: at every
// timestamp t the account drains the records booked since the previous one from its result's
// slices into the sink, and hashes the canonical log lines of those before t, merged exactly
// as CanonicalLog merges the whole slices (records at t or later wait in the slices: a record
// booked later may still come before them). This is CanonicalLog's output because no record
// booked from the step at t on has a time before t (the step's records carry t, the strategy's
// carry the account's time, never earlier); drain checks it.
type recordStream struct {
	sink    RecordSink
	h       hash.Hash // nil: no fingerprint (Config.NoFingerprint)
	buf     []byte    // canonical lines not yet hashed (line, flush)
	memo    logMemo   // the lines' memo
	w       int64     // the time of the previous drain: no record booked since may be earlier
	checked [4]int    // records waiting in the fills, liquidations, funding and rejects slices, already checked against w
	err     error
	fp      string
}

// newRecordStream opens the record stream of account name (Config.Records).
func newRecordStream(cfg *Config, account string) *recordStream {
	sink, name := cfg.Records(account)
	if name == "" {
		name = account
	}
	if sink == nil {
		sink = dropRecords{}
	}
	s := &recordStream{sink: sink, w: math.MinInt64}
	if !cfg.NoFingerprint {
		s.h = sha256.New()
		s.buf = append(s.buf, "account name="...)
		s.buf = appendQuoted(s.buf, name)
		s.line()
	}
	return s
}

// hashBatch is how many bytes of canonical lines recordStream gathers before it hands them to
// the hash in one Write (SHA-256 then hashes whole blocks straight from the buffer instead of
// copying each line into its partial block): the same bytes in the same order, so the same
// hash.
const hashBatch = 4096

// line ends the line in s.buf; the lines go to the hash once hashBatch bytes are gathered
// (flush writes the rest).
func (s *recordStream) line() {
	s.buf = append(s.buf, '\n')
	if len(s.buf) >= hashBatch {
		s.flush()
	}
}

// flush hands the gathered lines to the hash.
func (s *recordStream) flush() {
	s.h.Write(s.buf)
	s.buf = s.buf[:0]
}

// late records the error of a record at t booked after the drain at s.w.
func (s *recordStream) late(t int64) {
	if s.err == nil {
		s.err = fmt.Errorf("backtest: a record at %d was booked after the step at %d: the streamed fingerprint would not be CanonicalLog's", t, s.w)
	}
}

// drainRecords hands the records booked so far to the account's record sink (Config.Records)
// and hashes the canonical lines before w (final: all of them). No-op without a sink.
func (a *account) drainRecords(w int64, final bool) {
	s := a.recs
	if s == nil {
		return
	}
	r := &a.res
	if len(r.Fills)+len(r.Liquidations)+len(r.Funding)+len(r.Rejects)+len(r.Trades) == 0 {
		s.w = w // nothing booked since the previous drain (s.checked is all zero)
		return
	}
	// the records booked since the previous drain are not earlier than it (a loop per kind of
	// record, on its Time field: no accessor call per record)
	for i := s.checked[0]; i < len(r.Fills); i++ {
		if r.Fills[i].Time < s.w {
			s.late(r.Fills[i].Time)
		}
	}
	for i := s.checked[1]; i < len(r.Liquidations); i++ {
		if r.Liquidations[i].Time < s.w {
			s.late(r.Liquidations[i].Time)
		}
	}
	for i := s.checked[2]; i < len(r.Funding); i++ {
		if r.Funding[i].Time < s.w {
			s.late(r.Funding[i].Time)
		}
	}
	for i := s.checked[3]; i < len(r.Rejects); i++ {
		if r.Rejects[i].Time < s.w {
			s.late(r.Rejects[i].Time)
		}
	}
	for i := range r.Trades {
		s.sink.Trade(&r.Trades[i])
	}
	clear(r.Trades)
	r.Trades = r.Trades[:0]
	// CanonicalLog's merge, stopped at the first time at or after w
	fi, li, pi, ji := 0, 0, 0, 0
	for fi < len(r.Fills) || li < len(r.Liquidations) || pi < len(r.Funding) || ji < len(r.Rejects) {
		t := r.nextTime(fi, li, pi, ji)
		if t >= w && !final {
			break
		}
		for ; pi < len(r.Funding) && r.Funding[pi].Time == t; pi++ {
			if s.h != nil {
				s.buf = appendFundingLine(s.buf, &r.Funding[pi], &s.memo)
				s.line()
			}
			s.sink.Funding(&r.Funding[pi])
		}
		for ; fi < len(r.Fills) && r.Fills[fi].Time == t; fi++ {
			if s.h != nil {
				s.buf = appendFillLine(s.buf, &r.Fills[fi], &s.memo)
				s.line()
			}
			s.sink.Fill(&r.Fills[fi])
		}
		for ; li < len(r.Liquidations) && r.Liquidations[li].Time == t; li++ {
			if s.h != nil {
				s.buf = appendLogLine(s.buf, &liquidationTable, &r.Liquidations[li])
				s.line()
			}
			s.sink.Liquidation(&r.Liquidations[li])
		}
		for ; ji < len(r.Rejects) && r.Rejects[ji].Time == t; ji++ {
			if s.h != nil {
				s.buf = appendRejectLine(s.buf, &r.Rejects[ji], &s.memo)
				s.line()
			}
			s.sink.Reject(&r.Rejects[ji])
		}
	}
	r.Fills = dropFront(r.Fills, fi)
	r.Liquidations = dropFront(r.Liquidations, li)
	r.Funding = dropFront(r.Funding, pi)
	r.Rejects = dropFront(r.Rejects, ji)
	s.checked = [4]int{len(r.Fills), len(r.Liquidations), len(r.Funding), len(r.Rejects)}
	s.w = w
}

// dropFront removes the first n records of rs, keeping its array (and no reference to the
// removed records).
func dropFront[R any](rs []R, n int) []R {
	if n == 0 {
		return rs
	}
	m := copy(rs, rs[n:])
	clear(rs[m:])
	return rs[:m]
}

// finishRecords drains the account's last records into its sink and completes its streamed
// fingerprint with the final balances (CanonicalLog's last line). No-op without a sink.
func (a *account) finishRecords() error {
	s := a.recs
	if s == nil {
		return nil
	}
	a.drainRecords(0, true)
	if s.err != nil {
		return fmt.Errorf("backtest: account %s: %w", a.setup.Name, s.err)
	}
	r := &a.res
	r.Fills, r.Liquidations, r.Funding, r.Rejects, r.Trades = nil, nil, nil, nil, nil
	r.streamed = true
	if s.h != nil {
		s.buf = appendFinal(s.buf, a.acct.Snapshot(), r.Ruined, r.RuinTime)
		s.line()
		s.flush()
		r.fp = hex.EncodeToString(s.h.Sum(nil))
	}
	return nil
}

// RejectCounter counts rejections one at a time as CountRejects counts a slice of them (a
// RecordSink's rejections): per action and reason code, with the first of each.
type RejectCounter struct{ out []RejectCount }

// Add counts j.
func (c *RejectCounter) Add(j *Reject) {
	code := j.Code
	if code == "" {
		code = CodeOfReason(j.Reason)
	}
	k := slices.IndexFunc(c.out, func(c RejectCount) bool { return c.Action == j.Action && c.Code == code })
	if k < 0 {
		reason := ReasonOfCode(code)
		if reason == "" {
			reason = strings.TrimPrefix(strings.TrimPrefix(j.Reason, "margin: "), "backtest: ")
		}
		c.out = append(c.out, RejectCount{Action: j.Action, Code: code, Reason: reason, First: *j})
		k = len(c.out) - 1
	}
	c.out[k].Count++
}

// Counts returns the counts so far, the most frequent first, ties in order of (action, code).
func (c *RejectCounter) Counts() []RejectCount {
	out := slices.Clone(c.out)
	slices.SortStableFunc(out, func(a, b RejectCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Action, b.Action), cmp.Compare(a.Code, b.Code))
	})
	return out
}

// dropRecords is the sink of Config.Records returning none: the records are dropped (only
// the fingerprint is kept).
type dropRecords struct{}

func (dropRecords) Fill(*FillRecord)                {}
func (dropRecords) Trade(*Trade)                    {}
func (dropRecords) Liquidation(*margin.Liquidation) {}
func (dropRecords) Funding(*FundingPayment)         {}
func (dropRecords) Reject(*Reject)                  {}
