// Package sizing turns a strategy's float64 decisions (a notional in USDT, a price) into
// order quantities and prices on the exchange's grids, for the reference strategies.
//
// The grids come from the engine when the Broker exposes the symbol's instrument (a method
// Instrument(symbol) (margin.Instrument, bool)); otherwise from a table of Binance USDⓈ-M
// filters for the ten perpetuals of the embedded sample; otherwise from a coarse rule derived
// from the price (see Filters). Quantities are rounded down (never more exposure than asked);
// prices to the nearest tick.
package sizing
