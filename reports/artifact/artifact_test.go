package artifact

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/bt-backtest/bt/reports/internal/fixture"
	"github.com/bt-backtest/bt/reports/metrics"
	"github.com/parquet-go/parquet-go"
	"github.com/shopspring/decimal"
)

// same compares two values by their JSON encoding: decimals encode as their canonical
// string (so 1.50 and 1.5 are the same value) and floats in shortest round-trip form.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	g, err1 := json.Marshal(got)
	w, err2 := json.Marshal(want)
	if err1 != nil || err2 != nil {
		t.Fatalf("%s: marshal: %v %v", what, err1, err2)
	}
	if !bytes.Equal(g, w) {
		t.Errorf("%s differs:\n got %.600s\nwant %.600s", what, g, w)
	}
}

func manifest() Manifest {
	return Manifest{Version: "test", Seed: 42, Strategy: "fixture", Params: map[string]string{"fast": "10"},
		DataFiles: []DataFile{{Path: "data/BTCUSDT.parquet", SHA256: strings.Repeat("ab", 32)}}}
}

func TestWriteReadRoundTrip(t *testing.T) {
	res := fixture.Result()
	dir := t.TempDir()
	if err := Write(dir, res, manifest()); err != nil {
		t.Fatal(err)
	}
	if err := WritePrices(dir, fixture.Prices()); err != nil {
		t.Fatal(err)
	}
	run, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Result.Accounts) != 2 {
		t.Fatalf("%d accounts", len(run.Result.Accounts))
	}
	for i := range res.Accounts {
		w, g := &res.Accounts[i], &run.Result.Accounts[i]
		same(t, w.Name+" equity", g.Equity, w.Equity)
		same(t, w.Name+" fills", g.Fills, w.Fills)
		same(t, w.Name+" trades", g.Trades, w.Trades)
		same(t, w.Name+" liquidations", g.Liquidations, w.Liquidations)
		same(t, w.Name+" funding", g.Funding, w.Funding)
		same(t, w.Name+" rejects", g.Rejects, w.Rejects)
		same(t, w.Name+" final", g.Final, w.Final)
		same(t, w.Name+" modes", g.Modes, w.Modes)
		if g.Name != w.Name || g.Ruined != w.Ruined || g.RuinTime != w.RuinTime {
			t.Errorf("account header: got %s %v %d", g.Name, g.Ruined, g.RuinTime)
		}
		// decimals are exactly equal, not just close
		for j := range w.Fills {
			if !g.Fills[j].Fee.Equal(w.Fills[j].Fee) || !g.Fills[j].Price.Equal(w.Fills[j].Price) {
				t.Fatalf("fill %d: %v %v != %v %v", j, g.Fills[j].Fee, g.Fills[j].Price, w.Fills[j].Fee, w.Fills[j].Price)
			}
		}
	}
	if run.Manifest.Start != res.Start || run.Manifest.End != res.End || run.Result.Start != res.Start {
		t.Errorf("start/end %d %d", run.Manifest.Start, run.Manifest.End)
	}
	same(t, "assumptions", run.Result.Assumptions, res.Assumptions)
	same(t, "symbols", run.Manifest.Symbols, res.Symbols)
	same(t, "accounts", run.Manifest.Accounts, []string{"isolated", "cross"})
	if len(run.Prices["BTCUSDT"]) != fixture.Bars || len(run.Prices["ETHUSDT"]) != fixture.Bars {
		t.Errorf("prices: %d symbols", len(run.Prices))
	}
	same(t, "prices", run.Prices["BTCUSDT"][:3], fixture.Prices()[:3])

	// summary.json is Summarize of the result, and recomputing from the read-back records gives
	// the same numbers.
	s, err := ReadSummary(dir)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "summary", s, metrics.Summarize(res))
	same(t, "summary from read", metrics.Summarize(run.Result), metrics.Summarize(res))
	// the tables' metrics are the same from summary.json as from the records
	sum := metrics.Summarize(res)
	for _, name := range []string{"isolated", "cross"} {
		same(t, name+" liquidation metrics", s.Liquidation[name].Metrics(), sum.Liquidation[name].Metrics())
		same(t, name+" account metrics", s.Accounts[name].Metrics(), sum.Accounts[name].Metrics())
	}

	// no temporary files left behind
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if strings.Contains(d.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", p)
		}
		return nil
	})
}

// Parquet rows of three tables as a reader outside bt would declare them.
type (
	pqEquityRow struct {
		Time              int64   `parquet:"time,timestamp(millisecond:utc)"`
		Equity            float64 `parquet:"equity"`
		Wallet            float64 `parquet:"wallet"`
		UnrealizedPnL     float64 `parquet:"unrealized_pnl"`
		MarginBalance     float64 `parquet:"margin_balance"`
		MaintenanceMargin float64 `parquet:"maintenance_margin"`
		MarginRatio       float64 `parquet:"margin_ratio"`
		PeakMarginRatio   float64 `parquet:"peak_margin_ratio"`
		Drawdown          float64 `parquet:"drawdown"`
	}
	pqLiqRow struct {
		Time  int64  `parquet:"time,timestamp(millisecond:utc)"`
		Mode  string `parquet:"mode"`
		Price string `parquet:"price"`
	}
	pqFundingRow struct {
		Time   int64   `parquet:"time,timestamp(millisecond:utc)"`
		Amount string  `parquet:"amount"`
		Rate   float64 `parquet:"rate"`
	}
)

func TestParquetTables(t *testing.T) {
	res := fixture.Result()
	dir := t.TempDir()
	if err := Write(dir, res, manifest()); err != nil {
		t.Fatal(err)
	}
	eq, err := parquet.ReadFile[pqEquityRow](filepath.Join(dir, "cross", "equity.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if len(eq) != len(res.Accounts[1].Equity) || eq[5].Equity != res.Accounts[1].Equity[5].Equity || eq[5].Time != res.Accounts[1].Equity[5].Time {
		t.Errorf("equity.parquet: %d rows, row 5 %+v", len(eq), eq[5])
	}
	liq, err := parquet.ReadFile[pqLiqRow](filepath.Join(dir, "cross", "liquidations.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	want := res.Accounts[1].Liquidations
	if len(liq) != len(want) || liq[0].Price != want[0].Price.String() || liq[0].Mode != "cross" {
		t.Errorf("liquidations.parquet: %+v", liq)
	}
	// empty tables are valid files
	rj, err := parquet.ReadFile[pqFundingRow](filepath.Join(dir, "isolated", "funding.parquet"))
	if err != nil || len(rj) != len(res.Accounts[0].Funding) {
		t.Errorf("funding.parquet: %v %d", err, len(rj))
	}
}

func TestReadErrors(t *testing.T) {
	if _, err := Read(t.TempDir()); !errors.Is(err, ErrNotRun) {
		t.Errorf("empty dir: %v, want ErrNotRun", err)
	}
	for _, c := range []struct {
		name, file, body, want string
	}{
		{"bad decimal", "fills.csv", "time,order_id,symbol,side,qty,price,fee,realized_pnl,maker,liquidation,tag\n" +
			"2025-10-10T21:00:00.000Z,1,BTCUSDT,buy,0.1,1x2,0,0,false,false,\n", "fills.csv row 2 field price"},
		{"float decimal", "fills.csv", "time,order_id,symbol,side,qty,price,fee,realized_pnl,maker,liquidation,tag\n" +
			"2025-10-10T21:00:00.000Z,1,BTCUSDT,buy,1e-3,100,0,0,false,false,\n", "fills.csv row 2 field qty"},
		{"bad side", "fills.csv", "time,order_id,symbol,side,qty,price,fee,realized_pnl,maker,liquidation,tag\n" +
			"2025-10-10T21:00:00.000Z,1,BTCUSDT,long,0.1,100,0,0,false,false,\n", "row 2 field side"},
		{"bad time", "equity.csv", "time,equity,wallet,unrealized_pnl,margin_balance,maintenance_margin,margin_ratio,peak_margin_ratio,drawdown\n" +
			"2025-10-10T21:00:00.000Z,1,1,0,1,0,0,0,0\nyesterday,1,1,0,1,0,0,0,0\n", "equity.csv row 3 field time"},
		{"bad header", "trades.csv", "symbol,side\n", "trades.csv row 1"},
		{"column count", "rejects.csv", "time,symbol,order_id,action,code,reason,side,type,qty,price,tag\n2025-10-10T21:00:00.000Z,X,1,order\n", "rejects.csv row 2"},
		{"legacy column count", "rejects.csv", "time,symbol,order_id,action,reason\n2025-10-10T21:00:00.000Z,X,1,order\n", "rejects.csv row 2"},
		{"bad reject side", "rejects.csv", "time,symbol,order_id,action,code,reason,side,type,qty,price,tag\n2025-10-10T21:00:00.000Z,X,1,order,other,r,long,market,1,1,\n", "field side"},
		{"bad reject type", "rejects.csv", "time,symbol,order_id,action,code,reason,side,type,qty,price,tag\n2025-10-10T21:00:00.000Z,X,1,order,other,r,buy,stop,1,1,\n", "field type"},
		{"bad mode", "liquidations.csv", "time,symbol,mode,qty,entry,trigger_mark,price,bankruptcy,margin_lost,fee,insurance_draw,gap,cascade\n" +
			"2025-10-10T21:00:00.000Z,BTCUSDT,portfolio,1,1,1,1,1,1,1,0,false,1\n", "field mode"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := Write(dir, fixture.Result(), manifest()); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "cross", c.file), []byte(c.body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Read(dir)
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want ErrMalformed mentioning %q", err, c.want)
			}
		})
	}
}

func TestWriteRejectsBadNames(t *testing.T) {
	for _, name := range []string{"", "..", "a/b", "prices", "x y"} {
		res := &backtest.Result{Accounts: []backtest.AccountResult{{Name: name}}}
		if err := Write(t.TempDir(), res, Manifest{}); !errors.Is(err, ErrBadName) {
			t.Errorf("%q: %v, want ErrBadName", name, err)
		}
	}
	res := &backtest.Result{Accounts: []backtest.AccountResult{{Name: "a"}, {Name: "a"}}}
	if err := Write(t.TempDir(), res, Manifest{}); err == nil {
		t.Error("duplicate account names accepted")
	}
}

func TestManifestJSON(t *testing.T) {
	m := manifest()
	m.Start, m.End = fixture.Start, fixture.Start+86_400_000
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"start":"2025-10-08T00:00:00.000Z"`) || !strings.Contains(string(b), `"end":"2025-10-09T00:00:00.000Z"`) {
		t.Errorf("manifest JSON: %s", b)
	}
	var m2 Manifest
	if err := json.Unmarshal(b, &m2); err != nil || m2.Start != m.Start || m2.End != m.End || m2.Seed != 42 {
		t.Errorf("round trip: %+v %v", m2, err)
	}
}

// FuzzReadTrades: any input either fails with ErrMalformed or parses into trades that write
// and read back identically.
func FuzzReadTrades(f *testing.F) {
	var buf bytes.Buffer
	writeTable(newCSVWriter(&buf), backtest.TradeTable(), fixture.Result().Accounts[1].Trades)
	f.Add(buf.String())
	f.Add(strings.Join(tradeCols, ",") + "\n")
	f.Add(strings.Join(tradeCols, ",") + "\nBTCUSDT,cross,long,2025-10-10T21:00:00.000Z,2025-10-10T21:00:00Z,0.1,1,2,-3.5,0,0,true,0.5\n")
	f.Fuzz(func(t *testing.T, in string) {
		var ts []backtest.Trade
		err := readCSV(strings.NewReader(in), "trades.csv", tradeCols, func(r *rowReader) { ts = append(ts, readTrade(r)) })
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error without ErrMalformed: %v", err)
			}
			return
		}
		write := func(ts []backtest.Trade) string {
			var out bytes.Buffer
			writeTable(newCSVWriter(&out), backtest.TradeTable(), ts)
			return out.String()
		}
		out1 := write(ts)
		var back []backtest.Trade
		if err := readCSV(strings.NewReader(out1), "trades.csv", tradeCols, func(r *rowReader) { back = append(back, readTrade(r)) }); err != nil {
			t.Fatalf("re-read: %v\n%s", err, out1)
		}
		if out2 := write(back); out2 != out1 {
			t.Fatalf("round trip differs:\n%s\n%s", out1, out2)
		}
	})
}

// TestReadLegacyRejects: a run written before the code and order columns still reads; the
// codes come from the reason texts.
func TestReadLegacyRejects(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, fixture.Result(), manifest()); err != nil {
		t.Fatal(err)
	}
	old := "time,symbol,order_id,action,reason\n2025-10-10T21:00:00.000Z,ETHUSDT,0,order,margin: insufficient margin\n" +
		"2025-10-10T22:00:00.000Z,ETHUSDT,0,leverage,margin: something else\n"
	if err := os.WriteFile(filepath.Join(dir, "cross", "rejects.csv"), []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	run, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	rs := run.Result.Accounts[1].Rejects
	if len(rs) != 2 || rs[0].Code != "insufficient_margin" || rs[0].Action != "order" || rs[1].Code != backtest.OtherRejectCode {
		t.Errorf("legacy rejects read as %+v", rs)
	}
}

// TestRejectsColumns: the rejects table holds the refused order (empty fields for an action
// that is no order).
func TestRejectsColumns(t *testing.T) {
	var buf bytes.Buffer
	writeTable(newCSVWriter(&buf), backtest.RejectTable(), fixture.Result().Accounts[0].Rejects)
	want := "time,symbol,order_id,action,code,reason,side,type,qty,price,tag\n" +
		"2025-10-08T02:30:00.000Z,ETHUSDT,0,order,insufficient_margin,margin: insufficient margin,buy,market,1000,2500.5,replay row 4\n"
	if got := buf.String(); !strings.HasPrefix(got, want) || !strings.Contains(got, ",leverage,leverage_too_high,margin: leverage above the bracket maximum,,,,,\n") {
		t.Errorf("rejects.csv:\n%s\nwant it to start\n%s", got, want)
	}
}

// TestCSVQuoting: strings with separators, quotes and newlines survive, as encoding/csv reads
// them.
func TestCSVQuoting(t *testing.T) {
	rs := []backtest.Reject{{Time: 1, Symbol: "X", Reason: `margin: "a, b"` + "\nline two"}, {Reason: " lead"}, {Reason: ""}}
	var buf bytes.Buffer
	writeTable(newCSVWriter(&buf), backtest.RejectTable(), rs)
	text := buf.String()
	var back []backtest.Reject
	if err := readCSV(strings.NewReader(text), "rejects.csv", rejectCols, func(r *rowReader) { back = append(back, readReject(r)) }); err != nil {
		t.Fatal(err)
	}
	same(t, "rejects", back, rs)
	r := csv.NewReader(strings.NewReader(text))
	if recs, err := r.ReadAll(); err != nil || len(recs) != 4 {
		t.Errorf("encoding/csv reads %d records: %v", len(recs), err)
	}
}

// TestAtomicFailure: a write that fails half way leaves neither the target nor a temporary
// file; an existing target keeps its old content.
func TestAtomicFailure(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "equity.csv")
	boom := errors.New("disk full")
	err := atomically(path, func(f *os.File) error {
		f.WriteString("time,equity\n2025-")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("left behind: %v", ents)
	}
	if err := WriteFileAtomic(path, []byte("old\n")); err != nil {
		t.Fatal(err)
	}
	atomically(path, func(f *os.File) error { f.WriteString("new, half"); return boom })
	if b, _ := os.ReadFile(path); string(b) != "old\n" {
		t.Errorf("target changed to %q", b)
	}
}

// FuzzReadTables: no input makes any table reader panic; failures are ErrMalformed.
func FuzzReadTables(f *testing.F) {
	f.Add(strings.Join(equityCols, ",") + "\n2025-10-10T21:00:00.000Z,1,1,0,1,0,NaN,0\n")
	f.Add(strings.Join(fillCols, ",") + "\n2025-10-10T21:00:00.000Z,1,BTCUSDT,buy,0.1,100,0,0,false,false,\"a,b\"\n")
	f.Add(strings.Join(liqCols, ",") + "\n2025-10-10T21:00:00Z,BTCUSDT,cross,-1,1,1,1,1,1,1,0,true,2,0,0,1\n")
	f.Add(strings.Join(rejectCols, ",") + "\n2025-10-10T21:00:00Z,BTCUSDT,0,order,min_qty,r,sell,limit,,0.1,\"t,1\"\n")
	f.Fuzz(func(t *testing.T, in string) {
		tables := []struct {
			cols []string
			row  func(*rowReader)
		}{
			{equityCols, func(r *rowReader) { readEquity(r) }},
			{tradeCols, func(r *rowReader) { readTrade(r) }},
			{fillCols, func(r *rowReader) { readFill(r) }},
			{liqCols, func(r *rowReader) { readLiq(r) }},
			{fundingCols, func(r *rowReader) { readFunding(r) }},
			{rejectCols, func(r *rowReader) { readReject(r) }},
			{rejectColsV1, func(r *rowReader) { readRejectV1(r) }},
			{barCols, func(r *rowReader) { readBar(r) }},
		}
		for _, tb := range tables {
			if err := readCSV(strings.NewReader(in), "t.csv", tb.cols, tb.row); err != nil && !errors.Is(err, ErrMalformed) {
				t.Fatalf("error without ErrMalformed: %v", err)
			}
		}
	})
}

// A hedge-mode account's trades, fills, liquidations and funding tables end with a
// position_side column (LONG/SHORT) and read back with their legs; a one-way account's tables
// keep their columns (no position_side), so that their bytes do not change.
func TestHedgeLegColumn(t *testing.T) {
	res := fixture.Result()
	a := &res.Accounts[0]
	leg := func(k int) margin.PositionSide { return margin.PositionSide(1 + k%2) }
	for k := range a.Fills {
		a.Fills[k].PositionSide = leg(k)
	}
	for k := range a.Trades {
		a.Trades[k].PositionSide = leg(k)
	}
	for k := range a.Liquidations {
		a.Liquidations[k].Side = leg(k)
	}
	for k := range a.Funding {
		a.Funding[k].PositionSide = leg(k)
	}
	for k := range a.LiqPrices {
		a.LiqPrices[k].Side = leg(k)
	}
	dir := t.TempDir()
	if err := Write(dir, res, manifest()); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"fills", "trades", "liquidations", "funding", "liquidation_prices"} {
		hedged := filepath.Join(dir, res.Accounts[0].Name, table+".csv")
		oneWay := filepath.Join(dir, res.Accounts[1].Name, table+".csv")
		b, err := os.ReadFile(hedged)
		if err != nil {
			t.Fatal(err)
		}
		if hdr, _, _ := strings.Cut(string(b), "\n"); !strings.HasSuffix(hdr, ",position_side") {
			t.Errorf("%s header %q lacks position_side", hedged, hdr)
		}
		b, err = os.ReadFile(oneWay)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "position_side") {
			t.Errorf("%s (one-way) has a position_side column", oneWay)
		}
	}
	run, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range res.Accounts {
		w, g := &res.Accounts[i], &run.Result.Accounts[i]
		same(t, w.Name+" fills", g.Fills, w.Fills)
		same(t, w.Name+" trades", g.Trades, w.Trades)
		same(t, w.Name+" liquidations", g.Liquidations, w.Liquidations)
		same(t, w.Name+" funding", g.Funding, w.Funding)
		same(t, w.Name+" liquidation prices", g.LiqPrices, w.LiqPrices)
	}
	if len(a.Fills) == 0 || len(a.Trades) == 0 || len(a.LiqPrices) == 0 {
		t.Fatal("the fixture has no fills or trades: the test checks nothing")
	}
}

// TestReadLegacyLiquidations: a liquidations.csv written before the realized_pnl, shortfall and
// cost columns still reads (without the realized PnL); a cost that is not the fee plus the
// shortfall is refused as malformed.
func TestReadLegacyLiquidations(t *testing.T) {
	res := fixture.Result()
	dir := t.TempDir()
	if err := Write(dir, res, manifest()); err != nil {
		t.Fatal(err)
	}
	k := slices.IndexFunc(res.Accounts, func(a backtest.AccountResult) bool { return len(a.Liquidations) > 0 })
	if k < 0 {
		t.Fatal("the fixture has no liquidation")
	}
	path := filepath.Join(dir, res.Accounts[k].Name, "liquidations.csv")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var old, bad []string
	for i, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		f := strings.Split(line, ",")
		if len(f) != len(liqCols) {
			t.Fatalf("line %d has %d fields, want %d: %s", i+1, len(f), len(liqCols), line)
		}
		old = append(old, strings.Join(f[:len(liqColsV1)], ","))
		if i > 0 {
			f[len(f)-1] = "12345.67" // a cost that is not fee + shortfall
		}
		bad = append(bad, strings.Join(f, ","))
	}
	if err := os.WriteFile(path, []byte(strings.Join(old, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(res.Accounts[k].Liquidations)
	for i := range want {
		want[i].RealizedPnL = decimal.Decimal{}
	}
	same(t, "legacy liquidations", run.Result.Accounts[k].Liquidations, want)

	if err := os.WriteFile(path, []byte(strings.Join(bad, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(dir); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "fee + shortfall") {
		t.Errorf("a wrong cost read as %v, want ErrMalformed naming the rule", err)
	}
}
