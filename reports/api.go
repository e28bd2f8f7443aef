package reports

import (
	"io"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/reports/artifact"
	"github.com/bt-backtest/bt/reports/metrics"
)

// Summary is summary.json: {"accounts": {"isolated": {...}, "cross": {...}}, "delta": {...}}
// plus the liquidation statistics. It is defined in package reports/metrics so that package
// artifact can write it without importing reports.
type Summary = metrics.Summary

// AccountSummary holds one account's metrics (see metrics.AccountSummary).
type AccountSummary = metrics.AccountSummary

// Summarize computes the summary of a run (metrics.Summarize).
func Summarize(res *backtest.Result) Summary { return metrics.Summarize(res) }

// Render writes report.html and the PNG charts of one run (or the comparison of several)
// into dir.
func Render(dir string, runs ...*artifact.Run) error { return render(dir, runs) }

// WriteHTML writes the self-contained HTML report of runs to w.
func WriteHTML(w io.Writer, runs ...*artifact.Run) error { return writeHTML(w, runs) }

// CSS returns the stylesheet of report.html, for other bt pages (the sweep's sweep.html) to
// share its look.
func CSS() string { return asset("report.css") }
