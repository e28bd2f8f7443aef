package reports

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/bt-backtest/bt/reports/artifact"
	"github.com/shopspring/decimal"
)

// yearRun builds, in memory, a run at the scale of the bench dataset (make bench-data: 12
// symbols, a year of 1m bars) as the report receives it: per symbol the 4,106 price bars of
// 128 minutes that bt run's price recorder keeps of 525,600 one-minute bars, per account
// 11,000 trades with their fills and liquidation-price points, 30 isolated liquidations and
// the 24,000 equity points the streamed curve's sampler keeps at most.
func yearRun() *artifact.Run {
	rng := rand.New(rand.NewPCG(1, 2))
	const start = int64(1735689600000) // 2025-01-01
	const bar = int64(128 * 60_000)
	const nBars, nTrades, nEq = 4106, 11000, 24000
	syms := []string{"ADAUSDT", "BCHUSDT", "BNBUSDT", "BTCUSDT", "DOGEUSDT", "ETHUSDT", "HYPEUSDT", "LINKUSDT", "SOLUSDT", "TRXUSDT", "XRPUSDT", "ZECUSDT"}
	prices := map[string][]backtest.Bar{}
	for si, s := range syms {
		p := 10 * float64(si+1)
		for i := 0; i < nBars; i++ {
			o := p
			p *= 1 + 0.01*rng.NormFloat64()
			t := start + int64(i)*bar
			prices[s] = append(prices[s], backtest.Bar{Symbol: s, ID: si, Time: t, End: t + bar, Open: o, Close: p,
				High: math.Max(o, p) * (1 + 0.004*rng.Float64()), Low: math.Min(o, p) * (1 - 0.004*rng.Float64())})
		}
	}
	span := int64(nBars) * bar
	res := &backtest.Result{Start: start, End: start + span, Symbols: syms}
	for _, mode := range []margin.Mode{margin.Isolated, margin.Cross} {
		a := backtest.AccountResult{Name: mode.String(), Modes: map[string]margin.Mode{}}
		for _, s := range syms {
			a.Modes[s] = mode
		}
		eq := 10000.0
		for i := 0; i < nEq; i++ {
			eq *= 1 + 0.002*rng.NormFloat64()
			a.Equity = append(a.Equity, backtest.EquityPoint{Time: start + int64(i)*span/nEq, Equity: eq, Wallet: eq, MarginBalance: eq,
				MarginRatio: 0.05 + 0.04*rng.Float64(), PeakMarginRatio: 0.1})
		}
		for k := 0; k < nTrades; k++ {
			s := syms[k%len(syms)]
			bi := (k / len(syms)) * nBars / (nTrades/len(syms) + 1)
			b := prices[s][bi]
			entry, exit := b.Time+60_000*int64(rng.IntN(60)), b.Time+bar+60_000*int64(rng.IntN(60))
			px := decimal.NewFromFloat(b.Close).Round(4)
			xp := decimal.NewFromFloat(prices[s][bi+1].Close).Round(4)
			qty := decimal.NewFromInt(int64(100 + rng.IntN(900)))
			liq := mode == margin.Isolated && k%367 == 5
			tr := backtest.Trade{Symbol: s, Mode: mode, Side: backtest.Buy, EntryTime: entry, ExitTime: exit, Qty: qty, EntryPrice: px, ExitPrice: xp,
				PnL: xp.Sub(px).Mul(qty), Fees: decimal.RequireFromString("0.12"), Leverage: 10, Liquidated: liq}
			a.Trades = append(a.Trades, tr)
			a.Fills = append(a.Fills, backtest.FillRecord{Time: entry, Symbol: s, Side: backtest.Buy, Qty: qty, Price: px},
				backtest.FillRecord{Time: exit, Symbol: s, Side: backtest.Sell, Qty: qty, Price: xp, Liquidation: liq})
			e, q := px.InexactFloat64(), qty.InexactFloat64()
			lp := e * 0.904
			a.LiqPrices = append(a.LiqPrices,
				backtest.LiqPricePoint{Time: entry, Symbol: s, Isolated: mode == margin.Isolated, Qty: q, Entry: e, LiqPrice: lp, Wallet: q * e / 10, Mark: e, MaintMargin: 0.004 * q * e},
				backtest.LiqPricePoint{Time: exit, Symbol: s, Isolated: mode == margin.Isolated})
			if liq {
				l := decimal.NewFromFloat(lp).Round(4)
				a.Liquidations = append(a.Liquidations, margin.Liquidation{Time: exit, Symbol: s, Mode: mode, Qty: qty, Entry: px, TriggerMark: l,
					Price: l, Bankruptcy: l, MarginLost: px.Sub(l).Mul(qty), Fee: decimal.RequireFromString("1.5"), Cascade: 1})
			}
		}
		res.Accounts = append(res.Accounts, a)
	}
	return &artifact.Run{Dir: "year", Manifest: artifact.Manifest{Version: "test", Strategy: "synthetic", Symbols: syms, Start: res.Start, End: res.End},
		Result: res, Prices: prices}
}

// MaxReportBytes is the size a report of a year of 1m bars on 12 symbols must stay under
// (issue 16: under 5 MB).
const MaxReportBytes = 5 << 20

// TestReportSizeYear: the report of a run at the bench dataset's scale stays under 5 MB, its
// bytes are the same when rendered twice, and (with Chromium) it opens without error; the load
// time is logged (the issue asks for under 2 s; on a loaded shared machine it is not asserted
// below 10 s, see the report's commit for the measurement on the bench run).
func TestReportSizeYear(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a year-scale run")
	}
	r := yearRun()
	var a, b bytes.Buffer
	if err := WriteHTML(&a, r); err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two renderings of the same run differ")
	}
	size := a.Len()
	t.Logf("report.html of a year-scale run: %.2f MB (data block %.2f MB)", float64(size)/1e6, float64(len(dataBlock(t, a.Bytes())))/1e6)
	if size >= MaxReportBytes {
		t.Errorf("report.html is %d bytes, want under %d", size, MaxReportBytes)
	}
	// every candle chart and its markers made it in
	if n := strings.Count(a.String(), `"id":"price-`); n != 12 {
		t.Errorf("%d price panels, want 12", n)
	}

	bin := chromium(t) // skips here without Chromium (fails under CI=true): the size is checked
	tmp := t.TempDir()
	page := strings.Replace(a.String(), "</body>", `<script>window.addEventListener('load', function () {
  var p = document.createElement('pre'); p.id = 'perf';
  p.textContent = 'load=' + performance.now().toFixed(0) + ' charts=' + document.body.getAttribute('data-charts');
  document.body.appendChild(p);
});</script></body>`, 1)
	file := filepath.Join(tmp, "year.html")
	if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	dom, stderr := runChromium(t, bin, filepath.Join(tmp, "profile"), "--window-size=1400,900", "--dump-dom", "file://"+file)
	for _, p := range domProblems(string(dom), string(stderr), nil) {
		t.Error(p)
	}
	m := regexp.MustCompile(`<pre id="perf">load=(\d+) charts=(\d+)</pre>`).FindStringSubmatch(string(dom))
	if m == nil {
		t.Fatalf("no load time in the page")
	}
	ms, _ := strconv.Atoi(m[1])
	t.Logf("load event after %d ms in headless Chromium (%s charts, built as they come into view)", ms, m[2])
	if ms > 10_000 {
		t.Errorf("the page took %d ms to load", ms)
	}
}
