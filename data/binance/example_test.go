package binance_test

import (
	"fmt"
	"strings"

	"github.com/bt-backtest/bt/data/binance"
)

// A spot file has no header; a futures file has one. Both parse the same way.
func ExampleParseKlines() {
	spot := "1730073600000,68021.69,68116.78,67839.90,67859.91,555.35912,1730077199999,37756129.81953250,145225,281.12098,19113044.72922260,0\n"
	rows, err := binance.ParseKlines(strings.NewReader(spot), "BTCUSDT-1h-2024-10-28.csv", "1h", false)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d row: open %v close %v volume %v trades %d\n", len(rows), rows[0].Open, rows[0].Close, rows[0].Volume, rows[0].Trades)

	bad := "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore\n" +
		"1730073600000,67992.70,67804.70,68094.60,67835.20,5179.117,1730077199999,351923638.03910,85022,2415.052,164090858.68940,0\n"
	_, err = binance.ParseKlines(strings.NewReader(bad), "BTCUSDT-1h-2024-10-28.csv", "1h", false)
	fmt.Println(err)
	// Output:
	// 1 row: open 68021.69 close 67859.91 volume 555.35912 trades 145225
	// BTCUSDT-1h-2024-10-28.csv: row 2: field low: bad value: low above high
}

// Parse a data.binance.vision path.
func ExampleParseFileName() {
	fi, err := binance.ParseFileName("data/futures/um/monthly/markPriceKlines/BTCUSDT/1h/BTCUSDT-1h-2024-10.zip")
	if err != nil {
		panic(err)
	}
	fmt.Printf("%+v\n%+v\n", fi, fi.Series())
	// Output:
	// {Market:um Kind:markPriceKlines Symbol:BTCUSDT Interval:1h Period:2024-10}
	// binance-um/mark/BTCUSDT/1h
}
