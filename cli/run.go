package cli

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/bt-backtest/bt/experiment"
	"github.com/bt-backtest/bt/reports"
	"github.com/spf13/cobra"
)

// runFlags are bt run's flags; each one overrides a key of the experiment.
type runFlags struct {
	config  string
	sets    []string
	asJSON  bool
	noHTML  bool
	strict  bool
	strFlag map[string]*string // flag name -> value
}

// flagKeys maps bt run's shortcut flags to experiment keys (list: comma-separated).
var flagKeys = []struct {
	flag, key, usage string
	list             bool
}{
	{"strategy", "strategy.name", "strategy name (see bt strategies)", false},
	{"data", "data.source", `market data: "sample" (embedded) or a store directory`, false},
	{"interval", "data.interval", "kline interval of the store, e.g. 1h", false},
	{"origin", "data.origin", "source of the series within the store, e.g. binance-um (when it holds several)", false},
	{"symbols", "symbols", "comma-separated symbols (default: every symbol of the data)", true},
	{"start", "timerange.start", "start time, inclusive (RFC 3339 or YYYY-MM-DD, UTC)", false},
	{"end", "timerange.end", "end time, exclusive (RFC 3339 or YYYY-MM-DD, UTC)", false},
	{"wallet", "account.wallet", "initial wallet of each account, USDT", false},
	{"leverage", "leverage.default", "leverage of every symbol without its own (1 to the bracket maximum; default 10)", false},
	{"mode", "margin.mode", "accounts: both, isolated, cross, or none (only the mixes)", false},
	{"position-mode", "position_mode", "one-way (default) or hedge (a long and a short position per symbol; orders name their position side)", false},
	{"out", "output.dir", "run directory (default runs/<strategy>-<UTC time>)", false},
}

func newRunCmd(e *env) *cobra.Command {
	f := runFlags{strFlag: map[string]*string{}}
	cmd := &cobra.Command{
		Use:   "run [-c experiment.yaml] [flags]",
		Short: "Run a backtest under isolated and cross margin and write a run directory with a report",
		Long: `Runs a strategy on market data through one account per margin setup (by default an isolated
and a cross account), writes a run directory (config.resolved.yaml, manifest.json, summary.json,
per-account CSV and Parquet records, report.html and PNG charts) and prints the summary side by side.

Without arguments it runs the default strategy (swing) on the embedded sample.

One precedence rule holds for every setting: the experiment file (-c) < the flags < --set
key.path=value, each overriding the one before; what is set nowhere takes its default. Unknown
keys are errors. bt run -c RUN_DIR/config.resolved.yaml reproduces a run exactly.

Leverage belongs to the account, not to the strategy: --leverage (leverage.default) and
leverage.symbols.SYMBOL set it, a whole number from 1 to the maximum of the symbol's bracket
table in force at the run's start; the strategies trade at it and have no leverage parameter
(only replay changes it, to the leverage each logged trade records). The leverage of every
symbol is printed, and written to summary.json and config.resolved.yaml.`,
		Example: `  bt run
  bt run -c experiments/grid.yaml --out runs/grid
  bt run -c experiments/swing.yaml --mode cross --set costs.slippage_bps=2 --set strategy.params.fast=12`,
		Args: argsBetween(0, 0),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			var ov []experiment.Override
			for _, fk := range flagKeys {
				if cmd.Flags().Changed(fk.flag) {
					ov = append(ov, experiment.Override{Path: fk.key, Value: *f.strFlag[fk.flag], Origin: "--" + fk.flag, List: fk.list})
				}
			}
			if cmd.Flags().Changed("strict") {
				ov = append(ov, experiment.Override{Path: "strict", Value: strconv.FormatBool(f.strict), Origin: "--strict"})
			}
			for _, s := range f.sets {
				k, v, ok := strings.Cut(s, "=")
				if !ok || strings.TrimSpace(k) == "" {
					return usageErrf("--set %q: want key.path=value", s)
				}
				ov = append(ov, experiment.Override{Path: strings.TrimSpace(k), Value: v, Origin: "--set " + k})
			}
			return runExperiment(cmd.Context(), e, f, ov)
		}),
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.config, "config", "c", "", "experiment file (YAML)")
	for _, fk := range flagKeys {
		f.strFlag[fk.flag] = fl.String(fk.flag, "", fk.usage)
	}
	fl.StringArrayVar(&f.sets, "set", nil, "override any experiment key: key.path=value (repeatable)")
	fl.BoolVar(&f.asJSON, "json", false, "print one JSON document (run directory and summary) on stdout")
	fl.BoolVar(&f.noHTML, "no-report", false, "skip the HTML and PNG report (artifacts only)")
	fl.BoolVar(&f.strict, "strict", false, "exit 1 when the run falls back to a default or, replaying a trade log, a logged order is rejected (key strict)")
	fixed := func(vals ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return vals, cobra.ShellCompDirectiveNoFileComp
		}
	}
	_ = cmd.RegisterFlagCompletionFunc("strategy", fixed(e.cat.Names()...))
	_ = cmd.RegisterFlagCompletionFunc("mode", fixed("both", "isolated", "cross", "none"))
	_ = cmd.RegisterFlagCompletionFunc("config", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"yaml", "yml"}, cobra.ShellCompDirectiveFilterFileExt
	})
	_ = cmd.RegisterFlagCompletionFunc("data", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"sample"}, cobra.ShellCompDirectiveFilterDirs
	})
	return cmd
}

// runOutput is what bt run --json prints.
type runOutput struct {
	RunDir   string          `json:"run_dir"`
	Strategy string          `json:"strategy"`
	Symbols  []string        `json:"symbols"`
	Summary  reports.Summary `json:"summary"`
	// StrictFailed lists the strict conditions the run failed (--strict); bt exits 1.
	StrictFailed []string `json:"strict_failed,omitempty"`
}

func runExperiment(ctx context.Context, e *env, f runFlags, ov []experiment.Override) error {
	x, err := e.cat.Load(f.config, ov)
	if err != nil {
		return usageErr(err)
	}
	opts := experiment.Options{NoReport: f.noHTML, Version: version()}
	if os.Getenv("GOGC") == "" {
		// Writing the run directory and the report allocates much over a large live heap: a
		// GC goal of 50 % there keeps its heap below the backtest's peak (the one-year bench
		// run stays at ~190-210 MB; 315 MB at 100 % before the report allocated less) for half
		// the collector's work at 25 % (BENCHMARKS.md). GOGC set in the environment leaves
		// the collector alone.
		opts.OutputGCPercent = 50
	}
	if e.stderrTTY && !f.asJSON {
		opts.Progress = e.stderr
	}
	res, err := experiment.Run(ctx, x, opts)
	if err != nil {
		if experiment.IsInput(err) {
			return usageErr(err)
		}
		return failErr(err)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(e.stderr, "warning: %s\n", w)
	}
	if f.asJSON {
		if err := writeJSON(e.stdout, runOutput{RunDir: res.Dir, Strategy: res.Strategy, Symbols: res.Symbols, Summary: res.Summary, StrictFailed: res.StrictFailed}); err != nil {
			return err
		}
	} else if err := res.WriteText(e.stdout); err != nil {
		return err
	}
	if len(res.StrictFailed) > 0 {
		fmt.Fprintf(e.stderr, "bt: strict condition failed (the run directory %s is written):\n", res.Dir)
		for _, c := range res.StrictFailed {
			fmt.Fprintf(e.stderr, "bt:   %s\n", c)
		}
		return &exitError{exitFail, errSilent}
	}
	return nil
}
