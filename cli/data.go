package cli

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

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
	cmd.AddCommand(imp, dl, newSynthCmd(e), newInspectCmd(e), newRecoverCmd(e), newDecodeLoopCmd(e))
	return cmd
}

func newRecoverCmd(e *env) *cobra.Command {
	var store string
	cmd := &cobra.Command{
		Use:   "recover --store DIR",
		Short: "Finish an import that was killed while committing, or discard what a killed import staged",
		Long: `Every write into a store (import, download --store, synth) stages its files and commits them
together. A writer killed while committing leaves a journal that the next write finishes; bt run
refuses the store until then. This command does only that: it takes the store's write lock,
finishes or discards what an interrupted writer left, and says what it did.`,
		Args: argsBetween(0, 0),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if fi, err := os.Stat(store); err != nil || !fi.IsDir() {
				return usageErrf("store %s: not a directory", store)
			}
			st, err := openStoreRW(store)
			if err != nil {
				return err
			}
			said := 0
			tx, err := st.Begin(cmd.Context(), func(msg string) {
				fmt.Fprintf(e.stderr, "bt: %s\n", msg)
				if !strings.Contains(msg, "waiting") {
					said++
				}
			})
			if err != nil {
				return failErr(err)
			}
			if err := tx.Rollback(); err != nil {
				return failErr(err)
			}
			if said == 0 {
				fmt.Fprintf(e.stdout, "store %s: nothing to recover\n", store)
			} else {
				fmt.Fprintf(e.stdout, "store %s: recovered\n", store)
			}
			return nil
		}),
	}
	cmd.Flags().StringVar(&store, "store", "store", "store directory")
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

// beginWrite opens (creating) the store at dir for one all-or-nothing write of a command: it
// takes the store's write lock, saying on stderr when it waits for another writer, and
// returns a transaction that SIGINT or SIGTERM interrupts (nothing lands then). The caller
// defers done, which rolls back unless the transaction committed and stops the signal
// handling.
func beginWrite(cmd *cobra.Command, e *env, dir string) (tx *parquet.Tx, done func(), err error) {
	st, err := openStoreRW(dir)
	if err != nil {
		return nil, nil, err
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	tx, err = st.Begin(ctx, func(msg string) { fmt.Fprintf(e.stderr, "bt: %s\n", msg) })
	if err != nil {
		stop()
		if errors.Is(err, parquet.ErrInterrupted) {
			return nil, nil, failErr(err)
		}
		return nil, nil, usageErr(err)
	}
	return tx, func() { tx.Rollback(); stop() }, nil
}

// importErr classifies an error of an import inside a transaction: an interruption is a
// failure (exit 1) that says the store is unchanged; anything else is a data error (exit 2)
// and says that nothing of the command landed.
func importErr(store string, err error) error {
	if errors.Is(err, parquet.ErrInterrupted) {
		return failErr(fmt.Errorf("import into %s %w", store, parquet.ErrInterrupted))
	}
	return usageErr(fmt.Errorf("%w\n(nothing was imported: the store %s is as it was before this command)", err, store))
}

// commitImport lands the transaction; an interruption before the commit lands nothing.
func commitImport(store string, tx *parquet.Tx) error {
	if err := tx.Commit(); err != nil {
		if errors.Is(err, parquet.ErrInterrupted) {
			return importErr(store, err)
		}
		return failErr(err)
	}
	return nil
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
Re-importing overlapping ranges adds no duplicates. The files of one command land all or
nothing: a bad file or a conflicting row is an error and nothing of the command is written, nor
when it is stopped (SIGINT, SIGTERM). Writers of one store take turns: a second import waits
for the first, saying so on stderr.`,
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
			tx, done, err := beginWrite(cmd, e, store)
			if err != nil {
				return err
			}
			defer done()
			var res []importResult
			for _, path := range args {
				im, err := binance.Import(tx, path, opt)
				if err != nil {
					return importErr(store, err)
				}
				res = append(res, importResult{
					File: path, Symbol: im.Series.Symbol, Kind: string(im.Series.Kind), Interval: im.Series.Interval,
					Source: im.Series.Source, Rows: im.Rows, Added: im.Stats.Added, Duplicates: im.Stats.Duplicates, Files: im.Stats.Files,
				})
			}
			if err := commitImport(store, tx); err != nil {
				return err
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
