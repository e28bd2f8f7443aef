// Package sweep runs one experiment over many configurations: it parses a sweep file, expands
// it into an ordered list of configurations with stable ids, cuts that list into deterministic
// shards, and writes, reads and merges the results table.
//
// A sweep file names a base experiment (a file, or the experiment's keys inline) and the keys
// to vary, by their experiment key paths:
//
//	base: experiments/swing.yaml       # or base: {strategy: {name: swing}, ...}
//	grid:
//	  strategy.params.fast: [24, 72]
//	  strategy.params.slow: [288, 576]
//	  leverage.default: [3, 10, 20]
//	  margin.mode: [isolated, cross]   # optional: the accounts of every configuration
//	random:                            # optional, instead of or crossed with the grid
//	  n: 200
//	  seed: 1
//	  space:
//	    strategy.params.fast: {int: [5, 100]}
//	    costs.slippage_bps: {float: [0, 5]}
//	    strategy.params.size: {log: [0.01, 0.5]}
//	    leverage.default: {choice: [3, 10, 20]}
//
// # Configurations
//
// The grid expands as nested loops in the file's key order, the last key varying fastest;
// random draws (from a PCG generator seeded with seed, keys drawn in the file's order, a
// draw equal to an earlier one drawn again) are crossed with the grid, grid outermost.
// margin.mode is not a dimension: its values are the accounts every configuration runs (one
// row each in the table), so the cross − isolated delta is a property of one configuration.
// A configuration's id is the first 12 hex digits of the sha256 of its sorted key=value lines
// (values in canonical flow YAML): the same settings have the same id in every sweep file.
//
// # Sharding
//
// A shard i/N (0 ≤ i < N) is a pure function of the index, the count and the ordered list:
// the contiguous slice [⌊i·n/N⌋, ⌊(i+1)·n/N⌋) of the n configurations, so neighbouring
// configurations (often sharing strategy parameters) stay together. Every output directory
// holds sweep.json (Manifest): the sweep's id (a hash of the base experiment's text and the
// configuration list), the shard and the whole configuration list. Merge refuses shards of
// different sweeps, a shard given twice and missing shards, and writes the same bytes as the
// unsharded run.
//
// # The results table
//
// results.parquet and results.csv hold one row per configuration and account: config (the
// id), one column per swept key named by its key path, account, the account's summary metrics
// under their summary.json names (reports/metrics.AccountSummary) with fingerprint, and the
// configuration's cross − isolated deltas as delta.<metric> (null without both accounts).
// Both files are derived from one row description, so they always agree.
//
// # The page
//
// sweep.html (Output.HTML) is one self-contained page in report.html's style: heatmaps of
// metrics over two swept keys as embedded PNGs (a panel per account and one of cross −
// isolated) and the results table, sortable by column. The same table gives the same bytes.
package sweep
