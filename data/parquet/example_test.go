package parquet_test

import (
	"fmt"
	"time"

	"github.com/bt-backtest/bt/data/parquet"
	"github.com/bt-backtest/bt/data/sample"
)

// Replay three hours of the embedded sample around the 2025-10-10 crash for two symbols:
// one batch per timestamp, bars in symbol order, mark bars and funding beside them.
func ExampleStore_Stream() {
	store, err := sample.Open()
	if err != nil {
		panic(err)
	}
	ms := func(s string) int64 { t, _ := time.Parse(time.RFC3339, s); return t.UnixMilli() }
	st, err := store.Stream(parquet.StreamOptions{
		Symbols: []string{"ETHUSDT", "BTCUSDT"}, // order does not matter
		Start:   ms("2025-10-10T20:00:00Z"),
		End:     ms("2025-10-11T01:00:00Z"),
	})
	if err != nil {
		panic(err)
	}
	defer st.Close()
	for st.Next() {
		b := st.Batch()
		fmt.Print(time.UnixMilli(b.Time).UTC().Format("01-02 15:04"))
		for i, bar := range b.Bars {
			fmt.Printf("  %s low %.2f close %.2f", bar.Symbol, bar.Low, bar.Close)
			if i < len(b.Marks) && b.Marks[i].ID == bar.ID {
				fmt.Printf(" (mark %.2f)", b.Marks[i].Close)
			}
		}
		for _, f := range b.Funding {
			fmt.Printf("  %s funding %+.6f", f.Symbol, f.Rate)
		}
		fmt.Println()
	}
	if err := st.Err(); err != nil {
		panic(err)
	}
	// Output:
	// 10-10 20:00  BTCUSDT low 112786.60 close 114198.00 (mark 114239.54)  ETHUSDT low 3831.55 close 3864.76 (mark 3857.18)
	// 10-10 21:00  BTCUSDT low 101516.50 close 113253.60 (mark 113238.08)  ETHUSDT low 3400.00 close 3941.17 (mark 3928.43)
	// 10-10 22:00  BTCUSDT low 111020.40 close 113606.30 (mark 113691.67)  ETHUSDT low 3820.00 close 3852.95 (mark 3852.48)
	// 10-10 23:00  BTCUSDT low 112688.00 close 112714.90 (mark 112722.00)  ETHUSDT low 3783.99 close 3819.99 (mark 3820.00)
	// 10-11 00:00  BTCUSDT low 111580.00 close 112463.30 (mark 112471.78)  ETHUSDT low 3800.10 close 3833.53 (mark 3833.73)  BTCUSDT funding +0.000100  ETHUSDT funding +0.000100
}
