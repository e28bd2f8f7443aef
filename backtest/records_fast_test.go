package backtest

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/bt-backtest/bt/internal/exact/exacttest"
)

// The written-out fill, funding and reject lines (appendFillLine, appendFundingLine,
// appendRejectLine: what CanonicalLog and every streamed fingerprint hash) are the tables'
// generic lines (appendLogLine over fillTable, fundingTable and rejectTable) byte for byte: on
// random records with every field set, one-way and hedge legs, decimals of every size and
// sign (more than 18 digits included), quoted and escaped strings, and special funding rates.
// A column of these tables given a Log key, or a key or order changed, fails it.
func TestFastLogLines(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 4))
	strs := []string{"", "BTCUSDT", "1000PEPEUSDT", "entry long", `a"b`, `a\b`, "new\nline", "é", "\xff", "cfg-1/cross"}
	sides := []margin.PositionSide{margin.Both, margin.Long, margin.Short, margin.PositionSide(7)}
	rates := []float64{0, math.Copysign(0, -1), 0.0001, -0.000375, 1e-7, 1e21, 123456789, math.Inf(1), math.NaN(), 0.1 + 0.2}
	var got, want []byte
	var m logMemo // one memo for every line, as a log's: each line's time and strings again or new
	times := []int64{0, -1, 1, 1735689600000, 9, 10, math.MaxInt64, math.MinInt64}
	for i := 0; i < 20000; i++ {
		d := exacttest.RandDec
		if i%3 == 0 {
			d = exacttest.EdgeDec
		}
		f := FillRecord{Time: r.Int64N(4e12) - 1e12, OrderID: OrderID(r.Int64N(1e6) - 10), Symbol: strs[r.IntN(len(strs))],
			Side: margin.Side(1 - 2*r.IntN(2)), Qty: d(r), Price: d(r), Fee: d(r), RealizedPnL: d(r),
			Maker: r.IntN(2) == 0, Liquidation: r.IntN(2) == 0, Tag: strs[r.IntN(len(strs))], PositionSide: sides[r.IntN(len(sides))]}
		if i%4 == 0 {
			f.Time = times[r.IntN(len(times))]
		}
		got, want = appendFillLine(got[:0], &f, &m), appendLogLine(want[:0], &fillTable, &f)
		if string(got) != string(want) {
			t.Fatalf("fill %+v:\n got %s\nwant %s", f, got, want)
		}
		p := FundingPayment{Time: r.Int64N(4e12) - 1e12, Symbol: strs[r.IntN(len(strs))], PositionSide: sides[r.IntN(len(sides))],
			Qty: d(r), Mark: d(r), Rate: rates[r.IntN(len(rates))] * (1 + r.Float64()), Amount: d(r)}
		if i%2 == 0 {
			p.Rate = rates[r.IntN(len(rates))]
		}
		if i%4 == 1 {
			p.Time = f.Time // a funding line at the fill's time
		}
		got, want = appendFundingLine(got[:0], &p, &m), appendLogLine(want[:0], &fundingTable, &p)
		if string(got) != string(want) {
			t.Fatalf("funding %+v:\n got %s\nwant %s", p, got, want)
		}
		actions := []string{"order", "leverage", "mode", "margin", "funding", ""}
		j := Reject{Time: r.Int64N(4e12) - 1e12, Symbol: strs[r.IntN(len(strs))], OrderID: OrderID(r.Int64N(1e6) - 10),
			Action: actions[r.IntN(len(actions))], Reason: strs[r.IntN(len(strs))] + " margin: insufficient", Code: strs[r.IntN(len(strs))],
			Side: margin.Side(1 - 2*r.IntN(2)), Type: OrderType(r.IntN(4)), Qty: d(r), Price: d(r), Tag: strs[r.IntN(len(strs))]}
		if i%4 == 2 {
			j.Time = p.Time
		}
		got, want = appendRejectLine(got[:0], &j, &m), appendLogLine(want[:0], &rejectTable, &j)
		if string(got) != string(want) {
			t.Fatalf("reject %+v:\n got %s\nwant %s", j, got, want)
		}
	}
}

// appendInt writes what strconv.AppendInt writes, at the ends of every power of ten and on
// random values of every size and sign.
func TestAppendIntIsStrconv(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 5))
	xs := []int64{0, 1, -1, math.MaxInt64, math.MinInt64, math.MinInt64 + 1}
	for p := int64(1); p <= 1e18; p *= 10 {
		xs = append(xs, p-1, p, p+1, -p, 1-p)
	}
	for range 100000 {
		xs = append(xs, r.Int64()>>r.IntN(64), -(r.Int64() >> r.IntN(64)))
	}
	for _, x := range xs {
		if got, want := string(appendInt([]byte("t="), x)), "t="+strconv.FormatInt(x, 10); got != want {
			t.Fatalf("appendInt(%d) = %s, want %s", x, got, want)
		}
	}
}
