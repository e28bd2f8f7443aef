// Package indicator provides streaming technical indicators for strategies: SMA, EMA (and
// EMAPair, two EMAs of one series updated together), ATR, RSI (Wilder), Bollinger bands and rolling volatility.
//
// Every indicator is fed one observation at a time through Update, which returns the current
// value and ok=false while the indicator is still warming up (it has not yet seen enough
// observations to be full), in the spirit of backtrader's minperiod. Strategies return early
// while !ok; there is no engine-level warm-up.
//
// Updates are O(1) and allocate nothing: each indicator allocates its window once, in its
// constructor. Windowed sums and variances are updated incrementally and recomputed exactly
// from the window every time it wraps (every n updates), which bounds floating-point drift
// over long replays while keeping the amortized cost O(1).
//
// Conventions: inputs and outputs are float64, as market data is. Periods are counted in
// updates (bars), whatever the bar interval. Constructors panic when a period is < 1 (or
// < 2 where stated): a period is a programmer's constant, not data. Update does not check
// for NaN or Inf; market data is validated where it enters the program.
package indicator
