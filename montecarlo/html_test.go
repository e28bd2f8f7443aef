package montecarlo

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/internal/testenv"
)

// The Monte Carlo page states the hand result's numbers, embeds its histograms, loads nothing
// from the network and is the same bytes for the same result.
//
// handResult: 4 paths; isolated liquidated on 1 (25 %), ruined on none; cross liquidated on 1,
// ruined on 1 (25 %). Final equities isolated {1000, 900, 1100, 0}, cross {1000, 800, 1100, 0}:
// medians by the package's quantile rule, printed with two decimals.
func TestHTMLPage(t *testing.T) {
	r := handResult()
	page, err := r.HTML("experiments/hodl.yaml")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := handResult().HTML("experiments/hodl.yaml")
	if !bytes.Equal(page, again) {
		t.Error("same result, different page bytes")
	}
	html := string(page)
	for _, want := range []string{
		"<title>bt mc experiments/hodl.yaml</title>",
		"4 block-bootstrap paths",
		"mean block 24 bars, seed 3",
		fmt.Sprintf("isolated: at least one liquidation on 1 of 4 paths (%s), ruined on 0 (%s)", prob(r.Accounts[0].PLiquidation), prob(r.Accounts[0].PRuin)),
		fmt.Sprintf("cross: at least one liquidation on 1 of 4 paths (%s), ruined on 1 (%s)", prob(r.Accounts[1].PLiquidation), prob(r.Accounts[1].PRuin)),
		"Cross and isolated were liquidated on the same share of the paths",
		"median final equity is " + money(r.Accounts[0].FinalEquity.P50-r.Accounts[1].FinalEquity.P50) + " USDT below isolated&#39;s",
		"95% intervals overlap",
		"<td>" + money(r.Accounts[1].FinalEquity.P05) + "</td>",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if prob(Probability{0.25, 0.0456, 0.6994}) != "25.0 % [4.6, 69.9]" {
		t.Errorf("prob formats %q", prob(Probability{0.25, 0.0456, 0.6994}))
	}
	if n := strings.Count(html, "<tr><td>"); n != 2 {
		t.Errorf("%d account rows, want 2", n)
	}
	png, _ := r.HistogramPNG()
	if !strings.Contains(html, "data:image/png;base64,") || len(html) < len(png) {
		t.Error("the histograms are not embedded")
	}
	if regexp.MustCompile(`(src|href)="(https?:)?//`).MatchString(html) {
		t.Error("the page loads something from the network")
	}
	if _, err := (&Result{}).HTML("x"); err == nil {
		t.Error("a result without accounts made a page")
	}
}

// TestChromiumMCPage opens the page in headless Chromium: no console error and the histogram
// image decodes; a page with a broken image fails the check.
func TestChromiumMCPage(t *testing.T) {
	bin := testenv.Chromium(t)
	page, err := handResult().HTML("hand")
	if err != nil {
		t.Fatal(err)
	}
	probe := `<script>window.addEventListener('load', function () {
  var i = document.querySelector('figure img'), p = document.createElement('pre');
  p.id = 'probe'; p.textContent = 'decoded=' + (i.complete && i.naturalWidth > 0); document.body.appendChild(p);
});</script></body>`
	check := func(name, html string) string {
		f := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(f, []byte(strings.Replace(html, "</body>", probe, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		dom, stderr := testenv.RunChromium(t, bin, filepath.Join(t.TempDir(), "profile"), "--dump-dom", "file://"+f)
		if errs := testenv.ConsoleErrors(stderr); len(errs) > 0 {
			return "console: " + strings.Join(errs, "; ")
		}
		got, _ := testenv.Probe(dom)
		return got
	}
	if got := check("mc.html", string(page)); got != "decoded=true" {
		t.Errorf("mc.html in Chromium: %q, want decoded=true", got)
	}
	broken := strings.Replace(string(page), "data:image/png;base64,", "data:image/png;base64,AAAA", 1)
	if got := check("broken.html", broken); got == "decoded=true" {
		t.Error("a broken histogram passed the check")
	}
}
