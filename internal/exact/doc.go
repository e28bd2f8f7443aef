// Package exact holds the int64 fast paths of decimal arithmetic shared by the engine
// (package backtest) and the ledger (package margin): each answers exactly as the
// shopspring/decimal expression named in its comment, with the same value and the same
// exponent, computed on int64 (or 128-bit) coefficients when the operands' coefficients have
// at most 18 digits and the result fits, else by that expression. None allocates on the
// fast path. It imports only the standard library and shopspring/decimal, so that margin
// stays independent of the engine.
package exact
