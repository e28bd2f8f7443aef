package reports

import (
	"math"
	"sort"
	"strconv"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/bt-backtest/bt/reports/metrics"
)

// riskPanel draws, for an account holding isolated positions, each isolated position's own
// margin ratio over time, one line per symbol: per candle of the symbol's price chart
// (DownsampleOHLC) the highest ratio the position reached in it (isoRatio at the candle's
// adverse extreme), with its liquidations at ratio 1 and its near misses marked: episodes of
// candles at or above the run's near-miss ratio (metrics' NearMissRatio, 0.8) after which the
// symbol's position was not liquidated within the near-miss window (24 h), as
// docs/statistics.md defines them for the account's bars. ok is false when the account has no
// isolated position with price bars to evaluate it on.
func riskPanel(a account, slug string) (p Panel, ok bool) {
	ratio, window := metrics.DangerRatio, float64(metrics.NearMissWindowH)
	if s := a.run.Summary; s != nil {
		if l, found := s.Liquidation[a.res.Name]; found && l.NearMissRatio > 0 {
			ratio = l.NearMissRatio
			if l.NearMissWindowH > 0 {
				window = l.NearMissWindowH
			}
		}
	}
	// one line per position: a symbol in one-way mode, each leg of it in hedge mode
	type posKey struct {
		sym  string
		side margin.PositionSide
	}
	bySym := map[posKey][]backtest.LiqPricePoint{}
	var keys []posKey
	for _, q := range a.res.LiqPrices {
		key := posKey{q.Symbol, q.Side}
		if _, seen := bySym[key]; !seen && q.Isolated {
			keys = append(keys, key)
		}
		if q.Isolated || bySym[key] != nil {
			bySym[key] = append(bySym[key], q)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].sym != keys[j].sym {
			return keys[i].sym < keys[j].sym
		}
		return keys[i].side < keys[j].side
	})
	var lines []line
	for k, key := range keys {
		sym := key.sym
		bars := a.run.Prices[sym]
		if len(bars) == 0 {
			continue
		}
		cs, w := DownsampleOHLC(bars, CandleBuckets)
		col := palette[(k+2)%len(palette)]
		name := sym // the position's name in the labels: "BTCUSDT", or "BTCUSDT LONG" in hedge mode
		if key.side != margin.Both {
			name += " " + key.side.String()
		}
		rl := line{label: a.label + " " + name, color: col, kind: "risk"}
		var liqs []int64
		for _, l := range a.res.Liquidations {
			if l.Symbol == sym && l.Side == key.side {
				liqs = append(liqs, l.Time)
			}
		}
		pts := bySym[key]
		for _, c := range cs {
			r, open := candleRisk(pts, liqs, c, w)
			if !open {
				continue
			}
			rl.t, rl.v = append(rl.t, c.Time), append(rl.v, r)
		}
		if len(rl.t) == 0 {
			continue
		}
		lines = append(lines, rl)
		// near misses: episodes of consecutive candles ≥ ratio ending below it, no liquidation
		// of the symbol from the episode's start to window hours after its last candle
		near := line{label: a.label + " " + name + " near miss", color: col, kind: "near", shape: a.shape}
		for i := 0; i < len(rl.t); {
			if rl.v[i] < ratio {
				i++
				continue
			}
			j, peak := i, i
			for j < len(rl.t) && rl.v[j] >= ratio && (j == i || rl.t[j]-rl.t[j-1] <= w) {
				if rl.v[j] > rl.v[peak] {
					peak = j
				}
				j++
			}
			recovered := j < len(rl.t) && rl.t[j]-rl.t[j-1] <= w // a later candle of the position below the ratio
			from, to := rl.t[i], rl.t[j-1]+w+int64(window*3_600_000)
			liquidated := false
			for _, t := range liqs {
				if t >= from && t < to {
					liquidated = true
				}
			}
			if recovered && !liquidated {
				near.t, near.v = append(near.t, rl.t[peak]), append(near.v, rl.v[peak])
			}
			i = j
		}
		if len(near.t) > 0 {
			lines = append(lines, near)
		}
		lq := line{label: a.label + " " + name + " liquidation", color: col, kind: "liq", shape: a.shape}
		for _, t := range liqs {
			lq.t, lq.v = append(lq.t, t), append(lq.v, 1)
		}
		if len(lq.t) > 0 {
			lines = append(lines, lq)
		}
	}
	if len(lines) == 0 {
		return Panel{}, false
	}
	bands := []Series{
		{Label: fmtRatio(ratio) + " near miss", Color: "#f59e0b", Kind: "band", Values: Values{ratio}},
		{Label: "1.0 liquidation", Color: "#dc2626", Kind: "band", Values: Values{1}},
	}
	title := a.label + ": each isolated position's own margin ratio (highest per candle, estimated at the candle's last-price extreme; the mark price decides liquidation), near misses marked"
	return buildPanel("risk-"+slug, title, "ratio", lines, bands), true
}

func fmtRatio(r float64) string { return strconv.FormatFloat(r, 'f', -1, 64) }

// candleRisk is the highest margin ratio of the isolated position of pts (the symbol's
// LiqPricePoints in time order) during candle c of width w: for every state of the position
// in force during the candle, isoRatio at the prices it can have met there — the candle's low
// and high, or, for a state that began inside the candle, the mark it began at and the close,
// and for one that ended inside it, the open (and its liquidation price when liqs holds a
// liquidation then). open is false when no isolated position was open during the candle.
func candleRisk(pts []backtest.LiqPricePoint, liqs []int64, c backtest.Bar, w int64) (r float64, open bool) {
	t0, t1 := c.Time, c.Time+w
	// the state in force at t0 is the last point at or before it
	i := sort.Search(len(pts), func(i int) bool { return pts[i].Time > t0 }) - 1
	if i < 0 {
		i = 0
	}
	for ; i < len(pts) && pts[i].Time < t1; i++ {
		s := pts[i]
		end := t1 + 1
		if i+1 < len(pts) {
			end = pts[i+1].Time
		}
		if s.Qty == 0 || !s.Isolated || end <= t0 {
			continue
		}
		startsIn, endsIn := s.Time > t0, end < t1
		var prices []float64
		switch {
		case startsIn && endsIn:
			prices = []float64{s.Mark}
		case startsIn:
			prices = []float64{s.Mark, c.Close}
		case endsIn:
			prices = []float64{c.Open}
		default:
			prices = []float64{c.Low, c.High}
		}
		if endsIn {
			for _, t := range liqs {
				if t == end && s.LiqPrice > 0 {
					prices = append(prices, s.LiqPrice)
				}
			}
		}
		for _, px := range prices {
			r = math.Max(r, isoRatio(s, px))
		}
		open = true
	}
	return r, open
}

// isoRatio is an isolated position's margin ratio at price px, a float estimate: maintenance
// margin over its margin balance (its wallet plus its unrealized PnL), the maintenance margin
// taken linearly through the two values the record gives (MaintMargin at Mark, and at the
// liquidation price the balance there, where the ratio is 1 — exact within one bracket),
// capped at MaxChartRatio (a balance at or below zero).
func isoRatio(s backtest.LiqPricePoint, px float64) float64 {
	bal := s.Wallet + s.Qty*(px-s.Entry)
	mm := s.MaintMargin
	if s.Mark > 0 {
		mm = s.MaintMargin * px / s.Mark
		if lp := s.LiqPrice; lp > 0 && lp != s.Mark {
			mlp := s.Wallet + s.Qty*(lp-s.Entry)
			mm = s.MaintMargin + (mlp-s.MaintMargin)*(px-s.Mark)/(lp-s.Mark)
		}
	}
	if bal <= 0 {
		return MaxChartRatio
	}
	return math.Min(math.Max(mm/bal, 0), MaxChartRatio)
}
