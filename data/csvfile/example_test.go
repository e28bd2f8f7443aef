package csvfile_test

import (
	"fmt"
	"strings"

	"github.com/bt-backtest/bt/data/csvfile"
)

// A freqtrade-style file with second timestamps; the unit is detected.
func ExampleReadKlines() {
	in := `timestamp,open,high,low,close,volume
1760122800,121000.5,121200,120800,121100,35.2
1760126400,121100,121150,104000,113200,410.9
`
	rows, err := csvfile.ReadKlines(strings.NewReader(in), "btc.csv", csvfile.Options{Interval: "1h"})
	if err != nil {
		panic(err)
	}
	for _, k := range rows {
		fmt.Println(k.OpenTime, k.Low, k.Close)
	}
	// A bad row is reported with its file, line and field.
	_, err = csvfile.ReadKlines(strings.NewReader(in+"1760130000,113200,113000,112000,112500,1\n"), "btc.csv", csvfile.Options{})
	fmt.Println(err)
	// Output:
	// 1760122800000 120800 121100
	// 1760126400000 104000 113200
	// btc.csv: row 4: field open: price outside [low, high]
}
