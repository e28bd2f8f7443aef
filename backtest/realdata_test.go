package backtest

import (
	"bufio"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

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
