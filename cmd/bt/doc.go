// Command bt backtests Binance USDⓈ-M perpetual futures strategies under isolated and cross
// margin, side by side, in one pass over the data. It is cli.Main() with bt's reference
// strategies; package cli documents the commands, and examples/own-strategy shows a build of
// bt with one's own strategy added.
package main
