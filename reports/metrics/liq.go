package metrics

import (
	"math"
	"sort"
	"strconv"
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
// cost it. Its JSON keys are the keys of Metrics and of Summary.LiquidationDelta, in the same
// units: money in USDT, durations in hours (keys ending _h), shares of the run's time as
// fractions (_frac), distances as fractions of the mark price. docs/statistics.md defines each.
type LiquidationStats struct {
	Count int `json:"count"` // liquidated positions

	// Cost is what the liquidations cost beyond closing the same positions at their trigger
	// mark prices (what a stop at the liquidation price would have got, its own trading fee
	// aside): the clearance fees plus the execution shortfall, the part of the move from the
	// trigger mark to the execution price (the tick rounding against the position; the whole
	// gap is in the trigger mark of a gapped liquidation, as it is in a stop's fill). In a
	// cross cascade whose clearance fees are capped by the wallet it is the margin balance
	// left at the trigger marks: the cascade took all of it.
	Cost          float64 `json:"cost"`
	ClearanceFees float64 `json:"clearance_fees"`      // clearance (liquidation) fees
	Shortfall     float64 `json:"execution_shortfall"` // Σ qty × (trigger mark − execution price), ≥ 0
	// LiquidatedPnL is the realized PnL of the liquidated positions at their execution prices,
	// signed (a cross position liquidated in profit adds to it): the move from entry that a
	// stop at the same price would have booked too. Not a cost of the liquidation.
	LiquidatedPnL float64 `json:"liquidated_pnl"`
	InsuranceDraw float64 `json:"insurance_draw"` // losses beyond the bankruptcy price the insurance fund took instead of the account
	Gaps          int     `json:"gaps"`           // liquidations where the price gapped through the liquidation price

	Ruined      bool     `json:"ruined"`
	TimeToRuinH *float64 `json:"time_to_ruin_h"` // hours from the run start to ruin; null when not ruined

	// Hours from entry to liquidation over the liquidated trades; null without any.
	EntryToLiqMinH    *float64 `json:"entry_to_liquidation_min_h"`
	EntryToLiqMedianH *float64 `json:"entry_to_liquidation_median_h"`
	EntryToLiqMaxH    *float64 `json:"entry_to_liquidation_max_h"`

	// Closest distance to liquidation (|mark − liquidation price| / mark) of the trades that
	// survived (were not liquidated) and had a liquidation price: the minimum and the median;
	// null when there is none. Liquidated trades are counted by Count, not given a distance.
	Trades                 int       `json:"trades"`                // round trips
	TradesWithLiqPrice     int       `json:"trades_with_liq_price"` // of them, those that had a liquidation price while open
	MinDistanceSurvived    *float64  `json:"min_distance_survived"` // fraction of the mark
	MedianDistanceSurvived *float64  `json:"median_distance_survived"`
	TradeDistances         []float64 `json:"-"` // per trade, in trade order: 0 when liquidated, NaN without a liquidation price

	// The margin ratio along the intrabar path (backtest.EquityPoint.PeakMarginRatio, ≥ 1 in
	// a bar with a liquidation): its highest value, the nearest-rank 95th percentile of the
	// bars' peaks, and the share of the run's time in bars whose peak reached 0.5 / 0.8 (a bar
	// counts whole).
	MarginRatioMax  float64 `json:"margin_ratio_max"`
	MarginRatioP95  float64 `json:"margin_ratio_p95"`
	TimeAbove05Frac float64 `json:"time_above_0_5_frac"`
	TimeAbove08Frac float64 `json:"time_above_0_8_frac"`
	TimeTotalH      float64 `json:"time_total_h"` // hours the curve covers, the denominator of the shares

	// NearMisses counts the episodes (consecutive bars) whose intrabar peak margin ratio reached
	// NearMissRatio, that ended with a bar whose peak stayed below it, and none of whose
	// positions was liquidated from the open of the crossing bar (liquidations inside it
	// count) to NearMissWindowH hours after the episode's last bar.
	NearMisses      int     `json:"near_misses"`
	NearMissRatio   float64 `json:"near_miss_ratio"`    // the threshold (0.8 by default)
	NearMissWindowH float64 `json:"near_miss_window_h"` // the window after an episode (24 by default)

	// Cascades counts liquidation events (one timestamp) that closed more than one position
	// (Liquidation.Cascade > 1 or several records at one time); CascadePositions the positions
	// closed in them.
	Cascades         int `json:"cascades"`
	CascadePositions int `json:"cascade_positions"`

	// LiquidatedInProfit counts cross positions closed by a liquidation while their own PnL
	// was positive (a long liquidated above its entry, a short below it), split by what brought
	// the account down: WalletDrained, the cross wallet was already negative before the event
	// (realized losses of earlier closes had used it up, and the open positions' unrealized
	// profit was all that held the margin balance up); OthersLosses, the wallet was not
	// negative and other positions' unrealized losses took the margin balance down to the
	// maintenance margin. The wallet before the event follows from the records (a position's
	// bankruptcy price and the others' execution prices); a record without a bankruptcy price
	// leaves the cause unknown, counted in neither.
	LiquidatedInProfit              int `json:"liquidated_in_profit"`
	LiquidatedInProfitWalletDrained int `json:"liquidated_in_profit_wallet_drained"`
	LiquidatedInProfitOthersLosses  int `json:"liquidated_in_profit_others_losses"`
	// WalletMin is the lowest wallet balance (cross wallet + isolated wallets) at a bar close;
	// negative when realized losses exceeded the deposits while open positions' unrealized
	// profit kept the account alive, which Binance's wallet rules allow (docs/statistics.md).
	// Null without equity points.
	WalletMin *float64 `json:"wallet_min"`

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
	w, wOK := 0.0, s.WickLiquidations != nil
	if wOK {
		w = float64(*s.WickLiquidations)
	}
	ruin, ruinOK := optional(s.TimeToRuinH)
	e2lMin, e2lOK := optional(s.EntryToLiqMinH)
	e2lMed, _ := optional(s.EntryToLiqMedianH)
	e2lMax, _ := optional(s.EntryToLiqMaxH)
	dMin, dOK := optional(s.MinDistanceSurvived)
	dMed, _ := optional(s.MedianDistanceSurvived)
	wmin, wminOK := optional(s.WalletMin)
	return []Metric{
		{"count", "Liquidations", float64(s.Count), true, "count", -1},
		{"cost", "Liquidation cost (fees + shortfall)", s.Cost, true, "money", -1},
		{"clearance_fees", "Clearance fees", s.ClearanceFees, true, "money", -1},
		{"execution_shortfall", "Execution shortfall", s.Shortfall, true, "money", -1},
		{"liquidated_pnl", "Realized PnL of liquidated positions", s.LiquidatedPnL, true, "money", 1},
		{"insurance_draw", "Insurance fund draw", s.InsuranceDraw, true, "money", 0},
		{"gaps", "Gap liquidations", float64(s.Gaps), true, "count", -1},
		{"ruined", "Ruined", b, true, "bool", -1},
		{"time_to_ruin_h", "Time to ruin (h)", ruin, ruinOK, "hours", 1},
		{"entry_to_liquidation_min_h", "Entry→liquidation min (h)", e2lMin, e2lOK, "hours", 0},
		{"entry_to_liquidation_median_h", "Entry→liquidation median (h)", e2lMed, e2lOK, "hours", 0},
		{"entry_to_liquidation_max_h", "Entry→liquidation max (h)", e2lMax, e2lOK, "hours", 0},
		{"min_distance_survived", "Closest distance survived", dMin, dOK, "pct", 1},
		{"median_distance_survived", "Median closest distance (survived)", dMed, dOK, "pct", 1},
		{"margin_ratio_max", "Margin ratio max (intrabar)", s.MarginRatioMax, true, "ratio", -1},
		{"margin_ratio_p95", "Margin ratio p95 (bar peaks)", s.MarginRatioP95, true, "ratio", -1},
		{"time_above_0_5_frac", "Time in bars reaching ratio 0.5", s.TimeAbove05Frac, true, "pct", -1},
		{"time_above_0_8_frac", "Time in bars reaching ratio 0.8", s.TimeAbove08Frac, true, "pct", -1},
		{"near_misses", nearLabel(s.NearMissRatio), float64(s.NearMisses), true, "count", 0},
		{"cascades", "Cross cascades", float64(s.Cascades), true, "count", -1},
		{"cascade_positions", "Positions in cascades", float64(s.CascadePositions), true, "count", -1},
		{"liquidated_in_profit", "Liquidated in profit (cross)", float64(s.LiquidatedInProfit), true, "count", -1},
		{"liquidated_in_profit_wallet_drained", "  of them: wallet drained by realized losses", float64(s.LiquidatedInProfitWalletDrained), true, "count", -1},
		{"liquidated_in_profit_others_losses", "  of them: others' unrealized losses", float64(s.LiquidatedInProfitOthersLosses), true, "count", -1},
		{"wallet_min", "Lowest wallet balance", wmin, wminOK, "money", 1},
		{"wick_liquidations", "Wick liquidations", w, wOK, "count", -1},
	}
}

// hoursOf converts Unix-ms durations to hours.
func hoursOf(ms int64) float64 { return float64(ms) / 3_600_000 }

func ptr(v float64) *float64 { return &v }

// LiquidatedPnL is the realized PnL the liquidation booked for the position, signed:
// l.RealizedPnL, or when the record does not carry it (liquidations.csv written before its
// realized_pnl column),
// what MarginLost implies: −MarginLost for a cross position, −(MarginLost + InsuranceDraw) for
// an isolated one (MarginLost stops at the isolated margin, the fund takes the rest).
func LiquidatedPnL(l margin.Liquidation) decimal.Decimal {
	if !l.RealizedPnL.IsZero() {
		return l.RealizedPnL
	}
	if l.Mode == margin.Isolated {
		return l.MarginLost.Add(l.InsuranceDraw).Neg()
	}
	return l.MarginLost.Neg()
}

// Liquidations computes the liquidation statistics of one account. start is the run start
// (Unix ms) for the time to ruin; 0 means the first equity point.
func Liquidations(a *backtest.AccountResult, start int64) LiquidationStats {
	return LiquidationsStats(a, start, StatsOf(a.Equity))
}

// LiquidationsStats is Liquidations with the equity statistics taken from st instead of
// a.Equity.
func LiquidationsStats(a *backtest.AccountResult, start int64, st *EquityStats) LiquidationStats {
	return LiquidationsOpts(a, start, st, Options{})
}

// LiquidationsOpts is LiquidationsStats under opt (the near-miss window; the threshold is
// st's).
func LiquidationsOpts(a *backtest.AccountResult, start int64, st *EquityStats, opt Options) LiquidationStats {
	var s LiquidationStats
	var cost, short, pnl, fees, ins decimal.Decimal
	byTime := map[int64]int{}
	cascadeAt := map[int64]bool{}
	for _, l := range a.Liquidations {
		s.Count++
		c, sf := l.Cost()
		cost = cost.Add(c)
		short = short.Add(sf)
		pnl = pnl.Add(LiquidatedPnL(l))
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
	}
	s.liquidatedInProfit(a.Liquidations)
	for t, n := range byTime {
		if n > 1 || cascadeAt[t] {
			s.Cascades++
			s.CascadePositions += n
		}
	}
	s.Cost = cost.InexactFloat64()
	s.Shortfall = short.InexactFloat64()
	s.LiquidatedPnL = pnl.InexactFloat64()
	s.ClearanceFees = fees.InexactFloat64()
	s.InsuranceDraw = ins.InexactFloat64()

	if start == 0 && st.Len() > 0 {
		start = st.First().Time
	}
	s.Ruined = a.Ruined
	if a.Ruined && a.RuinTime >= start {
		s.TimeToRuinH = ptr(hoursOf(a.RuinTime - start))
	}

	var e2l []int64
	var survived []float64
	wicks := 0
	s.WickLiquidations = &wicks
	for _, t := range a.Trades {
		if t.LastWick {
			wicks++
		}
		if hasLiqPrice(t) || t.Liquidated {
			s.TradesWithLiqPrice++
		}
		d := math.NaN()
		switch {
		case t.Liquidated:
			d = 0
			e2l = append(e2l, t.ExitTime-t.EntryTime)
		case hasLiqPrice(t):
			d = t.MinLiqDistance
			survived = append(survived, d)
		}
		s.TradeDistances = append(s.TradeDistances, d)
	}
	if len(e2l) > 0 {
		sort.Slice(e2l, func(i, j int) bool { return e2l[i] < e2l[j] })
		s.EntryToLiqMinH, s.EntryToLiqMaxH = ptr(hoursOf(e2l[0])), ptr(hoursOf(e2l[len(e2l)-1]))
		s.EntryToLiqMedianH = ptr(hoursOf(medianInt(e2l)))
	}
	s.Trades = len(a.Trades)
	if len(survived) > 0 {
		sort.Float64s(survived)
		s.MinDistanceSurvived = ptr(survived[0])
		s.MedianDistanceSurvived = ptr(medianFloat(survived))
	}

	s.marginRatio(a, st, opt)
	return s
}

func (s *LiquidationStats) marginRatio(a *backtest.AccountResult, st *EquityStats, opt Options) {
	if st.Len() == 0 {
		return
	}
	s.MarginRatioMax = st.MaxMarginRatio()
	s.WalletMin = ptr(st.minWallet)
	s.TimeTotalH = hoursOf(st.total)
	if st.total > 0 {
		s.TimeAbove05Frac = float64(st.above05) / float64(st.total)
		s.TimeAbove08Frac = float64(st.above08) / float64(st.total)
	}
	s.MarginRatioP95 = st.MarginRatioP95()

	// near misses: recovered episodes whose positions were not liquidated in the window
	var liq []span
	for _, t := range a.Trades {
		if t.Liquidated {
			liq = append(liq, span{t.EntryTime, t.ExitTime})
		}
	}
	sort.Slice(liq, func(i, j int) bool { return liq[i].exit < liq[j].exit })
	s.NearMissRatio = st.NearMissRatio()
	s.NearMissWindowH = opt.window()
	s.NearMisses = st.nearMisses(liq, int64(s.NearMissWindowH*3_600_000))
}

// nearLabel names the near-miss row with its threshold (0.8 when unset).
func nearLabel(r float64) string {
	if r <= 0 {
		r = DangerRatio
	}
	return "Near misses (peak ≥ " + strconv.FormatFloat(r, 'g', -1, 64) + ", survived)"
}

// Options are the liquidation statistics' settings. The zero value is the default.
type Options struct {
	// NearMissRatio is the margin ratio an intrabar peak must reach to start a near-miss
	// episode; 0 means DangerRatio (0.8). It applies to the equity statistics Summarize builds;
	// streamed ones (SummarizeStats' curves) carry their own (EquityStats.SetNearMissRatio).
	NearMissRatio float64
	// NearMissWindowH is how many hours after an episode's last bar a liquidation of one of
	// its positions still makes it no near miss; 0 means NearMissWindowH (24).
	NearMissWindowH float64
}

// NearMissWindowH is the default near-miss window: a position liquidated within a day of the
// episode was not saved by the recovery.
const NearMissWindowH = 24

func (o Options) window() float64 {
	if o.NearMissWindowH > 0 {
		return o.NearMissWindowH
	}
	return NearMissWindowH
}

// stats returns the equity statistics of eq under o.
func (o Options) stats(eq []backtest.EquityPoint) *EquityStats {
	s := NewEquityStats(len(eq)).SetNearMissRatio(o.NearMissRatio)
	s.add(eq)
	return s
}

// liquidatedInProfit counts the cross positions liquidated in profit and attributes each
// event's cause by the cross wallet before it (crossWalletBefore).
func (s *LiquidationStats) liquidatedInProfit(ls []margin.Liquidation) {
	for i := 0; i < len(ls); {
		j := i
		for j < len(ls) && ls[j].Time == ls[i].Time {
			j++
		}
		var ev []margin.Liquidation
		for _, l := range ls[i:j] {
			if l.Mode == margin.Cross {
				ev = append(ev, l)
			}
		}
		i = j
		w, known := crossWalletBefore(ev)
		for _, l := range ev {
			if !positivePnL(l) {
				continue
			}
			s.LiquidatedInProfit++
			switch {
			case !known:
			case w.IsNegative():
				s.LiquidatedInProfitWalletDrained++
			default:
				s.LiquidatedInProfitOthersLosses++
			}
		}
	}
}

// crossWalletBefore is the cross wallet balance just before the cross liquidation event ev
// (the cross records of one time): the bankruptcy price BP of a position is where the margin
// balance is 0 with the others at their execution prices, wallet + q·(BP − entry) +
// Σ others' q·(price − entry) = 0, so the wallet is minus the rest. It reports false when no
// record carries a bankruptcy price.
func crossWalletBefore(ev []margin.Liquidation) (decimal.Decimal, bool) {
	for k, l := range ev {
		if l.Bankruptcy.Sign() <= 0 {
			continue
		}
		w := l.Qty.Mul(l.Bankruptcy.Sub(l.Entry)).Neg()
		for m, o := range ev {
			if m != k {
				w = w.Sub(o.Qty.Mul(o.Price.Sub(o.Entry)))
			}
		}
		return w, true
	}
	return decimal.Zero, false
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

// Paired is the outcome table of the same positions in the isolated and the cross account:
// each isolated position paired with the cross position the strategy opened by the same
// decision (backtest.Trade.EntryDecision: the same order of the same bar, whatever size each
// account gave it), or, for records without decisions, by symbol and entry time.
type Paired struct {
	By           string `json:"by"`                 // "decision" or "entry_time" (records without decisions)
	Matched      int    `json:"matched"`            // positions found in both accounts
	SurvivedBoth int    `json:"survived_both"`      // closed without liquidation in both
	OnlyIsolated int    `json:"only_isolated"`      // liquidated only under isolated (cross survived)
	Rescued      int    `json:"rescued"`            // of OnlyIsolated, those cross also ended better (return on initial margin)
	OnlyCross    int    `json:"only_cross"`         // liquidated only under cross: cross killed it
	Both         int    `json:"both"`               // liquidated in both
	IsolatedOnly int    `json:"unmatched_isolated"` // positions only the isolated account opened
	CrossOnly    int    `json:"unmatched_cross"`    // positions only the cross account opened

	Rows      []PairedRow      `json:"-"` // one per matched position, by entry time then symbol (not in summary.json)
	Unmatched []backtest.Trade `json:"-"` // the unmatched positions of both accounts, by entry time
}

// PairedRow is one position present in both accounts.
type PairedRow struct {
	Symbol       string  `json:"symbol"`
	EntryTime    int64   `json:"entry_time"`
	IsolatedLiq  bool    `json:"isolated_liquidated"`
	CrossLiq     bool    `json:"cross_liquidated"`
	IsolatedPnL  float64 `json:"isolated_pnl"`
	CrossPnL     float64 `json:"cross_pnl"`
	IsolatedExit int64   `json:"isolated_exit"`
	CrossExit    int64   `json:"cross_exit"`
	// Return on the position's initial margin (PnL / (Qty × EntryPrice / Leverage)); null
	// when the record has no leverage.
	IsolatedROIM *float64 `json:"isolated_roim"`
	CrossROIM    *float64 `json:"cross_roim"`
	// Rescued: liquidated under isolated, survived under cross and ended better there (by
	// return on initial margin, or by PnL when a return is unknown).
	Rescued bool `json:"rescued"`
}

// ROIM is a trade's return on its initial margin: PnL / (Qty × EntryPrice / Leverage), false
// when the leverage or the margin is unknown.
func ROIM(t backtest.Trade) (float64, bool) {
	if t.Leverage <= 0 {
		return 0, false
	}
	im := t.Qty.Mul(t.EntryPrice).InexactFloat64() / float64(t.Leverage)
	if im <= 0 {
		return 0, false
	}
	return t.PnL.InexactFloat64() / im, true
}

// Pair matches the positions of the isolated and cross accounts — by decision when both
// accounts' records carry decisions, else by symbol and entry time — and counts their
// outcomes. Each position matches at most one of the other account.
func Pair(iso, cross []backtest.Trade) Paired {
	type key struct {
		sym  string
		side backtest.Side
		d    backtest.Decision
	}
	byDecision := hasDecisions(iso) && hasDecisions(cross)
	keyOf := func(t backtest.Trade) key {
		if byDecision {
			return key{t.Symbol, t.Side, t.EntryDecision}
		}
		return key{sym: t.Symbol, d: backtest.Decision{Time: t.EntryTime}}
	}
	idx := map[key][]int{}
	for i, t := range cross {
		k := keyOf(t)
		idx[k] = append(idx[k], i)
	}
	used := make([]bool, len(cross))
	p := Paired{By: "entry_time"}
	if byDecision {
		p.By = "decision"
	}
	for _, a := range iso {
		k := keyOf(a)
		js := idx[k]
		if len(js) == 0 {
			p.IsolatedOnly++
			p.Unmatched = append(p.Unmatched, a)
			continue
		}
		j := js[0]
		idx[k] = js[1:]
		used[j] = true
		b := cross[j]
		p.Matched++
		row := PairedRow{
			Symbol: a.Symbol, EntryTime: a.EntryTime,
			IsolatedLiq: a.Liquidated, CrossLiq: b.Liquidated,
			IsolatedPnL: a.PnL.InexactFloat64(), CrossPnL: b.PnL.InexactFloat64(),
			IsolatedExit: a.ExitTime, CrossExit: b.ExitTime,
		}
		ri, okI := ROIM(a)
		rc, okC := ROIM(b)
		if okI {
			row.IsolatedROIM = ptr(ri)
		}
		if okC {
			row.CrossROIM = ptr(rc)
		}
		switch {
		case a.Liquidated && b.Liquidated:
			p.Both++
		case a.Liquidated:
			p.OnlyIsolated++
			better := b.PnL.GreaterThan(a.PnL)
			if okI && okC {
				better = rc > ri
			}
			if better {
				p.Rescued++
				row.Rescued = true
			}
		case b.Liquidated:
			p.OnlyCross++
		default:
			p.SurvivedBoth++
		}
		p.Rows = append(p.Rows, row)
	}
	for j, u := range used {
		if !u {
			p.CrossOnly++
			p.Unmatched = append(p.Unmatched, cross[j])
		}
	}
	sort.SliceStable(p.Rows, func(i, j int) bool {
		if p.Rows[i].EntryTime != p.Rows[j].EntryTime {
			return p.Rows[i].EntryTime < p.Rows[j].EntryTime
		}
		return p.Rows[i].Symbol < p.Rows[j].Symbol
	})
	sort.SliceStable(p.Unmatched, func(i, j int) bool { return p.Unmatched[i].EntryTime < p.Unmatched[j].EntryTime })
	return p
}

// hasDecisions reports whether the records carry the strategy's decisions (every trade has
// one; records written before they existed have none).
func hasDecisions(ts []backtest.Trade) bool {
	for _, t := range ts {
		if t.EntryDecision.Seq == 0 {
			return false
		}
	}
	return true
}

// LiquidationLink is one liquidation of an account and what became of the same position
// (the same decision) in the other account of the isolated/cross pair.
type LiquidationLink struct {
	Account string             // the liquidated account: IsolatedName or CrossName
	Liq     margin.Liquidation // the liquidation
	Cost    float64            // margin.Liquidation.Cost
	PnL     float64            // LiquidatedPnL
	Trade   backtest.Trade     // the liquidated position (zero when no trade record matches)
	// Other is the paired position in the other account and OtherFound whether there is one
	// (the other account may never have opened it).
	Other      backtest.Trade
	OtherFound bool
}

// LinkLiquidations lists every liquidation of the isolated and the cross account, in time
// order (isolated first within a time), each with the same position in the other account: the
// liquidated trade (same symbol, exit at the liquidation's time) paired as Pair pairs.
func LinkLiquidations(iso, cross *backtest.AccountResult) []LiquidationLink {
	var out []LiquidationLink
	byDecision := hasDecisions(iso.Trades) && hasDecisions(cross.Trades)
	link := func(name string, a, other *backtest.AccountResult) {
		for _, l := range a.Liquidations {
			c, _ := l.Cost()
			ln := LiquidationLink{Account: name, Liq: l, Cost: c.InexactFloat64(), PnL: LiquidatedPnL(l).InexactFloat64()}
			for _, t := range a.Trades {
				if !t.Liquidated || t.Symbol != l.Symbol || t.PositionSide != l.Side || t.ExitTime != l.Time { // a hedge leg: its own trade
					continue
				}
				ln.Trade = t
				for _, o := range other.Trades {
					same := o.Symbol == t.Symbol && o.EntryTime == t.EntryTime
					if byDecision {
						same = o.Symbol == t.Symbol && o.Side == t.Side && o.EntryDecision == t.EntryDecision
					}
					if same {
						ln.Other, ln.OtherFound = o, true
						break
					}
				}
				break
			}
			out = append(out, ln)
		}
	}
	link(IsolatedName, iso, cross)
	link(CrossName, cross, iso)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Liq.Time < out[j].Liq.Time })
	return out
}
