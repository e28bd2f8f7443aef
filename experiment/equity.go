package experiment

import (
	"fmt"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/reports"
	"github.com/bt-backtest/bt/reports/artifact"
	"github.com/bt-backtest/bt/reports/metrics"
)

// equityStreams receives the accounts' equity curves during bt run (backtest.Config.Equity),
// so that no curve is held in memory: each point goes to the account's equity files (written
// under temporary names in the staging run directory, committed into the account's directory
// at the end), to its summary statistics and to the sampler of its chart curve.
type equityStreams struct {
	stage string  // where the temporary files are created: the staging run directory
	bound int     // upper bound of the points per account (the stream's SizeHint), for the exact p95
	near  float64 // the near-miss ratio (Experiment.Stats)
	order []string
	accts map[string]*equityStream
}

// equityStream is one account's: a backtest.EquitySink.
type equityStream struct {
	w     *artifact.EquityWriter
	stats *metrics.EquityStats
	curve *reports.CurveSampler
	err   error
}

// Add hands p to the account's statistics, chart sampler and equity files.
func (s *equityStream) Add(p backtest.EquityPoint) error {
	if s.err != nil {
		return s.err
	}
	s.stats.Add(p)
	s.curve.Add(p)
	return s.w.Add(p)
}

// newEquityStreams prepares streams whose temporary files go into the directory stage.
// near is the near-miss ratio of the statistics (0: the default).
func newEquityStreams(stage string, bound int, near float64) *equityStreams {
	return &equityStreams{stage: stage, bound: bound, near: near, accts: map[string]*equityStream{}}
}

// sink is backtest.Config.Equity: called once per account before the run.
func (e *equityStreams) sink(account string) backtest.EquitySink {
	s := &equityStream{stats: metrics.NewEquityStats(e.bound).SetNearMissRatio(e.near), curve: reports.NewCurveSampler()}
	s.w, s.err = artifact.NewEquityWriter(e.stage)
	if s.err != nil {
		s.err = fmt.Errorf("equity files: %w", s.err)
	}
	e.order = append(e.order, account)
	e.accts[account] = s
	return s
}

// writers returns the accounts' equity writers by name, for artifact.WriteStreamed.
func (e *equityStreams) writers() map[string]*artifact.EquityWriter {
	m := map[string]*artifact.EquityWriter{}
	for n, s := range e.accts {
		if s.w != nil {
			m[n] = s.w
		}
	}
	return m
}

// stats returns the accounts' summary statistics by name, for metrics.SummarizeStats.
func (e *equityStreams) stats() map[string]*metrics.EquityStats {
	m := map[string]*metrics.EquityStats{}
	for n, s := range e.accts {
		m[n] = s.stats
	}
	return m
}

// curves returns the accounts' chart curves by name, for artifact.Run.Curves.
func (e *equityStreams) curves() map[string][]backtest.EquityPoint {
	m := map[string][]backtest.EquityPoint{}
	for n, s := range e.accts {
		m[n] = s.curve.Points()
	}
	return m
}

// abort removes every temporary file (a failed run).
func (e *equityStreams) abort() {
	for _, n := range e.order {
		if w := e.accts[n].w; w != nil {
			w.Abort()
		}
	}
}
