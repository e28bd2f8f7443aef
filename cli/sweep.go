package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/bt-backtest/bt/sweep"
	"github.com/spf13/cobra"
)

func newSweepCmd(e *env) *cobra.Command {
	var config, out, shard string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "sweep -c sweep.yaml [--out DIR] [--shard i/N]",
		Short: "Run an experiment over a grid or random sample of settings, in one pass over the data",
		Long: `Runs every configuration of a sweep file (a base experiment and the keys to vary) and writes
DIR/results.parquet and results.csv (one row per configuration and account: config id, one column
per swept key, account, the summary metrics as in summary.json, fingerprint, delta.<metric> =
cross − isolated), equity.parquet and equity.csv (daily equity per configuration and account) and
sweep.json. Configurations sharing data, time range, brackets and strategy run together, in
passes over the data of at most 256 accounts (bounded memory). The sweep file's format: go doc github.com/bt-backtest/bt/sweep.

--shard i/N runs the deterministic slice i of N (0 ≤ i < N) of the configurations; bt sweep merge
joins the shards' directories into the same tables as the unsharded run, byte for byte.
examples/slurm/sweep.sbatch and examples/k8s/sweep-job.yaml run shards on a cluster.`,
		Example: `  bt sweep -c experiments/sweep-swing.yaml --out runs/sweep
  bt sweep -c sweep.yaml --out runs/sweep/shards/0 --shard 0/4
  bt sweep merge --out runs/sweep runs/sweep/shards/*
  bt sweep report runs/sweep --x leverage.default --y strategy.params.fast --metric final_equity`,
		Args: argsBetween(0, 0),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if config == "" {
				return usageErrf("bt sweep: give the sweep file with -c")
			}
			sh := sweep.All
			if shard != "" {
				var err error
				if sh, err = sweep.ParseShard(shard); err != nil {
					return usageErr(err)
				}
			}
			spec, err := sweep.ParseFile(config)
			if err != nil {
				return usageErr(err)
			}
			if out == "" {
				out = filepath.Join("runs", "sweep-"+strings.TrimSuffix(filepath.Base(config), filepath.Ext(config)))
			}
			if err := checkSweepDir(out); err != nil {
				return usageErr(err)
			}
			opts := sweep.Options{Shard: sh, Version: version(), Progress: e.stderr, Terminal: e.stderrTTY}
			if asJSON {
				opts.Progress = nil
			}
			o, err := sweep.Run(cmd.Context(), spec, opts)
			if err != nil {
				if sweep.IsInput(err) {
					return usageErr(err)
				}
				return failErr(err)
			}
			if err := o.Write(out); err != nil {
				return failErr(fmt.Errorf("writing sweep directory: %w", err))
			}
			if sh == sweep.All {
				if _, err := o.WriteHTML(out, o.DefaultHeatmaps()); err != nil {
					return failErr(fmt.Errorf("writing %s: %w", filepath.Join(out, sweep.HTMLFile), err))
				}
			}
			return printSweep(e, o, out, asJSON)
		}),
	}
	fl := cmd.Flags()
	fl.StringVarP(&config, "config", "c", "", "sweep file (YAML)")
	fl.StringVar(&out, "out", "", "output directory (default runs/sweep-<sweep file name>)")
	fl.StringVar(&shard, "shard", "", "run only slice i of N: i/N with 0 ≤ i < N")
	fl.BoolVar(&asJSON, "json", false, "print one JSON document on stdout")
	cmd.AddCommand(newSweepMergeCmd(e), newSweepReportCmd(e))
	return cmd
}

func newSweepMergeCmd(e *env) *cobra.Command {
	var out string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "merge --out DIR SHARD_DIR...",
		Short: "Merge the shard directories of one sweep into its whole tables",
		Long: `Merges the output directories of bt sweep --shard i/N, for every i of one N, into DIR: the same
files, byte for byte, as the unsharded bt sweep. Refuses shards of different sweeps or bt
versions, a shard given twice and missing shards, writing nothing.`,
		Args: argsBetween(1, 1<<20),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageErrf("bt sweep merge: give the output directory with --out")
			}
			var outs []*sweep.Output
			for _, d := range args {
				o, err := sweep.Read(d)
				if err != nil {
					return usageErr(err)
				}
				outs = append(outs, o)
			}
			m, err := sweep.Merge(args, outs)
			if err != nil {
				return usageErr(err)
			}
			if err := checkSweepDir(out); err != nil {
				return usageErr(err)
			}
			if err := m.Write(out); err != nil {
				return failErr(fmt.Errorf("writing sweep directory: %w", err))
			}
			if _, err := m.WriteHTML(out, m.DefaultHeatmaps()); err != nil {
				return failErr(fmt.Errorf("writing %s: %w", filepath.Join(out, sweep.HTMLFile), err))
			}
			return printSweep(e, m, out, asJSON)
		}),
	}
	cmd.Flags().StringVar(&out, "out", "", "output directory of the merged tables")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document on stdout")
	return cmd
}

// checkSweepDir refuses an output directory holding files that are not a sweep's.
func checkSweepDir(dir string) error {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("output directory %s: %w", dir, err)
	}
	known := map[string]bool{sweep.ResultsParquet: true, sweep.ResultsCSV: true, sweep.EquityParquet: true, sweep.EquityCSV: true, sweep.ManifestFile: true,
		sweep.HTMLFile: true, "shards": true, "logs": true}
	for _, en := range ents {
		heatmap := strings.HasPrefix(en.Name(), "heatmap-") && strings.HasSuffix(en.Name(), ".png") // bt sweep report's
		if !known[en.Name()] && !heatmap && !strings.HasPrefix(en.Name(), ".") {
			return fmt.Errorf("output directory %s holds %s, not a sweep's file: refusing to write into it", dir, en.Name())
		}
	}
	return nil
}

// sweepOutput is what bt sweep --json prints.
type sweepOutput struct {
	Dir            string   `json:"dir"`
	Sweep          string   `json:"sweep"`
	Shard          string   `json:"shard"`
	Configurations int      `json:"configurations"`
	Rows           int      `json:"rows"`
	Files          []string `json:"files"`
}

func printSweep(e *env, o *sweep.Output, dir string, asJSON bool) error {
	m := o.Manifest
	lo, hi := m.Shard.Range(len(m.Configs))
	files := []string{sweep.ResultsParquet, sweep.ResultsCSV, sweep.EquityParquet, sweep.EquityCSV, sweep.ManifestFile}
	if m.Shard == sweep.All {
		files = append(files, sweep.HTMLFile)
	}
	if asJSON {
		return writeJSON(e.stdout, sweepOutput{Dir: dir, Sweep: m.Sweep, Shard: m.Shard.String(), Configurations: hi - lo, Rows: len(o.Results.Rows), Files: files})
	}
	what := "sweep"
	if m.Shard != sweep.All {
		what = "shard " + m.Shard.String() + " of sweep"
	}
	fmt.Fprintf(e.stdout, "%s %s: %d of %d configurations, %d rows (one per configuration and account)\n", what, m.Sweep[:12], hi-lo, len(m.Configs), len(o.Results.Rows))
	fmt.Fprintf(e.stdout, "results: %s (and .csv), daily equity: %s (and .csv)\n", filepath.Join(dir, sweep.ResultsParquet), filepath.Join(dir, sweep.EquityParquet))
	if m.Shard == sweep.All {
		fmt.Fprintf(e.stdout, "page: %s\n", filepath.Join(dir, sweep.HTMLFile))
	}
	return nil
}

func newSweepReportCmd(e *env) *cobra.Command {
	var x, y, metric, out string
	cmd := &cobra.Command{
		Use:   "report DIR --x KEY --y KEY --metric NAME [--out FILE.png]",
		Short: "Draw a heatmap of a sweep's metric over two swept keys, per margin mode and cross − isolated",
		Long: `Reads DIR/results.parquet (bt sweep or bt sweep merge) and draws a PNG heatmap of a metric (a
summary.json name such as final_equity, max_drawdown, liquidations) over two swept keys: one panel
per account (isolated, cross) and one of the cross − isolated difference (blue: cross lower, red:
cross higher). A cell is the mean over the configurations sharing its two values. Default output:
DIR/heatmap-METRIC-X-Y.png. Also rewrites DIR/sweep.html (one offline page: this heatmap and the
results table; bt sweep and bt sweep merge write it with final_equity, max_drawdown and
liquidations over the first two swept keys).`,
		Example: `  bt sweep report runs/sweep --x leverage.default --y strategy.params.fast --metric final_equity`,
		Args:    argsBetween(1, 1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if x == "" || y == "" || metric == "" {
				return usageErrf("bt sweep report: give --x, --y and --metric")
			}
			o, err := sweep.Read(args[0])
			if err != nil {
				return usageErr(err)
			}
			h, err := o.Heatmap(x, y, metric)
			if err != nil {
				return usageErr(err)
			}
			if out == "" {
				out = filepath.Join(args[0], "heatmap-"+metric+"-"+x+"-"+y+".png")
			}
			if err := h.PNG(out); err != nil {
				return failErr(fmt.Errorf("drawing %s: %w", out, err))
			}
			fmt.Fprintf(e.stdout, "heatmap: %s\n", out)
			page, err := o.WriteHTML(args[0], []sweep.HeatmapSpec{{X: x, Y: y, Metric: metric}})
			if err != nil {
				return failErr(fmt.Errorf("writing %s: %w", filepath.Join(args[0], sweep.HTMLFile), err))
			}
			fmt.Fprintf(e.stdout, "page: %s\n", page)
			return nil
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&x, "x", "", "swept key along the x axis")
	fl.StringVar(&y, "y", "", "swept key along the y axis")
	fl.StringVar(&metric, "metric", "", "metric (a column of results.parquet, e.g. final_equity)")
	fl.StringVar(&out, "out", "", "PNG file (default DIR/heatmap-METRIC-X-Y.png)")
	return cmd
}
