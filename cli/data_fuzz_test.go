package cli

import (
	"testing"

	"github.com/bt-backtest/bt/data"
)

// FuzzCSVSeries: whatever the file name and flags of bt data import csv, the series it
// infers is one the store accepts, or the error asks for the flag that is missing; never a
// panic. The seed corpus lives in testdata/fuzz/FuzzCSVSeries.
func FuzzCSVSeries(f *testing.F) {
	f.Add("x/BTCUSDT_1h.csv.gz", "", byte(0), "")
	f.Add("BTC_USDT_USDT-1h-futures.csv", "", byte(0), "")
	f.Add("prices.csv", "ETHUSDT", byte(1), "5m")
	f.Fuzz(func(t *testing.T, path, symbol string, kind byte, interval string) {
		want := data.Series{Symbol: symbol, Interval: interval, Kind: []data.Kind{"", data.KindKlines, data.KindMark, data.KindFunding}[int(kind)%4]}
		sr, err := csvSeries(path, want)
		if err != nil {
			return
		}
		sr.Source = "csv"
		if err := sr.Validate(); err != nil {
			// An interval given by flag is the user's to get right: the store refuses it
			// with its own message. One inferred from the name must be valid.
			if interval == "" {
				t.Fatalf("csvSeries(%q) = %+v, which the store refuses: %v", path, sr, err)
			}
		}
	})
}
