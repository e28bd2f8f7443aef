// Package backtest is bt's core: the event loop that replays one merged market stream through
// several accounts at once (isolated, cross, or a per-symbol mix), the orders, fills and
// broker a strategy uses, and the records a run produces. The margin ledger itself lives in
// backtest/margin.
//
// Conventions: times are Unix milliseconds UTC; Bar.Time is a bar's open and Bar.End its close;
// a strategy sees a bar at its close and its orders fill no earlier than the next bar.
// Quantities are base units, positive for long. Fees are fractions of notional. Money is
// decimal.Decimal; market data is float64.
package backtest
