package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"github.com/spf13/cobra"
)

func newCheckCmd(e *env) *cobra.Command {
	var (
		baseline   string
		rtol, atol float64
		asJSON     bool
	)
	cmd := &cobra.Command{
		Use:   "check RUN_DIR --baseline DIR|summary.json",
		Short: "Regression gate: exit 1 when a run's fingerprints or metrics drift from a baseline",
		Long: `Compares the summary.json of RUN_DIR with a baseline summary.json (or the one in a baseline run
directory), account by account (its metrics and its liquidation statistics, shown as
liquidation.<name>): fingerprints and other text must be equal; numbers may differ by
at most --rtol relative to the larger magnitude (or --atol absolute, for values near zero).
Exits 1 and prints a diff (metric, baseline, current, relative difference) on drift, 0 otherwise.
Metrics new in the run and absent from the baseline are listed but are not drift.`,
		Example: `  bt check runs/swing-new --baseline testdata/swing-baseline/summary.json
  bt check runs/a --baseline runs/b --rtol 1e-6`,
		Args: argsBetween(1, 1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if baseline == "" {
				return usageErrf("bt check: --baseline is required (a run directory or a summary.json)")
			}
			if rtol < 0 || atol < 0 || math.IsNaN(rtol) || math.IsNaN(atol) {
				return usageErrf("bt check: --rtol and --atol must be >= 0")
			}
			cur, curPath, err := readSummary(args[0])
			if err != nil {
				return usageErr(err)
			}
			base, basePath, err := readSummary(baseline)
			if err != nil {
				return usageErr(err)
			}
			rep := compareSummaries(base, cur, rtol, atol)
			rep.Baseline, rep.Current = basePath, curPath
			if asJSON {
				if err := writeJSON(e.stdout, rep); err != nil {
					return err
				}
			} else {
				rep.print(e)
			}
			if !rep.OK {
				return &exitError{exitFail, errSilent}
			}
			return nil
		}),
	}
	cmd.Flags().StringVar(&baseline, "baseline", "", "baseline run directory or summary.json")
	cmd.Flags().Float64Var(&rtol, "rtol", 1e-9, "relative tolerance for numbers")
	cmd.Flags().Float64Var(&atol, "atol", 1e-12, "absolute tolerance for numbers (values near zero)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the comparison as one JSON document")
	return cmd
}

// summaryDoc is summary.json decoded generically, so that bt check works with any metric set.
type summaryDoc struct {
	Accounts    map[string]map[string]any `json:"accounts"`
	Liquidation map[string]map[string]any `json:"liquidation"`
}

// metricsOf returns every compared value of one account: its metrics and, prefixed with
// "liquidation.", its liquidation statistics.
func (d *summaryDoc) metricsOf(account string) (map[string]any, bool) {
	a, ok := d.Accounts[account]
	if !ok {
		return nil, false
	}
	out := make(map[string]any, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range d.Liquidation[account] {
		out["liquidation."+k] = v
	}
	return out, true
}

// readSummary reads path (a summary.json, or a run directory holding one).
func readSummary(path string) (*summaryDoc, string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, path, fmt.Errorf("%s: %s", path, unwrapPathErr(err))
	}
	if fi.IsDir() {
		path = filepath.Join(path, "summary.json")
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, path, fmt.Errorf("%s: no summary.json (is this a bt run directory?)", filepath.Dir(path))
	}
	if err != nil {
		return nil, path, fmt.Errorf("%s: %s", path, unwrapPathErr(err))
	}
	var doc summaryDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, path, fmt.Errorf("%s: invalid JSON at byte %d: %v", path, se.Offset, err)
		}
		return nil, path, fmt.Errorf("%s: %v", path, err)
	}
	if len(doc.Accounts) == 0 {
		return nil, path, fmt.Errorf("%s: no \"accounts\" object: not a bt summary.json", path)
	}
	return &doc, path, nil
}

// checkDiff is one value that drifted.
type checkDiff struct {
	Account  string `json:"account"`
	Metric   string `json:"metric"`
	Baseline any    `json:"baseline"`
	Current  any    `json:"current"`
	RelDiff  any    `json:"rel_diff,omitempty"` // numbers only
}

// checkReport is the result of a comparison.
type checkReport struct {
	OK       bool        `json:"ok"`
	Baseline string      `json:"baseline"`
	Current  string      `json:"current"`
	RTol     float64     `json:"rtol"`
	ATol     float64     `json:"atol"`
	Compared int         `json:"compared"`
	Diffs    []checkDiff `json:"diffs"`
	New      []string    `json:"new_metrics,omitempty"` // account.metric in the run only
}

// accountNames orders accounts: isolated, cross, then the rest by name.
func accountNames(m map[string]map[string]any) []string {
	var names []string
	for _, n := range []string{"isolated", "cross"} {
		if _, ok := m[n]; ok {
			names = append(names, n)
		}
	}
	for _, n := range sortedKeys(m) {
		if n != "isolated" && n != "cross" {
			names = append(names, n)
		}
	}
	return names
}

// compareSummaries compares cur with base.
func compareSummaries(base, cur *summaryDoc, rtol, atol float64) checkReport {
	rep := checkReport{RTol: rtol, ATol: atol, Diffs: []checkDiff{}}
	for _, acc := range accountNames(base.Accounts) {
		b, _ := base.metricsOf(acc)
		c, ok := cur.metricsOf(acc)
		if !ok {
			rep.Diffs = append(rep.Diffs, checkDiff{Account: acc, Metric: "(account)", Baseline: "present", Current: "missing"})
			continue
		}
		for _, m := range sortedKeys(b) {
			rep.Compared++
			bv := b[m]
			cv, ok := c[m]
			if !ok {
				rep.Diffs = append(rep.Diffs, checkDiff{Account: acc, Metric: m, Baseline: bv, Current: "(missing)"})
				continue
			}
			if d, drift := compareValue(bv, cv, rtol, atol); drift {
				rep.Diffs = append(rep.Diffs, checkDiff{Account: acc, Metric: m, Baseline: bv, Current: cv, RelDiff: d})
			}
		}
		for _, m := range sortedKeys(c) {
			if _, ok := b[m]; !ok {
				rep.New = append(rep.New, acc+"."+m)
			}
		}
	}
	for _, acc := range accountNames(cur.Accounts) {
		if _, ok := base.Accounts[acc]; !ok {
			rep.Diffs = append(rep.Diffs, checkDiff{Account: acc, Metric: "(account)", Baseline: "missing", Current: "present"})
		}
	}
	rep.OK = len(rep.Diffs) == 0
	return rep
}

// compareValue reports whether cv drifted from bv, with the relative difference for numbers
// (the largest one for arrays of numbers).
func compareValue(bv, cv any, rtol, atol float64) (relDiff any, drift bool) {
	bf, bNum := bv.(float64)
	cf, cNum := cv.(float64)
	if bNum && cNum {
		diff := math.Abs(cf - bf)
		scale := math.Max(math.Abs(bf), math.Abs(cf))
		rel := 0.0
		if scale > 0 {
			rel = diff / scale
		}
		return rel, diff > atol && rel > rtol
	}
	ba, bArr := bv.([]any)
	ca, cArr := cv.([]any)
	if bArr && cArr {
		if len(ba) != len(ca) {
			return nil, true
		}
		worst := 0.0
		for i := range ba {
			d, drift := compareValue(ba[i], ca[i], rtol, atol)
			if drift {
				return d, true
			}
			if f, ok := d.(float64); ok {
				worst = math.Max(worst, f)
			}
		}
		return worst, false
	}
	if bNum != cNum || bArr != cArr {
		return nil, true
	}
	bj, _ := json.Marshal(bv)
	cj, _ := json.Marshal(cv)
	return nil, string(bj) != string(cj)
}

func (r checkReport) print(e *env) {
	w := e.stdout
	if r.OK {
		fmt.Fprintf(w, "ok: %s matches %s (%d values, rtol %g)\n", r.Current, r.Baseline, r.Compared, r.RTol)
		if len(r.New) > 0 {
			fmt.Fprintf(w, "new metrics not in the baseline: %v\n", r.New)
		}
		return
	}
	fmt.Fprintf(w, "DRIFT: %s differs from %s in %d of %d values (rtol %g):\n\n", r.Current, r.Baseline, len(r.Diffs), r.Compared, r.RTol)
	t := newTable(w)
	t.row("account", "metric", "baseline", "current", "rel diff")
	for _, d := range r.Diffs {
		rel := ""
		if f, ok := d.RelDiff.(float64); ok {
			rel = strconv.FormatFloat(f, 'e', 3, 64)
		}
		t.row(d.Account, d.Metric, fmtAny(d.Baseline), fmtAny(d.Current), rel)
	}
	t.flush()
	if len(r.New) > 0 {
		fmt.Fprintf(w, "\nnew metrics not in the baseline: %v\n", r.New)
	}
}

func fmtAny(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'g', 10, 64)
	case string:
		return x
	case nil:
		return "null"
	default:
		b, _ := json.Marshal(x)
		if len(b) > 60 {
			return string(b[:57]) + "..."
		}
		return string(b)
	}
}
