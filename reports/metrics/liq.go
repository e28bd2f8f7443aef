package metrics

import (
	"sort"
	"time"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/shopspring/decimal"
)

func unixMilli(t int64) time.Time { return time.UnixMilli(t).UTC() }

// Margin-ratio levels the statistics watch.
const (
	WarnRatio   = 0.5 // time above this is reported
	DangerRatio = 0.8 // time above this is reported; crossing it and recovering is a near miss
)

// LiquidationStats describes how close one account came to liquidation and what liquidations
// cost it. Durations are milliseconds.
type LiquidationStats struct {
	Count         int     `json:"count"`          // liquidated positions
	Loss          float64 `json:"loss"`           // margin lost, clearance fees apart
	ClearanceFees float64 `json:"clearance_fees"` // clearance (liquidation) fees
	InsuranceDraw float64 `json:"insurance_draw"` // shortfall covered by the insurance fund
	Gaps          int     `json:"gaps"`           // liquidations where the price gapped through the liquidation price

	Ruined     bool  `json:"ruined"`
	TimeToRuin int64 `json:"time_to_ruin,omitempty"` // from the run start to ruin

	// Time from entry to liquidation over the liquidated trades (0 without any).
	EntryToLiqMin    int64 `json:"entry_to_liquidation_min"`
	EntryToLiqMedian int64 `json:"entry_to_liquidation_median"`
	EntryToLiqMax    int64 `json:"entry_to_liquidation_max"`

	// Closest distance to liquidation (|mark − liq| / mark) per trade: the minimum and median
	// over trades (liquidated trades count 0), and the per-trade values in trade order.
	Trades         int       `json:"trades"` // round trips the distances cover
	MinDistance    float64   `json:"min_distance"`
	MedianDistance float64   `json:"median_distance"`
	TradeDistances []float64 `json:"-"` // per trade, in trade order (trades.csv has them as min_liq_distance)

	MarginRatioMax float64 `json:"margin_ratio_max"`
	MarginRatioP95 float64 `json:"margin_ratio_p95"` // nearest-rank 95th percentile of the equity points
	TimeAbove05    int64   `json:"time_above_0_5"`   // time with margin ratio ≥ 0.5 (each point covers the bar it closes)
	TimeAbove08    int64   `json:"time_above_0_8"`
	TimeTotal      int64   `json:"time_total"` // time the curve covers, for the fractions

	// NearMisses counts episodes where the margin ratio reached 0.8 and fell back below it
	// with no liquidation between the crossing and the recovery.
	NearMisses int `json:"near_misses"`

	// Cascades counts liquidation events (one timestamp) that closed more than one position
	// (Liquidation.Cascade > 1 or several records at one time); CascadePositions the positions
	// closed in them.
	Cascades         int `json:"cascades"`
	CascadePositions int `json:"cascade_positions"`

	// Bystanders counts cross positions liquidated while their own PnL was positive (a long
	// liquidated above its entry, a short below it): killed by other positions' losses.
	Bystanders int `json:"bystanders"`

	// WickLiquidations counts trades a last-price bar would have liquidated while the mark
	// price did not (backtest.Trade.LastWick): what a backtester checking liquidation on last
	// price (as freqtrade does) would have got wrong. Null only for records without the flag.
	WickLiquidations *int `json:"wick_liquidations"`
}

// Metrics lists the statistics as numeric metrics in report order.
func (s LiquidationStats) Metrics() []Metric {
	b := 0.0
	if s.Ruined {
		b = 1
	}
	hours := func(ms int64) float64 { return float64(ms) / 3_600_000 }
	frac := func(ms int64) float64 {
		if s.TimeTotal == 0 {
			return 0
		}
		return float64(ms) / float64(s.TimeTotal)
	}
	w, wOK := 0.0, s.WickLiquidations != nil
	if wOK {
		w = float64(*s.WickLiquidations)
	}
	liq := s.Count > 0
	return []Metric{
		{"count", "Liquidations", float64(s.Count), true, "count", -1},
		{"loss", "Liquidation loss (ex fees)", s.Loss, true, "money", -1},
		{"clearance_fees", "Clearance fees", s.ClearanceFees, true, "money", -1},
		{"insurance_draw", "Insurance fund draw", s.InsuranceDraw, true, "money", 0},
		{"gaps", "Gap liquidations", float64(s.Gaps), true, "count", -1},
		{"ruined", "Ruined", b, true, "bool", -1},
		{"time_to_ruin_h", "Time to ruin (h)", hours(s.TimeToRuin), s.Ruined, "hours", 1},
		{"entry_to_liquidation_min_h", "Entry→liquidation min (h)", hours(s.EntryToLiqMin), liq, "hours", 0},
		{"entry_to_liquidation_median_h", "Entry→liquidation median (h)", hours(s.EntryToLiqMedian), liq, "hours", 0},
		{"entry_to_liquidation_max_h", "Entry→liquidation max (h)", hours(s.EntryToLiqMax), liq, "hours", 0},
		{"min_distance", "Closest distance to liq.", s.MinDistance, s.Trades > 0, "pct", 1},
		{"median_distance", "Median closest distance", s.MedianDistance, s.Trades > 0, "pct", 1},
		{"margin_ratio_max", "Margin ratio max", s.MarginRatioMax, true, "ratio", -1},
		{"margin_ratio_p95", "Margin ratio p95", s.MarginRatioP95, true, "ratio", -1},
		{"time_above_0_5", "Time ratio ≥ 0.5", frac(s.TimeAbove05), true, "pct", -1},
		{"time_above_0_8", "Time ratio ≥ 0.8", frac(s.TimeAbove08), true, "pct", -1},
		{"near_misses", "Near misses (≥0.8, recovered)", float64(s.NearMisses), true, "count", 0},
		{"cascades", "Cross cascades", float64(s.Cascades), true, "count", -1},
		{"cascade_positions", "Positions in cascades", float64(s.CascadePositions), true, "count", -1},
		{"bystanders", "Bystanders (PnL > 0)", float64(s.Bystanders), true, "count", -1},
		{"wick_liquidations", "Wick liquidations", w, wOK, "count", -1},
	}
}

// Liquidations computes the liquidation statistics of one account. start is the run start
// (Unix ms) for the time to ruin; 0 means the first equity point.
func Liquidations(a *backtest.AccountResult, start int64) LiquidationStats {
	return LiquidationsStats(a, start, StatsOf(a.Equity))
}

// LiquidationsStats is Liquidations with the equity statistics taken from st instead of
// a.Equity.
func LiquidationsStats(a *backtest.AccountResult, start int64, st *EquityStats) LiquidationStats {
	var s LiquidationStats
	var loss, fees, ins decimal.Decimal
	byTime := map[int64]int{}
	cascadeAt := map[int64]bool{}
	for _, l := range a.Liquidations {
		s.Count++
		loss = loss.Add(l.MarginLost)
		fees = fees.Add(l.Fee)
		ins = ins.Add(l.InsuranceDraw)
		if l.Gap {
			s.Gaps++
		}
		if l.Mode != margin.Cross {
			continue
		}
		byTime[l.Time]++
		if l.Cascade > 1 {
			cascadeAt[l.Time] = true
		}
		if positivePnL(l) {
			s.Bystanders++
		}
	}
	for t, n := range byTime {
		if n > 1 || cascadeAt[t] {
			s.Cascades++
			s.CascadePositions += n
		}
	}
	s.Loss = loss.InexactFloat64()
	s.ClearanceFees = fees.InexactFloat64()
	s.InsuranceDraw = ins.InexactFloat64()

	if start == 0 && st.Len() > 0 {
		start = st.First().Time
	}
	s.Ruined = a.Ruined
	if a.Ruined && a.RuinTime >= start {
		s.TimeToRuin = a.RuinTime - start
	}

	var e2l []int64
	wicks := 0
	s.WickLiquidations = &wicks
	for _, t := range a.Trades {
		if t.LastWick {
			wicks++
		}
		d := t.MinLiqDistance
		if t.Liquidated {
			d = 0
			e2l = append(e2l, t.ExitTime-t.EntryTime)
		}
		s.TradeDistances = append(s.TradeDistances, d)
	}
	if len(e2l) > 0 {
		sort.Slice(e2l, func(i, j int) bool { return e2l[i] < e2l[j] })
		s.EntryToLiqMin, s.EntryToLiqMax = e2l[0], e2l[len(e2l)-1]
		s.EntryToLiqMedian = medianInt(e2l)
	}
	s.Trades = len(a.Trades)
	if len(s.TradeDistances) > 0 {
		sd := append([]float64(nil), s.TradeDistances...)
		sort.Float64s(sd)
		s.MinDistance = sd[0]
		s.MedianDistance = medianFloat(sd)
	}

	s.marginRatio(a, st)
	return s
}

func (s *LiquidationStats) marginRatio(a *backtest.AccountResult, st *EquityStats) {
	if st.Len() == 0 {
		return
	}
	s.MarginRatioMax = st.MaxMarginRatio()
	s.TimeTotal, s.TimeAbove05, s.TimeAbove08 = st.total, st.above05, st.above08
	s.MarginRatioP95 = st.MarginRatioP95()

	// near misses: episodes [first ≥ 0.8, first < 0.8 after it] without a liquidation in them
	liqs := make([]int64, 0, len(a.Liquidations))
	for _, l := range a.Liquidations {
		liqs = append(liqs, l.Time)
	}
	sort.Slice(liqs, func(i, j int) bool { return liqs[i] < liqs[j] })
	s.NearMisses = st.nearMisses(liqs)
}

// positivePnL reports whether the liquidated position was in profit at its liquidation price.
func positivePnL(l margin.Liquidation) bool {
	d := l.Price.Sub(l.Entry)
	return d.Sign() != 0 && d.Sign() == l.Qty.Sign()
}

func medianInt(s []int64) int64 {
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func medianFloat(s []float64) float64 {
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Paired is the outcome table of the same entries (matched by symbol and entry time) in the
// isolated and the cross account.
type Paired struct {
	Matched      int `json:"matched"`            // entries found in both accounts
	SurvivedBoth int `json:"survived_both"`      // closed without liquidation in both
	OnlyIsolated int `json:"only_isolated"`      // liquidated only in isolated: cross rescued it
	OnlyCross    int `json:"only_cross"`         // liquidated only in cross: cross killed it
	Both         int `json:"both"`               // liquidated in both
	IsolatedOnly int `json:"unmatched_isolated"` // entries only the isolated account made
	CrossOnly    int `json:"unmatched_cross"`    // entries only the cross account made

	Rows []PairedRow `json:"-"` // one per matched entry, by entry time then symbol (not in summary.json)
}

// PairedRow is one entry present in both accounts.
type PairedRow struct {
	Symbol       string  `json:"symbol"`
	EntryTime    int64   `json:"entry_time"`
	IsolatedLiq  bool    `json:"isolated_liquidated"`
	CrossLiq     bool    `json:"cross_liquidated"`
	IsolatedPnL  float64 `json:"isolated_pnl"`
	CrossPnL     float64 `json:"cross_pnl"`
	IsolatedExit int64   `json:"isolated_exit"`
	CrossExit    int64   `json:"cross_exit"`
}

// Pair matches the trades of the isolated and cross accounts by symbol and entry time and
// counts their outcomes. Each trade matches at most one trade of the other account.
func Pair(iso, cross []backtest.Trade) Paired {
	type key struct {
		sym string
		t   int64
	}
	idx := map[key][]int{}
	for i, t := range cross {
		k := key{t.Symbol, t.EntryTime}
		idx[k] = append(idx[k], i)
	}
	used := make([]bool, len(cross))
	var p Paired
	for _, a := range iso {
		k := key{a.Symbol, a.EntryTime}
		js := idx[k]
		if len(js) == 0 {
			p.IsolatedOnly++
			continue
		}
		j := js[0]
		idx[k] = js[1:]
		used[j] = true
		b := cross[j]
		p.Matched++
		switch {
		case a.Liquidated && b.Liquidated:
			p.Both++
		case a.Liquidated:
			p.OnlyIsolated++
		case b.Liquidated:
			p.OnlyCross++
		default:
			p.SurvivedBoth++
		}
		p.Rows = append(p.Rows, PairedRow{
			Symbol: a.Symbol, EntryTime: a.EntryTime,
			IsolatedLiq: a.Liquidated, CrossLiq: b.Liquidated,
			IsolatedPnL: a.PnL.InexactFloat64(), CrossPnL: b.PnL.InexactFloat64(),
			IsolatedExit: a.ExitTime, CrossExit: b.ExitTime,
		})
	}
	for _, u := range used {
		if !u {
			p.CrossOnly++
		}
	}
	sort.SliceStable(p.Rows, func(i, j int) bool {
		if p.Rows[i].EntryTime != p.Rows[j].EntryTime {
			return p.Rows[i].EntryTime < p.Rows[j].EntryTime
		}
		return p.Rows[i].Symbol < p.Rows[j].Symbol
	})
	return p
}
