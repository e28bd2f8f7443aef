package experiment_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/bt-backtest/bt/experiment"
)

// Run the hodl strategy on four days of the embedded sample (the 2025-10-10 crash) under
// isolated and cross margin, from Go, with the settings a command line would give as flags.
// The isolated account's positions are liquidated in the crash (its one closed trade); the
// cross account's survive on the shared wallet.
func Example() {
	tmp, err := os.MkdirTemp("", "bt-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	x, err := experiment.Load("", []experiment.Override{
		{Path: "strategy.name", Value: "hodl", Origin: "example"},
		{Path: "strategy.params.every", Value: "12", Origin: "example"},
		{Path: "symbols", Value: "BTCUSDT", List: true, Origin: "example"},
		{Path: "timerange", Value: "{start: 2025-10-08, end: 2025-10-12}", Origin: "example"},
		{Path: "output.dir", Value: filepath.Join(tmp, "run"), Origin: "example"},
	})
	if err != nil {
		log.Fatal(err)
	}
	out, err := experiment.Run(context.Background(), x, experiment.Options{NoReport: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.Strategy, out.Symbols, out.Accounts)
	for _, name := range out.Accounts {
		a := out.Summary.Accounts[name]
		fmt.Printf("%s: %d trades, final equity %.2f\n", name, a.Trades, a.FinalEquity)
	}
	// Output:
	// hodl [BTCUSDT] [isolated cross]
	// isolated: 1 trades, final equity 9379.91
	// cross: 0 trades, final equity 9401.48
}
