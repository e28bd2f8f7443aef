package strategies_test

import (
	"fmt"

	"github.com/bt-backtest/bt/strategies"
)

func ExampleDescribe() {
	info, _ := strategies.Describe("hodl")
	fmt.Println(info.Name+":", info.Summary)
	for _, p := range info.Params {
		fmt.Println(" ", p)
	}
	// Output:
	// hodl: leveraged buy-and-hold / DCA: buy a fixed USDT amount every N bars at the account's leverage
	//   symbol=BTCUSDT  the perpetual to buy
	//   amount=100  USDT of margin committed per buy (notional = amount × leverage)
	//   every=24  bars of the symbol between buys
	//   max=0  maximum number of buys; 0: no limit
}

func ExampleNames() {
	fmt.Println(strategies.Names(), "default:", strategies.Default)
	// Output: [grid hodl replay scalper swing] default: swing
}
