package artifact_test

import (
	"fmt"
	"os"

	"github.com/bt-backtest/bt/reports/artifact"
	"github.com/bt-backtest/bt/reports/internal/fixture"
)

// Write a run directory and read it back: the records come back exactly (decimals included).
func ExampleWrite() {
	dir, _ := os.MkdirTemp("", "bt-run")
	defer os.RemoveAll(dir)

	res := fixture.Result()
	if err := artifact.Write(dir, res, artifact.Manifest{Version: "example", Seed: 1, Strategy: "fixture"}); err != nil {
		fmt.Println(err)
		return
	}
	run, err := artifact.Read(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range run.Result.Accounts {
		fmt.Printf("%s: %d equity points, %d trades, %d liquidations\n", a.Name, len(a.Equity), len(a.Trades), len(a.Liquidations))
	}
	l := run.Result.Accounts[1].Liquidations[0]
	fmt.Println(l.Symbol, l.Price.Equal(res.Accounts[1].Liquidations[0].Price))
	s, _ := artifact.ReadSummary(dir)
	fmt.Println(s.Accounts["cross"].Liquidations, s.Paired.OnlyCross)
	// Output:
	// isolated: 384 equity points, 5 trades, 1 liquidations
	// cross: 384 equity points, 5 trades, 2 liquidations
	// BTCUSDT true
	// 2 1
}
