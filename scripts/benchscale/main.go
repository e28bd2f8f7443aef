package main

import (
	"bufio"
	"flag"
	"fmt"
	"image/color"
	"os"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

type row struct{ accounts, wall, user, sys, rss float64 }

func main() {
	out := flag.String("o", "bench-scale.png", "PNG file to write")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: benchscale [-o FILE.png] LINES.txt")
		os.Exit(2)
	}
	rows, err := read(flag.Arg(0))
	if err == nil && len(rows) < 2 {
		err = fmt.Errorf("%s: want at least two measured account counts", flag.Arg(0))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchscale:", err)
		os.Exit(1)
	}
	table(rows)
	if err := plotRows(rows, *out); err != nil {
		fmt.Fprintln(os.Stderr, "benchscale:", err)
		os.Exit(1)
	}
}

func read(name string) ([]row, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows []row
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fs := strings.Fields(line)
		if len(fs) < 5 {
			return nil, fmt.Errorf("%s line %d: want accounts, wall, user, sys, RSS; got %q", name, n, line)
		}
		var v [5]float64
		for k := range v {
			if v[k], err = strconv.ParseFloat(fs[k], 64); err != nil {
				return nil, fmt.Errorf("%s line %d field %d: %q is not a number", name, n, k+1, fs[k])
			}
		}
		rows = append(rows, row{v[0], v[1], v[2], v[3], v[4]})
	}
	return rows, sc.Err()
}

// table prints the Markdown table: per row the totals and the marginal cost per account
// against the smallest run (the cost of the accounts added since).
func table(rows []row) {
	b := rows[0]
	fmt.Println("| accounts | wall | CPU (user + sys) | peak RSS | CPU per added account | RSS per added account |")
	fmt.Println("|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		cpu, add := r.user+r.sys, ""
		if r.accounts > b.accounts {
			n := r.accounts - b.accounts
			add = fmt.Sprintf("%.2f s | %.1f MB", (cpu-b.user-b.sys)/n, (r.rss-b.rss)/n)
		} else {
			add = "— | —"
		}
		fmt.Printf("| %.0f | %.1f s | %.1f s | %.0f MB | %s |\n", r.accounts, r.wall, cpu, r.rss, add)
	}
}

func plotRows(rows []row, out string) error {
	b := rows[0]
	cpu, wall, target := plotter.XYs{}, plotter.XYs{}, plotter.XYs{}
	rss, rssTarget := plotter.XYs{}, plotter.XYs{}
	for _, r := range rows {
		cpu = append(cpu, plotter.XY{X: r.accounts, Y: r.user + r.sys})
		wall = append(wall, plotter.XY{X: r.accounts, Y: r.wall})
		target = append(target, plotter.XY{X: r.accounts, Y: b.user + b.sys + 0.15*(r.accounts-b.accounts)})
		rss = append(rss, plotter.XY{X: r.accounts, Y: r.rss})
		rssTarget = append(rssTarget, plotter.XY{X: r.accounts, Y: b.rss + 8*(r.accounts-b.accounts)})
	}
	p1 := plot.New()
	p1.Title.Text = "bt sweep, swing, 12 symbols x 1 year of 1m bars: time"
	p1.X.Label.Text = "accounts"
	p1.Y.Label.Text = "seconds"
	if err := lines(p1, []plotter.XYs{cpu, wall, target}, []string{"CPU (user + sys)", "wall (2 cores)", "target: +0.15 s CPU per account"}); err != nil {
		return err
	}
	p2 := plot.New()
	p2.Title.Text = "peak RSS"
	p2.X.Label.Text = "accounts"
	p2.Y.Label.Text = "MB"
	if err := lines(p2, []plotter.XYs{rss, rssTarget}, []string{"peak RSS", "target: +8 MB per account"}); err != nil {
		return err
	}
	img := vgimg.New(9*vg.Inch, 7*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadY: vg.Points(12), PadTop: vg.Points(6), PadBottom: vg.Points(6), PadLeft: vg.Points(6), PadRight: vg.Points(12)}
	cs := plot.Align([][]*plot.Plot{{p1}, {p2}}, tiles, dc)
	p1.Draw(cs[0][0])
	p2.Draw(cs[1][0])
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

var colors = []color.Color{color.RGBA{31, 119, 180, 255}, color.RGBA{255, 127, 14, 255}, color.RGBA{120, 120, 120, 255}}

func lines(p *plot.Plot, data []plotter.XYs, names []string) error {
	p.Legend.Top, p.Legend.Left = true, true
	p.Add(plotter.NewGrid())
	// accounts on a log2 axis, ticked at the measured counts
	p.X.Scale = plot.LogScale{}
	var ticks []plot.Tick
	for _, xy := range data[0] {
		ticks = append(ticks, plot.Tick{Value: xy.X, Label: strconv.FormatFloat(xy.X, 'f', -1, 64)})
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	for k, d := range data {
		l, pts, err := plotter.NewLinePoints(d)
		if err != nil {
			return err
		}
		c := colors[k]
		if k == len(data)-1 {
			c = colors[2]
		}
		l.Color, pts.Color = c, c
		if k == len(data)-1 {
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			pts.Radius = 0
		}
		p.Add(l, pts)
		p.Legend.Add(names[k], l, pts)
	}
	return nil
}
