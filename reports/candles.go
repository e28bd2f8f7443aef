package reports

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/bt-backtest/bt/reports/artifact"
)

// CandleBuckets is the most candles a symbol's chart draws: longer price series are merged
// into wider candles by DownsampleOHLC (the run's prices/<SYM>.csv and the Parquet data keep
// more detail).
const CandleBuckets = 1200

// DownsampleOHLC merges the bars of one symbol (in time order) into at most buckets candles of
// one width, aligned to the Unix epoch: the bars' interval times the smallest factor that fits
// their time span into buckets. Each candle keeps the open of its first bar, the close of its
// last, the highest high and the lowest low of all of them (so that wicks survive zooming
// out) and the summed volume; its Time is the bucket's start, its End the last bar's end. It
// returns the candles and their width in ms (the bars' own interval when none merge).
//
// It panics if buckets < 1.
func DownsampleOHLC(bars []backtest.Bar, buckets int) ([]backtest.Bar, int64) {
	if buckets < 1 {
		panic("reports: DownsampleOHLC: buckets < 1")
	}
	if len(bars) == 0 {
		return nil, 0
	}
	iv := int64(0) // the bars' interval: the smallest step between two bars, else a bar's length
	for i := 1; i < len(bars); i++ {
		if d := bars[i].Time - bars[i-1].Time; d > 0 && (iv == 0 || d < iv) {
			iv = d
		}
	}
	if iv == 0 {
		iv = max(bars[0].End-bars[0].Time, 1)
	}
	slots := (bars[len(bars)-1].Time-bars[0].Time)/iv + 1
	factor := (slots + int64(buckets) - 1) / int64(buckets)
	w := iv * max(factor, 1)
	if factor <= 1 {
		return append([]backtest.Bar(nil), bars...), w
	}
	// epoch-aligned buckets can straddle one more bucket than the span needs: widen until
	// the candles fit
	for {
		first, last := floorDiv(bars[0].Time, w), floorDiv(bars[len(bars)-1].Time, w)
		if last-first+1 <= int64(buckets) {
			break
		}
		w += iv
	}
	out := make([]backtest.Bar, 0, buckets)
	for _, b := range bars {
		k := floorDiv(b.Time, w) * w
		if n := len(out); n > 0 && out[n-1].Time == k {
			c := &out[n-1]
			c.High = math.Max(c.High, b.High)
			c.Low = math.Min(c.Low, b.Low)
			c.Close = b.Close
			c.Volume += b.Volume
			c.End = b.End
			continue
		}
		b.Time = k
		out = append(out, b)
	}
	return out, w
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// pricePanel draws symbol sym: candlesticks of the stored price bars (prices/<SYM>.csv) of the
// first run that has them, downsampled to CandleBuckets candles (else a line through the
// runs' fill prices); then per account its entries, exits and liquidations as markers (every
// one kept, at its own time) and each position's liquidation price as a step line from entry
// to exit (lpLine).
func pricePanel(sym string, runs []*artifact.Run, accts []account) Panel {
	var lines []line
	var step int64
	for _, r := range runs {
		bars := r.Prices[sym]
		if len(bars) == 0 {
			continue
		}
		cs, w := DownsampleOHLC(bars, CandleBuckets)
		step = w / 1000
		t := make([]int64, len(cs))
		o, h, l, c := make([]float64, len(cs)), make([]float64, len(cs)), make([]float64, len(cs)), make([]float64, len(cs))
		for i, b := range cs {
			t[i], o[i], h[i], l[i], c[i] = b.Time, b.Open, b.High, b.Low, b.Close
		}
		for _, k := range []struct {
			kind string
			v    []float64
		}{{"open", o}, {"high", h}, {"low", l}, {"close", c}} {
			lines = append(lines, line{label: sym + " " + k.kind, color: "#334155", kind: k.kind, t: t, v: k.v})
		}
		break
	}
	if len(lines) == 0 {
		pl := line{label: sym + " (fill prices)", color: "#334155", kind: "line", thin: true}
		type pt struct {
			t int64
			v float64
		}
		var pts []pt
		seen := map[int64]bool{}
		for _, a := range accts {
			for _, f := range a.res.Fills {
				if f.Symbol == sym && !seen[f.Time] {
					seen[f.Time] = true
					pts = append(pts, pt{f.Time, f.Price.InexactFloat64()})
				}
			}
		}
		sort.Slice(pts, func(i, j int) bool { return pts[i].t < pts[j].t })
		for _, p := range pts {
			pl.t, pl.v = append(pl.t, p.t), append(pl.v, p.v)
		}
		lines = append(lines, pl)
	}
	for _, a := range accts {
		en := line{label: a.label + " entry", color: a.color, kind: "entry", shape: a.shape}
		ex := line{label: a.label + " exit", color: a.color, kind: "exit", shape: a.shape}
		lq := line{label: a.label + " liquidation", color: a.color, kind: "liq", shape: a.shape}
		for _, t := range a.res.Trades {
			if t.Symbol != sym {
				continue
			}
			en.t, en.v = append(en.t, t.EntryTime), append(en.v, t.EntryPrice.InexactFloat64())
			if !t.Liquidated {
				ex.t, ex.v = append(ex.t, t.ExitTime), append(ex.v, t.ExitPrice.InexactFloat64())
			}
		}
		for _, l := range a.res.Liquidations {
			if l.Symbol == sym {
				lq.t, lq.v = append(lq.t, l.Time), append(lq.v, l.Price.InexactFloat64())
			}
		}
		for _, l := range append([]line{en, ex, lq}, lpLines(a, sym)...) {
			if len(l.t) > 0 {
				lines = append(lines, l)
			}
		}
	}
	title := fmt.Sprintf("%s price with entries, exits, liquidations and each position's liquidation price", sym)
	if step > 0 {
		title = fmt.Sprintf("%s candles (%s each) with entries, exits, liquidations and each position's liquidation price", sym, fmtDuration(step))
	}
	p := buildPanel("price-"+sym, title, "price", lines, nil)
	p.Step = step
	return p
}

// lpLines is lpLine of each of account a's sym positions: one line in one-way mode, one per
// leg (LONG, SHORT) in hedge mode, labelled with the leg.
func lpLines(a account, sym string) []line {
	var out []line
	for _, side := range []margin.PositionSide{margin.Both, margin.Long, margin.Short} {
		if !slices.ContainsFunc(a.res.LiqPrices, func(p backtest.LiqPricePoint) bool { return p.Symbol == sym && p.Side == side }) {
			continue
		}
		out = append(out, lpLine(a, sym, side))
	}
	return out
}

// lpLine is account a's liquidation price of its sym position (side: its leg in hedge mode)
// at every ledger event that changed it (AccountResult.LiqPrices), 0 where the position closed
// or had none: the page and the PNG hold each value until the next one (a step line from entry
// to exit; HoldLP), 0 ending the line.
func lpLine(a account, sym string, side margin.PositionSide) line {
	label := a.label + " liquidation price"
	if side != margin.Both {
		label = a.label + " " + side.String() + " liquidation price"
	}
	l := line{label: label, color: a.color, kind: "lp", shape: a.shape}
	cross := false
	for _, p := range a.res.LiqPrices {
		if p.Symbol != sym || p.Side != side {
			continue
		}
		v := p.LiqPrice
		if p.Qty == 0 || !(v > 0) {
			v = 0
		}
		cross = cross || !p.Isolated
		if n := len(l.t); n > 0 && l.t[n-1] == p.Time {
			l.v[n-1] = v
			continue
		}
		l.t, l.v = append(l.t, p.Time), append(l.v, v)
	}
	if cross {
		l.label += " (cross: at its events)"
	}
	return l
}

// HoldLP turns the values of an "lp" series (a value at each event, 0 when the position
// closed, NaN elsewhere) into the step line drawn: each value held until the next event, NaN
// (a gap) while flat.
func HoldLP(v Values) Values {
	out := make(Values, len(v))
	cur := math.NaN()
	for i, x := range v {
		if !math.IsNaN(x) {
			cur = x
			if x == 0 {
				cur = math.NaN()
			}
		}
		out[i] = cur
	}
	return out
}

// fmtDuration names a candle width in seconds: "15m", "8h", "2d", "1h30m".
func fmtDuration(s int64) string {
	switch {
	case s%86400 == 0:
		return fmt.Sprintf("%dd", s/86400)
	case s%3600 == 0:
		return fmt.Sprintf("%dh", s/3600)
	case s >= 3600 && s%60 == 0:
		return fmt.Sprintf("%dh%dm", s/3600, s%3600/60)
	case s%60 == 0:
		return fmt.Sprintf("%dm", s/60)
	}
	return fmt.Sprintf("%ds", s)
}
