package sweep

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/data/parquet"
	"github.com/bt-backtest/bt/experiment"
	"github.com/bt-backtest/bt/reports/metrics"
	"go.yaml.in/yaml/v3"
)

// Options are the settings of Run that do not change its results.
type Options struct {
	Shard   Shard               // the slice to run; the zero Shard is All
	Version string              // recorded in sweep.json; shards of different versions are not merged
	Catalog *experiment.Catalog // the strategies configurations may name; nil: experiment.Builtin()
	// Progress receives the progress: a line redrawn in place when Terminal, else one line
	// per tenth of a pass's data, one per pass and one when the shard is done. nil: none.
	Progress io.Writer
	Terminal bool
	// PassAccounts bounds the accounts stepped in one pass over the data: configurations that
	// could share a stream run in consecutive passes of at most this many accounts (a
	// configuration is never split), so memory stays bounded whatever the sweep's size; each
	// pass decodes the data again. 0: DefaultPassAccounts.
	PassAccounts int
}

// InputError is an error of Run caused by its input (the sweep file, the base experiment, a
// configuration's settings or the market data): bt exits 2 on it.
type InputError struct{ Err error }

// Error returns the message of the underlying error.
func (e *InputError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *InputError) Unwrap() error { return e.Err }

// IsInput reports whether err (from Parse, Run or Merge) was caused by the input.
func IsInput(err error) bool {
	var ie *InputError
	var se *Error
	return errors.As(err, &ie) || errors.As(err, &se) || experiment.IsInput(err)
}

// loaded is one configuration with its resolved experiment.
type loaded struct {
	cfg Config
	x   *experiment.Experiment
}

// Run runs the configurations of opts.Shard and returns the shard's output (write it with
// Output.Write). Every configuration of the sweep, not only the shard's, is loaded and checked
// before anything runs, so every shard refuses a bad sweep alike. Configurations sharing their
// data, symbols, time range, brackets and strategy run together in passes over the data of at
// most opts.PassAccounts accounts, each configuration's accounts with their own settings
// (backtest.Setup.Config); the others get their own passes, in the order of their first
// configuration.
func Run(ctx context.Context, s *Spec, opts Options) (*Output, error) {
	if opts.Shard == (Shard{}) {
		opts.Shard = All
	}
	if err := opts.Shard.Check(); err != nil {
		return nil, &Error{File: "--shard", Msg: err.Error()}
	}
	if opts.Catalog == nil {
		opts.Catalog = experiment.Builtin()
	}
	cfgs, err := s.Expand()
	if err != nil {
		return nil, err
	}
	m := Manifest{Sweep: SweepID(s.Base, s.ModeNames(), cfgs), Version: opts.Version, Shard: opts.Shard,
		Accounts: s.ModeNames(), Keys: s.KeyColumns(), Configs: cfgs}
	all := make([]loaded, len(cfgs))
	for i, c := range cfgs {
		x, err := s.Load(opts.Catalog, c)
		if err != nil {
			return nil, err
		}
		all[i] = loaded{c, x}
	}
	lo, hi := opts.Shard.Range(len(all))
	mine := all[lo:hi]

	// passes: configurations that can share one stream, in order of first appearance, at
	// most PassAccounts accounts each (every account holds its state until its pass ends)
	limit := opts.PassAccounts
	if limit <= 0 {
		limit = DefaultPassAccounts
	}
	var keys []string
	passes := map[string][]loaded{}
	accounts := map[string]int{}
	for _, l := range mine {
		k0 := streamKey(l.x)
		k := k0
		for n := 1; ; n++ {
			if _, ok := passes[k]; !ok || accounts[k]+accountsOf(l.x) <= limit || accounts[k] == 0 {
				break
			}
			k = fmt.Sprintf("%s #%d", k0, n)
		}
		if _, ok := passes[k]; !ok {
			keys = append(keys, k)
		}
		passes[k] = append(passes[k], l)
		accounts[k] += accountsOf(l.x)
	}
	pr := newProgress(opts.Progress, opts.Terminal, opts.Shard, len(mine), len(keys))
	results := make(map[string]ConfigResult, len(mine))
	for _, k := range keys {
		rs, err := runPass(ctx, passes[k], pr)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			results[r.Config.ID] = r
		}
	}
	pr.finish()
	ordered := make([]ConfigResult, len(mine))
	for i, l := range mine {
		ordered[i] = results[l.cfg.ID]
	}
	return Assemble(m, ordered)
}

// Load loads configuration c: the base experiment with c's settings (and the grid's accounts)
// applied as overrides. An error in a swept key is located in the sweep file.
func (s *Spec) Load(cat *experiment.Catalog, c Config) (*experiment.Experiment, error) {
	name := s.File
	if name == "" {
		name = "sweep"
	}
	var ov []experiment.Override
	if s.baseNode != nil {
		for j := 0; j+1 < len(s.baseNode.Content); j += 2 {
			k, v := s.baseNode.Content[j], s.baseNode.Content[j+1]
			b, err := yaml.Marshal(canon(v))
			if err != nil {
				return nil, &Error{File: name, Line: k.Line, Key: "base." + k.Value, Msg: err.Error()}
			}
			ov = append(ov, experiment.Override{Path: k.Value, Value: strings.TrimSpace(string(b)), Origin: name + " base." + k.Value})
		}
	}
	for _, a := range c.Set {
		ov = append(ov, experiment.Override{Path: a.Key, Value: a.Value, Origin: name + " " + s.SpecKey(a.Key)})
	}
	if modes := s.ModeNames(); len(modes) > 0 {
		mode := modes[0]
		if len(modes) == 2 {
			mode = "both"
		}
		ov = append(ov, experiment.Override{Path: ModeKey, Value: mode, Origin: name + " grid." + ModeKey})
	}
	x, err := cat.Load(s.BasePath, ov)
	if err != nil {
		return nil, s.locate(err, c)
	}
	return x, nil
}

// locate rewrites an experiment error about a swept key to point at the sweep file's line.
func (s *Spec) locate(err error, c Config) error {
	var ce *experiment.ConfigError
	if !errors.As(err, &ce) {
		return err
	}
	for _, a := range c.Set {
		key := ce.Key
		if key == "" {
			key = strings.TrimPrefix(ce.File, s.File+" ")
			key = strings.TrimPrefix(key, "grid.")
			key = strings.TrimPrefix(key, "random.space.")
		}
		if key == a.Key || strings.HasPrefix(key, a.Key+".") || strings.HasPrefix(a.Key, key+".") {
			sk := s.SpecKey(a.Key)
			return &Error{File: s.File, Line: s.Line(sk), Key: sk,
				Msg: fmt.Sprintf("%s (configuration %d, %s=%s)", ce.Msg, c.Index+1, a.Key, a.Value)}
		}
	}
	return err
}

// DefaultPassAccounts is Options.PassAccounts's default. Since the accounts stream their
// records (backtest.Config.Records) one holds about 0.7 MB over a year of 1m bars on 12
// symbols (BENCHMARKS.md), so 256 accounts (the 128 configurations × both modes of issue 15's
// sweep) fit in one pass in about 200 MB; every further pass decodes and checks the data again
// (about 1.2 CPU-s for a year of 1m bars on 12 symbols, on the second core while the accounts
// step) and ends with a serial tail while the pass's last accounts finish.
const DefaultPassAccounts = 256

// accountsOf is the number of accounts configuration x runs (margin.mode and the mixes).
func accountsOf(x *experiment.Experiment) int {
	n := len(x.Margin.Mixes)
	switch x.Margin.Mode {
	case "both":
		n += 2
	case "isolated", "cross":
		n++
	}
	return max(n, 1)
}

// streamKey says which configurations can share one pass: same data, symbols, time range,
// brackets, strategy and execution.parallel (the run-wide settings of the engine).
func streamKey(x *experiment.Experiment) string {
	return fmt.Sprintf("%q %q %q %q %q %q %q %q %q %v", x.Data.Source, x.Data.Interval, x.Data.Origin, strings.Join(x.Symbols, ","),
		x.Timerange.Start, x.Timerange.End, x.Brackets.Snapshot, x.Brackets.File, x.Strategy.Name, x.Execution.Parallel)
}

// sep separates a configuration's id from its account's name in the pass's setups.
const sep = "/"

// runPass runs configurations that share their stream in one pass over the data.
func runPass(ctx context.Context, ls []loaded, pr *progress) ([]ConfigResult, error) {
	x0 := ls[0].x
	var start, end int64
	var err error
	if x0.Timerange.Start != "" {
		if start, err = experiment.ParseTime(x0.Timerange.Start); err != nil {
			return nil, &InputError{err}
		}
	}
	if x0.Timerange.End != "" {
		if end, err = experiment.ParseTime(x0.Timerange.End); err != nil {
			return nil, &InputError{err}
		}
	}
	store, err := experiment.OpenStore(x0.Data.Source)
	if err != nil {
		return nil, &InputError{err}
	}
	st, err := store.Stream(parquet.StreamOptions{Symbols: x0.Symbols, Interval: x0.Data.Interval, Source: x0.Data.Origin, Start: start, End: end})
	if err != nil {
		return nil, &InputError{fmt.Errorf("data %s: %w", x0.Data.Source, err)}
	}
	defer st.Close()
	symbols := st.Symbols()
	if len(symbols) == 0 {
		return nil, &InputError{fmt.Errorf("data %s: no klines for the selected symbols and time range", x0.Data.Source)}
	}
	hint := st.SizeHint()

	run := backtest.Config{}
	var newStrategy func() backtest.Strategy
	cfgs := make([]backtest.Config, len(ls))
	stats := map[string]*metrics.EquityStats{}
	recs := map[string]*metrics.RecordStats{}
	logNames := map[string]string{}
	for i, l := range ls {
		cfg, ns, err := l.x.Engine(symbols)
		if err != nil {
			return nil, &InputError{fmt.Errorf("configuration %d (%s): %w", l.cfg.Index+1, describe(l.cfg.Set), err)}
		}
		cfgs[i] = cfg
		if i == 0 {
			run, newStrategy = cfg, ns
			run.Setups = nil
		}
	}
	for i, l := range ls {
		for _, su := range cfgs[i].Setups {
			name := su.Name
			su.Name = l.cfg.ID + sep + su.Name
			su.Config = &cfgs[i]
			run.Setups = append(run.Setups, su)
			// a row shows no margin-ratio percentile (AccountSummary): no top ratios kept
			stats[su.Name] = metrics.NewEquityStats(hint).SetNearMissRatio(l.x.Stats.NearMissRatio).NoPercentile()
			recs[su.Name] = metrics.NewRecordStats()
			logNames[su.Name] = name
		}
	}
	run.Equity = func(account string) backtest.EquitySink { return stats[account] }
	// the records stream into their summaries and the fingerprint (under the account's own
	// name, as a bt run's): a sweep holds nothing per record
	run.Records = func(account string) (backtest.RecordSink, string) { return recs[account], logNames[account] }
	// the accounts are independent given the stream: step them on every core (the results are
	// the same as a sequential run's, whatever execution.parallel says)
	run.Parallel = true
	// nor does a sweep draw the report's liquidation-price lines (AccountResult.LiqPrices)
	run.NoLiqPrices = true
	src := pr.pass(st, len(ls), hint)
	res, err := backtest.Run(ctx, run, newStrategy, src)
	if serr := st.Err(); serr != nil {
		return nil, &InputError{fmt.Errorf("data %s: %w", x0.Data.Source, serr)}
	}
	if err != nil {
		if errors.Is(err, backtest.ErrBadConfig) || errors.Is(err, backtest.ErrBadSource) || errors.Is(err, backtest.ErrNoSymbols) {
			return nil, &InputError{fmt.Errorf("run: %w", err)}
		}
		return nil, fmt.Errorf("run failed: %w", err)
	}
	pr.passDone(len(ls))

	// split the pass's result into one result per configuration, accounts under their own
	// names (the fingerprint includes the name: it then equals a bt run's)
	out := make([]ConfigResult, len(ls))
	for i, l := range ls {
		r := ConfigResult{Config: l.cfg}
		sums := map[string]metrics.AccountSummary{}
		for k := range res.Accounts {
			a := &res.Accounts[k]
			id, name, _ := strings.Cut(a.Name, sep)
			if id != l.cfg.ID {
				continue
			}
			st := stats[a.Name]
			sum := metrics.SummarizeStream(a, st, recs[a.Name])
			sums[name] = sum
			var daily []Point
			for _, p := range st.Daily() {
				daily = append(daily, Point{Time: p.Time, Equity: p.Equity, Drawdown: p.Drawdown})
			}
			r.Accounts = append(r.Accounts, AccountResult{Name: name, Summary: sum, Daily: daily})
		}
		// cross − isolated, as metrics.Summarize's delta
		iso, okI := sums[metrics.IsolatedName]
		cross, okC := sums[metrics.CrossName]
		if okI && okC {
			r.Delta = metrics.DeltaOf(iso.Metrics(), cross.Metrics())
		}
		out[i] = r
	}
	return out, nil
}

// Accounts returns the account names of the output's rows for configuration id, in order.
func (o *Output) Accounts(id string) []string {
	col := slices.IndexFunc(o.Results.Columns, func(c Column) bool { return c.Name == ColAccount })
	var out []string
	for _, r := range o.Results.Rows {
		if r[0] == id {
			out = append(out, r[col].(string))
		}
	}
	return out
}
