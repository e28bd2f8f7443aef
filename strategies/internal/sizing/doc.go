// Package sizing turns a strategy's float64 decisions (a notional in USDT, a price) into
// order quantities and prices on the instrument's grids, for the reference strategies.
//
// The grids are those of the instrument the run trades (Broker.Instrument), which the engine
// fixes before Start (Config.Instruments, else margin.DefaultInstrument at the symbol's first
// open): Symbol gives a strategy the symbol's ID and instrument once, in Start. Quantities are
// rounded down (never more exposure than asked); prices to the nearest tick.
package sizing
