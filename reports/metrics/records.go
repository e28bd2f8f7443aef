package metrics

import (
	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/shopspring/decimal"
)

// RecordStats accumulates, record by record, everything an AccountSummary needs from an
// account's records (the trades' wins, profit factor and closest distance survived; the
// ledger's sums of fees, realized PnL, funding and liquidations; the rejections per reason),
// so that a run can stream its records to it (a backtest.RecordSink, backtest.Config.Records)
// instead of holding them. RecordStatsOf feeds a result's held records through one, which is
// how SummarizeAccountStats computes the same figures: a streamed summary equals the held one
// to the bit.
type RecordStats struct {
	trades, wins, winsLiq int
	gp, gl                decimal.Decimal
	minDist               float64
	hasMinDist            bool

	fees, realized, funding decimal.Decimal
	lpnl, ins, clear        decimal.Decimal
	liqs                    int
	rejects                 backtest.RejectCounter
	nRejects                int
}

// NewRecordStats returns an empty accumulator.
func NewRecordStats() *RecordStats { return &RecordStats{} }

// RecordStatsOf feeds a's held records through a new accumulator, each kind in its order.
func RecordStatsOf(a *backtest.AccountResult) *RecordStats {
	s := NewRecordStats()
	for i := range a.Trades {
		s.Trade(&a.Trades[i])
	}
	for i := range a.Fills {
		s.Fill(&a.Fills[i])
	}
	for i := range a.Funding {
		s.Funding(&a.Funding[i])
	}
	for i := range a.Liquidations {
		s.Liquidation(&a.Liquidations[i])
	}
	for i := range a.Rejects {
		s.Reject(&a.Rejects[i])
	}
	return s
}

// Trade accumulates a closed trade.
func (s *RecordStats) Trade(t *backtest.Trade) {
	s.trades++
	switch t.PnL.Sign() {
	case 1:
		s.wins++
		s.gp = s.gp.Add(t.PnL)
		if t.Liquidated {
			s.winsLiq++
		}
	case -1:
		s.gl = s.gl.Sub(t.PnL)
	}
	if d, ok := survivedDistance(*t); ok && (!s.hasMinDist || d < s.minDist) {
		s.minDist, s.hasMinDist = d, true
	}
}

// Fill accumulates a fill: its fee and realized PnL unless it is a liquidation's (whose fee
// is the clearance fee, counted with the liquidation).
func (s *RecordStats) Fill(f *backtest.FillRecord) {
	if !f.Liquidation {
		s.fees = s.fees.Add(f.Fee)
		s.realized = s.realized.Add(f.RealizedPnL)
	}
}

// Funding accumulates a funding payment.
func (s *RecordStats) Funding(p *backtest.FundingPayment) { s.funding = s.funding.Add(p.Amount) }

// Liquidation accumulates a liquidation.
func (s *RecordStats) Liquidation(l *margin.Liquidation) {
	s.liqs++
	s.lpnl = s.lpnl.Add(LiquidatedPnL(*l))
	s.ins = s.ins.Add(l.InsuranceDraw)
	s.clear = s.clear.Add(l.Fee)
}

// Reject accumulates a rejection.
func (s *RecordStats) Reject(r *backtest.Reject) {
	s.nRejects++
	s.rejects.Add(r)
}

// Liquidations is the number of liquidations accumulated.
func (s *RecordStats) Liquidations() int { return s.liqs }

// SummarizeStream computes one account's metrics from its equity statistics and its record
// statistics, both accumulated during the run (backtest.Config.Equity and Config.Records): a's
// record slices are not read (they are empty), its final balances, ruin and Fingerprint are.
func SummarizeStream(a *backtest.AccountResult, st *EquityStats, rs *RecordStats) AccountSummary {
	s := equitySummary(st)
	s.Trades = rs.trades
	s.WinsLiquidated = rs.winsLiq
	if rs.hasMinDist {
		d := rs.minDist
		s.MinDistanceSurvived = &d
	}
	if s.Trades > 0 {
		s.WinRate = float64(rs.wins) / float64(s.Trades)
	}
	switch {
	case rs.gl.Sign() > 0:
		pf := rs.gp.Div(rs.gl).InexactFloat64()
		s.ProfitFactor = &pf
	case s.Trades == 0:
		s.ProfitFactorNull = "no trades"
	default:
		s.ProfitFactorNull = "no losing trades"
	}

	s.RealizedPnLCloses = rs.realized.InexactFloat64()
	s.Fees = rs.fees.InexactFloat64()
	s.Funding = rs.funding.InexactFloat64()
	final := a.Final.Wallet.Add(a.Final.IsolatedWallets)
	s.FinalWallet = final.InexactFloat64()
	s.InitialWallet = final.Sub(rs.realized).Sub(rs.lpnl).Sub(rs.ins).Add(rs.fees).Add(rs.clear).Sub(rs.funding).InexactFloat64()
	s.FinalUnrealizedPnL = a.Final.UnrealizedPnL.InexactFloat64()
	s.Liquidations = rs.liqs
	s.LiquidatedPnL = rs.lpnl.InexactFloat64()
	s.InsuranceDraw = rs.ins.InexactFloat64()
	s.ClearanceFees = rs.clear.InexactFloat64()
	s.Ruined = a.Ruined
	if a.Ruined {
		s.RuinTime = a.RuinTime
	}
	s.Rejections = rs.nRejects
	s.RejectionsByReason = rejectionCounts(rs.rejects.Counts())
	s.Fingerprint = Fingerprint(a)
	return s
}

// equitySummary is the part of an AccountSummary that comes from the equity curve.
func equitySummary(st *EquityStats) AccountSummary {
	var s AccountSummary
	if st.Len() > 0 {
		first, last := st.First(), st.Last()
		s.InitialEquity = first.Equity
		s.FinalEquity = last.Equity
		s.Days = float64(last.Time-first.Time) / DayMs
		if s.InitialEquity > 0 {
			s.TotalReturn = s.FinalEquity/s.InitialEquity - 1
		}
		s.CAGR = CAGR(s.InitialEquity, s.FinalEquity, s.Days)
		s.MaxDrawdown = st.MaxDrawdown()
		r := st.DailyReturns()
		s.Sharpe = Sharpe(r)
		s.Sortino = Sortino(r)
		if s.MaxDrawdown > 0 {
			s.Calmar = s.CAGR / s.MaxDrawdown
		}
		s.MaxMarginRatio = st.MaxMarginRatio()
	}
	return s
}

// rejectionCounts converts the engine's counts; [] when there are none.
func rejectionCounts(cs []backtest.RejectCount) []RejectionCount {
	out := []RejectionCount{}
	for _, c := range cs {
		out = append(out, RejectionCount{Action: c.Action, Code: c.Code, Reason: c.Reason, Count: c.Count,
			FirstTime: c.First.Time, FirstSymbol: c.First.Symbol})
	}
	return out
}
