package artifact

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/bt-backtest/bt/backtest"
)

// equityBatch is how many points EquityWriter hands to its writing goroutine at once; it
// holds at most equityBatches batches.
const (
	equityBatch   = 4096
	equityBatches = 3
)

// ErrWriterClosed: Add after Commit or Abort.
var errWriterClosed = errors.New("artifact: EquityWriter used after Commit or Abort")

// EquityWriter streams one account's equity curve to equity.csv and equity.parquet while the
// run goes (a backtest.EquitySink): the files are written under temporary names in a
// directory given to NewEquityWriter, by a goroutine of their own, in batches of 4096 points
// (at most three batches and one Parquet row group of 65,536 rows in memory), and Commit
// moves them into the account's directory. The files are byte-identical to those Write
// writes from AccountResult.Equity.
type EquityWriter struct {
	csvF, pqF *os.File
	bw        *bufio.Writer
	cw        *csvWriter
	cache     []floatCache // per column of the equity table
	pw        *pqWriter[backtest.EquityPoint]

	cur        []backtest.EquityPoint
	full, free chan []backtest.EquityPoint
	done       chan error
	failed     atomic.Pointer[error]
	closed     bool
	n          int
}

// NewEquityWriter creates the temporary files in dir (which must exist, on the file system
// of the run directory so that Commit can rename them) and starts the writing goroutine.
// Call Commit or Abort.
func NewEquityWriter(dir string) (*EquityWriter, error) {
	csvF, err := os.CreateTemp(dir, ".equity.csv.tmp-*")
	if err != nil {
		return nil, err
	}
	pqF, err := os.CreateTemp(dir, ".equity.parquet.tmp-*")
	if err != nil {
		csvF.Close()
		os.Remove(csvF.Name())
		return nil, err
	}
	w := &EquityWriter{
		csvF: csvF, pqF: pqF,
		bw:    bufio.NewWriterSize(csvF, 1<<16),
		cache: make([]floatCache, len(backtest.EquityTable().FileColumns())),
		pw:    newPQWriter(pqF, backtest.EquityTable()),
		cur:   make([]backtest.EquityPoint, 0, equityBatch),
		full:  make(chan []backtest.EquityPoint, equityBatches),
		free:  make(chan []backtest.EquityPoint, equityBatches),
		done:  make(chan error, 1),
	}
	w.cw = newCSVWriter(w.bw)
	w.cw.header(equityCols)
	for i := 1; i < equityBatches; i++ {
		w.free <- make([]backtest.EquityPoint, 0, equityBatch)
	}
	go w.loop()
	return w, nil
}

// loop writes the batches it receives; after an error it only recycles them.
func (w *EquityWriter) loop() {
	var err error
	for b := range w.full {
		if err == nil {
			if err = w.write(b); err != nil {
				w.failed.Store(&err)
			}
		}
		w.free <- b[:0]
	}
	w.done <- err
}

func (w *EquityWriter) write(b []backtest.EquityPoint) error {
	for i := range b {
		writeEquityRow(w.cw, w.cache, &b[i])
	}
	if w.cw.err != nil {
		return fmt.Errorf("equity.csv: %w", w.cw.err)
	}
	if err := w.pw.Write(b); err != nil {
		return fmt.Errorf("equity.parquet: %w", err)
	}
	return nil
}

// Add appends a point (backtest.EquitySink). It returns the writing goroutine's first error,
// if any, and blocks while three batches wait to be written.
func (w *EquityWriter) Add(p backtest.EquityPoint) error {
	if w.closed {
		return errWriterClosed
	}
	if e := w.failed.Load(); e != nil {
		return *e
	}
	w.cur = append(w.cur, p)
	w.n++
	if len(w.cur) == cap(w.cur) {
		w.full <- w.cur
		w.cur = <-w.free
	}
	return nil
}

// Len is the number of points added.
func (w *EquityWriter) Len() int { return w.n }

// stop flushes the last batch, ends the goroutine and returns its error.
func (w *EquityWriter) stop() error {
	if w.closed {
		return errWriterClosed
	}
	w.closed = true
	if len(w.cur) > 0 {
		w.full <- w.cur
	}
	close(w.full)
	return <-w.done
}

// Commit writes out what is buffered, syncs the files and renames them to
// accountDir/equity.csv and accountDir/equity.parquet. On error the temporary files are
// removed.
func (w *EquityWriter) Commit(accountDir string) (err error) {
	defer func() {
		if err != nil {
			w.remove()
		}
	}()
	if err := w.stop(); err != nil {
		return err
	}
	if err := w.bw.Flush(); err != nil {
		return fmt.Errorf("equity.csv: %w", err)
	}
	if err := w.pw.Close(); err != nil {
		return fmt.Errorf("equity.parquet: %w", err)
	}
	for _, f := range []struct {
		f    *os.File
		name string
	}{{w.csvF, "equity.csv"}, {w.pqF, "equity.parquet"}} {
		if err := f.f.Sync(); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		if err := f.f.Chmod(0o644); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		if err := f.f.Close(); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		if err := os.Rename(f.f.Name(), filepath.Join(accountDir, f.name)); err != nil {
			return err
		}
	}
	return nil
}

// Abort ends the writer and removes its temporary files. It may follow a failed Commit.
func (w *EquityWriter) Abort() {
	if !w.closed {
		_ = w.stop()
	}
	w.remove()
}

func (w *EquityWriter) remove() {
	for _, f := range []*os.File{w.csvF, w.pqF} {
		f.Close()
		if _, err := os.Stat(f.Name()); err == nil {
			os.Remove(f.Name())
		}
	}
}
