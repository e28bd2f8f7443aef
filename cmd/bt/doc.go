// Command bt backtests Binance USDⓈ-M perpetual futures strategies under isolated and cross
// margin, side by side, in one pass over the data.
//
// Usage:
//
//	bt run [-c experiment.yaml] [flags]   run a backtest and write a run directory with a report
//	bt report RUN_DIR [RUN_DIR2]          render the report of a run (or compare two) from its artifacts
//	bt check RUN_DIR --baseline B         exit 1 when a run drifts from a baseline summary
//	bt calc liq [flags]                   Binance liquidation price of one position
//	bt data import|download|synth|inspect manage market data
//	bt strategies                         list the reference strategies and their parameters
//	bt version                            print the version
//	bt completion SHELL                   shell completion script
//
// Exit codes: 0 success, 1 run failure or regression drift, 2 usage, config or data error.
package main
