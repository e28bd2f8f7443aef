// Package breakout is an example of a strategy written outside bt: a Donchian breakout on one
// perpetual. It goes long when a bar closes above the highest high of the previous `period`
// bars and closes the position when a bar closes below the lowest low of the previous
// period/2 bars. Each entry commits `size` of the account's equity as margin, at the
// account's leverage (bt run --leverage).
package breakout
