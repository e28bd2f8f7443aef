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
	gp, gl                decSum
	minDist               float64
	hasMinDist            bool

	fees, realized, funding decSum
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
		s.gp.add(t.PnL)
		if t.Liquidated {
			s.winsLiq++
		}
	case -1:
		s.gl.sub(t.PnL)
	}
	if d, ok := survivedDistance(*t); ok && (!s.hasMinDist || d < s.minDist) {
		s.minDist, s.hasMinDist = d, true
	}
}

// Fill accumulates a fill: its fee and realized PnL unless it is a liquidation's (whose fee
// is the clearance fee, counted with the liquidation).
func (s *RecordStats) Fill(f *backtest.FillRecord) {
	if !f.Liquidation {
		s.fees.add(f.Fee)
		s.realized.add(f.RealizedPnL)
	}
}

// Funding accumulates a funding payment.
func (s *RecordStats) Funding(p *backtest.FundingPayment) { s.funding.add(p.Amount) }

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
	gp, gl := rs.gp.value(), rs.gl.value()
	switch {
	case gl.Sign() > 0:
		pf := gp.Div(gl).InexactFloat64()
		s.ProfitFactor = &pf
	case s.Trades == 0:
		s.ProfitFactorNull = "no trades"
	default:
		s.ProfitFactorNull = "no losing trades"
	}

	realized, fees, funding := rs.realized.value(), rs.fees.value(), rs.funding.value()
	s.RealizedPnLCloses = realized.InexactFloat64()
	s.Fees = fees.InexactFloat64()
	s.Funding = funding.InexactFloat64()
	final := a.Final.Wallet.Add(a.Final.IsolatedWallets)
	s.FinalWallet = final.InexactFloat64()
	s.InitialWallet = final.Sub(realized).Sub(rs.lpnl).Sub(rs.ins).Add(fees).Add(rs.clear).Sub(funding).InexactFloat64()
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

// decSum is an exact running sum of decimals that allocates nothing per term while the terms
// allow it: the terms with at most 18 digits at one exponent (money: 8 decimals) add up in an
// int64 coefficient, the others (and any overflow) in a decimal.Decimal. value is the same
// number as the decimal sum of the terms (its exponent may differ; every figure read from it,
// its float, its sign and quotients, depends on the number only).
type decSum struct {
	c    int64
	exp  int32
	fast bool            // c·10^exp holds part of the sum
	rest decimal.Decimal // the rest of the sum
}

// add adds x.
func (s *decSum) add(x decimal.Decimal) { s.addSigned(x, false) }

// sub subtracts x.
func (s *decSum) sub(x decimal.Decimal) { s.addSigned(x, true) }

// addSigned adds x, or −x when neg.
func (s *decSum) addSigned(x decimal.Decimal, neg bool) {
	if x.NumDigits() <= 18 { // |c| < 10^18: c and −c fit, and so does the sum of two
		c, e := x.CoefficientInt64(), x.Exponent()
		if neg {
			c = -c
		}
		switch {
		case c == 0:
			return
		case !s.fast:
			s.c, s.exp, s.fast = c, e, true
			return
		case e == s.exp:
			if sum := s.c + c; (s.c >= 0) != (c >= 0) || (sum >= 0) == (c >= 0) { // no overflow
				s.c = sum
				return
			}
		}
	}
	if neg {
		s.rest = s.rest.Sub(x)
	} else {
		s.rest = s.rest.Add(x)
	}
}

// value returns the sum.
func (s *decSum) value() decimal.Decimal {
	if !s.fast {
		return s.rest
	}
	return s.rest.Add(decimal.New(s.c, s.exp))
}
