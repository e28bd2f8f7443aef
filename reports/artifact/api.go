package artifact

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/bt-backtest/bt/reports/internal/parallel"
	"github.com/bt-backtest/bt/reports/metrics"
)

// Errors returned by Read and Write, wrapped with the file (and row and field) at fault.
var (
	// ErrNotRun: the directory has no manifest.json (not a run directory, or an interrupted run).
	ErrNotRun = errors.New("artifact: not a complete run directory (no manifest.json)")
	// ErrIncomplete: the directory holds IncompleteMarker: bt run stopped before finishing it.
	ErrIncomplete = errors.New("incomplete run directory: bt run stopped before it finished writing it (run the experiment again)")
	// ErrBadName: an account or symbol name cannot be used as a file name.
	ErrBadName = errors.New("artifact: name not usable as a file name")
	// ErrMalformed: a file does not parse (bad header, wrong column count, bad value).
	ErrMalformed = errors.New("artifact: malformed file")
)

// Manifest is manifest.json: what ran, on what, under which assumptions.
type Manifest struct {
	Version     string                `json:"bt_version"`
	Seed        int64                 `json:"seed"`
	Strategy    string                `json:"strategy"`
	Params      map[string]string     `json:"params"`
	DataFiles   []DataFile            `json:"data_files"`
	Assumptions []backtest.Assumption `json:"assumptions"`
	Fallbacks   []backtest.Fallback   `json:"fallbacks"` // defaults the run fell back to; [] when none
	Start, End  int64                 `json:"-"`         // Unix ms; in JSON "start"/"end" as RFC 3339 UTC
	Symbols     []string              `json:"symbols"`
	// Accounts lists the account directories in the run's order (filled in by Write).
	Accounts []string `json:"accounts"`
}

type manifestAlias Manifest

type manifestJSON struct {
	manifestAlias
	Start string `json:"start"`
	End   string `json:"end"`
}

// MarshalJSON writes Start and End as RFC 3339 UTC times with milliseconds.
func (m Manifest) MarshalJSON() ([]byte, error) {
	return json.Marshal(manifestJSON{manifestAlias(m), FormatTime(m.Start), FormatTime(m.End)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (m *Manifest) UnmarshalJSON(b []byte) error {
	var j manifestJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*m = Manifest(j.manifestAlias)
	var err error
	if j.Start != "" {
		if m.Start, err = ParseTime(j.Start); err != nil {
			return fmt.Errorf("start: %w", err)
		}
	}
	if j.End != "" {
		if m.End, err = ParseTime(j.End); err != nil {
			return fmt.Errorf("end: %w", err)
		}
	}
	return nil
}

// DataFile is one input file with its sha256.
type DataFile struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// TimeLayout is the layout of times in CSV files and manifest.json.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// FormatTime formats Unix ms t as TimeLayout in UTC.
func FormatTime(t int64) string { return time.UnixMilli(t).UTC().Format(TimeLayout) }

// ParseTime parses an RFC 3339 time (TimeLayout or any RFC 3339 form) into Unix ms.
func ParseTime(s string) (int64, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, err
	}
	return t.UnixMilli(), nil
}

// Write writes a run directory: manifest.json, summary.json and per account the equity
// curve, trades, fills, liquidations, funding payments and rejected orders as CSV and Parquet
// (config.resolved.yaml is written by the caller). Every file is written to a temporary name
// and renamed, so an interrupted run leaves no half-written file that looks complete.
//
// Empty fields of m are filled from res: Start, End, Symbols, Assumptions, Fallbacks; Accounts is always
// set from res. summary.json is metrics.Summarize(res). manifest.json is written last.
func Write(dir string, res *backtest.Result, m Manifest) error {
	if res == nil {
		return errors.New("artifact: Write: nil result")
	}
	return WriteSummarized(dir, res, m, metrics.Summarize(res))
}

// WriteSummarized is Write with summary.json's content sum given: metrics.Summarize(res)
// computed once by the caller, who needs it too.
//
// The accounts' files are written concurrently (on up to GOMAXPROCS goroutines); the first
// error in account and file order is returned. manifest.json is still written last, after
// every other file is complete.
func WriteSummarized(dir string, res *backtest.Result, m Manifest, sum metrics.Summary) error {
	return WriteStreamed(dir, res, m, sum, nil)
}

// WriteStreamed is WriteSummarized for a run whose equity curves were streamed (see
// backtest.Config.Equity): the equity files of an account listed in equity are its
// EquityWriter's, committed into the account's directory, not written from
// AccountResult.Equity. On error every writer is aborted (no temporary file is left).
func WriteStreamed(dir string, res *backtest.Result, m Manifest, sum metrics.Summary, equity map[string]*EquityWriter) error {
	return StartStreamed(dir, res, equity).Finish(m, sum)
}

// Streamed is a run directory being written by StartStreamed.
type Streamed struct {
	dir    string
	res    *backtest.Result
	equity map[string]*EquityWriter
	done   chan error // the accounts' files
	err    error      // an error before any file was written
}

// StartStreamed starts writing what WriteStreamed writes except summary.json and
// manifest.json (every account's files, its equity writer committed) on up to GOMAXPROCS
// goroutines of its own, so that the caller can summarize the run meanwhile: res is only
// read. Finish must follow; it returns the first error in account and file order.
func StartStreamed(dir string, res *backtest.Result, equity map[string]*EquityWriter) *Streamed {
	s := &Streamed{dir: dir, res: res, equity: equity}
	jobs, err := s.accountJobs()
	if err != nil {
		s.err = err
		return s
	}
	s.done = make(chan error, 1)
	go func() { s.done <- parallel.Do(jobs) }()
	return s
}

// accountJobs checks the accounts' names and creates their directories, and returns the
// jobs writing their files.
func (s *Streamed) accountJobs() ([]func() error, error) {
	if s.res == nil {
		return nil, errors.New("artifact: Write: nil result")
	}
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var jobs []func() error
	for i := range s.res.Accounts {
		a := &s.res.Accounts[i]
		if err := checkName(a.Name); err != nil {
			return nil, fmt.Errorf("account %q: %w", a.Name, err)
		}
		if seen[a.Name] {
			return nil, fmt.Errorf("artifact: account %q appears twice", a.Name)
		}
		seen[a.Name] = true
		adir := filepath.Join(s.dir, a.Name)
		if err := os.MkdirAll(adir, 0o755); err != nil {
			return nil, fmt.Errorf("account %s: %w", a.Name, err)
		}
		var ew func() error
		if w := s.equity[a.Name]; w != nil {
			ew = func() error { return w.Commit(adir) }
		}
		for _, job := range accountJobs(adir, a, ew) {
			jobs = append(jobs, func() error {
				if err := job(); err != nil {
					return fmt.Errorf("account %s: %w", a.Name, err)
				}
				return nil
			})
		}
	}
	return jobs, nil
}

// Finish waits for the accounts' files, then writes summary.json (sum) and, last, after
// every other file is complete, manifest.json (m, its empty fields filled from the result as
// Write says). On error every equity writer is aborted (no temporary file is left).
func (s *Streamed) Finish(m Manifest, sum metrics.Summary) (err error) {
	defer func() {
		if err != nil {
			for _, name := range sortedWriterNames(s.equity) {
				s.equity[name].Abort() // after Commit: removes what a failed Commit left
			}
		}
	}()
	if s.err != nil {
		return s.err
	}
	if err := <-s.done; err != nil {
		return err
	}
	res := s.res
	if m.Start == 0 {
		m.Start = res.Start
	}
	if m.End == 0 {
		m.End = res.End
	}
	if m.Symbols == nil {
		m.Symbols = res.Symbols
	}
	if m.Assumptions == nil {
		m.Assumptions = res.Assumptions
	}
	if m.Fallbacks == nil {
		m.Fallbacks = res.Fallbacks
	}
	if m.Fallbacks == nil {
		m.Fallbacks = []backtest.Fallback{}
	}
	m.Accounts = m.Accounts[:0:0]
	for i := range res.Accounts {
		m.Accounts = append(m.Accounts, res.Accounts[i].Name)
	}
	if err := WriteSummary(s.dir, sum); err != nil {
		return err
	}
	return writeJSON(filepath.Join(s.dir, "manifest.json"), m)
}

// Abort is Finish for a run directory that will not be completed: it waits for the
// accounts' files and aborts every equity writer, writing nothing more.
func (s *Streamed) Abort() {
	if s.err == nil {
		<-s.done
		s.err = errors.New("artifact: aborted")
	}
	for _, name := range sortedWriterNames(s.equity) {
		s.equity[name].Abort()
	}
}

// WriteSummary writes v (normally a metrics.Summary) as dir/summary.json, atomically.
func WriteSummary(dir string, v any) error {
	return writeJSON(filepath.Join(dir, "summary.json"), v)
}

// ReadSummary reads dir/summary.json (or the file itself when path names a .json file).
func ReadSummary(path string) (metrics.Summary, error) {
	if !strings.HasSuffix(path, ".json") {
		path = filepath.Join(path, "summary.json")
	}
	var s metrics.Summary
	b, err := os.ReadFile(path)
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("%s: %w: %v", path, ErrMalformed, err)
	}
	return s, nil
}

func checkName(s string) error {
	if s == "" || s == "." || s == ".." || s == "prices" {
		return ErrBadName
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return ErrBadName
		}
	}
	return nil
}

// accountJSON is <account>/account.json: what the tables do not hold.
type accountJSON struct {
	Name     string            `json:"name"`
	Modes    map[string]string `json:"modes"`
	Final    margin.Snapshot   `json:"final"`
	Ruined   bool              `json:"ruined"`
	RuinTime int64             `json:"ruin_time,omitempty"`
}

func sortedWriterNames(m map[string]*EquityWriter) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// accountJobs returns the jobs writing one account's files into dir (which exists):
// account.json and every table as CSV and Parquet, the equity curve (the largest) first, or
// streamed equity files committed by equity when it is not nil.
func accountJobs(dir string, a *backtest.AccountResult, equity func() error) []func() error {
	modes := map[string]string{}
	for s, m := range a.Modes {
		modes[s] = modeString(m)
	}
	tables := []tableFiles{
		table(backtest.EquityTable(), a.Equity),
		table(backtest.TradeTable(), a.Trades),
		table(backtest.FillTable(), a.Fills),
		table(backtest.LiquidationTable(), a.Liquidations),
		table(backtest.FundingTable(), a.Funding),
		table(backtest.RejectTable(), a.Rejects),
	}
	var jobs []func() error
	if equity != nil {
		jobs = append(jobs, equity)
		tables = tables[1:]
	}
	for _, t := range tables {
		jobs = append(jobs,
			func() error { return writeCSVFile(filepath.Join(dir, t.name+".csv"), t.csv) },
			func() error {
				if err := t.pq(filepath.Join(dir, t.name+".parquet")); err != nil {
					return fmt.Errorf("%s.parquet: %w", t.name, err)
				}
				return nil
			})
	}
	jobs = append(jobs, func() error { return writeLiqPrices(dir, a.LiqPrices) }) // liqprices.go
	return append(jobs, func() error {
		return writeJSON(filepath.Join(dir, "account.json"), accountJSON{a.Name, modes, a.Final, a.Ruined, a.RuinTime})
	})
}

// tableFiles writes one table of an account: name.csv and name.parquet.
type tableFiles struct {
	name string
	csv  func(*csvWriter)
	pq   func(path string) error
}

// table returns the writers of t's files from recs.
func table[R any](t *backtest.Table[R], recs []R) tableFiles {
	t = fileTable(t, recs) // a hedge-mode run's tables end with position_side
	return tableFiles{
		name: t.Name,
		csv:  func(w *csvWriter) { writeTable(w, t, recs) },
		pq:   func(path string) error { return writeParquet(path, t, recs) },
	}
}

// WritePrices writes the last-price bars of a run, one CSV per symbol, as
// dir/prices/<SYMBOL>.csv, for the price charts (the run records hold no market data). Bars
// of several symbols may be mixed; each symbol's bars must be in time order.
func WritePrices(dir string, bars []backtest.Bar) error {
	by := map[string][]backtest.Bar{}
	for _, b := range bars {
		by[b.Symbol] = append(by[b.Symbol], b)
	}
	return WriteSymbolPrices(dir, by)
}

// WriteSymbolPrices is WritePrices of bars already grouped by symbol (by[s] holds symbol s's
// bars in time order): the same files, without regrouping them.
func WriteSymbolPrices(dir string, by map[string][]backtest.Bar) error {
	syms := make([]string, 0, len(by))
	for s := range by {
		syms = append(syms, s)
	}
	sort.Strings(syms)
	pdir := filepath.Join(dir, "prices")
	if err := os.MkdirAll(pdir, 0o755); err != nil {
		return err
	}
	for _, s := range syms {
		if err := checkName(s); err != nil {
			return fmt.Errorf("symbol %q: %w", s, err)
		}
		b := by[s]
		if err := writeCSVFile(filepath.Join(pdir, s+".csv"), func(w *csvWriter) { writeTable(w, backtest.BarTable(), b) }); err != nil {
			return err
		}
	}
	return nil
}

// Run is a run directory read back: enough to render reports and compare runs without
// re-running.
type Run struct {
	Dir      string
	Manifest Manifest
	Result   *backtest.Result // accounts' records as read from the CSV files
	// Prices holds the optional last-price bars per symbol (prices/*.csv); nil without them.
	Prices map[string][]backtest.Bar
	// Summary, when not nil, is metrics.Summarize(Result), already computed: reports use it
	// instead of computing it again. Read leaves it nil.
	Summary *metrics.Summary
	// Curves, for a run whose equity curves were streamed (AccountResult.Equity empty), holds
	// per account the points of the curve the charts draw (reports.CurveSampler). Read leaves
	// it nil: the curves are read in full.
	Curves map[string][]backtest.EquityPoint
}

// Name is the run's display name: the base name of its directory.
func (r *Run) Name() string { return filepath.Base(filepath.Clean(r.Dir)) }

// Read reads a run directory written by Write.
func Read(dir string) (*Run, error) {
	if err := CheckComplete(dir); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", dir, ErrNotRun)
	}
	if err != nil {
		return nil, err
	}
	r := &Run{Dir: dir}
	if err := json.Unmarshal(b, &r.Manifest); err != nil {
		return nil, fmt.Errorf("%s: %w: %v", filepath.Join(dir, "manifest.json"), ErrMalformed, err)
	}
	m := &r.Manifest
	r.Result = &backtest.Result{Assumptions: m.Assumptions, Fallbacks: m.Fallbacks, Start: m.Start, End: m.End, Symbols: m.Symbols}
	for _, name := range m.Accounts {
		if err := checkName(name); err != nil {
			return nil, fmt.Errorf("%s: account %q: %w", filepath.Join(dir, "manifest.json"), name, err)
		}
		a, err := readAccount(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		r.Result.Accounts = append(r.Result.Accounts, *a)
	}
	pdir := filepath.Join(dir, "prices")
	ents, err := os.ReadDir(pdir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".csv") {
			continue
		}
		p := filepath.Join(pdir, e.Name())
		var bars []backtest.Bar
		if err := readCSVFile(p, barCols, func(rr *rowReader) { bars = append(bars, readBar(rr)) }); err != nil {
			return nil, err
		}
		if r.Prices == nil {
			r.Prices = map[string][]backtest.Bar{}
		}
		r.Prices[strings.TrimSuffix(e.Name(), ".csv")] = bars
	}
	return r, nil
}

func readAccount(dir string) (*backtest.AccountResult, error) {
	p := filepath.Join(dir, "account.json")
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var aj accountJSON
	if err := json.Unmarshal(b, &aj); err != nil {
		return nil, fmt.Errorf("%s: %w: %v", p, ErrMalformed, err)
	}
	a := &backtest.AccountResult{Name: aj.Name, Final: aj.Final, Ruined: aj.Ruined, RuinTime: aj.RuinTime}
	if aj.Modes != nil {
		a.Modes = map[string]margin.Mode{}
		for s, v := range aj.Modes {
			m, ok := parseMode(v)
			if !ok {
				return nil, fmt.Errorf("%s: modes.%s: %w: %q is not cross or isolated", p, s, ErrMalformed, v)
			}
			a.Modes[s] = m
		}
	}
	steps := []struct {
		name string
		cols []string
		row  func(*rowReader)
		leg  func(margin.PositionSide) // sets the last record's position side (hedge-mode tables)
	}{
		{"equity", equityCols, func(r *rowReader) { a.Equity = append(a.Equity, readEquity(r)) }, nil},
		{"trades", tradeCols, func(r *rowReader) { a.Trades = append(a.Trades, readTrade(r)) },
			func(ps margin.PositionSide) { a.Trades[len(a.Trades)-1].PositionSide = ps }},
		{"fills", fillCols, func(r *rowReader) { a.Fills = append(a.Fills, readFill(r)) },
			func(ps margin.PositionSide) { a.Fills[len(a.Fills)-1].PositionSide = ps }},
		{"liquidations", liqCols, func(r *rowReader) { a.Liquidations = append(a.Liquidations, readLiq(r)) },
			func(ps margin.PositionSide) { a.Liquidations[len(a.Liquidations)-1].Side = ps }},
		{"funding", fundingCols, func(r *rowReader) { a.Funding = append(a.Funding, readFunding(r)) },
			func(ps margin.PositionSide) { a.Funding[len(a.Funding)-1].PositionSide = ps }},
		{"rejects", rejectCols, func(r *rowReader) { a.Rejects = append(a.Rejects, readReject(r)) }, nil},
	}
	for k := range steps {
		// a hedge-mode run's table ends with the position side of each record (legCol)
		s := &steps[k]
		if s.leg == nil || !headerIs(filepath.Join(dir, s.name+".csv"), withLeg(s.cols, true)) {
			continue
		}
		row, leg := s.row, s.leg
		s.cols = withLeg(s.cols, true)
		s.row = func(r *rowReader) {
			row(r)
			v := r.str()
			ps, ok := parseLeg(v)
			if !ok {
				r.fail(fmt.Errorf("%q is not LONG, SHORT or BOTH", v))
			}
			leg(ps)
		}
	}
	if lp := filepath.Join(dir, "liquidations.csv"); headerIs(lp, liqColsV1) {
		for k := range steps { // a run written before the realized_pnl, shortfall and cost columns
			if steps[k].name == "liquidations" {
				steps[k].cols = liqColsV1
				steps[k].row = func(r *rowReader) { a.Liquidations = append(a.Liquidations, readLiqV1(r)) }
			}
		}
	}
	if rp := filepath.Join(dir, "rejects.csv"); headerIs(rp, rejectColsV1) { // a run written before the code and order columns
		steps[len(steps)-1].cols = rejectColsV1
		steps[len(steps)-1].row = func(r *rowReader) { a.Rejects = append(a.Rejects, readRejectV1(r)) }
	}
	for _, s := range steps {
		if err := readCSVFile(filepath.Join(dir, s.name+".csv"), s.cols, s.row); err != nil {
			return nil, err
		}
	}
	var err2 error
	if a.LiqPrices, err2 = readLiqPrices(dir); err2 != nil { // liqprices.go
		return nil, err2
	}
	return a, nil
}

// headerIs reports whether the CSV file at path starts with the header line cols.
func headerIs(path string, cols []string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	want := strings.Join(cols, ",") + "\n"
	b := make([]byte, len(want))
	n, _ := io.ReadFull(f, b)
	return string(b[:n]) == want
}

func modeString(m margin.Mode) string {
	if m == margin.Isolated {
		return "isolated"
	}
	return "cross"
}

func parseMode(s string) (margin.Mode, bool) {
	switch s {
	case "cross":
		return margin.Cross, true
	case "isolated":
		return margin.Isolated, true
	}
	return 0, false
}

// writeJSON writes v indented to path atomically.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return WriteFileAtomic(path, append(b, '\n'))
}

// WriteFileAtomic writes data to a temporary file in path's directory, syncs it and renames
// it to path, so readers see either the old file or the complete new one.
func WriteFileAtomic(path string, data []byte) error {
	return atomically(path, func(f *os.File) error {
		_, err := f.Write(data)
		return err
	})
}

// atomically creates a temporary file next to path, lets write fill it, syncs and renames it.
func atomically(path string, write func(*os.File) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = write(f); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// IncompleteMarker is the file bt run keeps in a run directory while it writes it (in a
// staging directory renamed into place when complete). A directory holding it is never a
// finished run: Read and bt check refuse it.
const IncompleteMarker = ".bt-incomplete"

// CheckComplete returns an error wrapping ErrIncomplete, naming dir, when dir holds
// IncompleteMarker.
func CheckComplete(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, IncompleteMarker)); err == nil {
		return fmt.Errorf("%s: %w", dir, ErrIncomplete)
	}
	return nil
}
