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
//   - Values JSON cannot hold (an infinite profit factor, a ratio with a zero denominator) are
//     reported as 0, and the doc comment of each field says when.
//   - Delta maps hold cross − isolated for every numeric metric, when a run has both an
//     account named "isolated" and one named "cross".
package metrics
