package backtest

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bt-backtest/bt/internal/testenv"
	"github.com/shopspring/decimal"
)

// sharedData returns ../shared/data, skipping the test when it is absent.
func sharedData(t *testing.T) string { return testenv.Shared(t, "data") }

// readCSV reads a gzipped Binance CSV (header, then time_ms and numeric columns) between
// from and to (ms, inclusive), calling row for each line.
func readCSV(t *testing.T, path string, from, to int64, row func(ms int64, v []float64)) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("%v", err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	sc := bufio.NewScanner(z)
	sc.Scan() // header
	line := 1
	for sc.Scan() {
		line++
		fs := strings.Split(sc.Text(), ",")
		ms, err := strconv.ParseInt(fs[0], 10, 64)
		if err != nil {
			t.Fatalf("%s:%d: %v", path, line, err)
		}
		if ms < from || ms > to {
			continue
		}
		v := make([]float64, len(fs)-1)
		for k := range v {
			if v[k], err = strconv.ParseFloat(fs[k+1], 64); err != nil {
				t.Fatalf("%s:%d: %v", path, line, err)
			}
		}
		row(ms, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// The 2020-03-12 crash on real Binance data (BTCUSDT and ETHUSDT 1h klines, mark-price klines
// and funding, 2020-03-10 to 03-20). The strategy goes long 1500 USDT of each at 5x on a 1000
// USDT wallet (3x account leverage) after the first bar and holds. Isolated: each position
// risks its 300 of margin (liquidated about 20% down); both are liquidated on 03-12 and the
// account keeps the other ~400. Cross: the whole wallet backs both (liquidated about 33%
// down); the crash takes the account to its threshold on 03-12 too, both positions go in
// one cascade and nearly everything is lost. Money is conserved in both.
func TestRealCrash20200312(t *testing.T) {
	dir := filepath.Join(sharedData(t), "binance-um")
	from, to := int64(1583798400000), int64(1584662400000) // 2020-03-10 .. 03-20 00:00 UTC
	var k, m []Bar
	var f []Funding
	for _, sym := range []string{"BTCUSDT", "ETHUSDT"} {
		readCSV(t, filepath.Join(dir, "1h", sym+"_1h.csv.gz"), from, to, func(ms int64, v []float64) {
			k = append(k, Bar{Symbol: sym, Time: ms, End: ms + hr, Open: v[0], High: v[1], Low: v[2], Close: v[3], Volume: v[4]})
		})
		readCSV(t, filepath.Join(dir, "1h", sym+"_1h_mark.csv.gz"), from, to, func(ms int64, v []float64) {
			m = append(m, Bar{Symbol: sym, Time: ms, End: ms + hr, Open: v[0], High: v[1], Low: v[2], Close: v[3]})
		})
		readCSV(t, filepath.Join(dir, "funding", sym+"_funding.csv.gz"), from, to, func(ms int64, v []float64) {
			f = append(f, Funding{Symbol: sym, Time: ms, Rate: v[0], IntervalHours: 8})
		})
	}
	if len(k) < 400 || len(m) < 400 || len(f) < 50 {
		t.Fatalf("data too short: %d klines, %d marks, %d funding", len(k), len(m), len(f))
	}
	cfg := Config{Wallet: d("1000"), DefaultLeverage: 5}
	res, err := Run(context.Background(), cfg, func() Strategy {
		done := map[string]bool{}
		return StrategyFunc(func(br *Broker, b Bar) error {
			if done[b.Symbol] {
				return nil
			}
			done[b.Symbol] = true
			q := decimal.NewFromFloat(1500 / b.Close).Round(3)
			_, err := br.Submit(Order{Symbol: b.Symbol, Side: Buy, Type: Market, Qty: q})
			return err
		})
	}, NewSliceSource([]string{"BTCUSDT", "ETHUSDT"}, Batches(k, m, f)))
	if err != nil {
		t.Fatal(err)
	}
	day0, day1 := int64(1583971200000), int64(1584057600000) // 2020-03-12 00:00 .. 03-13 00:00
	for _, a := range res.Accounts {
		t.Logf("%s: equity %s, %d liquidations, %d funding payments", a.Name, a.Final.MarginBalance.StringFixed(2), len(a.Liquidations), len(a.Funding))
		for _, l := range a.Liquidations {
			t.Logf("  %s %s at %s (mark %s), lost %s, fee %s, insurance %s, time %d", l.Symbol, l.Mode, l.Price.StringFixed(2),
				l.TriggerMark.StringFixed(2), l.MarginLost.StringFixed(2), l.Fee.StringFixed(2), l.InsuranceDraw.StringFixed(2), l.Time)
		}
		if len(a.Liquidations) != 2 {
			t.Fatalf("%s: %d liquidations, want both positions", a.Name, len(a.Liquidations))
		}
		for _, l := range a.Liquidations {
			if l.Time < day0 || l.Time >= day1 {
				t.Errorf("%s: %s liquidated at %d, not on 2020-03-12", a.Name, l.Symbol, l.Time)
			}
		}
		if len(a.Funding) == 0 {
			t.Errorf("%s: no funding paid", a.Name)
		}
		checkWallets(t, a.Name, cfg.Wallet, &a)
	}
	iso, cross := acctByName(t, res, "isolated"), acctByName(t, res, "cross")
	// isolated: 1000 − 2 × 300 of margin − entry fees (1.5) ± funding: about 398
	if e := iso.Final.MarginBalance.InexactFloat64(); e < 390 || e > 405 {
		t.Errorf("isolated equity %v, want about 398", e)
	}
	if e := cross.Final.MarginBalance.InexactFloat64(); e > 100 {
		t.Errorf("cross equity %v, want nearly everything lost", e)
	}
	if cross.Liquidations[0].Cascade != 2 {
		t.Errorf("cross cascade %d, want both positions at once", cross.Liquidations[0].Cascade)
	}
	for _, as := range res.Assumptions {
		if as.Key == "mark_fallback" || as.Key == "funding_fallback" {
			t.Errorf("unexpected %s: %s", as.Key, as.Value)
		}
	}
}

// A trade must not depend on the run's start (issue 10): a BTCUSDT long of 10 BTC at 33x,
// opened at the open of 2023-12-13 (about 41,506) and closed at the open of 2024-01-02, on the
// real 1h klines, mark klines and funding. Binance's bracket table changed on 2023-12-12
// (embedded snapshot): for a 415k notional the 2023-07-18 table puts it in bracket 3 (MMR
// 1%, cum 1,300), the 2023-12-12 one in bracket 2 (MMR 0.5%, cum 50). With an isolated
// margin of 415,059.5/33 ≈ 12,578 the liquidation price is (docs/margin.md §4, long:
// (WB + cum − Q·EP)/(Q·(MMR − 1)))
//
//	2023-07-18 table: (12,578 + 1,300 − 415,059.5) / (10 × −0.99)  ≈ 40,523
//	2023-12-12 table: (12,578 +    50 − 415,059.5) / (10 × −0.995) ≈ 40,445
//
// and the funding paid from the isolated wallet until 2023-12-18 (16 payments of about 42)
// raises both by about 60. The mark's low of 2023-12-18 is 40,561.4: liquidated under the old
// table (LP ≈ 40,584), not under the one in force (LP ≈ 40,506). A run started 2023-11-20 (when the
// 2023-07-18 table was in force) and one started 2023-12-12 12:00 must give the same result,
// the one of the 2023-12-12 table (before issue 10 the first got the 2023-07-18 table for the
// whole run: 7,212 instead of 41,002); a run pinned to the 2023-07-18 table (a what-if)
// liquidates it, which shows the table matters to this trade.
func TestRealBracketsByDate202312(t *testing.T) {
	dir := filepath.Join(sharedData(t), "binance-um")
	const openAt, closeAt = int64(1702425600000), int64(1704153600000) // 2023-12-13, 2024-01-02 00:00 UTC
	end := closeAt + 24*hr
	load := func(from int64) Source {
		var k, m []Bar
		var f []Funding
		readCSV(t, filepath.Join(dir, "1h", "BTCUSDT_1h.csv.gz"), from, end, func(ms int64, v []float64) {
			k = append(k, Bar{Symbol: "BTCUSDT", Time: ms, End: ms + hr, Open: v[0], High: v[1], Low: v[2], Close: v[3], Volume: v[4]})
		})
		readCSV(t, filepath.Join(dir, "1h", "BTCUSDT_1h_mark.csv.gz"), from, end, func(ms int64, v []float64) {
			m = append(m, Bar{Symbol: "BTCUSDT", Time: ms, End: ms + hr, Open: v[0], High: v[1], Low: v[2], Close: v[3]})
		})
		readCSV(t, filepath.Join(dir, "funding", "BTCUSDT_funding.csv.gz"), from, end, func(ms int64, v []float64) {
			f = append(f, Funding{Symbol: "BTCUSDT", Time: ms, Rate: v[0], IntervalHours: 8})
		})
		if len(k) < 100 || len(m) < 100 {
			t.Fatalf("data too short from %d: %d klines, %d marks", from, len(k), len(m))
		}
		return NewSliceSource([]string{"BTCUSDT"}, Batches(k, m, f))
	}
	trade := func() Strategy {
		return StrategyFunc(func(br *Broker, b Bar) error {
			var err error
			switch b.Time {
			case openAt - hr: // arrives at the open of openAt
				_, err = br.Submit(Order{Symbol: b.Symbol, Side: Buy, Type: Market, Qty: d("10")})
			case closeAt - hr:
				if br.Position(b.Symbol).Qty.IsZero() {
					return nil // liquidated
				}
				_, err = br.Submit(Order{Symbol: b.Symbol, Side: Sell, Type: Market, ClosePosition: true})
			}
			return err
		})
	}
	run := func(from int64, pin time.Time) *Result {
		cfg := Config{Wallet: d("20000"), Leverage: map[string]int{"BTCUSDT": 33}, BracketDate: pin}
		res, err := Run(context.Background(), cfg, trade, load(from))
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	early := run(1700438400000, time.Time{}) // 2023-11-20 00:00
	late := run(1702382400000, time.Time{})  // 2023-12-12 12:00
	pinned := run(1700438400000, time.Date(2023, 7, 18, 0, 0, 0, 0, time.UTC))
	summary := func(a *AccountResult) string {
		s := fmt.Sprintf("equity %s, %d fills, %d liquidations", a.Final.MarginBalance.StringFixed(8), len(a.Fills), len(a.Liquidations))
		for _, l := range a.Liquidations {
			s += fmt.Sprintf(" (at %s, mark %s, %s)", l.Price, l.TriggerMark.StringFixed(2), time.UnixMilli(l.Time).UTC().Format(time.RFC3339))
		}
		return s
	}
	for _, name := range []string{"isolated", "cross"} {
		e, l := acctByName(t, early, name), acctByName(t, late, name)
		t.Logf("%s: started 2023-11-20: %s; started 2023-12-12 12:00: %s", name, summary(e), summary(l))
		if !e.Final.MarginBalance.Equal(l.Final.MarginBalance) || len(e.Liquidations) != len(l.Liquidations) {
			t.Errorf("%s: result depends on the start: %s vs %s", name, summary(e), summary(l))
		}
		checkWallets(t, name, d("20000"), e)
	}
	iso, pin := acctByName(t, early, "isolated"), acctByName(t, pinned, "isolated")
	t.Logf("isolated, pinned to 2023-07-18: %s", summary(pin))
	if len(iso.Liquidations) != 0 || len(pin.Liquidations) != 1 {
		t.Errorf("isolated: %d liquidations with the table in force, %d pinned to 2023-07-18; want 0 and 1", len(iso.Liquidations), len(pin.Liquidations))
	}
	var brackets string
	for _, a := range early.Assumptions {
		if a.Key == "brackets" {
			brackets = a.Value
		}
	}
	if !strings.Contains(brackets, "snapshot 2023-07-18, then snapshot 2023-12-12 from 2023-12-12") {
		t.Errorf("brackets assumption %q does not name the switch", brackets)
	}
}
