package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bt-backtest/bt/experiment"
	"github.com/bt-backtest/bt/montecarlo"
	"github.com/spf13/cobra"
)

func newMCCmd(e *env) *cobra.Command {
	var config, out string
	var paths, block int
	var seed uint64
	cmd := &cobra.Command{
		Use:   "mc -c experiment.yaml --paths N --seed S [--block B] [--out FILE.csv]",
		Short: "Monte Carlo liquidation risk: the experiment on block-bootstrapped histories, per margin mode",
		Long: `Runs the experiment on N alternative histories drawn from its market data by a stationary
block bootstrap (blocks of mean length B bars drawn jointly across symbols, mark and last price and
funding together, prices re-chained at each block) and prints per account the probability of at
least one liquidation and of ruin (95% Wilson intervals) and the distributions of final equity and
maximum drawdown. The same seed gives the same table. A bootstrap cannot invent a crash larger than
the history holds: for that, run it on bt data synth --crash data. Method: go doc ./montecarlo.

--out FILE.csv also writes FILE.parquet (the same table), FILE-hist.png (histograms of final
equity and maximum drawdown, one panel per account, the panels of a row on shared bins) and
FILE.html (one self-contained page in the report's style: the comparison in sentences, the table
with its intervals, the histograms and the method).`,
		Example: `  bt mc -c experiments/hodl.yaml --paths 200 --seed 1 --out runs/hodl-mc.csv`,
		Args:    argsBetween(0, 0),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if ext := strings.ToLower(filepath.Ext(out)); ext == ".parquet" || ext == ".png" || ext == ".html" {
				return usageErrf("bt mc: --out %s: give the CSV table's name (FILE.csv); FILE.parquet, FILE-hist.png and FILE.html are written next to it", out)
			}
			x, err := experiment.Load(config, nil)
			if err != nil {
				return usageErr(err)
			}
			r, err := montecarlo.Run(cmd.Context(), x, montecarlo.Options{Paths: paths, Seed: seed, MeanBlock: block, Progress: e.stderr})
			if err != nil {
				if experiment.IsInput(err) || paths < 1 || block < 0 {
					return usageErr(err)
				}
				return failErr(err)
			}
			var files []mcFile
			if out != "" {
				if files, err = mcFiles(r, out, config); err != nil {
					return failErr(err)
				}
				for _, f := range files {
					if err := os.WriteFile(f.path, f.data, 0o644); err != nil {
						return failErr(err)
					}
				}
			}
			r.WriteText(e.stdout)
			if out != "" {
				fmt.Fprintf(e.stdout, "\ntable: %s (and %s), histograms: %s, page: %s\n", files[0].path, files[1].path, files[2].path, files[3].path)
			}
			return nil
		}),
	}
	fl := cmd.Flags()
	fl.StringVarP(&config, "config", "c", "", "experiment file (YAML)")
	fl.IntVar(&paths, "paths", 100, "number of resampled histories")
	fl.Uint64Var(&seed, "seed", 1, "seed of the resampling")
	fl.IntVar(&block, "block", 24, "mean block length in bars")
	fl.StringVar(&out, "out", "", "write the table as CSV to this file (and .parquet, -hist.png, .html next to it)")
	return cmd
}

type mcFile struct {
	path string
	data []byte
}

// mcFiles encodes the table (CSV and Parquet), the histograms and the page for --out FILE.csv:
// FILE.csv, FILE.parquet, FILE-hist.png, FILE.html (titled with the experiment's file).
// Everything is encoded before anything is written.
func mcFiles(r *montecarlo.Result, out, config string) ([]mcFile, error) {
	base := strings.TrimSuffix(out, filepath.Ext(out))
	pq, err := r.Parquet()
	if err != nil {
		return nil, fmt.Errorf("encoding the Parquet table: %w", err)
	}
	png, err := r.HistogramPNG()
	if err != nil {
		return nil, fmt.Errorf("drawing the histograms: %w", err)
	}
	page, err := r.HTML(config)
	if err != nil {
		return nil, fmt.Errorf("writing the page: %w", err)
	}
	return []mcFile{{out, r.CSV()}, {base + ".parquet", pq}, {base + "-hist.png", png}, {base + ".html", page}}, nil
}
