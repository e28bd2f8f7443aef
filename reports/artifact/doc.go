// Package artifact writes and reads run directories, the files a run leaves behind:
//
//	manifest.json          what ran, on what data, under which assumptions (written last)
//	summary.json           the canonical metrics (package reports/metrics)
//	<account>/account.json the account's name, margin modes, final snapshot and ruin
//	<account>/equity.csv   the equity curve, one row per bar close
//	<account>/trades.csv, fills.csv, liquidations.csv, funding.csv, rejects.csv
//	<account>/*.parquet    the same tables in Parquet
//	prices/<SYMBOL>.csv    optional last-price bars for the price charts (WritePrices)
//
// The tables' columns are described once, in package backtest (backtest.RecordTables,
// backtest/records_schema.go): the CSV header, the Parquet schema and every cell are written
// from those descriptions, and docs/records.md lists the columns of every table.
//
// Conventions: times are UTC; in CSV they are RFC 3339 with milliseconds
// ("2025-10-10T21:15:00.000Z"), in Parquet INT64 TIMESTAMP(MILLIS, UTC). Money and
// quantities (decimal.Decimal in the records) are exact decimal strings in both CSV and
// Parquet (a Parquet STRING column), so Read gives back exactly what was written; market data
// and ratios (float64) are written in their shortest round-trip form ('g', -1) in CSV and as
// DOUBLE in Parquet. Sides are "buy"/"sell" for fills and "long"/"short" for trades; margin
// modes "cross"/"isolated"; booleans "true"/"false".
//
// rejects.csv holds every refused order and account action: time, symbol, order_id (0 when
// refused at placement), action (order, leverage, mode, margin, funding), code (a stable
// reason code, backtest.RejectCodes), reason (the engine's sentence), and for an order its
// side, type (market, limit, stop_market, take_profit_market), qty, price (the price it was
// checked or would have filled at) and tag; those fields are empty for the other actions.
// Runs written before the code and order columns (time,symbol,order_id,action,reason) still
// read, their codes taken from the reasons. manifest.json's "fallbacks" lists the defaults
// the run fell back to (backtest.Fallback: kind, symbol, count, detail).
//
// Every file is written to a temporary name in its directory, synced and renamed, and
// manifest.json is written last: a directory without manifest.json is not a complete run,
// and Read refuses it.
package artifact
