// Package swing is a multi-symbol trend-following swing trader: it holds several correlated
// altcoin perpetuals at once, long (or short) each one while its fast EMA is above (below) its
// slow EMA, with a fixed fraction of equity as margin per position and moderate leverage.
//
// Scenario: a trader runs one book of correlated coins. Under cross margin the positions share
// one wallet, so a winner's profit keeps a loser open through a drawdown; under isolated margin
// each position risks only its own margin and is liquidated alone. Running both modes side by
// side shows which of the two the trader's style needs. It is the default strategy of `bt run`
// and the one used in throughput benchmarks, so its per-bar path allocates nothing: OnBars (a
// timestamp's bars in one call, backtest.BarsHandler) only updates two EMAs per bar, and
// orders are placed only when a trend flips. The EMAs and the flips depend on the bars and on
// fast, slow, short and symbols only, not on the account: the accounts of a run with the same
// four settings (a sweep of sizes, leverages and margin modes) compute them once per
// timestamp between them (backtest.SignalSharer), each account then only acting on the flips
// (and not called at all where nothing flipped: backtest.IdleSignals).
//
// Behaviour: OnBars updates each symbol's EMAs at the bar close (OnBar does the same for one
// bar). OnStep, after every bar of a timestamp, looks at each traded symbol that had a bar at
// that timestamp and whose EMAs are warm: when the desired side (+1 fast above slow, −1 below when short=true, else 0) differs
// from the side last acted on, it closes any opposite position with a reduce-only market order
// and opens the new side with a market order of notional size × equity × leverage at the last
// close (rounded down to the step size in force at that bar). Both fill at the next bar's
// open. A position that was liquidated is not reopened until the trend flips again. An entry
// whose notional is below the instrument's minimum notional in force at its bar (the
// exchange's filters are dated) is not submitted (an account too small to trade stays flat
// instead of filling the rejects log); other rejections (insufficient margin, a notional that
// rounds below the minimum) are recorded by the engine and the strategy carries on.
//
// Parameters (read from the run config by name; see Params):
//
//	symbols   comma-separated symbols to trade; empty: every symbol of the data
//	fast      fast EMA period in bars (default 72: three days of 1h bars)
//	slow      slow EMA period in bars (default 288: twelve days of 1h bars), must exceed fast
//	size      initial margin per position, fraction of equity at entry (default 0.05: ten positions at 10x are 5x the equity)
//	short     also hold shorts in down-trends (default true)
//
// The strategy trades at the account's leverage (leverage.default or leverage.symbols of the
// experiment, --leverage on the command line); it has no leverage parameter of its own.
package swing
