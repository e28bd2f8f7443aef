// Package replay replays a trader's own trade log, so that they can ask what their real
// trades would have done under the other margin mode (or both, side by side).
//
// The log is a CSV file named by the parameter `file`, with a header row naming the columns
//
//	time,symbol,side,type,qty,price,leverage,reduce_only
//
// in any order, one order per row:
//
//	time         RFC 3339 (2025-06-01T12:00:00Z, fractional seconds allowed), Unix epoch
//	             milliseconds (1748779200000), or "2025-06-01 12:00:00" taken as UTC (the
//	             layout of Binance's trade-history exports)
//	symbol       the perpetual, e.g. BTCUSDT; it must be in the data
//	side         buy or sell (case-insensitive)
//	type         market or limit (case-insensitive)
//	qty          base units, a decimal > 0
//	price        limit price, a decimal > 0; empty for market orders (a price on a market
//	             order is an error, not silently ignored)
//	leverage     integer 1..125 set on the symbol before the order; empty keeps the current one
//	reduce_only  true/false (also 1/0, yes/no); empty means false
//
// and optionally
//
//	position_side  LONG or SHORT in hedge mode (Binance's positionSide: a sell on LONG reduces
//	               the long, a buy on SHORT reduces the short); BOTH or empty in one-way mode.
//	               A LONG/SHORT row in a one-way run, or a row without one in a hedge run
//	               (position_mode: hedge, bt run --position-mode hedge), fails the run before
//	               its first bar, naming the row.
//
// Blank lines and lines starting with # are skipped. Rows may be in any order (exchange
// exports are often newest first): they are sorted by time, ties keeping file order. A parse
// error is a *ParseError naming the file, the line (row) and the field.
//
// Timing (a modelling assumption): an order is submitted at the close of the first bar of its
// symbol whose close time (Bar.End) is at or after the order's time, so a market order fills
// at the next bar's open, never earlier than the real trade; a limit order rests from then on.
// Orders timed before the data start are submitted at the first bar; orders after the last
// bar are never submitted (bt run counts them and warns on stderr with the first row; under
// strict they fail the run). Quantities and prices are used as logged: they must be on the
// instrument's step and tick grids, else the engine rejects them (and records the rejection).
//
// Parameters: file (required), the path of the CSV log.
package replay
