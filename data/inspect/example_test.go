package inspect_test

import (
	"os"

	"github.com/bt-backtest/bt/data"
	"github.com/bt-backtest/bt/data/inspect"
)

// Inspect raw rows before importing them: a gap of two bars and a duplicate are reported,
// not repaired.
func ExampleKlines() {
	const h = 3600 * 1000
	const t0 = 1760119200000 // 2025-10-10T18:00Z
	bar := func(t int64, c float64) data.Kline {
		return data.Kline{OpenTime: t0 + t, Open: c, High: c, Low: c, Close: c, Volume: 1}
	}
	rows := []data.Kline{bar(0, 100), bar(h, 101), bar(h, 101), bar(4*h, 90)}
	sr := data.Series{Symbol: "BTCUSDT", Kind: data.KindKlines, Interval: "1h", Source: "csv"}
	rep := inspect.Report{Series: []inspect.SeriesReport{inspect.Klines(sr, rows, inspect.Options{TopMoves: 1})}}
	rep.WriteText(os.Stdout)
	// Output:
	// SERIES                 ROWS  FIRST              LAST               GAPS  MISSING  DUPS  UNSORTED  BAD  ZERO-VOL  MAX MOVE  MAX MARK DIV
	// csv/klines/BTCUSDT/1h  4     2025-10-10T18:00Z  2025-10-10T22:00Z  1     2        1     0         0    0         -10.89%   -
	// csv/klines/BTCUSDT/1h
	//   gap 2025-10-10T20:00Z .. 2025-10-10T22:00Z (2 bars missing)
	//   row 3 (2025-10-10T19:00Z) field open_time: duplicate time
	//   largest moves: 2025-10-10T22:00Z -10.89%
}
