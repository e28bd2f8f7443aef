package parquet

// KlineRow exposes the store's kline schema to the external benchmarks, so that
// BenchmarkEncoding measures the encoding the store writes, not a copy of it.
type KlineRow = klineRow
