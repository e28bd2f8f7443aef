package replay

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/shopspring/decimal"
)

func TestParse(t *testing.T) {
	in := "# my trades, newest first\n" +
		"time,symbol,side,type,qty,price,leverage,reduce_only\n" +
		"2025-06-02T00:00:00Z,BTCUSDT,SELL,market,0.010,,,true\n" +
		"\n" +
		"2025-06-01 12:00:00,ETHUSDT,buy,LIMIT,1.5,2500.10,20,\n" +
		"2025-06-01T12:00:00.250+02:00,BTCUSDT,buy,market,0.01,,10,false\n"
	trades, err := Parse(strings.NewReader(in), "log.csv")
	if err != nil {
		t.Fatal(err)
	}
	d := decimal.RequireFromString
	// "2025-06-01 12:00:00" (UTC) = 1748779200000; 12:00:00.250+02:00 = 10:00:00.250Z, earlier.
	want := []Trade{
		{Time: 1748772000250, Symbol: "BTCUSDT", Side: backtest.Buy, Type: backtest.Market, Qty: d("0.01"), Leverage: 10, Row: 6},
		{Time: 1748779200000, Symbol: "ETHUSDT", Side: backtest.Buy, Type: backtest.Limit, Qty: d("1.5"), Price: d("2500.10"), Leverage: 20, Row: 5},
		{Time: 1748822400000, Symbol: "BTCUSDT", Side: backtest.Sell, Type: backtest.Market, Qty: d("0.010"), ReduceOnly: true, Row: 3},
	}
	if len(trades) != len(want) {
		t.Fatalf("%d trades, want %d: %+v", len(trades), len(want), trades)
	}
	for i := range want {
		if !same(trades[i], want[i]) {
			t.Errorf("trade %d:\n got %+v\nwant %+v", i, trades[i], want[i])
		}
	}
}

func same(a, b Trade) bool {
	return a.Time == b.Time && a.Symbol == b.Symbol && a.Side == b.Side && a.Type == b.Type &&
		a.Qty.Equal(b.Qty) && a.Price.Equal(b.Price) && a.Leverage == b.Leverage &&
		a.ReduceOnly == b.ReduceOnly && a.PositionSide == b.PositionSide
}

// The optional position_side column (Binance's positionSide): LONG, SHORT, BOTH or empty, any
// case; a log without it is one-way; Format writes it back only when a row has a side.
func TestParsePositionSide(t *testing.T) {
	in := "time,symbol,side,type,qty,price,leverage,reduce_only,position_side\n" +
		"1748779200000,BTCUSDT,buy,market,0.01,,,,LONG\n" +
		"1748779200001,BTCUSDT,sell,market,0.02,,,,short\n" +
		"1748779200002,BTCUSDT,sell,market,0.01,,,,Long\n" +
		"1748779200003,ETHUSDT,buy,market,1,,,,BOTH\n" +
		"1748779200004,ETHUSDT,sell,market,1,,,,\n"
	trades, err := Parse(strings.NewReader(in), "hedge.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []margin.PositionSide{margin.Long, margin.Short, margin.Long, margin.Both, margin.Both}
	for i, w := range want {
		if trades[i].PositionSide != w {
			t.Errorf("row %d: position side %v, want %v", trades[i].Row, trades[i].PositionSide, w)
		}
	}
	var buf bytes.Buffer
	if err := Format(&buf, trades); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(strings.SplitN(buf.String(), "\n", 2)[0], ",position_side") || !strings.Contains(buf.String(), ",SHORT\n") {
		t.Errorf("formatted:\n%s", buf.String())
	}
	buf.Reset()
	if err := Format(&buf, trades[3:]); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "position_side") {
		t.Errorf("a one-way log gained a position_side column:\n%s", buf.String())
	}
	_, err = Parse(strings.NewReader("time,symbol,side,type,qty,price,leverage,reduce_only,position_side\n1748779200000,BTCUSDT,buy,market,0.01,,,,up\n"), "f.csv")
	if err == nil || !strings.Contains(err.Error(), `row 2 field position_side "up": want LONG or SHORT`) {
		t.Errorf("bad position side: %v", err)
	}
}

func TestParseColumnsInAnyOrder(t *testing.T) {
	in := "symbol,qty,side,type,time,price,reduce_only,leverage\nSOLUSDT,2,sell,market,1748779200000,,no,5\n"
	trades, err := Parse(strings.NewReader(in), "x.csv")
	if err != nil || len(trades) != 1 || trades[0].Symbol != "SOLUSDT" || trades[0].Side != backtest.Sell || trades[0].Leverage != 5 {
		t.Fatalf("%+v %v", trades, err)
	}
}

func TestParseErrors(t *testing.T) {
	const h = "time,symbol,side,type,qty,price,leverage,reduce_only\n"
	for _, c := range []struct{ name, in, want string }{
		{"empty", "", "replay: f.csv: empty file"},
		{"unknown column", "time,symbol,side,type,qty,price,leverage,reduce_only,x\n", `row 1 "x": unknown column`},
		{"missing column", "time,symbol,side,type,qty,price,leverage\n", "row 1: missing column reduce_only"},
		{"duplicate column", "time,time,side,type,qty,price,leverage,reduce_only\n", `row 1 "time": duplicate column`},
		{"field count", h + "1748779200000,BTCUSDT,buy\n", "row 2: 3 fields, want 8"},
		{"bad time", h + "yesterday,BTCUSDT,buy,market,1,,,\n", `row 2 field time "yesterday": want RFC 3339`},
		{"seconds", h + "1748779200,BTCUSDT,buy,market,1,,,\n", `row 2 field time "1748779200": epoch milliseconds out of range`},
		{"symbol", h + "1748779200000,,buy,market,1,,,\n", "row 2 field symbol: want a symbol"},
		{"side", h + "1748779200000,BTCUSDT,long,market,1,,,\n", `row 2 field side "long": want buy or sell`},
		{"type", h + "1748779200000,BTCUSDT,buy,stop,1,,,\n", `row 2 field type "stop": want market or limit`},
		{"qty", h + "1748779200000,BTCUSDT,buy,market,-1,,,\n", `row 2 field qty "-1": must be > 0`},
		{"qty exp", h + "1748779200000,BTCUSDT,buy,market,1e3,,,\n", `row 2 field qty "1e3": want a plain decimal`},
		{"market price", h + "1748779200000,BTCUSDT,buy,market,1,100,,\n", `row 2 field price "100": a market order takes no price`},
		{"limit no price", h + "1748779200000,BTCUSDT,buy,limit,1,,,\n", "row 2 field price: limit order: empty"},
		{"leverage", h + "1748779200000,BTCUSDT,buy,market,1,,200,\n", `row 2 field leverage "200": want an integer in [1, 125]`},
		{"reduce_only", h + "1748779200000,BTCUSDT,buy,market,1,,,maybe\n", `row 2 field reduce_only "maybe": want true or false`},
		{"quote", h + "1748779200000,\"BTC,buy,market,1,,,\n", "f.csv row 2"},
		{"row after blank and comment", h + "\n# c\n1748779200000,BTCUSDT,buy,market,0,,,\n", "row 4 field qty"},
	} {
		_, err := Parse(strings.NewReader(c.in), "f.csv")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to contain %q", c.name, err, c.want)
			continue
		}
		if !errors.Is(err, ErrParse) {
			t.Errorf("%s: %v does not wrap ErrParse", c.name, err)
		}
	}
}

func TestFormatRoundTrip(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "trades.csv"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := Parse(bytes.NewReader(in), "trades.csv")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Format(&buf, a); err != nil {
		t.Fatal(err)
	}
	b, err := Parse(&buf, "formatted")
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	if len(a) != len(b) {
		t.Fatalf("%d trades after round trip, want %d", len(b), len(a))
	}
	for i := range a {
		if !same(a[i], b[i]) {
			t.Errorf("trade %d: %+v after round trip, want %+v", i, b[i], a[i])
		}
	}
}

// FuzzParse checks that Parse never panics, that what it accepts is valid, and that Format
// writes back the same trades. The seed corpus is in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add("time,symbol,side,type,qty,price,leverage,reduce_only\n1748779200000,BTCUSDT,buy,market,0.01,,10,false\n")
	f.Add("time,symbol,side,type,qty,price,leverage,reduce_only,position_side\n1748779200000,BTCUSDT,sell,market,0.01,,10,false,SHORT\n")
	f.Fuzz(func(t *testing.T, in string) {
		trades, err := Parse(strings.NewReader(in), "fuzz.csv")
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		for i, tr := range trades {
			if tr.Qty.Sign() <= 0 || (tr.Type == backtest.Limit) != (tr.Price.Sign() > 0) ||
				tr.Leverage < 0 || tr.Leverage > maxLeverage || tr.Symbol == "" ||
				(tr.Side != backtest.Buy && tr.Side != backtest.Sell) || tr.PositionSide > margin.Short {
				t.Fatalf("invalid trade accepted: %+v", tr)
			}
			if i > 0 && trades[i-1].Time > tr.Time {
				t.Fatalf("not sorted at %d", i)
			}
		}
		var buf bytes.Buffer
		if err := Format(&buf, trades); err != nil {
			t.Fatal(err)
		}
		again, err := Parse(&buf, "formatted")
		if err != nil {
			t.Fatalf("formatted log does not parse: %v\n%s", err, buf.String())
		}
		if len(again) != len(trades) {
			t.Fatalf("%d trades after round trip, want %d", len(again), len(trades))
		}
		for i := range trades {
			if !same(trades[i], again[i]) {
				t.Fatalf("trade %d: %+v after round trip, want %+v", i, again[i], trades[i])
			}
		}
	})
}
