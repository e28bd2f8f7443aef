// Package cli is the bt command line: its commands, flags, printing and exit codes, over the
// experiment pipeline (package experiment) and the other packages. cmd/bt is cli.Main(); a
// researcher's own build of bt is the same line with their strategies added
// (Main(Strategy(...)), see examples/own-strategy), and every command works on them.
//
// bt backtests Binance USDⓈ-M perpetual futures strategies under isolated and cross
// margin, side by side, in one pass over the data.
//
// Usage:
//
//	bt run [-c experiment.yaml] [flags]   run a backtest and write a run directory with a report
//	bt report RUN_DIR [RUN_DIR2]          render the report of a run (or compare two) from its artifacts
//	bt check RUN_DIR --baseline B         exit 1 when a run drifts from a baseline summary
//	bt calc liq [flags]                   Binance liquidation price of one position
//	bt data import|download|synth|inspect manage market data (Parquet stores)
//	bt strategies                         list the reference strategies and their parameters
//	bt version                            print the version
//	bt completion SHELL                   shell completion script
//
// A run is described by a YAML experiment (see package experiment, which loads, runs and
// writes it, and the files in experiments/): settings come from the file, then the shortcut
// flags (--mode, --strategy, --symbols, --start, --end, --wallet, --leverage, --data, --out),
// then --set key.path=value, each overriding the one before; the overrides are applied to the
// YAML tree before the strict decoding, so their types are checked like the file's and unknown keys are errors.
// config.resolved.yaml in the run directory is the experiment with every default filled in;
// bt run -c on it reproduces the run byte for byte.
//
// Results go to stdout (--json: one JSON document), progress to stderr when it is a terminal.
// Exit codes: 0 success, 1 run failure, regression drift or a strict condition failed (bt run --strict), 2 usage, config or data error.
// Only Main calls os.Exit; Run executes a command line in-process, which is how the tests
// drive it.
package cli
