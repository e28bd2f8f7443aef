package main

import (
	"example.com/own-strategy/breakout"

	"github.com/bt-backtest/bt/cli"
	"github.com/bt-backtest/bt/experiment"
)

func main() {
	cli.Main(cli.Strategy(experiment.Strategy{
		Name:    "breakout",
		Summary: "Donchian breakout long on one perpetual (an example of one's own strategy)",
		Params:  breakout.Params,
		New:     breakout.New,
	}))
}
