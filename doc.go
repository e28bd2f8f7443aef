// Package bt is the root of bt, a backtester for Binance USDⓈ-M perpetual futures that answers
// one question: what would this strategy have done under isolated margin, and what under cross
// margin? The same strategy runs through the same exact-decimal margin engine under both setups,
// side by side, in one pass over the data.
//
// The code lives in the packages below; this package holds only the repository-wide lint tests
// (lint_test.go) that keep the layout honest:
//
//	backtest/         the core: accounts, margin, liquidation, funding, the event loop
//	backtest/margin/  Binance's margin rules: brackets, liquidation price, the account ledger
//	internal/exact/   the exact int64 fast paths of decimal arithmetic both share
//	data/             market data: the Parquet store, importers, synthetic markets, the sample
//	strategies/       the reference strategies and their registry
//	reports/          metrics, liquidation statistics, run artifacts, PNG and HTML reports
//	experiment/       the pipeline: experiment file < flags < --set, data, run, run directory
//	sweep/            sweep files, configurations, shards and the merged results table
//	montecarlo/       liquidation risk over block-bootstrapped histories (data/bootstrap)
//	cmd/bt/           the command line: flags, printing and exit codes over experiment
//	notebooks/        Jupyter notebooks over run directories
//
// Dependencies point inward: backtest imports only the standard library and
// shopspring/decimal (and its own margin and internal/exact), never data, strategies, reports
// or cmd.
package bt
