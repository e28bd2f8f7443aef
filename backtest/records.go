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
// funding payment and rejection, in the order they happened, then the final balances. In
// hedge mode fill, liquidation and funding lines name the leg (pos=LONG, pos=SHORT). Decimals
// are printed exactly (decimal.String), times as Unix ms and rates with strconv's shortest
// float format, so the log is byte-identical on every machine. Fingerprint hashes it. A
// reject line holds the time, symbol, order id, action and reason; the refused order's side,
// type, quantity, price and tag and the reason's code are in Reject and the artifacts but not
// in the log, so that fingerprints stay comparable with runs recorded before they existed.
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
	str := func(key, s string) {
		buf = append(buf, ' ')
		buf = append(buf, key...)
		buf = append(buf, '=')
		buf = strconv.AppendQuote(buf, s)
	}
	// a hedge-mode leg (LONG, SHORT) after the symbol; nothing for one-way positions, so that
	// one-way logs and fingerprints are those of runs recorded before hedge mode existed
	leg := func(ps margin.PositionSide) {
		if ps != margin.Both {
			buf = append(buf, " pos="...)
			buf = append(buf, ps.String()...)
		}
	}
	flag := func(key string, b bool) {
		if b {
			num(key, 1)
		} else {
			num(key, 0)
		}
	}
	buf = append(buf, "account"...)
	str("name", r.Name)
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
			p := &r.Funding[pi]
			buf = append(buf, "funding"...)
			num("t", p.Time)
			str("sym", p.Symbol)
			leg(p.PositionSide)
			dec("qty", p.Qty)
			dec("mark", p.Mark)
			buf = append(buf, " rate="...)
			buf = strconv.AppendFloat(buf, p.Rate, 'g', -1, 64)
			dec("amount", p.Amount)
			line()
		}
		for ; fi < len(r.Fills) && r.Fills[fi].Time == t; fi++ {
			f := &r.Fills[fi]
			buf = append(buf, "fill"...)
			num("t", f.Time)
			num("id", int64(f.OrderID))
			str("sym", f.Symbol)
			leg(f.PositionSide)
			num("side", int64(f.Side))
			dec("qty", f.Qty)
			dec("price", f.Price)
			dec("fee", f.Fee)
			dec("pnl", f.RealizedPnL)
			flag("maker", f.Maker)
			flag("liq", f.Liquidation)
			str("tag", f.Tag)
			line()
		}
		for ; li < len(r.Liquidations) && r.Liquidations[li].Time == t; li++ {
			l := &r.Liquidations[li]
			buf = append(buf, "liquidation"...)
			num("t", l.Time)
			str("sym", l.Symbol)
			leg(l.Side)
			buf = append(buf, " mode="...)
			buf = append(buf, modeName(l.Mode)...)
			dec("qty", l.Qty)
			dec("entry", l.Entry)
			dec("trigger", l.TriggerMark)
			dec("price", l.Price)
			dec("bankruptcy", l.Bankruptcy)
			dec("lost", l.MarginLost)
			dec("fee", l.Fee)
			dec("insurance", l.InsuranceDraw)
			flag("gap", l.Gap)
			num("cascade", int64(l.Cascade))
			line()
		}
		for ; ji < len(r.Rejects) && r.Rejects[ji].Time == t; ji++ {
			j := &r.Rejects[ji]
			buf = append(buf, "reject"...)
			num("t", j.Time)
			str("sym", j.Symbol)
			num("id", int64(j.OrderID))
			str("action", j.Action)
			str("reason", j.Reason)
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
