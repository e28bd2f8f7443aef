package sweep

import (
	"bytes"
	"encoding/base64"
	stdhtml "html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// renderGridHTML runs the grid223 sweep and writes its sweep.html with the default heatmaps.
func renderGridHTML(t *testing.T) (o *Output, dir string, maps []HeatmapSpec, page []byte) {
	t.Helper()
	s := mustParse(t, grid223)
	dir = filepath.Join(t.TempDir(), "s")
	runShard(t, s, All, dir)
	o = readAll(t, dir)[0]
	maps = o.DefaultHeatmaps()
	path, err := o.WriteHTML(dir, maps)
	if err != nil {
		t.Fatal(err)
	}
	if page, err = os.ReadFile(path); err != nil {
		t.Fatal(err)
	}
	return o, dir, maps, page
}

func TestHTML(t *testing.T) {
	o, dir, maps, page := renderGridHTML(t)
	if len(maps) != len(DefaultHTMLMetrics) || maps[0].X != "strategy.params.fast" || maps[0].Y != "strategy.params.slow" {
		t.Fatalf("default heatmaps %+v", maps)
	}
	// a second render, from the table read again, gives the same bytes
	again, err := readAll(t, dir)[0].HTML(maps)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(page, again) {
		t.Fatal("sweep.html differs between two renders of the same table")
	}
	html := string(page)
	// every metric's figure, each image a PNG whose panels are the accounts and the difference
	imgs := regexp.MustCompile(`src="data:image/png;base64,([^"]+)"`).FindAllStringSubmatch(html, -1)
	if len(imgs) != len(maps) {
		t.Fatalf("%d embedded images, want %d", len(imgs), len(maps))
	}
	for i, m := range maps {
		h, err := o.Heatmap(m.X, m.Y, m.Metric)
		if err != nil {
			t.Fatal(err)
		}
		want, err := h.EncodePNG()
		if err != nil {
			t.Fatal(err)
		}
		got, err := base64.StdEncoding.DecodeString(stdhtml.UnescapeString(imgs[i][1]))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("figure %d (%s) is not the heatmap's PNG (%v)", i, m.Metric, err)
		}
		cap := "panels: isolated; cross; " + DeltaPanel + "."
		if !strings.Contains(html, m.Metric+" over "+m.X+" (x) and "+m.Y+" (y), "+cap) {
			t.Errorf("no caption naming the facets of %s (%s)", m.Metric, cap)
		}
	}
	// the results table: a header per column and a row per table row
	for _, c := range o.Results.Columns {
		if !strings.Contains(html, ">"+c.Name+"</th>") {
			t.Errorf("no column %s in the table", c.Name)
		}
	}
	if n := strings.Count(html, "<tr><td"); n != len(o.Results.Rows) {
		t.Errorf("%d table rows, want %d", n, len(o.Results.Rows))
	}
	// self-contained: nothing fetched from the network
	if regexp.MustCompile(`(src|href)="(https?:)?//`).MatchString(html) {
		t.Error("sweep.html loads something from the network")
	}
	if _, err := o.HTML([]HeatmapSpec{{X: "nope", Y: "leverage.default", Metric: "final_equity"}}); err == nil {
		t.Error("an unknown key drew a page")
	}
}
