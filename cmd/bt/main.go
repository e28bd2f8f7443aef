package main

import "github.com/bt-backtest/bt/cli"

func main() { cli.Main() }
