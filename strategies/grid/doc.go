// Package grid is a neutral grid bot on one perpetual: resting limit orders on a geometric
// price grid around a center, each entry paired with a reduce-only take-profit one level
// closer to the center.
//
// Scenario: the "set and forget" futures grid bot. In a range it harvests the spacing over and
// over; in a trend it accumulates a growing position against the move (buys all the way down
// a crash). Under cross margin the whole wallet holds that position; under isolated margin it
// is liquidated sooner but can lose only its own margin.
//
// Grid: level k (k = ±1..±levels) has price center·(1+spacing)^k, rounded to the tick. Below
// the center rest buy limits, above it sell limits, each of notional `amount` at its level
// price (quantity rounded down to the step). When an entry at level k fills, a reduce-only
// limit at level k+1 (buys) or k−1 (sells) takes profit (level 0 is the center); when that
// take-profit fills, the entry at level k is placed again. Orders placed on a bar rest from the
// next bar (the engine's rule). Limits fill at their price as maker when the price trades
// through them.
//
// Recentering: at a bar close where the account is flat, no take-profit is waiting and the
// close is beyond the outermost level, every order is cancelled and the grid rebuilt around
// the close. After a liquidation the grid is rebuilt the same way (if the account still
// trades). In one-way position mode longs and shorts net: a sell entry that fills while a long
// is open reduces the long, and the long's take-profit may then be rejected as reduce-only
// (the engine records it).
//
// Parameters (read from the run config by name; see Params):
//
//	symbol    the perpetual to trade (default BTCUSDT)
//	levels    levels on each side of the center (default 5)
//	spacing   relative distance between levels (default 0.01)
//	amount    notional per level in USDT (default 500)
//
// The strategy trades at the account's leverage (leverage.default or leverage.symbols of the
// experiment, --leverage on the command line); it has no leverage parameter of its own.
package grid
