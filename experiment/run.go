package experiment

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/bt-backtest/bt/data/parquet"
	"github.com/bt-backtest/bt/reports"
	"github.com/bt-backtest/bt/reports/artifact"
	"github.com/bt-backtest/bt/reports/metrics"
	"github.com/bt-backtest/bt/strategies/param"
	"github.com/bt-backtest/bt/strategies/replay"
	"github.com/shopspring/decimal"
)

// Options are the settings of Run that are not part of the experiment (they do not change its
// results).
type Options struct {
	// Progress receives a progress line redrawn with carriage returns (give a terminal);
	// nil: none.
	Progress io.Writer
	// NoReport skips the HTML and PNG report (the artifacts only).
	NoReport bool
	// Version is the bt version recorded in manifest.json and config.resolved.yaml; empty:
	// Version().
	Version string
	// OutputGCPercent, when > 0, is the garbage collector's percentage (debug.SetGCPercent)
	// while the run directory and report are written, after the backtest: the heap peaks
	// there (records, chart data, page and PNG canvases at once), and a lower goal trades a
	// little GC CPU for peak memory. The previous setting is restored before Run returns.
	OutputGCPercent int
}

// Outcome is what Run returns: where the run directory is and what it says.
type Outcome struct {
	Dir      string          // the run directory
	Strategy string          // the strategy's name
	Symbols  []string        // the symbols that ran, in the data's order
	Start    int64           // first bar open, Unix ms
	End      int64           // last bar close, Unix ms
	Accounts []string        // the accounts in run order (isolated, cross, then the mixes by name)
	Summary  reports.Summary // summary.json
	// Assumptions are the modelling assumptions the run made (stated in full in manifest.json).
	Assumptions []backtest.Assumption
	// Report is the path of report.html; "": no report (Options.NoReport).
	Report string
	// Warnings are things the caller should show (e.g. an approximate statistic, a fallback,
	// rejected orders), one line each.
	Warnings []string
	// StrictFailed lists the strict conditions the run failed (only with Experiment.Strict):
	// the caller exits 1 ("strict condition failed") after reporting the run.
	StrictFailed []string
}

// InputError is an error of Run caused by its input: the experiment, the market data, a
// strategy's parameters or its input files (bt exits 2 on it). Other errors of Run are failures
// of the run itself or of writing its directory.
type InputError struct{ Err error }

// Error returns the message of the underlying error.
func (e *InputError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *InputError) Unwrap() error { return e.Err }

// IsInput reports whether err (from Load or Run) was caused by the input rather than by the
// run: a *ConfigError or an *InputError.
func IsInput(err error) bool {
	var ie *InputError
	var ce *ConfigError
	return errors.As(err, &ie) || errors.As(err, &ce)
}

// input marks err as an input error.
func input(err error) error {
	if err == nil {
		return nil
	}
	return &InputError{err}
}

// Run runs the experiment and writes its run directory (x.Output.Dir, default
// runs/<strategy>-<UTC time>): config.resolved.yaml, manifest.json, summary.json, the
// accounts' records, and unless opts.NoReport the report. An existing run directory is
// replaced; any other non-empty directory is refused. x is resolved first (see Resolve) and
// x.Symbols filled from the data when empty. Errors caused by the input are *InputError or
// *ConfigError (see IsInput); a cancelled ctx stops the run with an error wrapping
// ctx.Err() and writes no run directory.
func Run(ctx context.Context, x *Experiment, opts Options) (*Outcome, error) {
	if err := x.Resolve(); err != nil {
		return nil, err
	}
	version := opts.Version
	if version == "" {
		version = Version()
	}
	strat, ok := x.catalog().Lookup(x.Strategy.Name)
	if !ok {
		return nil, x.locate(x.catalog().unknown(x.Strategy.Name))
	}
	// Files the strategy reads (a replay's trade log) are inputs too: hashed for the manifest,
	// and checked before the run.
	var paramFiles []artifact.DataFile
	for _, k := range sortedKeys(x.Strategy.Params) {
		if v := x.Strategy.Params[k]; isPathParam(k) && v != "" {
			sum, err := hashFile(v)
			if err != nil {
				return nil, x.locate(&ConfigError{Key: "strategy.params." + k, Msg: unwrapPathErr(err) + ": " + v})
			}
			paramFiles = append(paramFiles, artifact.DataFile{Path: v, SHA256: sum})
		}
	}
	start, end, _ := x.timerange()
	ds, err := openData(x.Data.Source)
	if err != nil {
		return nil, input(err)
	}
	st, err := ds.store.Stream(parquet.StreamOptions{Symbols: x.Symbols, Interval: x.Data.Interval, Source: x.Data.Origin, Start: start, End: end})
	if err != nil {
		return nil, input(fmt.Errorf("data %s: %w", x.Data.Source, err))
	}
	defer st.Close()
	symbols := st.Symbols()
	if len(symbols) == 0 {
		return nil, input(fmt.Errorf("data %s: no klines for the selected symbols and time range", x.Data.Source))
	}
	if len(x.Symbols) == 0 {
		x.Symbols = append([]string(nil), symbols...)
	}
	cfg, err := x.backtestConfig(symbols)
	if err != nil {
		return nil, x.locate(err)
	}
	src := newTap(st, opts.Progress, start, end)
	first, ok := src.peek()
	if !ok {
		if err := st.Err(); err != nil {
			return nil, input(fmt.Errorf("data %s: %w", x.Data.Source, err))
		}
		return nil, input(fmt.Errorf("data %s: no klines of %s in the time range", x.Data.Source, strings.Join(symbols, ", ")))
	}
	if err := x.checkBrackets(cfg, symbols, first); err != nil {
		return nil, x.locate(err)
	}
	// Hash the input files while the backtest runs (the manifest records their sha256).
	hashed := make(chan hashResult, 1)
	go func() {
		files, err := ds.hashFiles(st.Files())
		hashed <- hashResult{files, err}
	}()
	var hash *hashResult
	waitHash := func() *hashResult {
		if hash == nil {
			h := <-hashed
			hash = &h
		}
		return hash
	}
	defer waitHash() // no goroutine outlives the run
	dir := x.Output.Dir
	if dir == "" {
		dir = defaultRunDir(x.Strategy.Name)
	}
	// Everything is written into a staging directory beside dir, renamed to dir when complete:
	// a run stopped by a signal or an error leaves neither a half-written run directory nor
	// temporary files (the staging directory is removed), and an earlier run in dir survives.
	stage, err := stageRunDir(dir)
	if err != nil {
		return nil, err
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(stage)
		}
	}()
	// The equity curves are streamed to their files, statistics and chart samples during the
	// run: memory does not grow with the history's length.
	streams := newEquityStreams(stage, st.SizeHint(), x.Stats.NearMissRatio)
	cfg.Equity = streams.sink
	committed := false
	defer func() {
		if !committed {
			streams.abort()
		}
	}()
	res, runErr := backtest.Run(ctx, cfg, strat.New, src)
	src.done()
	eqErr := streams.finish() // the account goroutines have fed every point: the streams may be read
	if opts.OutputGCPercent > 0 {
		defer debug.SetGCPercent(debug.SetGCPercent(opts.OutputGCPercent))
	}
	if err := st.Err(); err != nil {
		return nil, input(fmt.Errorf("data %s: %w", x.Data.Source, err))
	}
	if runErr != nil {
		if err := startError(runErr); err != nil {
			return nil, x.locate(err)
		}
		if isInputError(runErr) {
			return nil, input(fmt.Errorf("run: %w", runErr))
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("run interrupted: %w", runErr)
		}
		if err := strategyFailure(x.Strategy.Name, runErr); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("run failed: %w", runErr)
	}
	if eqErr != nil {
		return nil, fmt.Errorf("writing run directory: %w", eqErr)
	}

	// The accounts' files (records, equity files committed) are written from here on, while
	// the run is summarized and the report drawn: they only read res.
	// the price bars' files are written beside the rest (joined before the directory is
	// committed, and on every return)
	prices := src.prices.bySymbol()
	pricesWritten := make(chan error, 1)
	go func() { pricesWritten <- artifact.WriteSymbolPrices(stage, prices) }()
	joinPrices := sync.OnceValue(func() error { return <-pricesWritten })
	defer joinPrices()
	committed = true // Finish commits or aborts the writers
	written := artifact.StartStreamed(stage, res, streams.writers())
	finished := false
	defer func() {
		if !finished { // no goroutine outlives the run
			written.Abort()
		}
	}()

	h := waitHash()
	if h.err != nil {
		return nil, input(h.err)
	}
	files := append(h.files, paramFiles...)
	man := artifact.Manifest{
		Version:     version,
		Seed:        x.Seed,
		Strategy:    x.Strategy.Name,
		Params:      x.Strategy.Params,
		DataFiles:   files,
		Assumptions: res.Assumptions,
		Start:       res.Start,
		End:         res.End,
		Symbols:     res.Symbols,
	}
	// What ran: every default filled in, the data path absolute, no output dir (a reproduction
	// writes a new run directory).
	resolved := *x
	resolved.Output.Dir = ""
	resolved.Leverage.Symbols = maps.Clone(cfg.Leverage) // every symbol's, as it ran
	// Pin what the store picked implicitly, so that the run reproduces even after the store
	// gains another interval or source.
	if resolved.Data.Interval == "" {
		resolved.Data.Interval = src.interval()
	}
	if resolved.Data.Origin == "" {
		resolved.Data.Origin = klineSource(st.Files())
	}
	yml, err := resolved.marshalResolved("# The experiment as it ran (bt " + version + ").\n# Reproduce it with: bt run -c config.resolved.yaml --out DIR\n")
	if err != nil {
		return nil, err
	}
	if err := writeFileAtomic(filepath.Join(stage, "config.resolved.yaml"), yml); err != nil {
		return nil, err
	}
	// once: summary.json, the report and the caller share it
	sum := metrics.SummarizeOpts(res, streams.stats(), x.Stats.Options())
	sum.Leverage = maps.Clone(cfg.Leverage)
	out := &Outcome{Dir: dir, Strategy: x.Strategy.Name, Symbols: res.Symbols, Start: res.Start, End: res.End,
		Summary: sum, Assumptions: res.Assumptions}
	for _, a := range res.Accounts {
		out.Accounts = append(out.Accounts, a.Name)
	}
	out.Warnings, out.StrictFailed = notices(x, res, dir) // every fallback kind (a symbol without Binance's own rules is named) and rejection
	for _, n := range streams.order {
		if !streams.accts[n].stats.P95Exact() {
			out.Warnings = append(out.Warnings, fmt.Sprintf("account %s: margin_ratio_p95 is approximate (more equity points than the data's size hint)", n))
		}
	}
	curves := streams.curves()
	// The report renders while the artifacts are written: both only read res.
	rendered := make(chan error, 1)
	if opts.NoReport {
		rendered <- nil
	} else {
		go func() {
			rendered <- reports.Render(stage, &artifact.Run{Dir: dir, Manifest: man, Result: res, Prices: prices, Summary: &sum, Curves: curves})
		}()
	}
	finished = true
	werr := written.Finish(man, sum)
	rerr := <-rendered
	if perr := joinPrices(); werr == nil && perr != nil {
		werr = perr
	}
	if werr != nil {
		return nil, fmt.Errorf("writing run directory: %w", werr)
	}
	if rerr != nil {
		return nil, fmt.Errorf("rendering report: %w", rerr)
	}
	if ctx.Err() != nil { // stopped while writing: keep no run directory
		return nil, fmt.Errorf("run interrupted: %w", ctx.Err())
	}
	if err := commitRunDir(stage, dir); err != nil {
		return nil, err
	}
	done = true
	if !opts.NoReport {
		out.Report = filepath.Join(dir, "report.html")
	}
	return out, nil
}

// checkBrackets refuses a leverage above the maximum of the symbol's bracket table in force at
// the run's first bar (or at the pinned brackets.snapshot date), naming the allowed range.
func (x *Experiment) checkBrackets(cfg backtest.Config, symbols []string, first int64) error {
	book := cfg.Book
	if book == nil {
		book = margin.DefaultBook()
	}
	at := time.UnixMilli(first).UTC()
	if !cfg.BracketDate.IsZero() {
		at = cfg.BracketDate
	}
	for _, s := range symbols {
		lev := cfg.Leverage[s]
		t, date, real := book.Table(s, at)
		if top := t.MaxLeverage(decimal.Zero); lev > top {
			key := "leverage.default"
			if _, ok := x.Leverage.Symbols[s]; ok {
				key = "leverage.symbols." + s
			}
			table := "its Binance bracket table of " + date
			if !real {
				table = "the bracket table used for symbols without their own (" + book.DefaultName() + ")"
			}
			return &ConfigError{Key: key, Msg: fmt.Sprintf("%d: %s allows leverage 1 to %d (%s)", lev, s, top, table)}
		}
	}
	return nil
}

// locate names the experiment's file (or "flags") in a *ConfigError found after loading.
func (x *Experiment) locate(err error) error {
	var ce *ConfigError
	if errors.As(err, &ce) {
		ce.File = x.file
		if ce.File == "" {
			ce.File = "flags"
		}
	}
	return err
}

// startError returns, for a run that failed because the strategy refused to start (its
// parameters or input file), that refusal in the experiment's words: a *ConfigError naming
// strategy.params.NAME for a parameter, else the strategy's own message as an *InputError.
// It returns nil for any other error.
func startError(err error) error {
	var pe *param.Error
	if errors.As(err, &pe) {
		return &ConfigError{Key: "strategy.params." + pe.Name, Msg: fmt.Sprintf("%q: %s (strategy %s)", pe.Value, pe.Reason, pe.Strategy)}
	}
	// backtest wraps a Start error as "%w: account %s, Start: %w" (ErrStrategyFailed, the
	// strategy's error): report the strategy's error alone.
	for e := err; e != nil; {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			errs := j.Unwrap()
			if len(errs) == 2 && errors.Is(errs[0], backtest.ErrStrategyFailed) && strings.Contains(e.Error(), ", Start: ") {
				return input(fmt.Errorf("strategy could not start: %w", errs[1]))
			}
			return nil
		}
		e = errors.Unwrap(e)
	}
	return nil
}

// reFailedAt matches where backtest says a strategy failed during the run: "account A, SYM bar
// MS: " or "account A, step MS: ".
var reFailedAt = regexp.MustCompile(`: account (\S+), (?:(\S+) bar|step) (\d+): `)

// strategyFailure returns, for a run stopped by an error of the strategy during the run, that
// error in a trader's words ("strategy swing failed in account isolated at BTCUSDT's bar of
// 2025-10-10 21:00Z: ...") instead of the engine's (a Unix ms time, "backtest:"); nil for
// any other error.
func strategyFailure(name string, err error) error {
	if !errors.Is(err, backtest.ErrStrategyFailed) {
		return nil
	}
	for e := err; e != nil; {
		j, ok := e.(interface{ Unwrap() []error })
		if !ok {
			e = errors.Unwrap(e)
			continue
		}
		errs := j.Unwrap()
		m := reFailedAt.FindStringSubmatch(e.Error())
		if len(errs) != 2 || !errors.Is(errs[0], backtest.ErrStrategyFailed) || m == nil {
			return nil
		}
		ms, _ := strconv.ParseInt(m[3], 10, 64)
		at := "at " + fmtMs(ms)
		if m[2] != "" {
			at = "at " + m[2] + "'s bar of " + fmtMs(ms)
		}
		return fmt.Errorf("run failed: strategy %s failed in account %s %s: %w", name, m[1], at, errs[1])
	}
	return nil
}

// isInputError reports whether a run failed on its input (config, data, strategy parameters
// or a strategy's input file) rather than in the run itself.
func isInputError(err error) bool {
	var pe *replay.ParseError
	return errors.Is(err, backtest.ErrBadConfig) || errors.Is(err, backtest.ErrBadSource) ||
		errors.Is(err, backtest.ErrNoSymbols) || errors.Is(err, param.ErrInvalid) ||
		errors.As(err, &pe) || errors.Is(err, fs.ErrNotExist)
}

// fmtMs formats Unix ms as a UTC minute, "?" for 0.
func fmtMs(ms int64) string {
	if ms == 0 {
		return "?"
	}
	return time.UnixMilli(ms).UTC().Format("2006-01-02 15:04Z")
}

// defaultRunDir is runs/<strategy>-<UTC time>, with a counter when it exists. The wall clock
// only names the directory; it never enters a result.
func defaultRunDir(strategy string) string {
	base := filepath.Join("runs", strategy+"-"+time.Now().UTC().Format("20060102T150405Z"))
	dir := base
	for i := 2; ; i++ {
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			return dir
		}
		dir = base + "-" + strconv.Itoa(i)
	}
}

// stageRunDir checks that dir may be written (absent, empty, or a run directory: one holding
// manifest.json or config.resolved.yaml; any other directory is refused before the run) and
// creates its staging directory, .<name>.partial beside it, holding the incomplete-run marker
// (a stale one, left by a killed run, is replaced).
func stageRunDir(dir string) (string, error) {
	ents, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return "", fmt.Errorf("run directory %s: %w", dir, err)
	case len(ents) == 0:
	default:
		if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err != nil {
			if _, err2 := os.Stat(filepath.Join(dir, "config.resolved.yaml")); err2 != nil {
				return "", fmt.Errorf("run directory %s exists and is not a bt run directory: refusing to write into it", dir)
			}
		}
	}
	clean := filepath.Clean(dir)
	stage := filepath.Join(filepath.Dir(clean), "."+filepath.Base(clean)+".partial")
	if err := os.RemoveAll(stage); err != nil {
		return "", fmt.Errorf("run directory %s: removing the staging directory of an earlier run: %w", dir, err)
	}
	if err := os.MkdirAll(stage, 0o755); err != nil {
		return "", fmt.Errorf("run directory: %w", err)
	}
	marker := filepath.Join(stage, artifact.IncompleteMarker)
	if err := os.WriteFile(marker, []byte("bt run is writing this directory; it is incomplete until renamed\n"), 0o644); err != nil {
		return "", fmt.Errorf("run directory: %w", err)
	}
	return stage, nil
}

// commitRunDir makes the complete staging directory the run directory dir: it removes the
// incomplete-run marker and renames stage to dir, replacing an earlier run directory there
// (moved aside first, removed after).
func commitRunDir(stage, dir string) error {
	if err := os.Remove(filepath.Join(stage, artifact.IncompleteMarker)); err != nil {
		return fmt.Errorf("run directory: %w", err)
	}
	clean := filepath.Clean(dir)
	old := filepath.Join(filepath.Dir(clean), "."+filepath.Base(clean)+".old")
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("run directory %s: %w", dir, err)
	}
	replaced := false
	if _, err := os.Stat(dir); err == nil {
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("run directory %s: moving the earlier run aside: %w", dir, err)
		}
		replaced = true
	}
	if err := os.Rename(stage, dir); err != nil {
		if replaced {
			os.Rename(old, dir) // put the earlier run back
		}
		return fmt.Errorf("run directory %s: %w", dir, err)
	}
	if replaced {
		if err := os.RemoveAll(old); err != nil {
			return fmt.Errorf("run directory %s: removing the earlier run: %w", dir, err)
		}
	}
	return nil
}

// writeFileAtomic writes b to a temporary file beside path and renames it.
func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
