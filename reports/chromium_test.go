package reports

import (
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/internal/testenv"
	"github.com/bt-backtest/bt/reports/artifact"
)

// chromium and runChromium are internal/testenv's browser helpers (Chromium, RunChromium).
var (
	chromium    = testenv.Chromium
	runChromium = testenv.RunChromium
)

// TestChromiumReport opens report.html in headless Chromium: every chart must be drawn
// (data-drawn="1"), the #errors element must stay empty and the console must log no error.
// It saves a screenshot into $BT_SCREENSHOT_DIR (or the test's temp dir).
func TestChromiumReport(t *testing.T) {
	bin := chromium(t)
	tmp := t.TempDir()
	parent := t.TempDir()
	out := filepath.Join(tmp, "out")
	r := fixtureRun(t, parent, "fixture")
	if err := Render(out, r); err != nil {
		t.Fatal(err)
	}
	report := "file://" + filepath.Join(out, "report.html")

	// charts are built as they come near the window, the others after the load event
	dom, stderr := runChromium(t, bin, filepath.Join(tmp, "profile1"), "--window-size=1400,30000", "--dump-dom", report)
	for _, p := range domProblems(string(dom), string(stderr), Charts(r)) {
		t.Error(p)
	}

	// Zooming one chart moves the others, a verdict link zooms every chart around its moment,
	// the trade table filters and sorts: a script appended to a copy of the page does both and writes what it saw.
	page0, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	probe := strings.Replace(string(page0), "</body>", `<script>
(function () {
  var out = [];
  function done() { var p = document.createElement('pre'); p.id = 'probe'; p.textContent = out.join(' '); document.body.appendChild(p); }
  window.btDrawAll();
  setTimeout(function () { try {
    var ch = window.btCharts, xs = ch[0].data[0], lo = xs[0], mid = (xs[0] + xs[xs.length - 1]) / 2;
    // the per-account equity panels share one y range, before and after a zoom
    var eq = ch.filter(function (u) { return /^chart-equity-/.test(u.root.parentNode.id); });
    function yoff() { return eq.filter(function (u) { return u.scales.y.min !== eq[0].scales.y.min || u.scales.y.max !== eq[0].scales.y.max; }).length; }
    var yoff0 = yoff();
    ch[1].setScale('x', { min: lo, max: mid });
    setTimeout(function () {
      var off = ch.filter(function (u) { return Math.abs(u.scales.x.min - lo) > 1 || Math.abs(u.scales.x.max - mid) > 1; }).length;
      out.push('charts=' + ch.length, 'zoom-off=' + off);
      out.push('equity-panels=' + eq.length, 'y-off=' + (yoff0 + yoff()));
      var a = document.querySelector('.verdict a[data-zoom]'), t = Number(a.getAttribute('data-zoom'));
      a.click();
      setTimeout(function () {
        var miss = ch.filter(function (u) { return !(u.scales.x.min < t && t < u.scales.x.max && u.scales.x.max - u.scales.x.min < mid - lo); }).length;
        out.push('link-off=' + miss);
        var box = document.querySelector('#trades input.filter');
        var all = document.querySelectorAll('table.trades tbody tr').length;
        box.value = 'liquidated'; box.dispatchEvent(new Event('input'));
        var shown = document.querySelectorAll('table.trades tbody tr').length;
        out.push('trades=' + all, 'filtered=' + shown);
        var pnl = document.querySelectorAll('table.trades thead th')[10];
        pnl.click();
        var first = Number(document.querySelector('table.trades tbody tr').cells[10].getAttribute('data-v')), sorted = true;
        var rows = document.querySelectorAll('table.trades tbody tr');
        rows.forEach(function (r) { if (Number(r.cells[10].getAttribute('data-v')) < first) sorted = false; });
        out.push('sorted=' + sorted);
        // candlesticks: drawn on every price panel, each with its positions' liquidation-price
        // line; a liquidation row's link zooms the symbol's candlestick chart onto it
        var pc = ch.filter(function (u) { return /^chart-price-/.test(u.root.parentNode.id); });
        out.push('candle-charts=' + pc.filter(function (u) { return Number(u.root.parentNode.getAttribute('data-candles')) > 0; }).length + '/' + pc.length);
        var lp = 0;
        pc.forEach(function (u) {
          u.series.forEach(function (s, i) {
            if (/liquidation price/.test(s.label || '') && u.data[i].some(function (v) { return v != null; })) lp++;
          });
        });
        out.push('lp-lines=' + lp);
        var la = document.querySelector('table.liqs a[data-zoom]'), lt = Number(la.getAttribute('data-zoom'));
        var target = document.getElementById(la.getAttribute('href').slice(1)), pu = ch.filter(function (u) { return u.root.parentNode === target; })[0];
        ch[0].setScale('x', { min: xs[0], max: xs[xs.length - 1] });
        la.click();
        setTimeout(function () {
          var span = pu.scales.x.max - pu.scales.x.min, inView = 0;
          out.push('liq-zoom=' + (pu.scales.x.min < lt && lt < pu.scales.x.max && span < (xs[xs.length - 1] - xs[0]) / 4));
          // the liquidation's candle is among the candles drawn after the zoom
          out.push('liq-candles=' + (Number(target.getAttribute('data-candles')) > 0 && Number(target.getAttribute('data-candles')) < pu.data[0].length));
          // a liquidated trade's exit time (its liquidation) in the trades table zooms its
          // symbol's candlestick chart there
          ch[0].setScale('x', { min: xs[0], max: xs[xs.length - 1] });
          var row = document.querySelector('table.trades tbody tr'), ta = row.cells[6].querySelector('a[data-zoom]');
          var tt = Number(ta.getAttribute('data-zoom')), tu = ch.filter(function (u) { return u.root.parentNode.id === ta.getAttribute('href').slice(1); })[0];
          ta.click();
          setTimeout(function () {
            out.push('trade-liq-zoom=' + (row.cells[13].textContent === 'liquidated' && tu.scales.x.min < tt && tt < tu.scales.x.max && tu.scales.x.max - tu.scales.x.min < (xs[xs.length - 1] - xs[0]) / 4));
            done();
          }, 50);
        }, 50);
      }, 50);
    }, 50);
  } catch (e) { out.push('error=' + e); done(); } }, 20);
})();
</script></body>`, 1)
	probeFile := filepath.Join(tmp, "probe.html")
	if err := os.WriteFile(probeFile, []byte(probe), 0o644); err != nil {
		t.Fatal(err)
	}
	dom, _ = runChromium(t, bin, filepath.Join(tmp, "profile4"), "--dump-dom", "file://"+probeFile)
	m := regexp.MustCompile(`<pre id="probe">([^<]*)</pre>`).FindStringSubmatch(string(dom))
	trades, liq := 0, 0
	for _, a := range r.Result.Accounts {
		for _, tr := range a.Trades {
			trades++
			if tr.Liquidated {
				liq++
			}
		}
	}
	if liq == 0 || liq == trades {
		t.Fatalf("the fixture has %d liquidated trades of %d: the filter proves nothing", liq, trades)
	}
	// the fixture's LP lines: BTCUSDT and ETHUSDT positions in both accounts
	if want := fmt.Sprintf("charts=%d zoom-off=0 equity-panels=2 y-off=0 link-off=0 trades=%d filtered=%d sorted=true candle-charts=2/2 lp-lines=4 liq-zoom=true liq-candles=true trade-liq-zoom=true",
		len(Charts(r)), trades, liq); m == nil || m[1] != want {
		t.Errorf("linked zoom: the probe saw %q, want %q", m, want)
	}

	// The checks catch a broken page: a script error and a chart that never draws.
	page, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(page), `<div class="plot" id="chart-drawdown-isolated"`, `<div class="plot" id="chart-renamed"`, 1)
	broken = strings.Replace(broken, "</body>", `<script>undefinedFunctionOfTheTest();</script></body>`, 1)
	bad := filepath.Join(tmp, "broken.html")
	if err := os.WriteFile(bad, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	dom, stderr = runChromium(t, bin, filepath.Join(tmp, "profile3"), "--window-size=1400,30000", "--dump-dom", "file://"+bad)
	probs := strings.Join(domProblems(string(dom), string(stderr), Charts(r)), "\n")
	if !strings.Contains(probs, "undefinedFunctionOfTheTest") || !strings.Contains(probs, "chart drawdown-isolated") {
		t.Errorf("the checks missed the broken page's faults; they found:\n%s", probs)
	}

	shotDir := os.Getenv("BT_SCREENSHOT_DIR")
	if shotDir == "" {
		shotDir = tmp
	}
	if err := os.MkdirAll(shotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(shotDir, "report.png")
	runChromium(t, bin, filepath.Join(tmp, "profile2"), "--screenshot="+shot, "--window-size=1400,2400", "--hide-scrollbars", report)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	if b.Dx() != 1400 || b.Dy() != 2400 {
		t.Errorf("screenshot %dx%d, want 1400x2400", b.Dx(), b.Dy())
	}
	// non-trivial: many distinct colours (text, lines, heatmap), not a blank page
	colours := map[uint32]bool{}
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[r>>11<<10|g>>11<<5|bl>>11] = true
		}
	}
	if len(colours) < 50 {
		t.Errorf("screenshot looks blank: %d distinct colours", len(colours))
	}
	t.Logf("screenshot: %s (%d colours)", shot, len(colours))
}

// domProblems lists what is wrong with a dumped report DOM: a chart container missing or not
// drawn, text in #errors, console errors on stderr.
func domProblems(html, stderr string, panels []Panel) []string {
	var out []string
	for _, p := range panels {
		re := regexp.MustCompile(`<div[^>]*id="chart-` + regexp.QuoteMeta(p.ID) + `"[^>]*>`)
		tag := re.FindString(html)
		switch {
		case tag == "":
			out = append(out, "chart "+p.ID+": container missing from the DOM")
		case !strings.Contains(tag, `data-drawn="1"`):
			out = append(out, "chart "+p.ID+" not drawn: "+tag)
		}
	}
	if n := strings.Count(html, "<canvas"); n < len(panels) {
		out = append(out, fmt.Sprintf("%d canvases, want %d", n, len(panels)))
	}
	if m := regexp.MustCompile(`(?s)<pre id="errors"[^>]*>(.*?)</pre>`).FindStringSubmatch(html); m == nil {
		out = append(out, "no #errors element in the DOM")
	} else if strings.TrimSpace(m[1]) != "" {
		out = append(out, "JavaScript errors: "+m[1])
	}
	for _, line := range strings.Split(stderr, "\n") {
		if strings.Contains(line, "CONSOLE") && (strings.Contains(line, "Uncaught") || strings.Contains(line, "ERROR")) {
			out = append(out, "console: "+line)
		}
	}
	return out
}

// TestChromiumComparison opens the page of bt report A B (and A B C) in headless Chromium: no
// console error, every chart of every run drawn, and zooming one chart moves all of them.
func TestChromiumComparison(t *testing.T) {
	bin := chromium(t)
	tmp, parent := t.TempDir(), t.TempDir()
	runs := []*artifact.Run{fixtureRun(t, parent, "runA"), fixtureRun(t, parent, "runB"), fixtureRun(t, parent, "runC")}
	runs[1].Manifest.Strategy = "other"
	for _, n := range []int{2, 3} {
		out := filepath.Join(tmp, fmt.Sprint("cmp", n))
		if err := Render(out, runs[:n]...); err != nil {
			t.Fatal(err)
		}
		page, err := os.ReadFile(filepath.Join(out, "report.html"))
		if err != nil {
			t.Fatal(err)
		}
		probe := strings.Replace(string(page), "</body>", `<script>
window.addEventListener('load', function () {
  // scroll to the first chart (built as it comes into view), zoom it, then build the rest:
  // they take the zoom
  document.querySelector('.plot').scrollIntoView();
  setTimeout(function () {
  var built = window.btCharts.length, xs = window.btCharts[0].data[0], lo = xs[0], mid = (xs[0] + xs[xs.length - 1]) / 2;
  window.btCharts[0].setScale('x', { min: lo, max: mid });
  window.btDrawAll();
  setTimeout(function () {
    var ch = window.btCharts;
    var off = ch.filter(function (u) { return Math.abs(u.scales.x.min - lo) > 1 || Math.abs(u.scales.x.max - mid) > 1; }).length;
    var p = document.createElement('pre'); p.id = 'probe'; p.textContent = 'built=' + (built > 0) + ' charts=' + ch.length + ' zoom-off=' + off; document.body.appendChild(p);
  }, 50);
  }, 100);
});
</script></body>`, 1)
		file := filepath.Join(out, "probe.html")
		if err := os.WriteFile(file, []byte(probe), 0o644); err != nil {
			t.Fatal(err)
		}
		dom, stderr := runChromium(t, bin, filepath.Join(tmp, fmt.Sprint("profile", n)), "--dump-dom", "file://"+file)
		panels := Charts(runs[:n]...)
		for _, p := range domProblems(string(dom), string(stderr), panels) {
			t.Errorf("%d runs: %s", n, p)
		}
		m := regexp.MustCompile(`<pre id="probe">([^<]*)</pre>`).FindStringSubmatch(string(dom))
		if want := fmt.Sprintf("built=true charts=%d zoom-off=0", len(panels)); m == nil || m[1] != want {
			t.Errorf("%d runs: the probe saw %q, want %q", n, m, want)
		}
		if !strings.Contains(string(dom), "bt report: runA vs runB") {
			t.Errorf("%d runs: no comparison title", n)
		}
	}
}
