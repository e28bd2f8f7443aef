package backtest

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strconv"

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
// before they existed.
func (r *AccountResult) CanonicalLog(w io.Writer) error {
	bw := bufio.NewWriter(w)
	var buf []byte
	line := func() {
		buf = append(buf, '\n')
		bw.Write(buf)
		buf = buf[:0]
	}
	dec := func(key string, d decimal.Decimal) {
		buf = append(buf, ' ')
		buf = append(buf, key...)
		buf = append(buf, '=')
		buf = append(buf, d.String()...)
	}
	num := func(key string, n int64) {
		buf = append(buf, ' ')
		buf = append(buf, key...)
		buf = append(buf, '=')
		buf = strconv.AppendInt(buf, n, 10)
	}
	flag := func(key string, b bool) {
		if b {
			num(key, 1)
		} else {
			num(key, 0)
		}
	}
	buf = append(buf, "account name="...)
	buf = strconv.AppendQuote(buf, r.Name)
	line()
	// merge the record streams in time order; within a time, in the order of the kinds below,
	// each kind already in execution order
	fi, li, pi, ji := 0, 0, 0, 0
	for fi < len(r.Fills) || li < len(r.Liquidations) || pi < len(r.Funding) || ji < len(r.Rejects) {
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
		for ; pi < len(r.Funding) && r.Funding[pi].Time == t; pi++ {
			buf = appendLogLine(buf, &fundingTable, &r.Funding[pi])
			line()
		}
		for ; fi < len(r.Fills) && r.Fills[fi].Time == t; fi++ {
			buf = appendLogLine(buf, &fillTable, &r.Fills[fi])
			line()
		}
		for ; li < len(r.Liquidations) && r.Liquidations[li].Time == t; li++ {
			buf = appendLogLine(buf, &liquidationTable, &r.Liquidations[li])
			line()
		}
		for ; ji < len(r.Rejects) && r.Rejects[ji].Time == t; ji++ {
			buf = appendLogLine(buf, &rejectTable, &r.Rejects[ji])
			line()
		}
	}
	buf = append(buf, "final"...)
	dec("wallet", r.Final.Wallet)
	dec("isolated", r.Final.IsolatedWallets)
	dec("upnl", r.Final.UnrealizedPnL)
	dec("equity", r.Final.MarginBalance)
	flag("ruined", r.Ruined)
	num("ruin_t", r.RuinTime)
	line()
	return bw.Flush()
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
		buf = append(buf, ' ')
		buf = append(buf, c.Log...)
		buf = append(buf, '=')
		switch c.Kind {
		case KindTime:
			buf = strconv.AppendInt(buf, c.Time(rec), 10)
		case KindInt:
			buf = strconv.AppendInt(buf, c.Int(rec), 10)
		case KindDecimal:
			buf = append(buf, c.Dec(rec).String()...)
		case KindFloat:
			buf = strconv.AppendFloat(buf, c.Float(rec), 'g', -1, 64)
		case KindString:
			buf = strconv.AppendQuote(buf, c.Str(rec))
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

func modeName(m margin.Mode) string {
	if m == margin.Isolated {
		return "isolated"
	}
	return "cross"
}

// Fingerprint returns the hex sha256 of the account's CanonicalLog: two runs with equal
// fingerprints booked the same fills, liquidations, funding and rejections to the last digit
// and ended with the same balances.
func (r *AccountResult) Fingerprint() string {
	h := sha256.New()
	r.CanonicalLog(h)
	return hex.EncodeToString(h.Sum(nil))
}
