package metrics

import (
	"fmt"
	"math"
	"sort"
	"sync"

	"github.com/bt-backtest/bt/backtest"
)

// Conventions is the sentence every report prints next to its metrics.
const Conventions = "metrics on daily UTC returns, 365-day annualization, risk-free rate 0"

// DayMs is one day in Unix milliseconds.
const DayMs = 86_400_000

// Account names the delta is computed between (cross − isolated).
const (
	IsolatedName = "isolated"
	CrossName    = "cross"
)

// Summary is summary.json: {"accounts": {"isolated": {...}, "cross": {...}}, "delta": {...}},
// plus the liquidation statistics and, when both accounts exist, the paired outcomes of the
// same entries.
type Summary struct {
	Conventions string                    `json:"conventions"`
	Accounts    map[string]AccountSummary `json:"accounts"`
	Delta       map[string]float64        `json:"delta,omitempty"` // cross − isolated for each metric, when both exist

	Liquidation      map[string]LiquidationStats `json:"liquidation"`
	LiquidationDelta map[string]float64          `json:"liquidation_delta,omitempty"` // cross − isolated
	Paired           *Paired                     `json:"paired,omitempty"`            // same entries in isolated and cross

	// DeltaBetter says, for every key of Delta and LiquidationDelta, which direction is better
	// for the trader: "higher", "lower" or "neither" (a positive delta is good for cross when
	// "higher").
	DeltaBetter map[string]string `json:"delta_better,omitempty"`

	// Leverage is the leverage each symbol started the run at in every account (the
	// experiment's leverage settings; bt run fills it in, Summarize leaves it empty).
	Leverage map[string]int `json:"leverage,omitempty"`

	// Fallbacks lists every default the run fell back to (backtest.Result.Fallbacks: the mark
	// taken from the last price, a constant funding rate, a default bracket table, a bracket
	// date out of range, default filters), per symbol with how often; [] when none.
	Fallbacks []backtest.Fallback `json:"fallbacks"`
}

// RejectionCount is how many of an account's rejections had one action and reason.
type RejectionCount struct {
	Action      string `json:"action"` // order, leverage, mode, margin, funding
	Code        string `json:"code"`   // stable reason code (backtest.RejectCodes), e.g. "insufficient_margin"
	Reason      string `json:"reason"` // the reason in words
	Count       int    `json:"count"`
	FirstTime   int64  `json:"first_time"` // Unix ms of the first of them
	FirstSymbol string `json:"first_symbol"`
}

// AccountSummary holds one account's metrics. Fractions are plain numbers (0.12 is 12 %);
// money is USDT; times are Unix milliseconds. A null value means the figure does not exist for
// the account (docs/statistics.md says when), never 0 standing in for it.
type AccountSummary struct {
	InitialWallet float64 `json:"initial_wallet"` // the wallet before the first event, computed back from the records (the configured account.wallet)
	InitialEquity float64 `json:"initial_equity"` // first equity point (the close of the first bar)
	FinalEquity   float64 `json:"final_equity"`   // last equity point
	TotalReturn   float64 `json:"total_return"`   // final/initial − 1
	CAGR          float64 `json:"cagr"`           // (final/initial)^(365/days) − 1; −1 when final ≤ 0; 0 for a zero-length run
	MaxDrawdown   float64 `json:"max_drawdown"`   // largest fall below the running peak, a positive fraction
	Sharpe        float64 `json:"sharpe"`         // mean/sample stdev of daily returns × √365; 0 with < 2 returns or no variance
	Sortino       float64 `json:"sortino"`        // mean / downside deviation (√(Σ min(r,0)²/n)) × √365; 0 without a losing day
	Calmar        float64 `json:"calmar"`         // cagr / max_drawdown; 0 without a drawdown
	Days          float64 `json:"days"`           // run length in days (first to last equity point)

	Trades  int     `json:"trades"`   // round trips, flat to flat
	WinRate float64 `json:"win_rate"` // trades with PnL > 0 / trades; 0 without trades
	// WinsLiquidated counts the winning trades (PnL > 0) that ended in a liquidation: cross
	// positions liquidated in profit count as wins in win_rate.
	WinsLiquidated int `json:"wins_liquidated"`
	// ProfitFactor is gross profit / gross loss over the trades; null when there is no losing
	// trade, ProfitFactorNull then saying why ("no trades" or "no losing trades"). 0 means
	// trades lost and none won.
	ProfitFactor     *float64 `json:"profit_factor"`
	ProfitFactorNull string   `json:"profit_factor_null,omitempty"`

	// The ledger, to the cent: FinalWallet + FinalUnrealizedPnL = initial_wallet +
	// realized_pnl_closes + liquidated_pnl + insurance_draw − fees − clearance_fees + funding
	// (see Reconcile).
	RealizedPnLCloses  float64 `json:"realized_pnl_closes"`  // realized PnL of the ordinary (non-liquidation) closes, insurance draws on them included
	Fees               float64 `json:"fees"`                 // trading fees (paid, positive) of all fills but liquidation fills
	Funding            float64 `json:"funding"`              // funding credited to the account (negative: paid)
	FinalWallet        float64 `json:"final_wallet"`         // cross wallet + isolated wallets at the end
	FinalUnrealizedPnL float64 `json:"final_unrealized_pnl"` // uPnL of the positions still open at the end

	Liquidations  int     `json:"liquidations"`   // liquidated positions
	LiquidatedPnL float64 `json:"liquidated_pnl"` // realized PnL of the liquidated positions at their liquidation fills, signed (before the insurance draw)
	InsuranceDraw float64 `json:"insurance_draw"` // losses beyond the bankruptcy price the insurance fund took (a credit to the account)
	ClearanceFees float64 `json:"clearance_fees"` // liquidation clearance fees (Liquidation.Fee; the liquidation fill carries the same fee)
	Ruined        bool    `json:"ruined"`
	RuinTime      int64   `json:"ruin_time,omitempty"` // Unix ms

	// MinDistanceSurvived is the closest |mark − liquidation price| / mark that a trade which
	// was not liquidated came to; null when no surviving trade had a liquidation price.
	MinDistanceSurvived *float64 `json:"min_distance_survived"`
	MaxMarginRatio      float64  `json:"max_margin_ratio"` // highest margin ratio reached, along the intrabar path (≥ 1 when liquidated)

	// Rejections counts the orders and account actions the rules refused (every row of the
	// account's rejects.csv); RejectionsByReason splits them per action and reason code, the
	// most frequent first ([] when none).
	Rejections         int              `json:"rejections"`
	RejectionsByReason []RejectionCount `json:"rejections_by_reason"`

	Fingerprint string `json:"fingerprint"` // the engine's fingerprint of the account's records; "" when unavailable
}

// Reconcile returns the final equity the summary's ledger fields add up to: initial_wallet +
// realized_pnl_closes + liquidated_pnl + insurance_draw − fees − clearance_fees + funding +
// final_unrealized_pnl. It equals FinalEquity (to float rounding) for every run.
func (s AccountSummary) Reconcile() float64 {
	return s.InitialWallet + s.RealizedPnLCloses + s.LiquidatedPnL + s.InsuranceDraw - s.Fees - s.ClearanceFees +
		s.Funding + s.FinalUnrealizedPnL
}

// Metric is one named numeric value of a summary, for tables and deltas.
type Metric struct {
	Key   string  // the JSON name
	Label string  // human label
	Value float64 // the value
	OK    bool    // false: not available (shown as "—", left out of deltas)
	Kind  string  // formatting hint: "money", "pct", "ratio", "count", "bool", "hours"
	// Better is +1 when a higher value is better, −1 when lower is better, 0 when neither:
	// reports colour deltas by it.
	Better int
}

// optional returns *p and whether p is set.
func optional(p *float64) (float64, bool) {
	if p == nil {
		return 0, false
	}
	return *p, true
}

// Metrics lists s's numeric metrics in report order.
func (s AccountSummary) Metrics() []Metric {
	b := func(v bool) float64 {
		if v {
			return 1
		}
		return 0
	}
	md, mdOK := optional(s.MinDistanceSurvived)
	pf, pfOK := optional(s.ProfitFactor)
	return []Metric{
		{"final_equity", "Final equity", s.FinalEquity, true, "money", 1},
		{"total_return", "Total return", s.TotalReturn, true, "pct", 1},
		{"cagr", "CAGR", s.CAGR, true, "pct", 1},
		{"max_drawdown", "Max drawdown", s.MaxDrawdown, true, "pct", -1},
		{"sharpe", "Sharpe", s.Sharpe, true, "ratio", 1},
		{"sortino", "Sortino", s.Sortino, true, "ratio", 1},
		{"calmar", "Calmar", s.Calmar, true, "ratio", 1},
		{"trades", "Trades", float64(s.Trades), true, "count", 0},
		{"win_rate", "Win rate", s.WinRate, true, "pct", 1},
		{"wins_liquidated", "  wins ended by a liquidation", float64(s.WinsLiquidated), true, "count", 0},
		{"profit_factor", "Profit factor", pf, pfOK, "ratio", 1},
		{"realized_pnl_closes", "Realized PnL (closes)", s.RealizedPnLCloses, true, "money", 1},
		{"fees", "Fees", s.Fees, true, "money", -1},
		{"funding", "Funding", s.Funding, true, "money", 1},
		{"liquidations", "Liquidations", float64(s.Liquidations), true, "count", -1},
		{"liquidated_pnl", "Realized PnL of liquidated positions", s.LiquidatedPnL, true, "money", 1},
		{"insurance_draw", "Insurance fund draw", s.InsuranceDraw, true, "money", 0},
		{"clearance_fees", "Clearance fees", s.ClearanceFees, true, "money", -1},
		{"final_unrealized_pnl", "Unrealized PnL at end", s.FinalUnrealizedPnL, true, "money", 1},
		{"ruined", "Ruined", b(s.Ruined), true, "bool", -1},
		{"rejections", "Rejected orders and actions", float64(s.Rejections), true, "count", -1},
		{"min_distance_survived", "Closest distance survived", md, mdOK, "pct", 1},
		{"max_margin_ratio", "Max margin ratio (intrabar)", s.MaxMarginRatio, true, "ratio", -1},
	}
}

// Summarize computes the summary of a run: every account's metrics and liquidation
// statistics, and the cross − isolated deltas and paired outcomes when both exist.
func Summarize(res *backtest.Result) Summary { return SummarizeStats(res, nil) }

// SummarizeStats is Summarize with the equity statistics of some accounts accumulated during
// the run (their curves streamed through a backtest.EquitySink, by account name): an account
// listed in curves is summarized from its EquityStats, the others from
// AccountResult.Equity.
func SummarizeStats(res *backtest.Result, curves map[string]*EquityStats) Summary {
	return SummarizeOpts(res, curves, Options{})
}

// SummarizeOpts is SummarizeStats with the liquidation statistics' options.
func SummarizeOpts(res *backtest.Result, curves map[string]*EquityStats, opt Options) Summary {
	s := Summary{
		Conventions: Conventions,
		Accounts:    map[string]AccountSummary{},
		Liquidation: map[string]LiquidationStats{},
		Fallbacks:   []backtest.Fallback{},
	}
	if res == nil {
		return s
	}
	s.Fallbacks = append(s.Fallbacks, res.Fallbacks...)
	// the accounts are summarized concurrently (the fingerprints are the costly part) and
	// assembled in their order
	accts := make([]AccountSummary, len(res.Accounts))
	liqs := make([]LiquidationStats, len(res.Accounts))
	var wg sync.WaitGroup
	for i := range res.Accounts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := &res.Accounts[i]
			st := curves[a.Name]
			if st == nil {
				st = opt.stats(a.Equity)
			}
			accts[i] = SummarizeAccountStats(a, st)
			liqs[i] = LiquidationsOpts(a, res.Start, st, opt)
		}()
	}
	wg.Wait()
	for i := range res.Accounts {
		s.Accounts[res.Accounts[i].Name] = accts[i]
		s.Liquidation[res.Accounts[i].Name] = liqs[i]
	}
	iso, cross := findAccount(res, IsolatedName), findAccount(res, CrossName)
	if iso != nil && cross != nil {
		s.Delta = DeltaOf(s.Accounts[IsolatedName].Metrics(), s.Accounts[CrossName].Metrics())
		s.LiquidationDelta = DeltaOf(s.Liquidation[IsolatedName].Metrics(), s.Liquidation[CrossName].Metrics())
		s.DeltaBetter = map[string]string{}
		for _, ms := range [][]Metric{s.Accounts[CrossName].Metrics(), s.Liquidation[CrossName].Metrics()} {
			for _, m := range ms {
				s.DeltaBetter[m.Key] = betterName(m.Better)
			}
		}
		p := Pair(iso.Trades, cross.Trades)
		s.Paired = &p
	}
	return s
}

// betterName names a Metric.Better direction.
func betterName(b int) string {
	switch {
	case b > 0:
		return "higher"
	case b < 0:
		return "lower"
	}
	return "neither"
}

func findAccount(res *backtest.Result, name string) *backtest.AccountResult {
	for i := range res.Accounts {
		if res.Accounts[i].Name == name {
			return &res.Accounts[i]
		}
	}
	return nil
}

// DeltaOf returns b − a for every metric available in both, keyed by Metric.Key.
func DeltaOf(a, b []Metric) map[string]float64 {
	am := map[string]Metric{}
	for _, m := range a {
		am[m.Key] = m
	}
	d := map[string]float64{}
	for _, m := range b {
		if x, ok := am[m.Key]; ok && x.OK && m.OK {
			d[m.Key] = m.Value - x.Value
		}
	}
	return d
}

// SummarizeAccount computes one account's metrics.
func SummarizeAccount(a *backtest.AccountResult) AccountSummary {
	return SummarizeAccountStats(a, StatsOf(a.Equity))
}

// SummarizeAccountStats computes one account's metrics with its equity statistics taken from
// st instead of a.Equity.
func SummarizeAccountStats(a *backtest.AccountResult, st *EquityStats) AccountSummary {
	return SummarizeStream(a, st, RecordStatsOf(a))
}

// survivedDistance is a trade's closest distance to liquidation when it was not liquidated
// and had a liquidation price (the engine records 1 for a trade that never had one).
func survivedDistance(t backtest.Trade) (float64, bool) {
	if t.Liquidated || !hasLiqPrice(t) {
		return 0, false
	}
	return t.MinLiqDistance, true
}

// hasLiqPrice reports whether the trade had a liquidation price while open: the engine
// records MinLiqDistance 1 (|mark − 0| / mark) when it never had one.
func hasLiqPrice(t backtest.Trade) bool { return t.MinLiqDistance < 1 }

// Fingerprint returns the engine's fingerprint of a's records when package backtest provides
// one (a method Fingerprint() string on *AccountResult), and "" otherwise or when it panics
// (an unimplemented stub).
func Fingerprint(a *backtest.AccountResult) (fp string) {
	f, ok := any(a).(interface{ Fingerprint() string })
	if !ok {
		return ""
	}
	defer func() {
		if recover() != nil {
			fp = ""
		}
	}()
	return f.Fingerprint()
}

// CAGR is the compound annual growth rate of going from v0 to v1 in days days (365-day
// years). It is −1 when v1 ≤ 0 and 0 when v0 ≤ 0 or days ≤ 0.
func CAGR(v0, v1, days float64) float64 {
	switch {
	case v0 <= 0 || days <= 0:
		return 0
	case v1 <= 0:
		return -1
	}
	return math.Pow(v1/v0, 365/days) - 1
}

// MaxDrawdown is the largest fall of equity below its running peak, as a positive fraction
// of the peak.
func MaxDrawdown(eq []backtest.EquityPoint) float64 {
	peak, md := math.Inf(-1), 0.0
	for _, p := range eq {
		if p.Equity > peak {
			peak = p.Equity
		}
		if peak > 0 {
			if dd := (peak - p.Equity) / peak; dd > md {
				md = dd
			}
		}
	}
	return md
}

// DailyEquity samples eq once per UTC day: the first point, then the last point of every
// UTC day that has points after the first (days without points are skipped). A point is a bar
// close, so one at exactly 00:00 ends the previous day.
func DailyEquity(eq []backtest.EquityPoint) []backtest.EquityPoint {
	if len(eq) == 0 {
		return nil
	}
	out := []backtest.EquityPoint{eq[0]}
	for i := 1; i < len(eq); i++ {
		if i == len(eq)-1 || closeDay(eq[i+1].Time) != closeDay(eq[i].Time) {
			out = append(out, eq[i])
		}
	}
	return out
}

// closeDay is the start of the UTC day a bar closing at t belongs to.
func closeDay(t int64) int64 { return floorDay(t - 1) }

func floorDay(t int64) int64 {
	d := t % DayMs
	if d < 0 {
		d += DayMs
	}
	return t - d
}

// DailyReturns returns the simple returns between consecutive DailyEquity samples. After the
// equity reaches 0 (ruin) the remaining returns are 0.
func DailyReturns(eq []backtest.EquityPoint) []float64 {
	d := DailyEquity(eq)
	if len(d) < 2 {
		return nil
	}
	r := make([]float64, 0, len(d)-1)
	for i := 1; i < len(d); i++ {
		if d[i-1].Equity <= 0 {
			r = append(r, 0)
			continue
		}
		r = append(r, d[i].Equity/d[i-1].Equity-1)
	}
	return r
}

// Sharpe is mean(r)/stdev(r)·√365 with the sample standard deviation (n−1) and a zero
// risk-free rate; 0 with fewer than 2 returns or zero variance.
func Sharpe(r []float64) float64 {
	if len(r) < 2 {
		return 0
	}
	m := mean(r)
	var ss float64
	for _, x := range r {
		ss += (x - m) * (x - m)
	}
	sd := math.Sqrt(ss / float64(len(r)-1))
	if sd == 0 {
		return 0
	}
	return m / sd * math.Sqrt(365)
}

// Sortino is mean(r)/dd·√365 with the downside deviation dd = √(Σ min(r,0)²/n) and a zero
// target; 0 without returns or without a negative one.
func Sortino(r []float64) float64 {
	if len(r) == 0 {
		return 0
	}
	var ss float64
	for _, x := range r {
		if x < 0 {
			ss += x * x
		}
	}
	dd := math.Sqrt(ss / float64(len(r)))
	if dd == 0 {
		return 0
	}
	return mean(r) / dd * math.Sqrt(365)
}

func mean(r []float64) float64 {
	var s float64
	for _, x := range r {
		s += x
	}
	return s / float64(len(r))
}

// MonthlyReturn is one calendar month's (UTC) equity return.
type MonthlyReturn struct {
	Year   int     `json:"year"`
	Month  int     `json:"month"` // 1..12
	Return float64 `json:"return"`
}

// MonthlyReturns returns the return of every UTC calendar month the curve touches: from the
// last point before the month (or the first point) to the last point in it.
func MonthlyReturns(eq []backtest.EquityPoint) []MonthlyReturn {
	var out []MonthlyReturn
	if len(eq) == 0 {
		return nil
	}
	start := eq[0].Equity
	for i := 0; i < len(eq); {
		y, m := ym(eq[i].Time)
		j := i
		for j+1 < len(eq) {
			y2, m2 := ym(eq[j+1].Time)
			if y2 != y || m2 != m {
				break
			}
			j++
		}
		end := eq[j].Equity
		r := 0.0
		if start > 0 {
			r = end/start - 1
		}
		out = append(out, MonthlyReturn{y, m, r})
		start = end
		i = j + 1
	}
	return out
}

// ym is the UTC year and month of a bar closing at t: a close at exactly 00:00 on the 1st
// belongs to the previous month.
func ym(t int64) (int, int) {
	tm := unixMilli(t - 1)
	return tm.Year(), int(tm.Month())
}

// Quantile returns the q-quantile (0..1) of xs by the nearest-rank method (sorted copy).
// It returns 0 for an empty slice.
func Quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	k := int(math.Ceil(q*float64(len(s)))) - 1
	k = max(0, min(k, len(s)-1))
	return s[k]
}

// FormatDuration renders a duration in ms as "3d 4h", "5h 20m" or "12m".
func FormatDuration(ms int64) string {
	m := ms / 60000
	switch {
	case m >= 1440:
		return fmt.Sprintf("%dd %dh", m/1440, m%1440/60)
	case m >= 60:
		return fmt.Sprintf("%dh %dm", m/60, m%60)
	}
	return fmt.Sprintf("%dm", m)
}

// RejectionsOf counts a's rejections per action and reason code (backtest.CountRejects),
// the most frequent first; [] when there are none.
func RejectionsOf(a *backtest.AccountResult) []RejectionCount {
	return rejectionCounts(backtest.CountRejects(a.Rejects))
}
