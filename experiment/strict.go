package experiment

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/reports/metrics"
	"github.com/bt-backtest/bt/strategies/replay"
)

// notices returns what a run's rejections and fallbacks deserve to be told on stderr: one
// warning per fallback kind and one per account with rejections (every one of them is in
// summary.json, manifest.json, the report and the account's rejects.csv). Under x.Strict it
// also returns the strict conditions that failed: every fallback, and in a replay run every
// rejected order or leverage change of the log (the replayed instructions are the trader's own,
// so none may be dropped).
func notices(x *Experiment, res *backtest.Result, dir string) (warnings, failed []string) {
	var kinds []string
	byKind := map[string][]backtest.Fallback{}
	for _, f := range res.Fallbacks {
		if _, ok := byKind[f.Kind]; !ok {
			kinds = append(kinds, f.Kind)
		}
		byKind[f.Kind] = append(byKind[f.Kind], f)
		if x.Strict {
			failed = append(failed, "fallback "+f.Kind+": "+f.Detail)
		}
	}
	for _, k := range kinds {
		fs := byKind[k]
		w := "fallback " + k + ": " + fs[0].Detail
		if len(fs) > 1 {
			others := make([]string, len(fs)-1)
			for i, f := range fs[1:] {
				others[i] = f.Symbol
			}
			w += " (also " + strings.Join(others, ", ") + ": see fallbacks in summary.json)"
		}
		warnings = append(warnings, w)
	}
	replayed := x.Strategy.Name == replay.Name
	if replayed {
		if n, first := replayLate(x, res); n > 0 {
			line := fmt.Sprintf("replay: %d logged orders are timed after the run's last bar (%s) and were not submitted; first: row %d at %s %s",
				n, fmtMs(res.End), first.Row, fmtMs(first.Time), first.Symbol)
			warnings = append(warnings, line)
			if x.Strict {
				failed = append(failed, fmt.Sprintf("%d logged orders after the run's last bar", n))
			}
		}
	}
	for i := range res.Accounts {
		a := &res.Accounts[i]
		if len(a.Rejects) == 0 {
			continue
		}
		what := "orders or actions rejected"
		if replayed {
			what = "logged orders or leverage changes rejected"
		}
		line := fmt.Sprintf("account %s: %d %s (%s); first: %s; every one in %s", a.Name, len(a.Rejects), what,
			reasonCounts(metrics.RejectionsOf(a)), describeReject(&a.Rejects[0]), filepath.Join(dir, a.Name, "rejects.csv"))
		if replayed {
			line = "replay: " + line
			if x.Strict {
				failed = append(failed, fmt.Sprintf("account %s: %d %s (%s)", a.Name, len(a.Rejects), what, reasonCounts(metrics.RejectionsOf(a))))
			}
		}
		warnings = append(warnings, line)
	}
	return warnings, failed
}

// replayLate counts the rows of a replay run's trade log timed after the last bar replayed
// (res.End), which the replayer never submits (strategies/replay's timing rule), and returns
// the first of them. A log that cannot be read again counts nothing: the run read it already.
func replayLate(x *Experiment, res *backtest.Result) (int, replay.Trade) {
	file := x.Strategy.Params[replay.ParamFile.Name]
	f, err := os.Open(file)
	if err != nil {
		return 0, replay.Trade{}
	}
	defer f.Close()
	trades, err := replay.Parse(f, file)
	if err != nil {
		return 0, replay.Trade{}
	}
	n, first := 0, replay.Trade{}
	for _, t := range trades {
		if t.Time > res.End {
			if n == 0 {
				first = t
			}
			n++
		}
	}
	return n, first
}

// reasonCounts says "insufficient margin ×2, reduce-only order would increase the position ×1".
func reasonCounts(cs []metrics.RejectionCount) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.Reason + " ×" + strconv.Itoa(c.Count)
		if c.Action != "order" {
			parts[i] = c.Action + ": " + parts[i]
		}
	}
	return strings.Join(parts, ", ")
}

// describeReject says "2025-10-02 09:00Z BTCUSDT buy market 1000 at 61234.5 (replay row 2):
// insufficient margin".
func describeReject(j *backtest.Reject) string {
	parts := []string{fmtMs(j.Time), j.Symbol}
	if j.Action == "order" {
		parts = append(parts, j.Side.String(), j.Type.String())
		if !j.Qty.IsZero() {
			parts = append(parts, j.Qty.String())
		}
		if !j.Price.IsZero() {
			parts = append(parts, "at "+j.Price.String())
		}
	} else {
		parts = append(parts, j.Action)
	}
	s := strings.Join(parts, " ")
	if j.Tag != "" {
		s += " (" + j.Tag + ")"
	}
	reason := backtest.ReasonOfCode(j.Code)
	if reason == "" {
		reason = j.Reason
	}
	return s + ": " + reason
}

// writeNotices prints the rejections per account and the fallbacks of the run, one line each
// ("none" when there are none).
func (o *Outcome) writeNotices(w io.Writer) {
	first := true
	for _, n := range o.Accounts {
		a, ok := o.Summary.Accounts[n]
		if !ok || a.Rejections == 0 {
			continue
		}
		label := "rejected:"
		if !first {
			label = ""
		}
		first = false
		fmt.Fprintf(w, "%-14s %s %d (%s), every one in %s\n", label, n, a.Rejections, reasonCounts(a.RejectionsByReason), filepath.Join(o.Dir, n, "rejects.csv"))
	}
	if first {
		fmt.Fprintf(w, "%-14s none\n", "rejected:")
	}
	var parts []string
	var last string
	for _, f := range o.Summary.Fallbacks {
		p := f.Symbol + " " + strconv.Itoa(f.Count)
		if f.Kind != last {
			p = f.Kind + " " + p
			if last != "" {
				parts[len(parts)-1] += ";"
			}
		} else {
			parts[len(parts)-1] += ","
		}
		parts = append(parts, p)
		last = f.Kind
	}
	if len(parts) == 0 {
		parts = []string{"none"}
	}
	fmt.Fprintf(w, "%-14s %s\n", "fallbacks:", strings.Join(parts, " "))
}
