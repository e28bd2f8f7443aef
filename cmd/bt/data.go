package main

import (
	"fmt"

	"github.com/bt-backtest/bt/data/binance"
	"github.com/bt-backtest/bt/data/parquet"
	"github.com/spf13/cobra"
)

func newDataCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "data",
		Short: "Import, download, synthesize and inspect market data (Parquet stores)",
		Long: `A store is a directory of Parquet files, partitioned per series and month (see data/README.md).
bt run reads one with --data DIR (or data.source in an experiment).`,
	}
	imp := &cobra.Command{Use: "import", Short: "Import files into a store"}
	imp.AddCommand(newImportBinanceCmd(e), newImportCSVCmd(e))
	dl := &cobra.Command{Use: "download", Short: "Download archives into a store"}
	dl.AddCommand(newDownloadBinanceCmd(e))
	cmd.AddCommand(imp, dl, newSynthCmd(e), newInspectCmd(e))
	return cmd
}

// openStoreRW opens (creating) the store at dir.
func openStoreRW(dir string) (*parquet.Store, error) {
	if dir == "" {
		return nil, usageErrf("--store is empty")
	}
	st, err := parquet.Create(dir)
	if err != nil {
		return nil, usageErr(fmt.Errorf("store %s: %w", dir, err))
	}
	return st, nil
}

// importResult is one imported file, as bt data import --json prints it.
type importResult struct {
	File       string `json:"file"`
	Symbol     string `json:"symbol"`
	Kind       string `json:"kind"`
	Interval   string `json:"interval,omitempty"`
	Source     string `json:"source"`
	Rows       int    `json:"rows"`
	Added      int    `json:"added"`
	Duplicates int    `json:"duplicates"`
	Files      int    `json:"files_written"`
}

func printImports(e *env, store string, res []importResult, asJSON bool) error {
	if asJSON {
		return writeJSON(e.stdout, map[string]any{"store": store, "imported": res})
	}
	t := newTable(e.stdout)
	t.row("file", "series", "rows", "added", "duplicates")
	for _, r := range res {
		series := r.Symbol + " " + r.Kind
		if r.Interval != "" {
			series += " " + r.Interval
		}
		t.row(r.File, series, fmt.Sprint(r.Rows), fmt.Sprint(r.Added), fmt.Sprint(r.Duplicates))
	}
	return t.flush()
}

func newImportBinanceCmd(e *env) *cobra.Command {
	var (
		store  string
		opt    binance.Options
		market string
		kind   string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "binance FILE...",
		Short: "Import data.binance.vision archives (klines, markPriceKlines, fundingRate; .zip, .csv, .csv.gz)",
		Long: `Imports data.binance.vision files into a store. Symbol, interval, kind and market come from the
file names and directories (override with flags). A .CHECKSUM file beside an archive is verified.
Re-importing overlapping ranges adds no duplicates; a conflicting row is an error and nothing of
that file is written.`,
		Example: `  bt data import binance --store store BTCUSDT-1h-2024-10.zip BTCUSDT-1h-2024-11.zip
  bt data import binance --store store --kind markPriceKlines BTCUSDT-1h-2024-10.zip`,
		Args: cobra.MinimumNArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			opt.Market = binance.Market(market)
			opt.Kind = binance.Kind(kind)
			switch opt.Market {
			case "", binance.MarketUM, binance.MarketSpot:
			default:
				return usageErrf("--market %q: want um or spot", market)
			}
			switch opt.Kind {
			case "", binance.Klines, binance.MarkPriceKlines, binance.FundingRate:
			default:
				return usageErrf("--kind %q: want klines, markPriceKlines or fundingRate", kind)
			}
			st, err := openStoreRW(store)
			if err != nil {
				return err
			}
			var res []importResult
			for _, path := range args {
				im, err := binance.Import(st, path, opt)
				if err != nil {
					return usageErr(err)
				}
				res = append(res, importResult{
					File: path, Symbol: im.Series.Symbol, Kind: string(im.Series.Kind), Interval: im.Series.Interval,
					Source: im.Series.Source, Rows: im.Rows, Added: im.Stats.Added, Duplicates: im.Stats.Duplicates, Files: im.Stats.Files,
				})
			}
			return printImports(e, store, res, asJSON)
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&store, "store", "store", "store directory (created if needed)")
	fl.StringVar(&market, "market", "", "market: um or spot (default: from the path, else um)")
	fl.StringVar(&kind, "kind", "", "klines, markPriceKlines or fundingRate (default: from the path, else klines)")
	fl.StringVar(&opt.Symbol, "symbol", "", "symbol (default: from the file name)")
	fl.StringVar(&opt.Interval, "interval", "", "kline interval (default: from the file name)")
	fl.BoolVar(&opt.NoChecksum, "no-checksum", false, "skip the .CHECKSUM verification")
	fl.BoolVar(&asJSON, "json", false, "print one JSON document")
	return cmd
}
