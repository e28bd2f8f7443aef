// Package bootstrap resamples market history for Monte Carlo risk estimates: a stationary
// block bootstrap (Politis and Romano, 1994) of a replay's timestamps, as a backtest.Source.
//
// A path keeps the history's timeline (the same timestamps, so funding cadence and the run's
// length are unchanged) and fills it with blocks of consecutive historical timestamps: a block
// starts at a uniformly drawn timestamp and continues (wrapping around at the end) until a
// draw with probability 1/MeanBlock starts the next, so block lengths are geometric with mean
// MeanBlock. Blocks are drawn jointly for every symbol — each output timestamp takes all of one
// historical timestamp's klines, mark klines and funding — so cross-symbol correlation, the
// basis between mark and last price, funding and the clustering of crashes within a block
// survive. Prices are re-chained: at the start of a block every symbol's klines and mark
// klines are scaled by one factor so the block's first open equals the previous close of the
// path, and the path's prices continue from where it stood; funding rates and volumes are kept.
//
// Limits: a bootstrap can only recombine what the history holds. It cannot produce a crash
// larger than the largest one in the data (within a block) nor a regime the data never saw;
// it breaks dependence longer than a block; it scales prices multiplicatively, so tick-size
// grids no longer align with the history. For a crash beyond history use a synthetic market
// (bt data synth --crash) as the base data.
//
// The same history, options and path index give the same path, byte for byte.
package bootstrap
