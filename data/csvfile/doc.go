// Package csvfile imports generic OHLCV CSV files, gzipped or not: ccxt/freqtrade-style
// "timestamp,open,high,low,close,volume", the shared Binance exports
// ("open_time_ms,open,high,low,close[,volume]" for klines and mark-price klines,
// "funding_time_ms,funding_rate" for funding), and similar.
//
// The first line must be a header. Columns are matched by name, case-insensitively:
//
//	time      timestamp, open_time_ms, open_time, time, date, datetime (klines);
//	          funding_time_ms, funding_time, time, timestamp, calc_time (funding)
//	prices    open, high, low, close
//	volume    volume (optional: mark-price files have none)
//	extras    quote_volume (quote_asset_volume), trades (count, number_of_trades),
//	          taker_buy_volume (taker_buy_base_asset_volume),
//	          taker_buy_quote_volume (taker_buy_quote_asset_volume)
//	funding   funding_rate (rate, last_funding_rate), interval_hours (funding_interval_hours)
//	ignored   close_time, close_time_ms, ignore, symbol, mark_price
//
// Any other column is an error, as are rows out of order, duplicates, bad numbers and the
// checks of data.CheckKline / data.CheckFunding. Errors are *data.RowError values whose Row is
// the 1-based line number in the (decompressed) file, the header being line 1.
//
// Time units: an integer time column is seconds, milliseconds, microseconds or nanoseconds,
// detected from its magnitude (below 1e11: s; below 1e14: ms; below 1e17: us; else ns) unless
// Options.TimeUnit says; the first row fixes the unit and every later row must have it (the
// thresholds put seconds before the year 5138 and milliseconds after 1973). A non-integer
// time is parsed as RFC 3339, "2006-01-02 15:04:05" (with or without an offset),
// "2006-01-02T15:04:05" or a date "2006-01-02", UTC unless an offset is given. Times are
// converted to Unix ms; sub-millisecond digits must be zero (else error).
//
// Funding files without an interval column take Options.FundingIntervalHours (default
// data.DefaultFundingIntervalHours, 8): an assumption, as Binance moves some symbols to 4 h or
// 1 h; give the interval when the source knows it.
package csvfile
