// Package data holds the row types shared by bt's market-data formats and sources: klines
// (last price), mark-price klines and funding rates, and the Series key that names one of them.
//
// Times are Unix milliseconds, UTC. A kline's OpenTime is the open of its bar, as Binance
// publishes it; a backtest.Bar keeps it as Time and adds the close, End = Time + interval.
// Prices are float64 as received. Sub-packages hold one format or source each: parquet (the
// on-disk store and the streaming reader), binance (data.binance.vision import and download),
// csvfile (generic OHLCV CSV), synth (seeded synthetic markets), inspect (data-quality
// reports), sample (the embedded dataset). README.md documents the on-disk layout.
//
// Validation is shared: CheckKline and CheckFunding test one row, CheckOrder two consecutive
// times, ValidateKlines, ValidateKlinesAligned and ValidateFunding a whole slice. Faults are
// *RowError values (file, row, field) wrapping the sentinel errors of this package.
package data
