package swing_test

import (
	"context"
	"fmt"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/strategies/swing"
)

// Two coins trend up together and the swing trader holds both, 48.54 units bought at 103
// (1000 USDT of margin each at 5x). Then BBB crashes 30% in an hour while AAA jumps 30%.
// Isolated, BBB's 1000 of margin cannot absorb the fall: it is liquidated, losing about that
// margin. Cross, AAA's +1699 carries BBB through the crash, but the trader's trend exit sells
// BBB at the next close, at 75, losing 48.54·28 = 1359: in this path the isolated cap was the
// cheaper outcome. Running both modes side by side shows which one a strategy needs.
func Example() {
	up := [][4]float64{{100, 100, 100, 100}, {100, 101, 100, 101}, {101, 102, 101, 102}, {102, 103, 102, 103},
		{103, 104, 103, 104}, {104, 105, 104, 105}, {105, 106, 105, 106}}
	hour := int64(3600_000)
	aaa := backtest.OHLC("AAAUSDT", 0, hour, append(up, [4]float64{106, 140, 106, 138}, [4]float64{138, 139, 137, 138})...)
	bbb := backtest.OHLC("BBBUSDT", 0, hour, append(up, [4]float64{106, 106, 74, 75}, [4]float64{75, 76, 74, 75})...)
	src := backtest.NewSliceSource([]string{"AAAUSDT", "BBBUSDT"}, backtest.Batches(append(aaa, bbb...), nil, nil))

	cfg := backtest.Config{ // --mode both: isolated and cross
		Params:            map[string]string{"size": "0.1", "fast": "2", "slow": "4", "short": "false"},
		DefaultLeverage:   5, // the account's leverage, at which the strategy trades
		NoFundingFallback: true,
	}
	res, err := backtest.Run(context.Background(), cfg, swing.New, src)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, acc := range res.Accounts {
		fmt.Printf("%-8s fills %d  liquidations %d  equity %s\n",
			acc.Name, len(acc.Fills), len(acc.Liquidations), acc.Final.MarginBalance.StringFixed(2))
	}
	// Output:
	// isolated fills 3  liquidations 1  equity 10694.98
	// cross    fills 3  liquidations 0  equity 10334.32
}
