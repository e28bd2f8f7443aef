// Package inspect reports on the quality of market-data series: per series its rows and span,
// gaps (missing bars, listed and counted), duplicate and out-of-order times, OHLC violations,
// zero-volume bars, the largest close-to-close moves, the divergence of mark price from last
// price, and the cadence of funding settlements.
//
// There are two entry points: Klines and Funding inspect raw rows (as an importer parsed them,
// before validation), and Store inspects every series of a parquet.Store. Both fill a Report,
// which marshals to JSON for scripts and prints as text with WriteText.
//
// Conventions: times are Unix ms UTC (and RFC 3339 in text); a gap is a run of missing bars
// between two present ones, [From, To) in open times; a move is close[i]/close[i-1] - 1 between
// consecutive present bars (so a move across a gap spans the gap); the mark/last divergence at
// a bar is |mark close - last close| / last close over the bars present in both series.
// Nothing is repaired or filled.
package inspect
