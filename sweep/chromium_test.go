package sweep

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/internal/testenv"
)

// TestChromiumSweepHTML opens sweep.html in headless Chromium: no console errors, every
// heatmap image decodes (naturalWidth > 0), and clicking a numeric column's name sorts the
// table by it, ascending then descending. A page with a script error and a broken image must
// fail the same checks (the test proves it can fail).
func TestChromiumSweepHTML(t *testing.T) {
	bin := testenv.Chromium(t)
	o, _, maps, page := renderGridHTML(t)
	col := slices.IndexFunc(o.Results.Columns, func(c Column) bool { return c.Name == "final_equity" })
	if col < 0 {
		t.Fatalf("no final_equity column in %v", o.Results.Columns)
	}
	probe := fmt.Sprintf(`<script>
(function () {
  var out = [];
  function done() { var p = document.createElement('pre'); p.id = 'probe'; p.textContent = out.join(' '); document.body.appendChild(p); }
  window.addEventListener('load', function () {
    try {
      var imgs = document.querySelectorAll('figure img'), ok = 0;
      imgs.forEach(function (i) { if (i.complete && i.naturalWidth > 0) ok++; });
      out.push('images=' + imgs.length, 'decoded=' + ok);
      var t = document.getElementById('results'), th = t.tHead.rows[0].cells[%[1]d];
      function order() {
        var v = Array.prototype.map.call(t.tBodies[0].rows, function (r) { return parseFloat(r.cells[%[1]d].getAttribute('data-v')); });
        var up = true, down = true;
        for (var k = 1; k < v.length; k++) { if (v[k] < v[k - 1]) up = false; if (v[k] > v[k - 1]) down = false; }
        return (up ? 'up' : '') + (down ? 'down' : '') || 'none';
      }
      th.click(); out.push('first=' + order());
      th.click(); out.push('second=' + order());
      out.push('rows=' + t.tBodies[0].rows.length);
    } catch (e) { out.push('error=' + e); }
    done();
  });
})();
</script></body>`, col)
	check := func(name, html string) (string, []string) {
		t.Helper()
		f := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(f, []byte(strings.Replace(html, "</body>", probe, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		dom, stderr := testenv.RunChromium(t, bin, filepath.Join(t.TempDir(), "profile"), "--dump-dom", "file://"+f)
		got, ok := testenv.Probe(dom)
		if !ok {
			t.Fatalf("%s: the probe wrote nothing; console:\n%s", name, strings.Join(testenv.ConsoleErrors(stderr), "\n"))
		}
		return got, testenv.ConsoleErrors(stderr)
	}
	rows := len(o.Results.Rows)
	if rows < 4 {
		t.Fatalf("%d rows: too few to show a sort", rows)
	}
	want := fmt.Sprintf("images=%d decoded=%d first=up second=down rows=%d", len(maps), len(maps), rows)
	got, errs := check("sweep.html", string(page))
	if got != want || len(errs) > 0 {
		t.Errorf("sweep.html in Chromium: probe %q, want %q; console errors: %v", got, want, errs)
	}

	// a broken page: an image that does not decode and a script error are both seen
	broken := strings.Replace(string(page), `src="data:image/png;base64,`, `src="data:image/png;base64,AAAA`, 1)
	broken = strings.Replace(broken, "</body>", "<script>undefinedFunctionOfTheTest();</script></body>", 1)
	got, errs = check("broken.html", broken)
	if got == want || !strings.Contains(strings.Join(errs, "\n"), "undefinedFunctionOfTheTest") {
		t.Errorf("the checks missed the broken page's faults: probe %q, console %v", got, errs)
	}
}
