package reports

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"github.com/bt-backtest/bt/reports/artifact"
	"github.com/bt-backtest/bt/reports/metrics"
)

// WriteComparisonText writes the comparison of runs as text (what bt report A B prints on the
// terminal): for every account the runs all have (isolated, cross), each metric of every run
// and its difference from the first run (run − first). Money is in USDT; a difference of two
// fractions is in percentage points ("+5.00 pp"), never "%"; "—" where a metric is missing in
// either run or unbounded.
func WriteComparisonText(w io.Writer, runs ...*artifact.Run) error {
	if len(runs) < 2 {
		return fmt.Errorf("reports: a comparison needs two runs or more, got %d", len(runs))
	}
	sums := make([]metrics.Summary, len(runs))
	for i, r := range runs {
		if r == nil || r.Result == nil {
			return fmt.Errorf("reports: run without result")
		}
		if r.Summary != nil {
			sums[i] = *r.Summary
		} else {
			sums[i] = metrics.Summarize(r.Result)
		}
	}
	names := runNames(runs)
	shared := 0
	for _, a := range runs[0].Result.Accounts {
		all := true
		for _, s := range sums {
			if _, ok := s.Accounts[a.Name]; !ok {
				all = false
			}
		}
		if !all {
			continue
		}
		if shared > 0 {
			fmt.Fprintln(w)
		}
		shared++
		fmt.Fprintf(w, "%s account\n", a.Name)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		ms := make([][]metrics.Metric, len(sums))
		for i, s := range sums {
			ms[i] = s.Accounts[a.Name].Metrics()
		}
		width := len("metric")
		for _, m := range ms[0] {
			width = max(width, len(m.Label))
		}
		fmt.Fprintf(tw, "%-*s\t", width, "metric") // labels left, numbers right
		for _, n := range names {
			fmt.Fprintf(tw, "%s\t", n)
		}
		for _, n := range names[1:] {
			fmt.Fprintf(tw, "Δ %s − %s\t", n, names[0])
		}
		fmt.Fprintln(tw)
		for k, m := range ms[0] {
			fmt.Fprintf(tw, "%-*s\t", width, m.Label)
			for i := range ms {
				fmt.Fprintf(tw, "%s\t", formatMetric(ms[i][k], false).Text)
			}
			for i := 1; i < len(ms); i++ {
				b := ms[i][k]
				d := metrics.Metric{Key: m.Key, Label: m.Label, Kind: m.Kind, Better: m.Better, Value: b.Value - m.Value,
					OK: m.OK && b.OK && math.Abs(m.Value) < 1e12 && math.Abs(b.Value) < 1e12}
				fmt.Fprintf(tw, "%s\t", formatMetric(d, true).Text)
			}
			fmt.Fprintln(tw)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if shared == 0 {
		_, err := fmt.Fprintf(w, "The runs share no account to compare (the first run has %d).\n", len(runs[0].Result.Accounts))
		return err
	}
	return nil
}
