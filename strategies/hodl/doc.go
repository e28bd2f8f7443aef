// Package hodl is leveraged buy-and-hold with dollar-cost averaging, as a new user would run
// it: buy a fixed USDT amount of one perpetual every N bars at the account's leverage, never sell.
//
// Scenario: a newcomer opens a long at 10x "because it always goes up", then adds the same
// amount every day. Cross margin lets the whole wallet defend the position (one liquidation
// takes everything); isolated margin caps each buy's risk but liquidates sooner. The
// side-by-side result shows the cost of each choice in a drawdown.
//
// Behaviour: at the close of the symbol's first bar and then every `every` bars of that symbol,
// if the available balance covers `amount`, it submits a market buy of notional
// amount × leverage at the last close (rounded down to the step size), filling at the next
// bar's open. It stops after `max` buys (0: no limit). After a liquidation it keeps buying on
// schedule with what is left (unless the run config stops liquidated accounts).
//
// Parameters (read from the run config by name; see Params):
//
//	symbol    the perpetual to buy (default BTCUSDT)
//	amount    USDT of margin committed per buy (default 100)
//	every     bars between buys (default 24: daily on 1h bars)
//	max       maximum number of buys, 0 for no limit (default 0)
//
// The strategy trades at the account's leverage (leverage.default or leverage.symbols of the
// experiment, --leverage on the command line); it has no leverage parameter of its own.
package hodl
