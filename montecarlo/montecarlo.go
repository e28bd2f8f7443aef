package montecarlo

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strconv"
	"sync"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/bt-backtest/bt/data/bootstrap"
	"github.com/bt-backtest/bt/data/parquet"
	"github.com/bt-backtest/bt/experiment"
	"github.com/bt-backtest/bt/reports/metrics"
	"gonum.org/v1/gonum/stat"
)

// Options of Run.
type Options struct {
	Paths     int    // resampled histories (≥ 1)
	Seed      uint64 // the generator's seed
	MeanBlock int    // mean block length in timestamps; 0: 24
	// Progress, when set, receives one line per tenth of the paths.
	Progress io.Writer
}

// Result is the Monte Carlo summary, one entry per account in run order.
type Result struct {
	Paths, MeanBlock int
	Seed             uint64
	Accounts         []Account
}

// Account summarises one account over the paths.
type Account struct {
	Name                 string
	Liquidated, Ruined   int         // paths with at least one liquidation, ruined paths
	PLiquidation, PRuin  Probability // their shares
	FinalEquity, MaxDown Dist        // distributions over the paths
	// the per-path values, in path order (what the histograms draw)
	FinalEquities, MaxDrawdowns []float64
}

// Probability is an estimated probability with its 95% Wilson score interval.
type Probability struct{ P, Lo, Hi float64 }

// Dist describes a distribution over the paths: quantiles and the mean with a 95% normal
// interval.
type Dist struct {
	P05, P25, P50, P75, P95 float64
	Mean, MeanLo, MeanHi    float64
}

// Run runs the experiment x on opts.Paths bootstrap paths of its market data.
func Run(ctx context.Context, x *experiment.Experiment, opts Options) (*Result, error) {
	if opts.Paths < 1 {
		return nil, fmt.Errorf("--paths %d: want at least 1 path", opts.Paths)
	}
	if opts.MeanBlock == 0 {
		opts.MeanBlock = 24
	}
	if opts.MeanBlock < 1 {
		return nil, fmt.Errorf("--block %d: want a mean block length ≥ 1 bar", opts.MeanBlock)
	}
	if err := x.Resolve(); err != nil {
		return nil, err
	}
	st, err := openStream(x)
	if err != nil {
		return nil, err
	}
	h, err := bootstrap.Read(st)
	st.Close()
	if err != nil {
		return nil, fmt.Errorf("data %s: %w", x.Data.Source, err)
	}
	cfg, newStrategy, err := x.Engine(h.Symbols)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, s := range cfg.Setups {
		names = append(names, s.Name)
	}
	outs, err := runPaths(ctx, h, cfg, newStrategy, opts)
	if err != nil {
		return nil, err
	}
	liq := make([]int, len(names))
	ruin := make([]int, len(names))
	final := make([][]float64, len(names))
	dd := make([][]float64, len(names))
	for _, out := range outs { // in path order
		for i, o := range out {
			if o.liquidated {
				liq[i]++
			}
			if o.ruined {
				ruin[i]++
			}
			final[i] = append(final[i], o.final)
			dd[i] = append(dd[i], o.maxDD)
		}
	}
	r := &Result{Paths: opts.Paths, MeanBlock: opts.MeanBlock, Seed: opts.Seed}
	for i, n := range names {
		r.Accounts = append(r.Accounts, Account{Name: n, Liquidated: liq[i], Ruined: ruin[i],
			PLiquidation: wilson(liq[i], opts.Paths), PRuin: wilson(ruin[i], opts.Paths),
			FinalEquity: dist(final[i]), MaxDown: dist(dd[i]), FinalEquities: final[i], MaxDrawdowns: dd[i]})
	}
	return r, nil
}

// runPaths runs opts.Paths paths of h and returns each path's outcomes, in path order. The
// paths are independent given their index (bootstrap.Options.Path), so they run concurrently,
// one per core, each path's accounts stepping in turn within it (cfg.Parallel off, which
// changes no result); the outcomes are gathered by index, so the table is a sequential run's
// whatever the order the paths finish in. The error returned is the lowest failing path's, the
// one a sequential run meets first: paths are handed out in order, so every earlier path has
// started and runs to its end; no later path is started after a failure.
func runPaths(ctx context.Context, h *bootstrap.History, cfg backtest.Config, newStrategy func() backtest.Strategy, opts Options) ([][]pathOutcome, error) {
	workers := min(opts.Paths, runtime.GOMAXPROCS(0))
	if workers > 1 {
		cfg.Parallel = false
	}
	outs := make([][]pathOutcome, opts.Paths)
	errs := make([]error, opts.Paths)
	var mu sync.Mutex
	next, done, failed := 0, 0, opts.Paths // failed: the lowest path that failed
	take := func() int {
		mu.Lock()
		defer mu.Unlock()
		if next >= failed {
			return -1
		}
		next++
		return next - 1
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := take(); p >= 0; p = take() {
				out, err := runOne(ctx, h, cfg, newStrategy, opts, p)
				mu.Lock()
				outs[p], errs[p] = out, err
				if err != nil {
					failed = min(failed, p)
				}
				done++
				if err == nil && opts.Progress != nil && done%max(opts.Paths/10, 1) == 0 {
					fmt.Fprintf(opts.Progress, "mc: %d/%d paths\n", done, opts.Paths)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if failed < opts.Paths {
		return nil, errs[failed]
	}
	return outs, nil
}

// runOne runs path p.
func runOne(ctx context.Context, h *bootstrap.History, cfg backtest.Config, newStrategy func() backtest.Strategy, opts Options, p int) ([]pathOutcome, error) {
	src, err := h.Path(bootstrap.Options{MeanBlock: opts.MeanBlock, Seed: opts.Seed, Path: p})
	if err != nil {
		return nil, err
	}
	out, err := runPath(ctx, cfg, newStrategy, src)
	if err != nil {
		return nil, fmt.Errorf("path %d: %w", p, err)
	}
	return out, nil
}

// openStream opens the market data of x (resolved) over its time range.
func openStream(x *experiment.Experiment) (*parquet.Stream, error) {
	var start, end int64
	var err error
	if x.Timerange.Start != "" {
		if start, err = experiment.ParseTime(x.Timerange.Start); err != nil {
			return nil, err
		}
	}
	if x.Timerange.End != "" {
		if end, err = experiment.ParseTime(x.Timerange.End); err != nil {
			return nil, err
		}
	}
	store, err := experiment.OpenStore(x.Data.Source)
	if err != nil {
		return nil, err
	}
	st, err := store.Stream(parquet.StreamOptions{Symbols: x.Symbols, Interval: x.Data.Interval, Source: x.Data.Origin, Start: start, End: end})
	if err != nil {
		return nil, fmt.Errorf("data %s: %w", x.Data.Source, err)
	}
	return st, nil
}

// pathOutcome is what Run takes from one account on one path.
type pathOutcome struct {
	liquidated, ruined bool
	final, maxDD       float64 // final margin balance, metrics.MaxDrawdown of the equity curve
}

// runPath runs one path and returns each account's outcome, in the order of cfg's setups. The
// accounts hold neither their equity curves nor their records: the curve streams into
// equity statistics (their MaxDrawdown is metrics.MaxDrawdown of the whole curve) and the
// records into a counter of liquidations; no fingerprint and no liquidation-price lines are
// made (a path needs none).
func runPath(ctx context.Context, cfg backtest.Config, newStrategy func() backtest.Strategy, src backtest.Source) ([]pathOutcome, error) {
	stats := map[string]*metrics.EquityStats{}
	liqs := map[string]*liqCounter{}
	cfg.Equity = func(account string) backtest.EquitySink {
		st := metrics.NewEquityStats(0).NoPercentile()
		stats[account] = st
		return st
	}
	cfg.Records = func(account string) (backtest.RecordSink, string) {
		c := &liqCounter{}
		liqs[account] = c
		return c, ""
	}
	cfg.NoFingerprint = true
	cfg.NoLiqPrices = true
	res, err := backtest.Run(ctx, cfg, newStrategy, src)
	if err != nil {
		return nil, err
	}
	out := make([]pathOutcome, len(res.Accounts))
	for i := range res.Accounts {
		a := &res.Accounts[i]
		out[i] = pathOutcome{liquidated: liqs[a.Name].n > 0, ruined: a.Ruined,
			final: a.Final.MarginBalance.InexactFloat64(), maxDD: stats[a.Name].MaxDrawdown()}
	}
	return out, nil
}

// liqCounter is a record sink counting liquidations.
type liqCounter struct{ n int }

func (c *liqCounter) Fill(*backtest.FillRecord)        {}
func (c *liqCounter) Trade(*backtest.Trade)            {}
func (c *liqCounter) Liquidation(*margin.Liquidation)  { c.n++ }
func (c *liqCounter) Funding(*backtest.FundingPayment) {}
func (c *liqCounter) Reject(*backtest.Reject)          {}

// wilson is k of n with its 95% Wilson score interval.
func wilson(k, n int) Probability {
	const z = 1.959963984540054
	p := float64(k) / float64(n)
	d := 1 + z*z/float64(n)
	c := (p + z*z/(2*float64(n))) / d
	w := z * math.Sqrt(p*(1-p)/float64(n)+z*z/(4*float64(n)*float64(n))) / d
	return Probability{P: p, Lo: max(c-w, 0), Hi: min(c+w, 1)}
}

func dist(xs []float64) Dist {
	s := slices.Clone(xs)
	slices.Sort(s)
	q := func(p float64) float64 { return stat.Quantile(p, stat.Empirical, s, nil) }
	mean, sd := stat.MeanStdDev(s, nil)
	if len(s) < 2 {
		sd = 0
	}
	half := 1.959963984540054 * sd / math.Sqrt(float64(len(s)))
	return Dist{P05: q(0.05), P25: q(0.25), P50: q(0.5), P75: q(0.75), P95: q(0.95), Mean: mean, MeanLo: mean - half, MeanHi: mean + half}
}

// CSV returns the result as a table: one row per account and quantity.
func (r *Result) CSV() []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	w.Write([]string{"account", "quantity", "estimate", "ci95_lo", "ci95_hi", "p05", "p25", "p50", "p75", "p95", "paths", "seed", "mean_block"})
	meta := []string{strconv.Itoa(r.Paths), strconv.FormatUint(r.Seed, 10), strconv.Itoa(r.MeanBlock)}
	for _, a := range r.Accounts {
		for _, p := range []struct {
			name string
			p    Probability
		}{{"p_liquidation", a.PLiquidation}, {"p_ruin", a.PRuin}} {
			w.Write(append([]string{a.Name, p.name, f(p.p.P), f(p.p.Lo), f(p.p.Hi), "", "", "", "", ""}, meta...))
		}
		for _, d := range []struct {
			name string
			d    Dist
		}{{"final_equity", a.FinalEquity}, {"max_drawdown", a.MaxDown}} {
			w.Write(append([]string{a.Name, d.name, f(d.d.Mean), f(d.d.MeanLo), f(d.d.MeanHi), f(d.d.P05), f(d.d.P25), f(d.d.P50), f(d.d.P75), f(d.d.P95)}, meta...))
		}
	}
	w.Flush()
	return b.Bytes()
}

// WriteText prints the result for people.
func (r *Result) WriteText(w io.Writer) {
	fmt.Fprintf(w, "Monte Carlo: %d block-bootstrap paths (mean block %d bars, seed %d)\n\n", r.Paths, r.MeanBlock, r.Seed)
	fmt.Fprintf(w, "%-10s %-26s %-26s %-30s %-24s\n", "account", "P(liquidation) [95% CI]", "P(ruin) [95% CI]", "final equity p05 / p50 / p95", "max drawdown p50 / p95")
	for _, a := range r.Accounts {
		fmt.Fprintf(w, "%-10s %-26s %-26s %-30s %-24s\n", a.Name,
			fmt.Sprintf("%.3f [%.3f, %.3f]", a.PLiquidation.P, a.PLiquidation.Lo, a.PLiquidation.Hi),
			fmt.Sprintf("%.3f [%.3f, %.3f]", a.PRuin.P, a.PRuin.Lo, a.PRuin.Hi),
			fmt.Sprintf("%.0f / %.0f / %.0f", a.FinalEquity.P05, a.FinalEquity.P50, a.FinalEquity.P95),
			fmt.Sprintf("%.3f / %.3f", a.MaxDown.P50, a.MaxDown.P95))
	}
}
