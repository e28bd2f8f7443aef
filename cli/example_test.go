package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/cli"
	"github.com/bt-backtest/bt/experiment"
	"github.com/bt-backtest/bt/strategies/param"
)

// A build of bt with one's own strategy: Run is what Main runs on os.Args (Main also exits
// and stops on SIGINT and SIGTERM). Here the strategy does nothing; bt strategies lists it
// beside bt's own, and bt run --strategy idle would run it.
func ExampleRun() {
	idle := experiment.Strategy{
		Name:    "idle",
		Summary: "never trades (a template)",
		Params:  []param.Spec{{Name: "note", Default: "hello", Doc: "an unused parameter"}},
		New: func() backtest.Strategy {
			return backtest.StrategyFunc(func(br *backtest.Broker, b backtest.Bar) error { return nil })
		},
	}
	var out bytes.Buffer
	code := cli.Run(context.Background(), []string{"strategies"}, &out, os.Stderr, cli.Strategy(idle))
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.Contains(line, "idle") || strings.Contains(line, "note") {
			fmt.Println(strings.TrimSpace(line))
		}
	}
	fmt.Println("exit", code)
	// Output:
	// idle: never trades (a template)
	// note  hello  an unused parameter
	// exit 0
}
