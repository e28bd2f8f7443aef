package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/bt-backtest/bt/data"
	"github.com/bt-backtest/bt/data/binance"
	"github.com/bt-backtest/bt/data/csvfile"
	"github.com/bt-backtest/bt/data/inspect"
	"github.com/bt-backtest/bt/data/parquet"
	"github.com/bt-backtest/bt/data/synth"
	"github.com/spf13/cobra"
)

var (
	reInterval = regexp.MustCompile(`^[0-9]+(s|m|h|d|w|M|mo)$`)
	reNameSep  = regexp.MustCompile(`[_\-.]`)
)

// csvSeries infers the series of a CSV file from its name, as the shared Binance exports and
// freqtrade name them: BTCUSDT_1h.csv.gz (klines), BTCUSDT_1h_mark.csv.gz (mark klines),
// BTCUSDT_funding.csv.gz (funding), BTC_USDT-1h.csv. Flags override each part.
func csvSeries(path string, sr data.Series) (data.Series, error) {
	base := filepath.Base(path)
	for _, ext := range []string{".gz", ".csv", ".txt"} {
		base = strings.TrimSuffix(base, ext)
	}
	var symParts []string
	kind, interval := data.Kind(""), ""
	for _, tok := range reNameSep.Split(base, -1) {
		switch lt := strings.ToLower(tok); {
		case lt == "mark" || lt == "markprice" || lt == "markpriceklines":
			kind = data.KindMark
		case lt == "funding" || lt == "fundingrate":
			kind = data.KindFunding
		case lt == "klines" || lt == "futures":
		case reInterval.MatchString(tok) && interval == "" && validInterval(tok):
			interval = tok
		case interval == "" && kind == "":
			symParts = append(symParts, strings.ToUpper(tok))
		}
	}
	if sr.Symbol == "" {
		sym := strings.Join(symParts, "")
		if len(symParts) == 3 && symParts[1] == symParts[2] { // freqtrade futures: BTC_USDT_USDT
			sym = symParts[0] + symParts[1]
		}
		sr.Symbol = sym
	}
	if sr.Kind == "" {
		sr.Kind = kind
		if sr.Kind == "" {
			sr.Kind = data.KindKlines
		}
	}
	if sr.Interval == "" && sr.Kind != data.KindFunding {
		sr.Interval = interval
	}
	if sr.Kind == data.KindFunding {
		sr.Interval = ""
	}
	if !reSymbol.MatchString(sr.Symbol) {
		return sr, fmt.Errorf("%s: cannot tell the symbol from the file name (got %q): give --symbol", path, sr.Symbol)
	}
	if sr.Kind != data.KindFunding && sr.Interval == "" {
		return sr, fmt.Errorf("%s: cannot tell the kline interval from the file name: give --interval", path)
	}
	return sr, nil
}

// validInterval reports whether the store accepts interval (e.g. not "0h"; not "1mo").
func validInterval(interval string) bool {
	_, err := data.IntervalMillis(interval)
	return err == nil
}

func newImportCSVCmd(e *env) *cobra.Command {
	var (
		store  string
		sr     data.Series
		kind   string
		opt    csvfile.Options
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "csv FILE...",
		Short: "Import generic OHLCV, mark-price or funding CSV files (gzipped or not)",
		Long: `Imports CSV files with a header row (ccxt/freqtrade "timestamp,open,high,low,close,volume", the
shared Binance exports "open_time_ms,open,high,low,close[,volume]" and "funding_time_ms,funding_rate",
and similar) into a store. The time column and unit are detected unless given.

Symbol, kind and interval come from the file name when not given: BTCUSDT_1h.csv.gz (klines),
BTCUSDT_1h_mark.csv.gz (mark-price klines), BTCUSDT_funding.csv.gz (funding), BTC_USDT-1h.csv.`,
		Example: `  bt data import csv --store store --source binance-um ../shared/data/binance-um/1h/*.csv.gz
  bt data import csv --store store --symbol BTCUSDT --kind klines --interval 5m --time-unit ms btc.csv`,
		Args: cobra.MinimumNArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			switch kind {
			case "", "klines", "mark", "funding":
			default:
				return usageErrf("--kind %q: want klines, mark or funding", kind)
			}
			tx, done, err := beginWrite(cmd, e, store)
			if err != nil {
				return err
			}
			defer done()
			var res []importResult
			for _, path := range args {
				want := sr
				want.Kind = data.Kind(kind)
				want.Symbol = strings.ToUpper(want.Symbol)
				s, err := csvSeries(path, want)
				if err != nil {
					return importErr(store, err)
				}
				o := opt
				if o.Interval == "" && s.Kind != data.KindFunding {
					o.Interval = s.Interval
				}
				stats, err := csvfile.ImportFile(tx, path, s, o)
				if err != nil {
					return importErr(store, err)
				}
				res = append(res, importResult{File: path, Symbol: s.Symbol, Kind: string(s.Kind), Interval: s.Interval, Source: s.Source,
					Rows: stats.Added + stats.Duplicates, Added: stats.Added, Duplicates: stats.Duplicates, Files: stats.Files})
			}
			if err := commitImport(store, tx); err != nil {
				return err
			}
			return printImports(e, store, res, asJSON)
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&store, "store", "store", "store directory (created if needed)")
	fl.StringVar(&sr.Symbol, "symbol", "", "symbol (default: from the file name)")
	fl.StringVar(&kind, "kind", "", "klines, mark or funding (default: from the file name, else klines)")
	fl.StringVar(&sr.Interval, "interval", "", "kline interval, e.g. 1h (default: from the file name)")
	fl.StringVar(&sr.Source, "source", "csv", "source recorded in the store, e.g. binance-um")
	fl.StringVar(&opt.TimeColumn, "time-column", "", "name of the time column (default: detected)")
	fl.StringVar(&opt.TimeUnit, "time-unit", "", "s, ms, us, ns or rfc3339 (default: detected)")
	fl.Int32Var(&opt.FundingIntervalHours, "funding-interval-hours", 0, "funding interval of files without one (default 8)")
	fl.BoolVar(&asJSON, "json", false, "print one JSON document")
	return cmd
}

func newDownloadBinanceCmd(e *env) *cobra.Command {
	var (
		dir, store, market, interval, start, end, now, baseURL string
		symbols, kinds                                         []string
		asJSON                                                 bool
	)
	cmd := &cobra.Command{
		Use:   "binance --symbols BTCUSDT[,...] --start DATE [flags]",
		Short: "Download data.binance.vision archives (checksums verified, resumable), optionally importing them",
		Long: `Downloads USDⓈ-M (or spot) archives from data.binance.vision into --dir, mirroring the site's
URL layout: monthly archives for complete months, daily archives for the current month. Archives
already present with a valid checksum are skipped, so an interrupted download resumes. With
--store, the downloaded archives are imported into that store.`,
		Example: `  bt data download binance --symbols BTCUSDT,ETHUSDT --interval 1h --start 2024-01-01 --store store
  bt data download binance --symbols BTCUSDT --kinds klines,markPriceKlines,fundingRate --start 2025-01-01 --end 2025-07-01`,
		Args: argsBetween(0, 0),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			req := binance.Request{Market: binance.Market(market), Interval: interval}
			for _, s := range symbols {
				req.Symbols = append(req.Symbols, strings.ToUpper(strings.TrimSpace(s)))
			}
			if len(req.Symbols) == 0 {
				return usageErrf("--symbols is required")
			}
			for _, k := range kinds {
				switch kk := binance.Kind(strings.TrimSpace(k)); kk {
				case binance.Klines, binance.MarkPriceKlines, binance.FundingRate:
					req.Kinds = append(req.Kinds, kk)
				default:
					return usageErrf("--kinds: %q: want klines, markPriceKlines or fundingRate", k)
				}
			}
			var err error
			parse := func(flag, s string) (time.Time, error) {
				ms, err := parseTime(s)
				if err != nil {
					return time.Time{}, usageErrf("--%s %v", flag, err)
				}
				return time.UnixMilli(ms).UTC(), nil
			}
			if start == "" {
				return usageErrf("--start is required")
			}
			if req.Start, err = parse("start", start); err != nil {
				return err
			}
			req.Now = time.Now().UTC() // the command line reads the clock; the package never does
			if now != "" {
				if req.Now, err = parse("now", now); err != nil {
					return err
				}
			}
			if end != "" {
				if req.End, err = parse("end", end); err != nil {
					return err
				}
			}
			d := &binance.Downloader{BaseURL: baseURL, Dir: dir, Client: &http.Client{Timeout: 5 * time.Minute}}
			if !asJSON {
				d.Log = func(path, status string) { fmt.Fprintf(e.stderr, "%-10s %s\n", status, path) }
			}
			res, dlErr := d.Download(cmd.Context(), req)
			if res == nil {
				return failErr(dlErr)
			}
			var imported []importResult
			if store != "" && dlErr == nil {
				tx, done, err := beginWrite(cmd, e, store)
				if err != nil {
					return err
				}
				defer done()
				for _, p := range append(append([]string{}, res.Downloaded...), res.Skipped...) {
					im, err := binance.Import(tx, p, binance.Options{})
					if err != nil {
						return importErr(store, err)
					}
					imported = append(imported, importResult{File: p, Symbol: im.Series.Symbol, Kind: string(im.Series.Kind), Interval: im.Series.Interval,
						Source: im.Series.Source, Rows: im.Rows, Added: im.Stats.Added, Duplicates: im.Stats.Duplicates, Files: im.Stats.Files})
				}
				if err := commitImport(store, tx); err != nil {
					return err
				}
			}
			if asJSON {
				if err := writeJSON(e.stdout, map[string]any{"dir": dir, "downloaded": nonNil(res.Downloaded), "skipped": nonNil(res.Skipped),
					"missing": nonNil(res.Missing), "failed": nonNil(res.Failed), "imported": imported}); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(e.stdout, "downloaded %d, skipped %d (already present), missing %d, failed %d\n",
					len(res.Downloaded), len(res.Skipped), len(res.Missing), len(res.Failed))
				if len(imported) > 0 {
					if err := printImports(e, store, imported, false); err != nil {
						return err
					}
				}
			}
			if dlErr != nil {
				if context.Cause(cmd.Context()) != nil {
					return failErr(fmt.Errorf("download interrupted: %w", dlErr))
				}
				return failErr(fmt.Errorf("download: %w", dlErr))
			}
			return nil
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&dir, "dir", "downloads", "directory for the archives (mirrors the site's layout)")
	fl.StringVar(&store, "store", "", "import the archives into this store after downloading")
	fl.StringVar(&market, "market", "um", "um (USDⓈ-M futures) or spot")
	fl.StringSliceVar(&symbols, "symbols", nil, "comma-separated symbols")
	fl.StringSliceVar(&kinds, "kinds", []string{"klines"}, "klines, markPriceKlines, fundingRate (comma-separated)")
	fl.StringVar(&interval, "interval", "1h", "kline interval")
	fl.StringVar(&start, "start", "", "first day wanted (YYYY-MM-DD or RFC 3339, UTC)")
	fl.StringVar(&end, "end", "", "end, exclusive (default: now)")
	fl.StringVar(&baseURL, "base-url", binance.DefaultBaseURL, "server to download from")
	fl.BoolVar(&asJSON, "json", false, "print one JSON document")
	fl.StringVar(&now, "now", "", "the current time, deciding which months are complete (default: the clock)")
	_ = fl.MarkHidden("now")
	return cmd
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func newSynthCmd(e *env) *cobra.Command {
	var (
		store, start, end string
		opt               synth.Options
		seed              uint64
		crashes, symbols  []string
		asJSON            bool
	)
	cmd := &cobra.Command{
		Use:   "synth --store DIR --start DATE --end DATE [flags]",
		Short: "Write a seeded synthetic market (correlated, regimes, jumps, scheduled crashes) into a store",
		Long: `Simulates correlated perpetuals with volatility regimes, jumps and scheduled crashes, with mark-price
klines (last price plus a small basis) and funding that follows the basis, and writes them into a
store (source "synth"). The same seed and flags give byte-identical files.

Default universe: BTC, ETH, XRP, BNB, SOL, TRX, DOGE, ADA, HYPE, BCH, LINK and ZEC USDT perpetuals.`,
		Example: `  bt data synth --store synth --start 2025-01-01 --end 2026-01-01 --interval 1m --seed 1
  bt data synth --store crash --start 2025-10-01 --end 2025-10-20 --crash 2025-10-10T21:00Z:-0.25`,
		Args: argsBetween(0, 0),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if start == "" || end == "" {
				return usageErrf("--start and --end are required")
			}
			s, err := parseTime(start)
			if err != nil {
				return usageErrf("--start %v", err)
			}
			en, err := parseTime(end)
			if err != nil {
				return usageErrf("--end %v", err)
			}
			opt.Start, opt.End = time.UnixMilli(s).UTC(), time.UnixMilli(en).UTC()
			opt.Seed = seed
			for _, sym := range symbols {
				opt.Symbols = append(opt.Symbols, strings.ToUpper(strings.TrimSpace(sym)))
			}
			for _, c := range crashes {
				cr, err := synth.ParseCrash(c)
				if err != nil {
					return usageErrf("--crash %q: %v", c, err)
				}
				opt.Crashes = append(opt.Crashes, cr)
			}
			if err := opt.Validate(); err != nil {
				return usageErr(err)
			}
			tx, done, err := beginWrite(cmd, e, store)
			if err != nil {
				return err
			}
			defer done()
			w, err := synth.Write(tx, opt)
			if err != nil {
				if errors.Is(err, parquet.ErrInterrupted) {
					return importErr(store, err)
				}
				return failErr(err)
			}
			if err := commitImport(store, tx); err != nil {
				return err
			}
			if asJSON {
				return writeJSON(e.stdout, map[string]any{"store": store, "seed": seed, "klines": w.Klines, "mark": w.Mark, "funding": w.Funding, "files": w.Files})
			}
			fmt.Fprintf(e.stdout, "%s: %d kline, %d mark and %d funding rows in %d files (seed %d)\n", store, w.Klines, w.Mark, w.Funding, w.Files, seed)
			return nil
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&store, "store", "synth", "store directory (created if needed)")
	fl.StringVar(&start, "start", "", "first bar (YYYY-MM-DD or RFC 3339, UTC)")
	fl.StringVar(&end, "end", "", "end, exclusive")
	fl.StringVar(&opt.Interval, "interval", "1h", "bar interval: 1m, 3m, 5m, 15m, 30m, 1h, 2h, 4h, 6h, 8h, 12h or 1d")
	fl.Uint64Var(&seed, "seed", 1, "random seed")
	fl.StringSliceVar(&symbols, "symbols", nil, "symbols of the default universe to simulate, in order (the first is the reference); default all")
	fl.Float64Var(&opt.AnnualVol, "vol", 0, "annualized volatility of assets without their own (default 0.6)")
	fl.Float64Var(&opt.Correlation, "corr", 0, "pairwise correlation (default 0.6)")
	fl.StringArrayVar(&crashes, "crash", nil, "scheduled crash TIME:SIZE[:SYMBOL], e.g. 2025-10-10T21:00Z:-0.25 (repeatable)")
	fl.BoolVar(&opt.Jumps.Off, "no-jumps", false, "no random jumps")
	fl.BoolVar(&opt.Regimes.Off, "no-regimes", false, "constant volatility (no calm/stressed regimes)")
	fl.BoolVar(&opt.NoMark, "no-mark", false, "write no mark-price klines")
	fl.BoolVar(&opt.NoFunding, "no-funding", false, "write no funding rates")
	fl.BoolVar(&asJSON, "json", false, "print one JSON document")
	return cmd
}

func newInspectCmd(e *env) *cobra.Command {
	var (
		store  string
		opt    inspect.Options
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "inspect [--store DIR|sample]",
		Short: "Inspect a store: rows, span, gaps, duplicates, OHLC violations, largest moves, mark/last divergence, funding cadence",
		Args:  argsBetween(0, 0),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			var st *parquet.Store
			if store == "sample" {
				s, _, err := openSample()
				if err != nil {
					return usageErr(err)
				}
				st = s
			} else {
				ds, err := openData(store)
				if err != nil {
					return usageErr(err)
				}
				st = ds.store
			}
			if st.Pending() {
				fmt.Fprintf(e.stderr, "bt: warning: %s: %v\n", store, parquet.ErrPending)
			}
			rep, err := inspect.Store(st, opt)
			if err != nil {
				return usageErr(fmt.Errorf("inspect %s: %w", store, err))
			}
			if asJSON {
				if err := writeJSON(e.stdout, rep); err != nil {
					return err
				}
			} else if err := rep.WriteText(e.stdout); err != nil {
				return err
			}
			for _, s := range rep.Series {
				if s.Error != "" {
					return usageErrf("%s: series %s %s %s cannot be read: %s", store, s.Symbol, s.Kind, s.Interval, s.Error)
				}
			}
			return nil
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&store, "store", "store", `store directory, or "sample" for the embedded sample`)
	fl.IntVar(&opt.MaxGaps, "max-gaps", 0, "gaps listed per series (default 20)")
	fl.IntVar(&opt.TopMoves, "top-moves", 0, "largest moves listed per series (default 5)")
	fl.IntVar(&opt.MaxIssues, "max-issues", 0, "issues listed per series (default 10)")
	fl.BoolVar(&asJSON, "json", false, "print one JSON document")
	return cmd
}
