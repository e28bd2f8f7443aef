// Package sizing turns a strategy's float64 decisions (a notional in USDT, a price) into
// order quantities and prices on the instrument's grids, for the reference strategies.
//
// The grids come from the engine when the Broker exposes the symbol's instrument (a method
// Instrument(symbol) (margin.Instrument, bool)); otherwise they are those the engine gives a
// symbol by default, margin.DefaultInstrument at the symbol's first bar open, which the
// strategy passes as refPrice. (A run whose Config.Instruments overrides a symbol's filters
// with a coarser grid than the default needs the Broker method.) Quantities are rounded down
// (never more exposure than asked); prices to the nearest tick.
package sizing
