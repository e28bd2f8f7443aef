// Package parquet is bt's on-disk market-data store: a directory tree of Parquet files that
// DuckDB, Polars and pandas read as they are, a writer that merges new rows into it, and
// Stream, the merged, time-ordered replay that feeds the engine (a backtest.Source).
//
// There are only a few types: Store (a dataset directory, writable with Create or read-only
// over any fs.FS with OpenFS), Stream (the replay), StreamOptions, and ConflictError.
//
// # Layout
//
// One directory per series, hive-partitioned, one file per UTC month of open time:
//
//	<root>/kind=klines/source=<source>/interval=<interval>/symbol=<SYMBOL>/month=<YYYY-MM>/data.parquet
//	<root>/kind=mark/source=<source>/interval=<interval>/symbol=<SYMBOL>/month=<YYYY-MM>/data.parquet
//	<root>/kind=funding/source=<source>/symbol=<SYMBOL>/month=<YYYY-MM>/data.parquet
//
// New months are new files; old months are never rewritten unless rows are added to them.
// Columns (all REQUIRED, no nulls):
//
//	klines   open_time INT64 TIMESTAMP(MILLIS, UTC), open, high, low, close, volume DOUBLE,
//	         and when the source has them quote_volume DOUBLE, trades INT64,
//	         taker_buy_volume DOUBLE, taker_buy_quote_volume DOUBLE
//	mark     open_time INT64 TIMESTAMP(MILLIS, UTC), open, high, low, close DOUBLE
//	funding  time INT64 TIMESTAMP(MILLIS, UTC), rate DOUBLE (per funding interval),
//	         interval_hours INT32
//
// open_time is the bar's open, as Binance publishes it; a bar covers [open_time,
// open_time+interval). Each file's key/value metadata holds symbol, kind, interval ("" for
// funding) and source, as the path does, plus bt.layout=1. Rows are sorted by time, strictly
// increasing, in row groups of at most Options.RowGroupRows rows. Encodings, chosen by
// measurement (BENCHMARKS.md): DELTA_BINARY_PACKED for times and counts, BYTE_STREAM_SPLIT
// for doubles; snappy compression by default (zstd on request: smaller, slower to decode).
//
// With DuckDB:
//
//	SELECT * FROM read_parquet('store/kind=klines/**/*.parquet', hive_partitioning=true)
//	WHERE symbol = 'BTCUSDT' AND interval = '1h' ORDER BY open_time;
//
// # Writing
//
// WriteKlines and WriteFunding merge rows into the stored months: identical duplicates are
// skipped; a timestamp stored with other values is a *ConflictError and nothing is written.
// Every row is validated first (data.CheckKline / data.CheckFunding, open times aligned to
// the interval). Mark klines are stored without volumes: their Volume and extra fields are
// dropped (Binance fills those columns of mark-price files with zeros).
//
// Every write is a transaction (Tx): Begin takes the store's write lock (an flock on
// <root>/.bt-write.lock, released by the kernel however the holder exits), so writers take
// turns and never lose each other's rows; a second writer waits and is told so. The changed
// months are written into a staging directory <root>/.bt-staging-*/ (same layout), and Commit
// moves them into place with one rename each, after writing a COMMITTED journal mark. Several
// writes (the files of one import command) land all or nothing: a bad file, a conflict or a
// cancelled context before the mark leaves the store exactly as it was. A writer killed after
// the mark leaves the journal, which the next Begin finishes (bt data recover does only that);
// until then Stream refuses the store with ErrPending. A reader never sees a partial file, but
// a Stream opened during the few milliseconds of a commit may see some of its months and not
// others. WriteKlines and WriteFunding on the Store are each a transaction of their own.
//
// # Reading
//
// Stream decodes each series column by column, one row group at a time, into reused buffers
// (no allocation per row), validates each row group as it loads it (strictly increasing and
// aligned times, finite positive prices, low <= open, close <= high, volumes >= 0), and merges
// the series by timestamp: each step takes the smallest head time and collects every series
// at that time in symbol order. Bad rows stop the stream with a *data.RowError naming the
// file, the 1-based row within it and the field; a truncated or corrupt file is an error
// wrapping ErrCorrupt, never a panic. Gaps are never filled: a series with no row at a
// timestamp (a halt, missing data) is simply absent from that batch; the stream neither
// interpolates nor carries rows forward.
//
// Files written by other tools are read too, within limits: OPTIONAL columns are accepted
// when they hold no null, TIMESTAMP columns in micro- or nanoseconds are converted to
// milliseconds, dictionary-encoded pages are decoded (more slowly), extra columns are ignored;
// a missing required column, a null, or another physical type (e.g. DECIMAL prices) is an
// error naming the file and column. Funding files without interval_hours are taken as
// 8-hourly (data.DefaultFundingIntervalHours). Times are Unix milliseconds UTC throughout.
package parquet
