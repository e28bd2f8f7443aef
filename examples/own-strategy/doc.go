// Command mybt is bt with one more strategy, breakout, written in this module: every bt
// command works with it (mybt run --strategy breakout, mybt strategies, mybt report, mybt
// check, ...). See README.md.
package main
