// Package binance imports and downloads the public market-data archives of
// data.binance.vision: USDⓈ-M futures klines, markPriceKlines and fundingRate, and spot
// klines as a fallback.
//
// There are few types: FileInfo (what a file name says), File (the rows parsed from one
// archive), ParseError (where a file is bad) and Downloader (fetches archives in the
// site's URL layout). Parsing returns rows and never touches a store, so it can be tested
// and reused alone; Import is the thin layer that writes one file into a parquet.Store.
//
// # Files
//
// An archive is a .zip holding one CSV, or that CSV alone (.csv, or .csv.gz). Kline files
// (klines and markPriceKlines) have 12 columns:
//
//	open_time,open,high,low,close,volume,close_time,quote_volume,count,
//	taker_buy_volume,taker_buy_quote_volume,ignore
//
// fundingRate files have 3: calc_time,funding_interval_hours,last_funding_rate.
// Futures files carry a header row since about 2022; spot files never do. The parser
// detects it: a first line whose first field is not a number is a header, and its column
// names must be the expected ones.
//
// # Times and units
//
// Rows come out in Unix milliseconds UTC, with a kline's OpenTime the open of its bar as
// Binance publishes it (a backtest.Bar adds the close, End = open + interval). Spot files switched
// to microseconds on 2025-01-01; the unit is detected per row by magnitude: a timestamp
// of 10^14 or more is microseconds (10^14 ms is the year 5138) and is divided by 1000,
// which must be exact. fundingRate's calc_time carries a few milliseconds of jitter on
// some rows; it is rounded to the nearest minute, as settlement times are whole minutes.
// Mark-price klines keep OpenTime and OHLC only: Binance fills their volume columns with
// zeros, which are dropped.
//
// # Validation
//
// Every row is checked with data.CheckKline (prices finite and > 0, low <= open,
// close <= high, volumes finite and >= 0), and open times must be aligned to the
// interval (intervals up to 1d; 3d, 1w and 1mo are accepted unaligned) and strictly
// increasing. The first fault is returned as a *ParseError naming the file, the 1-based
// line ("row", header included) and the field by its Binance column name.
//
// # Checksums
//
// data.binance.vision publishes <archive>.CHECKSUM beside every archive, one line
// "<sha256 hex>  <file name>". When such a file lies beside the archive being read, the
// archive's SHA-256 must match it (ErrChecksum otherwise); when there is none, nothing is
// checked. The file name inside the CHECKSUM line is not compared, so renamed archives
// still verify.
//
// # File names
//
// ParseFileName reads symbol, interval, kind, market and period from a path such as
// data/futures/um/daily/klines/BTCUSDT/1h/BTCUSDT-1h-2024-10-28.zip or
// BTCUSDT-fundingRate-2024-10.zip. The kind markPriceKlines and the market (futures um
// or spot) are not part of the base name: they come from the directories, or from a
// prefix of the base name ("futures-um-klines-…", "spot-klines-…", "…markPriceKlines…"),
// and default to klines and um. Options override anything inferred.
//
// # Download
//
// Downloader fetches monthly archives for complete months and daily archives for the
// month that contains "now" (an argument: the package never reads the clock), each with
// its CHECKSUM, into a directory that mirrors the URL layout. See Downloader.
//
// # Speed
//
// Import is not on the hot path; parsing runs at about 1M rows/s (a monthly archive of
// 1m klines in 45 ms), one allocation per row:
//
//	go test -run '^$' -bench ParseKlines -benchmem ./data/binance
//	BenchmarkParseKlines-2   27   42991584 ns/op   126.68 MB/s   1038343 rows/s   22490145 B/op   44676 allocs/op
package binance
