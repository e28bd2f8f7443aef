// Package montecarlo estimates liquidation risk by running an experiment on many resampled
// histories (data/bootstrap: a stationary block bootstrap of the experiment's market data,
// blocks drawn jointly across symbols) under every account of the experiment, and summarising
// per account: the probability of at least one liquidation and of ruin (with 95% Wilson
// intervals) and the distribution of final equity and maximum drawdown (quantiles, and the
// mean with a 95% normal interval). The same experiment, seed, path count and block length
// give the same table, byte for byte.
//
// A bootstrap cannot invent a crash larger than the history holds: to ask about one, run it
// on a synthetic market with a scheduled crash (bt data synth --crash).
package montecarlo
