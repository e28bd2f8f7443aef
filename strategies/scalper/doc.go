// Package scalper is a single-symbol mean-reversion scalper with tight attached stops, as run
// on BTCUSDT short bars: it fades moves outside the Bollinger bands when RSI confirms the
// stretch, with a stop-loss and a take-profit attached to every entry and high leverage.
//
// Scenario: a trader who risks a small fraction of equity per trade behind a tight stop, at
// 20x. The stop normally closes a losing trade long before the liquidation price, so isolated
// and cross should agree, unless the price gaps through the stop (then the mode decides how
// much the gap can take) or the stop is wider than the distance to liquidation.
//
// Behaviour, at each close of the symbol's bar, once the indicators are warm:
//
//   - flat and no open orders: close below the lower band with RSI ≤ rsi_low opens a long;
//     close above the upper band with RSI ≥ rsi_high opens a short. The entry is a market
//     order (filling at the next open) with StopLoss at close·(1 ∓ stop) and TakeProfit at
//     close·(1 ± take), rounded to the tick; the engine cancels the other when one fills.
//   - size: notional = risk·equity/stop (so hitting the stop loses about `risk` of equity),
//     capped at 90% of equity·leverage.
//   - a position held for maxbars bars (0: never) is closed at market, its stops cancelled.
//
// Parameters (read from the run config by name; see Params):
//
//	symbol    the perpetual to trade (default BTCUSDT)
//	period    Bollinger period in bars (default 20)
//	k         Bollinger width in standard deviations (default 2)
//	rsi       RSI period (default 14)
//	rsi_low   RSI at or below which a long may open (default 30)
//	rsi_high  RSI at or above which a short may open (default 70)
//	stop      stop-loss distance, fraction of price (default 0.005)
//	take      take-profit distance, fraction of price (default 0.01)
//	risk      fraction of equity lost when the stop is hit (default 0.01)
//	maxbars   bars after which an open position is closed; 0: never (default 12)
//
// The strategy trades at the account's leverage (leverage.default or leverage.symbols of the
// experiment, --leverage on the command line); it has no leverage parameter of its own.
package scalper
