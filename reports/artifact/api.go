package artifact

// CONTRACT STUB written by the lead: cmd/bt and reports code against these names. The owner
// implements them (any file layout) and may add API, keeping these signatures and meanings.

import "github.com/bt-backtest/bt/backtest"

// Manifest is manifest.json: what ran, on what, under which assumptions.
type Manifest struct {
	Version     string                `json:"bt_version"`
	Seed        int64                 `json:"seed"`
	Strategy    string                `json:"strategy"`
	Params      map[string]string     `json:"params"`
	DataFiles   []DataFile            `json:"data_files"`
	Assumptions []backtest.Assumption `json:"assumptions"`
	Start, End  int64                 `json:"-"`
	Symbols     []string              `json:"symbols"`
}

// DataFile is one input file with its sha256.
type DataFile struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// Write writes a run directory: manifest.json, summary.json and per account the equity
// curve, trades, fills, liquidations, funding payments and rejected orders as CSV and Parquet
// (config.resolved.yaml is written by the caller). Every file is written to a temporary name
// and renamed, so an interrupted run leaves no half-written file that looks complete.
func Write(dir string, res *backtest.Result, m Manifest) error { panic("unimplemented") }

// Run is a run directory read back: enough to render reports and compare runs without
// re-running.
type Run struct {
	Dir      string
	Manifest Manifest
	Result   *backtest.Result // accounts' records as read from the CSV files
}

// Read reads a run directory written by Write.
func Read(dir string) (*Run, error) { panic("unimplemented") }
