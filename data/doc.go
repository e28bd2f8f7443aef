// Package data holds the row types shared by bt's market-data formats and sources: klines
// (last price), mark-price klines and funding rates, and the Series key that names one of them.
//
// Times are Unix milliseconds, UTC. A kline's OpenTime is the open of its bar, as Binance
// publishes it; the engine converts to the close time once, when it builds backtest.Bar values.
// Prices are float64 as received. Sub-packages hold one format or source each: parquet (the
// on-disk store and the streaming reader), binance (data.binance.vision import and download),
// csvfile (generic OHLCV CSV), synth (seeded synthetic markets), sample (the embedded dataset).
package data
