package sweep

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/bt-backtest/bt/reports/artifact"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bt-backtest/bt/reports/metrics"
)

// Manifest is an output directory's sweep.json: which sweep and which shard of it the tables
// hold.
type Manifest struct {
	Sweep    string   `json:"sweep"`              // SweepID: equal for every shard of one sweep
	Version  string   `json:"bt_version"`         // the bt that ran it; shards of different versions are not merged
	Shard    Shard    `json:"shard"`              // 0/1 for a whole sweep or a merge
	Accounts []string `json:"accounts,omitempty"` // grid margin.mode values; empty: the base experiment's accounts
	Keys     []Column `json:"keys"`               // the swept keys' columns
	Configs  []Config `json:"configs"`            // every configuration of the sweep (not only the shard's), in order
}

// EquityColumns are the columns of equity.parquet: one row per configuration, account and UTC
// day (the last equity point of the day, as metrics.DailyEquity).
func EquityColumns() []Column {
	return []Column{
		{Name: ColConfig, Type: TypeString},
		{Name: ColAccount, Type: TypeString},
		{Name: "time", Type: TypeTime},
		{Name: "equity", Type: TypeDouble},
		{Name: "drawdown", Type: TypeDouble},
	}
}

// Output is what a sweep directory holds: the manifest, the results table (ResultColumns of
// the manifest's keys) and the daily equity curves (EquityColumns).
type Output struct {
	Manifest Manifest
	Results  *Table
	Equity   *Table
}

// Write writes the output into dir (created if missing): results.parquet, results.csv,
// equity.parquet, equity.csv, each through a temporary file, and sweep.json last, so a
// directory with sweep.json is complete.
func (o *Output) Write(dir string) error {
	files := []struct {
		name string
		enc  func() ([]byte, error)
	}{
		{ResultsParquet, o.Results.EncodeParquet},
		{ResultsCSV, o.Results.EncodeCSV},
		{EquityParquet, o.Equity.EncodeParquet},
		{EquityCSV, o.Equity.EncodeCSV},
		{ManifestFile, func() ([]byte, error) {
			b, err := json.MarshalIndent(o.Manifest, "", "  ")
			return append(b, '\n'), err
		}},
	}
	// encode everything first: an encoding error writes nothing
	data := make([][]byte, len(files))
	for i, f := range files {
		b, err := f.enc()
		if err != nil {
			return fmt.Errorf("%s: %w", filepath.Join(dir, f.name), err)
		}
		data[i] = b
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	os.Remove(filepath.Join(dir, ManifestFile)) // the directory is incomplete until the end
	for i, f := range files {
		if err := artifact.WriteFileAtomic(filepath.Join(dir, f.name), data[i]); err != nil {
			return err
		}
	}
	return nil
}

// Read reads a sweep directory written by Write.
func Read(dir string) (*Output, error) {
	bad := func(format string, a ...any) error { return &Error{File: dir, Msg: fmt.Sprintf(format, a...)} }
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, bad("no %s: not a sweep directory, or its shard did not finish", ManifestFile)
		}
		return nil, bad("%v", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, bad("%s: %v", ManifestFile, err)
	}
	if err := m.Shard.Check(); err != nil {
		return nil, bad("%s: %v", ManifestFile, err)
	}
	o := &Output{Manifest: m}
	for _, t := range []struct {
		name string
		cols []Column
		dst  **Table
	}{{ResultsParquet, ResultColumns(m.Keys), &o.Results}, {EquityParquet, EquityColumns(), &o.Equity}} {
		path := filepath.Join(dir, t.name)
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, bad("%v", err)
		}
		tb, err := DecodeParquet(path, data, t.cols)
		if err != nil {
			return nil, err
		}
		*t.dst = tb
	}
	return o, nil
}

// Merge joins the shards of one sweep (any order) into the whole sweep: the same tables, row
// for row, as the unsharded run. It refuses shards of different sweeps or bt versions, a shard
// given twice, missing shards, and shards whose rows are not exactly their slice. dirs name
// the shards in messages.
func Merge(dirs []string, outs []*Output) (*Output, error) {
	if len(outs) == 0 {
		return nil, &Error{Msg: "no shard directories to merge"}
	}
	first := outs[0].Manifest
	byIndex := make([]int, first.Shard.Count)
	for i := range byIndex {
		byIndex[i] = -1
	}
	for k, o := range outs {
		m := o.Manifest
		if m.Sweep != first.Sweep {
			return nil, &Error{File: dirs[k], Msg: fmt.Sprintf("a shard of a different sweep (%s) than %s (%s): merge only the shards of one sweep file and base experiment", short(m.Sweep), dirs[0], short(first.Sweep))}
		}
		if m.Version != first.Version {
			return nil, &Error{File: dirs[k], Msg: fmt.Sprintf("run by bt %s, %s by bt %s: shards of different bt versions are not merged", m.Version, dirs[0], first.Version)}
		}
		if m.Shard.Count != first.Shard.Count {
			return nil, &Error{File: dirs[k], Msg: fmt.Sprintf("shard %s, but %s is shard %s: the shards of one merge share their count", m.Shard, dirs[0], first.Shard)}
		}
		if j := byIndex[m.Shard.Index]; j >= 0 {
			return nil, &Error{File: dirs[k], Msg: fmt.Sprintf("shard %s is given twice (also %s)", m.Shard, dirs[j])}
		}
		byIndex[m.Shard.Index] = k
	}
	var missing []string
	for i, k := range byIndex {
		if k < 0 {
			missing = append(missing, Shard{i, first.Shard.Count}.String())
		}
	}
	if len(missing) > 0 {
		return nil, &Error{Msg: fmt.Sprintf("missing shard %s of %d: nothing merged", strings.Join(missing, ", "), first.Shard.Count)}
	}
	res := &Table{Columns: ResultColumns(first.Keys)}
	eq := &Table{Columns: EquityColumns()}
	for _, k := range byIndex {
		o := outs[k]
		if err := o.checkSlice(); err != nil {
			return nil, &Error{File: dirs[k], Msg: err.Error()}
		}
		res.Rows = append(res.Rows, o.Results.Rows...)
		eq.Rows = append(eq.Rows, o.Equity.Rows...)
	}
	m := first
	m.Shard = All
	return &Output{Manifest: m, Results: res, Equity: eq}, nil
}

// checkSlice reports tables whose configurations are not exactly the shard's slice, in order.
func (o *Output) checkSlice() error {
	slice := o.Manifest.Shard.Of(o.Manifest.Configs)
	want := make([]string, len(slice))
	for i, c := range slice {
		want[i] = c.ID
	}
	if got := runsOf(o.Results); !slices.Equal(got, want) {
		return fmt.Errorf("%s holds configurations %s, shard %s is %s", ResultsParquet, idList(got), o.Manifest.Shard, idList(want))
	}
	for _, id := range runsOf(o.Equity) {
		if !slices.Contains(want, id) {
			return fmt.Errorf("%s holds configuration %s, not of shard %s", EquityParquet, id, o.Manifest.Shard)
		}
	}
	return nil
}

// runsOf returns the config column's values with consecutive repeats collapsed.
func runsOf(t *Table) []string {
	var ids []string
	for _, r := range t.Rows {
		id, _ := r[0].(string)
		if len(ids) == 0 || ids[len(ids)-1] != id {
			ids = append(ids, id)
		}
	}
	return ids
}

func idList(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	if len(ids) > 6 {
		return fmt.Sprintf("%s … %s (%d)", strings.Join(ids[:3], ", "), strings.Join(ids[len(ids)-2:], ", "), len(ids))
	}
	return strings.Join(ids, ", ")
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// Point is one day of an account's equity curve.
type Point struct {
	Time     int64   // Unix ms: the day's last equity point
	Equity   float64 // equity then
	Drawdown float64 // fraction below the running peak then
}

// AccountResult is one account of one configuration's run.
type AccountResult struct {
	Name    string
	Summary metrics.AccountSummary
	Daily   []Point // the daily equity curve
}

// ConfigResult is what one configuration's run produced: its accounts in run order and
// summary.json's cross − isolated delta (nil without both accounts).
type ConfigResult struct {
	Config   Config
	Accounts []AccountResult
	Delta    map[string]float64
}

// Assemble builds a shard's output from its configurations' results, in the shard's order.
func Assemble(m Manifest, rs []ConfigResult) (*Output, error) {
	o := &Output{Manifest: m, Results: &Table{Columns: ResultColumns(m.Keys)}, Equity: &Table{Columns: EquityColumns()}}
	for _, r := range rs {
		for _, a := range r.Accounts {
			row, err := ResultRow(m.Keys, r.Config, a.Name, a.Summary, r.Delta)
			if err != nil {
				return nil, err
			}
			o.Results.Rows = append(o.Results.Rows, row)
			for _, p := range a.Daily {
				o.Equity.Rows = append(o.Equity.Rows, []any{r.Config.ID, a.Name, p.Time, p.Equity, p.Drawdown})
			}
		}
	}
	if err := o.checkSlice(); err != nil {
		return nil, err
	}
	return o, nil
}
