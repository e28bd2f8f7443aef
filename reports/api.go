package reports

// CONTRACT STUB written by the lead: cmd/bt codes against these names. The owner implements
// them (any file layout) and may add API, keeping these signatures and meanings.

import (
	"io"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/reports/artifact"
)

// Summary is summary.json: {"accounts": {"isolated": {...}, "cross": {...}}, "delta": {...}}.
type Summary struct {
	Accounts map[string]AccountSummary `json:"accounts"`
	Delta    map[string]float64        `json:"delta"` // cross − isolated for each metric, when both exist
}

// AccountSummary holds one account's metrics (see the issue for the full list).
type AccountSummary struct {
	FinalEquity  float64 `json:"final_equity"`
	TotalReturn  float64 `json:"total_return"`
	Liquidations int     `json:"liquidations"`
	Fingerprint  string  `json:"fingerprint"`
	// ... the owner adds every metric the issue lists
}

// Summarize computes the summary of a run.
func Summarize(res *backtest.Result) Summary { panic("unimplemented") }

// Render writes report.html and the PNG charts of one run (or the comparison of several)
// into dir.
func Render(dir string, runs ...*artifact.Run) error { panic("unimplemented") }

// WriteHTML writes the self-contained HTML report of runs to w.
func WriteHTML(w io.Writer, runs ...*artifact.Run) error { panic("unimplemented") }
