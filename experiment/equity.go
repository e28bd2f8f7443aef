package experiment

import (
	"fmt"
	"sync/atomic"

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

// equityStream is one account's: a backtest.EquitySink. The engine's goroutine only appends
// each point to a batch; full batches go to a goroutine of the account's own that feeds the
// statistics, the chart sampler and the equity files, so that the engine's core does none of
// that work (at most handoffBatches-1 full batches wait; Add blocks beyond that).
type equityStream struct {
	w     *artifact.EquityWriter
	stats *metrics.EquityStats
	curve *reports.CurveSampler
	err   error

	cur        []backtest.EquityPoint
	full, free chan []backtest.EquityPoint
	done       chan struct{}
	failed     atomic.Pointer[error] // the writer's first error, seen by Add
	finished   bool
}

// Points per hand-off batch, and batches in flight per account.
const (
	handoffBatch   = 2048
	handoffBatches = 4
)

// Add hands p to the account's statistics, chart sampler and equity files (through the
// account's goroutine). It returns the first error of the equity files, if any.
func (s *equityStream) Add(p backtest.EquityPoint) error {
	if s.err != nil {
		return s.err
	}
	if e := s.failed.Load(); e != nil {
		return *e
	}
	s.cur = append(s.cur, p)
	if len(s.cur) == cap(s.cur) {
		s.full <- s.cur
		s.cur = <-s.free
	}
	return nil
}

// AddBlock hands the points pts to the account's statistics, chart sampler and equity files,
// as Add of each in turn (backtest.EquityBlockSink: the run hands them over in blocks, without
// a call per point); they are copied into the batches.
func (s *equityStream) AddBlock(pts []backtest.EquityPoint) error {
	if s.err != nil {
		return s.err
	}
	if e := s.failed.Load(); e != nil {
		return *e
	}
	for len(pts) > 0 {
		n := copy(s.cur[len(s.cur):cap(s.cur)], pts)
		s.cur, pts = s.cur[:len(s.cur)+n], pts[n:]
		if len(s.cur) == cap(s.cur) {
			s.full <- s.cur
			s.cur = <-s.free
		}
	}
	return nil
}

// start launches the account's goroutine.
func (s *equityStream) start() {
	s.cur = make([]backtest.EquityPoint, 0, handoffBatch)
	s.full = make(chan []backtest.EquityPoint, handoffBatches)
	s.free = make(chan []backtest.EquityPoint, handoffBatches)
	s.done = make(chan struct{})
	for range handoffBatches - 1 { // with cur, handoffBatches batches: free never blocks
		s.free <- make([]backtest.EquityPoint, 0, handoffBatch)
	}
	go func() {
		defer close(s.done)
		var err error
		for b := range s.full {
			s.stats.AddBlock(b)
			for i := range b {
				s.curve.Add(b[i])
				if err == nil {
					if err = s.w.Add(b[i]); err != nil {
						s.failed.Store(&err)
					}
				}
			}
			s.free <- b[:0]
		}
	}()
}

// finish hands over the last batch and waits until every point was fed; the statistics,
// chart sampler and writer may be read after it. It returns the equity files' first error.
func (s *equityStream) finish() error {
	if s.err != nil || s.finished {
		return s.err
	}
	s.finished = true
	if len(s.cur) > 0 {
		s.full <- s.cur
	}
	close(s.full)
	<-s.done
	if e := s.failed.Load(); e != nil {
		s.err = *e
	}
	return s.err
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
	} else {
		s.start()
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

// finish waits until every account's points were fed to its statistics, chart sampler and
// writer (call it when the run has ended, before reading any of them); the first error of
// the equity files, in account order.
func (e *equityStreams) finish() error {
	var first error
	for _, n := range e.order {
		if err := e.accts[n].finish(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// abort removes every temporary file (a failed run).
func (e *equityStreams) abort() {
	e.finish()
	for _, n := range e.order {
		if w := e.accts[n].w; w != nil {
			w.Abort()
		}
	}
}
