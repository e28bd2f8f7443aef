package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/data/parquet"
	"github.com/bt-backtest/bt/reports"
	"github.com/bt-backtest/bt/reports/artifact"
	"github.com/bt-backtest/bt/reports/metrics"
	"github.com/bt-backtest/bt/strategies"
	"github.com/bt-backtest/bt/strategies/param"
	"github.com/bt-backtest/bt/strategies/replay"
	"github.com/spf13/cobra"
)

// runFlags are bt run's flags; each one overrides a key of the experiment.
type runFlags struct {
	config  string
	sets    []string
	asJSON  bool
	noHTML  bool
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
	{"leverage", "leverage.default", "leverage of every symbol without its own", false},
	{"mode", "margin.mode", "accounts: both, isolated, cross, or none (only the mixes)", false},
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

Settings come from the experiment file (-c), then the flags, then --set key.path=value, each
overriding the one before. Unknown keys are errors. bt run -c RUN_DIR/config.resolved.yaml
reproduces a run exactly.`,
		Example: `  bt run
  bt run -c experiments/grid.yaml --out runs/grid
  bt run -c experiments/swing.yaml --mode cross --set costs.slippage_bps=2 --set strategy.params.fast=12`,
		Args: argsBetween(0, 0),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			var ov []override
			for _, fk := range flagKeys {
				if cmd.Flags().Changed(fk.flag) {
					ov = append(ov, override{Path: fk.key, Value: *f.strFlag[fk.flag], Origin: "--" + fk.flag, List: fk.list})
				}
			}
			for _, s := range f.sets {
				k, v, ok := strings.Cut(s, "=")
				if !ok || strings.TrimSpace(k) == "" {
					return usageErrf("--set %q: want key.path=value", s)
				}
				ov = append(ov, override{Path: strings.TrimSpace(k), Value: v, Origin: "--set " + k})
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
	fixed := func(vals ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return vals, cobra.ShellCompDirectiveNoFileComp
		}
	}
	_ = cmd.RegisterFlagCompletionFunc("strategy", fixed(strategies.Names()...))
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
}

func runExperiment(ctx context.Context, e *env, f runFlags, ov []override) error {
	x, _, err := loadExperiment(f.config, ov)
	if err != nil {
		return usageErr(err)
	}
	strat, err := lookupStrategy(x.Strategy.Name)
	if err != nil {
		return usageErr(&configError{File: configName(f.config), Key: "strategy.name", Msg: err.Error()})
	}
	// Files the strategy reads (a replay's trade log) are inputs too: hashed for the manifest,
	// and checked before the run.
	var paramFiles []artifact.DataFile
	for _, k := range sortedKeys(x.Strategy.Params) {
		if v := x.Strategy.Params[k]; isPathParam(k) && v != "" {
			sum, err := hashFile(v)
			if err != nil {
				return usageErr(&configError{File: configName(f.config), Key: "strategy.params." + k, Msg: unwrapPathErr(err) + ": " + v})
			}
			paramFiles = append(paramFiles, artifact.DataFile{Path: v, SHA256: sum})
		}
	}
	start, end, _ := x.timerange()
	ds, err := openData(x.Data.Source)
	if err != nil {
		return usageErr(err)
	}
	st, err := ds.store.Stream(parquet.StreamOptions{Symbols: x.Symbols, Interval: x.Data.Interval, Source: x.Data.Origin, Start: start, End: end})
	if err != nil {
		return usageErr(fmt.Errorf("data %s: %w", x.Data.Source, err))
	}
	defer st.Close()
	symbols := st.Symbols()
	if len(symbols) == 0 {
		return usageErr(fmt.Errorf("data %s: no klines for the selected symbols and time range", x.Data.Source))
	}
	if len(x.Symbols) == 0 {
		x.Symbols = append([]string(nil), symbols...)
	}
	cfg, err := x.backtestConfig(symbols)
	if err != nil {
		var ce *configError
		if errors.As(err, &ce) {
			ce.File = configName(f.config)
		}
		return usageErr(err)
	}
	var progressW io.Writer
	if e.stderrTTY && !f.asJSON {
		progressW = e.stderr
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
	defer waitHash() // no goroutine outlives the command
	dir := x.Output.Dir
	if dir == "" {
		dir = defaultRunDir(x.Strategy.Name)
	}
	// The equity curves are streamed to their files, statistics and chart samples during the
	// run: memory does not grow with the history's length.
	streams, err := newEquityStreams(dir, st.SizeHint())
	if err != nil {
		return failErr(err)
	}
	cfg.Equity = streams.sink
	committed := false
	defer func() {
		if !committed {
			streams.abort()
		}
	}()
	src := newTap(st, progressW, start, end)
	res, runErr := backtest.Run(ctx, cfg, strat, src)
	src.done()
	if err := st.Err(); err != nil {
		return usageErr(fmt.Errorf("data %s: %w", x.Data.Source, err))
	}
	if runErr != nil {
		if isInputError(runErr) {
			return usageErr(fmt.Errorf("run: %w", runErr))
		}
		if ctx.Err() != nil {
			return failErr(fmt.Errorf("run interrupted: %w", runErr))
		}
		return failErr(fmt.Errorf("run failed: %w", runErr))
	}

	if err := prepareRunDir(dir); err != nil {
		return failErr(err)
	}
	h := waitHash()
	if h.err != nil {
		return usageErr(h.err)
	}
	files := append(h.files, paramFiles...)
	man := artifact.Manifest{
		Version:     version(),
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
	// Pin what the store picked implicitly, so that the run reproduces even after the store
	// gains another interval or source.
	if resolved.Data.Interval == "" {
		resolved.Data.Interval = src.interval()
	}
	if resolved.Data.Origin == "" {
		resolved.Data.Origin = klineSource(st.Files())
	}
	yml, err := resolved.marshalResolved("# The experiment as it ran (bt " + version() + ").\n# Reproduce it with: bt run -c config.resolved.yaml --out DIR\n")
	if err != nil {
		return failErr(err)
	}
	if err := writeFileAtomic(filepath.Join(dir, "config.resolved.yaml"), yml); err != nil {
		return failErr(err)
	}
	priceBars, prices := src.prices.all()
	// once: summary.json, the report and the printout share it
	sum := metrics.SummarizeStats(res, streams.stats())
	for _, n := range streams.order {
		if !streams.accts[n].stats.P95Exact() {
			fmt.Fprintf(e.stderr, "warning: account %s: margin_ratio_p95 is approximate (more equity points than the data's size hint)\n", n)
		}
	}
	curves := streams.curves()
	// The report renders while the artifacts are written: both only read res.
	rendered := make(chan error, 1)
	if f.noHTML {
		rendered <- nil
	} else {
		go func() {
			rendered <- reports.Render(dir, &artifact.Run{Dir: dir, Manifest: man, Result: res, Prices: prices, Summary: &sum, Curves: curves})
		}()
	}
	werr := artifact.WritePrices(dir, priceBars)
	if werr == nil {
		committed = true // WriteStreamed commits or aborts the writers
		werr = artifact.WriteStreamed(dir, res, man, sum, streams.writers())
	}
	rerr := <-rendered
	if werr != nil {
		return failErr(fmt.Errorf("writing run directory: %w", werr))
	}
	if rerr != nil {
		return failErr(fmt.Errorf("rendering report: %w", rerr))
	}
	if f.asJSON {
		return writeJSON(e.stdout, runOutput{RunDir: dir, Strategy: x.Strategy.Name, Symbols: res.Symbols, Summary: sum})
	}
	fmt.Fprintf(e.stdout, "%s on %s, %s → %s\n\n", x.Strategy.Name, strings.Join(res.Symbols, ","), fmtMs(res.Start), fmtMs(res.End))
	if err := printSummary(e.stdout, sum, accountOrder(res)); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nrun directory: %s\n", dir)
	// The modelling assumptions are stated in full in manifest.json and report.html; the
	// printout names them and points there.
	keys := make([]string, len(res.Assumptions))
	for i, a := range res.Assumptions {
		keys[i] = a.Key
	}
	fmt.Fprintf(e.stdout, "assumptions:   %s (stated in %s)\n", strings.Join(keys, ", "), filepath.Join(dir, "manifest.json"))
	if !f.noHTML {
		fmt.Fprintf(e.stdout, "report:        %s\n", filepath.Join(dir, "report.html"))
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

func configName(path string) string {
	if path == "" {
		return "flags"
	}
	return path
}

func fmtMs(ms int64) string {
	if ms == 0 {
		return "?"
	}
	return time.UnixMilli(ms).UTC().Format("2006-01-02 15:04Z")
}

// accountOrder is the order of the run's accounts.
func accountOrder(res *backtest.Result) []string {
	names := make([]string, len(res.Accounts))
	for i, a := range res.Accounts {
		names[i] = a.Name
	}
	return names
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

// prepareRunDir creates dir. An existing run directory (one holding manifest.json) is
// emptied first so that no file of an earlier run survives; any other non-empty directory is
// refused.
func prepareRunDir(dir string) error {
	ents, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("run directory %s: %w", dir, err)
	case len(ents) == 0:
	default:
		if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err != nil {
			if _, err2 := os.Stat(filepath.Join(dir, "config.resolved.yaml")); err2 != nil {
				return fmt.Errorf("run directory %s exists and is not a bt run directory: refusing to write into it", dir)
			}
		}
		for _, en := range ents {
			if err := os.RemoveAll(filepath.Join(dir, en.Name())); err != nil {
				return fmt.Errorf("run directory %s: %w", dir, err)
			}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("run directory: %w", err)
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

// hashResult is the outcome of dataSource.hashFiles.
type hashResult struct {
	files []artifact.DataFile
	err   error
}

// dataSource is opened market data.
type dataSource struct {
	name  string
	store *parquet.Store
	fsys  fs.FS
}

// openData opens "sample" (the embedded dataset) or a store directory.
func openData(source string) (*dataSource, error) {
	if source == "sample" {
		st, fsys, err := openSample()
		if err != nil {
			return nil, fmt.Errorf("embedded sample: %w", err)
		}
		return &dataSource{name: "sample", store: st, fsys: fsys}, nil
	}
	fi, err := os.Stat(source)
	if err != nil {
		return nil, fmt.Errorf("data %s: %s (give a store directory written by bt data import/synth, or \"sample\")", source, unwrapPathErr(err))
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("data %s: not a directory (a store is a directory written by bt data import/synth)", source)
	}
	fsys := os.DirFS(source)
	st, err := parquet.OpenFS(fsys)
	if err != nil {
		return nil, fmt.Errorf("data %s: %w", source, err)
	}
	return &dataSource{name: source, store: st, fsys: fsys}, nil
}

// hashFiles returns the sha256 of every data file the run read.
func (d *dataSource) hashFiles(paths []string) ([]artifact.DataFile, error) {
	out := make([]artifact.DataFile, 0, len(paths))
	for _, p := range paths {
		rel := strings.TrimPrefix(filepath.ToSlash(p), "./")
		f, err := d.fsys.Open(rel)
		if err != nil {
			return nil, fmt.Errorf("data %s: hashing %s: %w", d.name, p, err)
		}
		sum, err := sha256Hex(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("data %s: hashing %s: %w", d.name, p, err)
		}
		name := rel
		if d.name == "sample" {
			name = "sample:" + rel
		}
		out = append(out, artifact.DataFile{Path: name, SHA256: sum})
	}
	return out, nil
}

// klineSource returns the source=... partition of the first klines file, or "".
func klineSource(files []string) string {
	for _, f := range files {
		if !strings.Contains(f, "kind=klines/") {
			continue
		}
		for _, seg := range strings.Split(filepath.ToSlash(f), "/") {
			if v, ok := strings.CutPrefix(seg, "source="); ok {
				return v
			}
		}
	}
	return ""
}

// hashFile returns the hex sha256 of the file at path.
func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sum, err := sha256Hex(f)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return sum, nil
}

// sha256Hex returns the hex sha256 of what r holds.
func sha256Hex(r io.Reader) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// printSummary prints the accounts side by side (isolated | cross | Δ | mixes): the metrics,
// the liquidation statistics and the paired outcomes.
func printSummary(w io.Writer, sum reports.Summary, order []string) error {
	var names []string
	for _, n := range order {
		if _, ok := sum.Accounts[n]; ok {
			names = append(names, n)
		}
	}
	for _, n := range sortedKeys(sum.Accounts) {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	_, hasIso := sum.Accounts["isolated"]
	_, hasCross := sum.Accounts["cross"]
	withDelta := hasIso && hasCross
	head := []string{""}
	for _, n := range names {
		head = append(head, n)
		if n == "cross" && withDelta {
			head = append(head, "Δ cross−isolated")
		}
	}
	section := func(title string, metricsOf func(name string) []metrics.Metric, delta map[string]float64) {
		t := newTable(w)
		h := append([]string{title}, head[1:]...)
		t.row(h...)
		rows := map[string][]metrics.Metric{}
		for _, n := range names {
			rows[n] = metricsOf(n)
		}
		for i, m := range rows[names[0]] {
			cells := []string{m.Label}
			for _, n := range names {
				cells = append(cells, fmtMetric(rows[n][i]))
				if n == "cross" && withDelta {
					d, ok := delta[m.Key]
					cells = append(cells, fmtDelta(m, d, ok))
				}
			}
			t.row(cells...)
		}
		t.flush()
	}
	if len(names) == 0 {
		return errors.New("the run has no accounts")
	}
	section("metric", func(n string) []metrics.Metric { return sum.Accounts[n].Metrics() }, sum.Delta)
	fmt.Fprintln(w)
	section("liquidations", func(n string) []metrics.Metric { return sum.Liquidation[n].Metrics() }, sum.LiquidationDelta)
	if p := sum.Paired; p != nil {
		fmt.Fprintf(w, "\npaired entries (%d matched): survived both %d, liquidated only isolated (cross rescued) %d, only cross (cross killed) %d, both %d\n",
			p.Matched, p.SurvivedBoth, p.OnlyIsolated, p.OnlyCross, p.Both)
	}
	conv := sum.Conventions // metrics.Summarize sets it; a hand-made summary may not
	if conv == "" {
		conv = metrics.Conventions
	}
	fmt.Fprintln(w, "\n"+conv)
	return nil
}

// fmtMetric formats a metric by its kind.
func fmtMetric(m metrics.Metric) string {
	if !m.OK {
		return "—"
	}
	switch m.Kind {
	case "money":
		return strconv.FormatFloat(m.Value, 'f', 2, 64)
	case "pct":
		return strconv.FormatFloat(m.Value*100, 'f', 2, 64) + "%"
	case "count":
		return strconv.FormatFloat(m.Value, 'f', 0, 64)
	case "bool":
		if m.Value != 0 {
			return "yes"
		}
		return "no"
	case "hours":
		return strconv.FormatFloat(m.Value, 'f', 1, 64) + "h"
	default:
		return strconv.FormatFloat(m.Value, 'g', 4, 64)
	}
}

// fmtDelta formats cross − isolated for a metric.
func fmtDelta(m metrics.Metric, d float64, ok bool) string {
	if !ok || m.Kind == "bool" {
		return ""
	}
	var s string
	switch m.Kind {
	case "money":
		s = strconv.FormatFloat(d, 'f', 2, 64)
	case "pct":
		s = strconv.FormatFloat(d*100, 'f', 2, 64) + " pp"
	case "count":
		s = strconv.FormatFloat(d, 'f', 0, 64)
	case "hours":
		s = strconv.FormatFloat(d, 'f', 1, 64) + "h"
	default:
		s = strconv.FormatFloat(d, 'g', 4, 64)
	}
	if d > 0 {
		s = "+" + s
	}
	return s
}
