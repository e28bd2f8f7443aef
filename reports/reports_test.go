package reports

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/reports/artifact"
	"github.com/bt-backtest/bt/reports/internal/fixture"
	"github.com/bt-backtest/bt/reports/metrics"
	"github.com/shopspring/decimal"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixtureRun writes the fixture run (with prices) under parent/name and reads it back.
func fixtureRun(t testing.TB, parent, name string) *artifact.Run {
	t.Helper()
	dir := filepath.Join(parent, name)
	if err := artifact.Write(dir, fixture.Result(), artifact.Manifest{Version: "test", Seed: 7, Strategy: "fixture",
		Params: map[string]string{"leverage": "10"}}); err != nil {
		t.Fatal(err)
	}
	if err := artifact.WritePrices(dir, fixture.Prices()); err != nil {
		t.Fatal(err)
	}
	r, err := artifact.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		g, w := string(got), string(want)
		i := 0
		for i < len(g) && i < len(w) && g[i] == w[i] {
			i++
		}
		lo := max(0, i-120)
		t.Errorf("%s differs at byte %d (go test -update rewrites it):\n got …%.300s\nwant …%.300s", path, i, g[lo:], w[lo:])
	}
}

func TestChartsGolden(t *testing.T) {
	r := fixtureRun(t, t.TempDir(), "run")
	b, err := json.MarshalIndent(Charts(r), "", " ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "charts.golden.json", append(b, '\n'))
}

// dataBlock extracts the JSON data block of a report.
func dataBlock(t *testing.T, html []byte) []byte {
	t.Helper()
	m := regexp.MustCompile(`(?s)<script type="application/json" id="bt-data">(.*?)</script>`).FindSubmatch(html)
	if m == nil {
		t.Fatal("no data block in the report")
	}
	return m[1]
}

func TestHTMLDataGolden(t *testing.T) {
	parent := t.TempDir()
	var buf bytes.Buffer
	if err := WriteHTML(&buf, fixtureRun(t, parent, "run")); err != nil {
		t.Fatal(err)
	}
	block := dataBlock(t, buf.Bytes())
	var d Data
	if err := json.Unmarshal(block, &d); err != nil {
		t.Fatalf("data block is not JSON: %v", err)
	}
	var ind bytes.Buffer
	json.Indent(&ind, block, "", " ")
	golden(t, "report_data.golden.json", append(ind.Bytes(), '\n'))
}

func TestHTMLContent(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHTML(&buf, fixtureRun(t, t.TempDir(), "run")); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{
		"metrics on daily UTC returns, 365-day annualization, risk-free rate 0",
		"<th>isolated</th><th>cross</th><th>Δ cross − isolated</th>",
		`id="chart-equity"`, `id="chart-margin"`, `id="chart-drawdown"`, `id="chart-price-BTCUSDT"`, `id="chart-price-ETHUSDT"`,
		"liquidation_price_source", "Monthly returns", "Near misses",
		`<td class="neg">cross killed it</td>`,                         // the fixture's ETH long, liquidated only in cross
		"Every liquidation and the same position under the other mode", // each liquidation linked to its pair
		`<td style="background: #`,                                     // heatmap colours survive html/template's CSS filter
	} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// offline: nothing is fetched
	for _, bad := range []string{`src="http`, `href="http`, "@import", "url(http", "fonts.googleapis", `<link rel="stylesheet"`, "<script src="} {
		if strings.Contains(html, bad) {
			t.Errorf("report refers to an external resource: %q", bad)
		}
	}
	if strings.Contains(html, "ZgotmplZ") {
		t.Error("html/template rejected a value (ZgotmplZ)")
	}
}

// TestHTMLRejectionsAndFallbacks: the report lists the fallbacks, and per account the
// rejections counted by reason and the first ones with their orders; a run without says so.
func TestHTMLRejectionsAndFallbacks(t *testing.T) {
	res := fixture.Result()
	res.Fallbacks = []backtest.Fallback{{Kind: backtest.FallbackMark, Symbol: "ETHUSDT", Count: 3, Detail: "ETHUSDT: no mark-price bar on 3 of 30 bars (10.0%)"}}
	for i := 0; i < maxRejects; i++ { // 3 + 25 rejections in isolated: the table shows the first 25
		res.Accounts[0].Rejects = append(res.Accounts[0].Rejects, backtest.Reject{Time: fixture.Start, Symbol: "BTCUSDT", Action: "order",
			Code: "min_notional", Reason: "margin: notional below minimum", Side: backtest.Sell, Type: backtest.Limit, Qty: decimal.RequireFromString("0.001")})
	}
	var buf bytes.Buffer
	if err := WriteHTML(&buf, &artifact.Run{Dir: "runs/x", Result: res}); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{
		"<h2>Rejected orders and fallbacks</h2>",
		"<th><code>mark_from_last</code></th><td>ETHUSDT</td><td>3</td><td>ETHUSDT: no mark-price bar on 3 of 30 bars (10.0%)</td>",
		"<h3>isolated: 28 rejected</h3>",
		"<tr><th>notional below the symbol&#39;s minimum</th><td><code>min_notional</code></td><td>order</td><td>25</td>",
		"<td>ETHUSDT</td><td>order</td><td>buy</td><td>market</td><td>1000</td><td>2500.5</td><td>insufficient margin</td><td>replay row 4</td>",
		"<td>BTCUSDT</td><td>leverage</td><td></td><td></td><td></td><td></td><td>leverage above the bracket maximum</td>",
		"The first 25 of 28; all of them are in <code>isolated/rejects.csv</code>.",
		"All of them are in <code>cross/rejects.csv</code>.",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	res = fixture.Result()
	for i := range res.Accounts {
		res.Accounts[i].Rejects = nil
	}
	buf.Reset()
	if err := WriteHTML(&buf, &artifact.Run{Dir: "runs/x", Result: res}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"No fallback:", "No order or account action was refused."} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("report without rejections lacks %q", want)
		}
	}
}

func TestHTMLComparison(t *testing.T) {
	parent := t.TempDir()
	a, b := fixtureRun(t, parent, "runA"), fixtureRun(t, parent, "runB")
	var buf bytes.Buffer
	if err := WriteHTML(&buf, a, b); err != nil {
		t.Fatal(err)
	}
	var d Data
	if err := json.Unmarshal(dataBlock(t, buf.Bytes()), &d); err != nil {
		t.Fatal(err)
	}
	// one equity panel per account of each run, each with its own line and liquidations
	var panels []string
	for _, p := range d.Panels {
		if !strings.HasPrefix(p.ID, "equity-") {
			continue
		}
		var labels []string
		for _, s := range p.Series {
			labels = append(labels, s.Label)
		}
		panels = append(panels, p.ID+": "+strings.Join(labels, ","))
	}
	got := strings.Join(panels, "; ")
	want := "equity-runA-isolated: runA/isolated,runA/isolated liquidation; equity-runA-cross: runA/cross,runA/cross liquidation; " +
		"equity-runB-isolated: runB/isolated,runB/isolated liquidation; equity-runB-cross: runB/cross,runB/cross liquidation"
	if got != want {
		t.Errorf("equity panels:\n got %s\nwant %s", got, want)
	}
	if !strings.Contains(buf.String(), "runB/Δ cross − isolated") {
		t.Error("comparison lacks the second run's delta column")
	}
	// two runs with one directory name stay apart
	buf.Reset()
	if err := WriteHTML(&buf, a, fixtureRun(t, filepath.Join(parent, "other"), "runA")); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "runA#2/cross") {
		t.Error("runs sharing a name are not told apart")
	}
	if err := WriteHTML(&buf); err == nil {
		t.Error("WriteHTML without runs must fail")
	}
}

func TestRenderPNG(t *testing.T) {
	r := fixtureRun(t, t.TempDir(), "run")
	out := t.TempDir()
	if err := Render(out, r); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"report.html", "equity-isolated.png", "equity-cross.png", "drawdown-isolated.png", "drawdown-cross.png", "margin-isolated.png", "margin-cross.png", "price-BTCUSDT.png", "price-ETHUSDT.png"} {
		f, err := os.Open(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, ".png") {
			img, err := png.Decode(f)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if b := img.Bounds(); b.Dx() != PNGWidth || b.Dy() != PNGHeight {
				t.Errorf("%s is %dx%d, want %dx%d", name, b.Dx(), b.Dy(), PNGWidth, PNGHeight)
			}
		}
		f.Close()
	}
}

func TestAssetChecksums(t *testing.T) {
	sums, err := assets.ReadFile("assets/uplot/SHA256SUMS")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			t.Fatalf("bad SHA256SUMS line %q", line)
		}
		b, err := assets.ReadFile("assets/uplot/" + f[1])
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != f[0] {
			t.Errorf("%s: sha256 %s, recorded %s", f[1], got, f[0])
		}
		n++
	}
	if n != 3 {
		t.Errorf("%d checksums, want 3 (js, css, licence)", n)
	}
}

func TestDownsampleKeepsExtremes(t *testing.T) {
	// a year of 1-minute points: a slow sine, noise from a fixed LCG, one spike and one crash
	const n = 525_600
	a, b := make([]float64, n), make([]float64, n)
	x := uint64(1)
	for i := range a {
		x = x*6364136223846793005 + 1442695040888963407
		a[i] = 1000 + 100*math.Sin(float64(i)/5000) + float64(x>>40)/float64(1<<24)
		b[i] = -a[i]
	}
	a[123_457], b[400_001] = 5000, -9000
	b[7] = math.NaN()
	idx := Downsample(1000, a, b)
	if len(idx) > 4*1000+2 {
		t.Errorf("%d points kept, want at most %d", len(idx), 4*1000+2)
	}
	has := map[int]bool{}
	for k, i := range idx {
		has[i] = true
		if k > 0 && idx[k-1] >= i {
			t.Fatal("indices not strictly increasing")
		}
	}
	for _, want := range []int{0, n - 1, 123_457, 400_001} {
		if !has[want] {
			t.Errorf("index %d (an extreme or an end) dropped", want)
		}
	}
	// every bucket's min and max of a survive
	for bk := 0; bk < 1000; bk++ {
		lo, hi := bk*n/1000, (bk+1)*n/1000
		imax := lo
		for i := lo; i < hi; i++ {
			if a[i] > a[imax] {
				imax = i
			}
		}
		if !has[imax] {
			t.Fatalf("bucket %d: max at %d dropped", bk, imax)
		}
	}
	if got := Downsample(10, []float64{1, 2, 3}); len(got) != 3 {
		t.Errorf("short series must be kept whole: %v", got)
	}
}

func TestValuesJSON(t *testing.T) {
	b, _ := json.Marshal(Values{1.5, math.NaN(), -2e-9, math.Inf(1)})
	if string(b) != "[1.5,null,-2e-09,null]" {
		t.Errorf("%s", b)
	}
}

func TestChartsWithoutPrices(t *testing.T) {
	// without prices/*.csv the price line runs through the fill prices
	res := fixture.Result()
	r := &artifact.Run{Dir: "x", Result: res}
	for _, p := range Charts(r) {
		if p.ID == "price-BTCUSDT" && p.Series[0].Label != "BTCUSDT (fill prices)" {
			t.Errorf("price line: %s", p.Series[0].Label)
		}
	}
	// an empty account draws empty panels without failing
	empty := &artifact.Run{Dir: "e", Result: &backtest.Result{Accounts: []backtest.AccountResult{{Name: "isolated"}}}}
	var buf bytes.Buffer
	if err := WriteHTML(&buf, empty); err != nil {
		t.Fatal(err)
	}
	for _, p := range Charts(empty) {
		if err := WritePNG(&buf, p); err != nil {
			t.Errorf("%s: %v", p.ID, err)
		}
	}
}

func BenchmarkCharts(b *testing.B) {
	// one account, a year of 1-minute equity points
	const n = 525_600
	a := backtest.AccountResult{Name: "cross", Equity: make([]backtest.EquityPoint, n)}
	for i := range a.Equity {
		a.Equity[i] = backtest.EquityPoint{Time: int64(i) * 60_000, Equity: 1e4 + 100*math.Sin(float64(i)/700), MarginRatio: 0.3}
	}
	r := &artifact.Run{Dir: "bench", Result: &backtest.Result{Accounts: []backtest.AccountResult{a}}}
	b.ReportAllocs()
	for b.Loop() {
		Charts(r)
	}
}

func TestFormatMetric(t *testing.T) {
	for _, c := range []struct {
		m           metrics.Metric
		delta       bool
		text, class string
	}{
		{metrics.Metric{Value: 12345.678, OK: true, Kind: "money", Better: 1}, false, "12,345.68", ""},
		{metrics.Metric{Value: -1234567.5, OK: true, Kind: "money", Better: 1}, true, "−1,234,567.50", "neg"},
		{metrics.Metric{Value: 0.1234, OK: true, Kind: "pct", Better: -1}, true, "+12.34 pp", "neg"}, // more drawdown is worse
		{metrics.Metric{Value: -0.5, OK: true, Kind: "pct", Better: -1}, true, "−50.00 pp", "pos"},
		{metrics.Metric{Value: 3, OK: true, Kind: "count"}, true, "+3", ""},
		{metrics.Metric{Value: 1, OK: true, Kind: "bool", Better: -1}, false, "yes", ""},
		{metrics.Metric{Value: 2.25, OK: true, Kind: "hours"}, false, "2.2 h", ""},
		{metrics.Metric{Value: math.MaxFloat64, OK: true, Kind: "ratio", Better: -1}, false, "∞", ""},
		{metrics.Metric{Value: 0.25, OK: false, Kind: "ratio"}, false, "—", "na"},
	} {
		got := formatMetric(c.m, c.delta)
		if got.Text != c.text || got.Class != c.class {
			t.Errorf("%+v delta=%v: got %q %q, want %q %q", c.m, c.delta, got.Text, got.Class, c.text, c.class)
		}
	}
}

func TestUTCTicks(t *testing.T) {
	labels := func(lo, hi string) string {
		a, _ := artifact.ParseTime(lo)
		b, _ := artifact.ParseTime(hi)
		var out []string
		for _, tk := range (utcTicks{}).Ticks(float64(a/1000), float64(b/1000)) {
			out = append(out, tk.Label)
		}
		return strings.Join(out, " ")
	}
	for _, c := range []struct{ lo, hi, want string }{
		{"2025-10-10T20:10:00Z", "2025-10-10T23:59:00Z", "10-10 21:00 10-10 22:00 10-10 23:00"},
		{"2025-10-08T00:00:00Z", "2025-10-12T00:00:00Z", "10-08 00:00 10-08 12:00 10-09 00:00 10-09 12:00 10-10 00:00 10-10 12:00 10-11 00:00 10-11 12:00 10-12 00:00"},
		{"2025-05-02T00:00:00Z", "2026-02-20T00:00:00Z", "2025-06-01 2025-07-01 2025-08-01 2025-09-01 2025-10-01 2025-11-01 2025-12-01 2026-01-01 2026-02-01"},
		{"2020-01-15T00:00:00Z", "2025-01-01T00:00:00Z", "2020-07-01 2021-01-01 2021-07-01 2022-01-01 2022-07-01 2023-01-01 2023-07-01 2024-01-01 2024-07-01 2025-01-01"},
	} {
		if got := labels(c.lo, c.hi); got != c.want {
			t.Errorf("%s..%s:\n got %s\nwant %s", c.lo, c.hi, got, c.want)
		}
	}
}
