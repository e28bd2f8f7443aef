// Command gen regenerates bt's embedded sample dataset from the shared Binance USDⓈ-M CSV
// files: the 1h klines, 1h mark-price klines and funding rates of ten perpetuals from
// 2025-05-01T00:00Z to 2026-02-19T00:00Z (exclusive). Run it from the repository root:
//
//	go run ./data/sample/gen -shared ../shared
//
// It rewrites data/sample/store and data/sample/manifest.json. Gaps in the source stay gaps.
package main
