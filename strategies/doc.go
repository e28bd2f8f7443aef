// Package strategies is the registry of bt's reference strategies, one package each:
//
//	swing    trend-following swing trader over several correlated altcoins (the default)
//	hodl     leveraged buy-and-hold / dollar-cost averaging, as a new user runs it
//	scalper  BTCUSDT Bollinger mean-reversion scalper with tight attached stops
//	grid     grid bot: limit orders on a price grid with reduce-only take-profits
//	replay   replays a trade log CSV, to see real trades under the other margin mode
//
// The registry is a literal map from name to constructor (no init() registration): Lookup
// returns a constructor, Names the sorted names, Describe a one-line summary and the
// parameters with their defaults. Parameters reach a strategy from the run config by name
// (backtest.Config.Params, read through Broker.Param); package param reads and validates them.
// Streaming indicators are in package indicator.
package strategies
