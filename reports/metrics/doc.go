// Package metrics computes what a run's records mean: the per-account performance summary
// (summary.json) and the liquidation statistics shown side by side for isolated and cross
// margin. It reads only backtest records, so both package artifact (which writes
// summary.json) and package reports (which renders it) use it.
//
// Conventions, stated in every report:
//   - Return metrics (sharpe, sortino, cagr, calmar) use daily UTC returns: the equity curve
//     is sampled at every 00:00 UTC (the last point at or before midnight), plus the first
//     and the last point of the run.
//   - Annualization uses 365 days; the risk-free rate is 0.
//   - The initial equity is the first equity point; max drawdown uses the full-resolution
//     equity curve.
//   - Money sums (fees, funding, liquidation losses) are exact decimals, converted to float64
//     only for the summary.
//   - A figure that does not exist for an account (a profit factor without a losing trade, a
//     distance to liquidation without a liquidation price, a time to ruin without ruin) is
//     null, never a 0 or a placeholder; the profit factor says why (profit_factor_null).
//     Sharpe, Sortino and Calmar are 0 when their denominator is (each field says when).
//   - Units: money in USDT, times as Unix ms, durations in hours (keys ending _h), shares of
//     the run's time as fractions (_frac), distances to liquidation as fractions of the mark.
//     A key means the same unit in an account's block and in its delta.
//   - Delta maps hold cross − isolated for every numeric metric, when a run has both an
//     account named "isolated" and one named "cross"; delta_better says per key which
//     direction is better.
//   - docs/statistics.md defines every statistic in a trader's words, with worked examples.
package metrics
