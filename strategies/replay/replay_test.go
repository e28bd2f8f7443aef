package replay_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/bt-backtest/bt/strategies/replay"
	"github.com/shopspring/decimal"
)

var _ backtest.Starter = (*replay.Strategy)(nil)

const (
	hour = 3600_000
	t0   = 1748736000000 // 2025-06-01T00:00:00Z
)

// bars: AAAUSDT hourly from 2025-06-01 00:00 to 06:00 UTC, bar k opening at 100+k (so a fill price names its bar).
func bars() []backtest.Bar {
	var q [][4]float64
	for k := range 6 {
		o := 100 + float64(k)
		q = append(q, [4]float64{o, o + 1, o - 0.5, o + 1})
	}
	return backtest.OHLC("AAAUSDT", t0, hour, q...)
}

func runLog(t *testing.T, log string) (*backtest.Result, error) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "trades.csv")
	if err := os.WriteFile(file, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	src := backtest.NewSliceSource([]string{"AAAUSDT"}, backtest.Batches(bars(), nil, nil))
	cfg := backtest.Config{Params: map[string]string{"file": file}, NoFundingFallback: true}
	return backtest.Run(context.Background(), cfg, replay.New, src)
}

// TestTiming: an order is submitted at the first close at or after its time and fills at the
// next open.
//   - 01:30 (as epoch ms) buy 2: the bar [01:00, 02:00) closes at 02:00 ≥ 01:30; fills at bar 2's open, 102.
//   - 03:00 (written 05:00+02:00) sell 1 reduce-only: the bar [02:00, 03:00) closes exactly at 03:00; fills at 103.
//   - 03:00:00.001 sell 1 reduce-only: first close at or after it is 04:00; fills at 104.
//   - the log lists them out of order; they are sorted by time.
func TestTiming(t *testing.T) {
	res, err := runLog(t, "time,symbol,side,type,qty,price,leverage,reduce_only\n"+
		"2025-06-01T03:00:00.001Z,AAAUSDT,sell,market,1,,,true\n"+
		"1748741400000,AAAUSDT,buy,market,2,,5,false\n"+
		"2025-06-01T05:00:00+02:00,AAAUSDT,sell,market,1,,,true\n")
	if err != nil {
		t.Fatal(err)
	}
	type w struct {
		side  backtest.Side
		price string
		time  int64
	}
	wants := []w{{backtest.Buy, "102", t0 + 2*hour}, {backtest.Sell, "103", t0 + 3*hour}, {backtest.Sell, "104", t0 + 4*hour}}
	for _, acc := range res.Accounts {
		if len(acc.Fills) != len(wants) {
			t.Fatalf("%s: fills %+v, rejects %+v", acc.Name, acc.Fills, acc.Rejects)
		}
		for k, want := range wants {
			f := acc.Fills[k]
			if f.Side != want.side || !f.Price.Equal(decimal.RequireFromString(want.price)) || f.Time != want.time {
				t.Errorf("%s fill %d: %+v, want %v @ %s at %d", acc.Name, k, f, want.side, want.price, want.time)
			}
		}
		if !strings.HasPrefix(acc.Fills[0].Tag, "replay row 3") {
			t.Errorf("%s: tag %q, want the log row", acc.Name, acc.Fills[0].Tag)
		}
	}
}

// TestLimit: a limit buy at 100.8 logged at 00:30 rests from bar 1 (open 101, low 100.5) and
// fills there at its price as maker.
func TestLimit(t *testing.T) {
	res, err := runLog(t, "time,symbol,side,type,qty,price,leverage,reduce_only\n2025-06-01T00:30:00Z,AAAUSDT,buy,limit,1,100.8,,\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, acc := range res.Accounts {
		if len(acc.Fills) != 1 || !acc.Fills[0].Maker || !acc.Fills[0].Price.Equal(decimal.RequireFromString("100.8")) || acc.Fills[0].Time != t0+hour {
			t.Errorf("%s: fills %+v, want one maker buy at 100.8 in bar 1", acc.Name, acc.Fills)
		}
	}
}

func TestErrors(t *testing.T) {
	const h = "time,symbol,side,type,qty,price,leverage,reduce_only\n"
	for _, c := range []struct{ log, want string }{
		{h + "2025-06-01T00:30:00Z,BBBUSDT,buy,market,1,,,\n", "replay: row 2: symbol BBBUSDT is not in the data"},
		{h + "2025-06-01T00:30:00Z,AAAUSDT,buy,market,x,,,\n", `trades.csv row 2 field qty "x"`},
	} {
		_, err := runLog(t, c.log)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("err = %v, want %q", err, c.want)
		}
	}
	src := backtest.NewSliceSource([]string{"AAAUSDT"}, backtest.Batches(bars(), nil, nil))
	_, err := backtest.Run(context.Background(), backtest.Config{}, replay.New, src)
	if err == nil || !strings.Contains(err.Error(), `replay: parameter file="": required`) {
		t.Errorf("no file: err = %v", err)
	}
	src = backtest.NewSliceSource([]string{"AAAUSDT"}, backtest.Batches(bars(), nil, nil))
	_, err = backtest.Run(context.Background(), backtest.Config{Params: map[string]string{"file": "/nonexistent/x.csv"}}, replay.New, src)
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/x.csv") {
		t.Errorf("missing file: err = %v", err)
	}
}

func runHedge(t *testing.T, log string, pm margin.PositionMode) (*backtest.Result, error) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "trades.csv")
	if err := os.WriteFile(file, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	src := backtest.NewSliceSource([]string{"AAAUSDT"}, backtest.Batches(bars(), nil, nil))
	z := decimal.Zero
	cfg := backtest.Config{Params: map[string]string{"file": file}, NoFundingFallback: true, PositionMode: pm,
		MakerFee: &z, TakerFee: &z}
	return backtest.Run(context.Background(), cfg, replay.New, src)
}

// TestHedge: a log with position_side replayed in hedge mode, fees 0. At 00:30 buy 2 LONG and
// sell 1 SHORT: both fill at bar 1's open, 101, two positions of one symbol. At 02:30 sell 1
// LONG and buy 1 SHORT at bar 3's open, 103: the LONG leg realizes 1 × (103 − 101) = +2 and
// keeps 1, the SHORT leg realizes −1 × (103 − 101) = −2 and closes (a trade of −2). The same
// log in a one-way run, or a log without sides in a hedge run, fails before the first bar
// naming the row.
func TestHedge(t *testing.T) {
	const h = "time,symbol,side,type,qty,price,leverage,reduce_only,position_side\n"
	log := h + "2025-06-01T00:30:00Z,AAAUSDT,buy,market,2,,,,LONG\n" +
		"2025-06-01T00:30:00Z,AAAUSDT,sell,market,1,,,,SHORT\n" +
		"2025-06-01T02:30:00Z,AAAUSDT,sell,market,1,,,,LONG\n" +
		"2025-06-01T02:30:00Z,AAAUSDT,buy,market,1,,,,SHORT\n"
	res, err := runHedge(t, log, margin.Hedge)
	if err != nil {
		t.Fatal(err)
	}
	d := decimal.RequireFromString
	for _, acc := range res.Accounts {
		if len(acc.Fills) != 4 || len(acc.Rejects) != 0 {
			t.Fatalf("%s: fills %+v, rejects %+v", acc.Name, acc.Fills, acc.Rejects)
		}
		sides := []margin.PositionSide{margin.Long, margin.Short, margin.Long, margin.Short}
		pnls := []string{"0", "0", "2", "-2"}
		for k, f := range acc.Fills {
			if f.PositionSide != sides[k] || !f.RealizedPnL.Equal(d(pnls[k])) {
				t.Errorf("%s fill %d: %+v, want %v pnl %s", acc.Name, k, f, sides[k], pnls[k])
			}
		}
		if len(acc.Trades) != 1 || acc.Trades[0].PositionSide != margin.Short || !acc.Trades[0].PnL.Equal(d("-2")) {
			t.Errorf("%s: trades %+v, want the SHORT leg's round trip of -2", acc.Name, acc.Trades)
		}
		if len(acc.Positions) != 1 || acc.Positions[0].Side != margin.Long || !acc.Positions[0].Qty.Equal(d("1")) {
			t.Errorf("%s: open positions %+v, want LONG 1", acc.Name, acc.Positions)
		}
	}
	if _, err := runHedge(t, log, margin.OneWay); err == nil || !strings.Contains(err.Error(), "row 2: position_side LONG needs hedge mode") {
		t.Errorf("hedge log in a one-way run: %v", err)
	}
	oneWay := "time,symbol,side,type,qty,price,leverage,reduce_only\n2025-06-01T00:30:00Z,AAAUSDT,buy,market,2,,,\n"
	if _, err := runHedge(t, oneWay, margin.Hedge); err == nil || !strings.Contains(err.Error(), "row 2: the run is in hedge mode") {
		t.Errorf("one-way log in a hedge run: %v", err)
	}
}
