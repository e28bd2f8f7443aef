package cli

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bt-backtest/bt/reports/artifact"
	"github.com/spf13/cobra"
)

// checkWidth is the widest line bt check prints (paths apart, which are never cut).
const checkWidth = 99

// checkRecordFiles are the ledger records of an account directory that the fingerprint covers,
// in the order bt check compares them.
var checkRecordFiles = []string{"fills", "liquidations", "funding", "rejects"}

func newCheckCmd(e *env) *cobra.Command {
	var (
		baseline   string
		rtol, atol float64
		show       int
		asJSON     bool
	)
	cmd := &cobra.Command{
		Use:   "check RUN_DIR --baseline DIR|summary.json",
		Short: "Regression gate: exit 1 when a run drifts from a baseline beyond the tolerances",
		Long: `Compares RUN_DIR with a baseline run directory (or a baseline summary.json), account by
account.

What is compared:
  - every metric of summary.json and the liquidation statistics (liquidation.<name>);
  - the ledger records of each account (fills, liquidations, funding, rejects CSV files),
    record by record and field by field, when both sides are run directories. The
    fingerprint hashes these records: when it differs, the records decide. Without the
    baseline's records a changed fingerprint is drift.

Tolerances apply to every numeric value, metrics and record fields alike: two numbers are
equal when |a-b| <= --atol or |a-b| <= --rtol * max(|a|,|b|). So a fill whose price moved by
less than the tolerance passes. Times, sides, symbols, order ids and other text must be equal.

Output: the differing metrics (times as RFC 3339 UTC timestamps, durations in seconds or
hours), then for each record file the first differing records (--show) side by side,
baseline | new, field by field; "*" marks a field beyond the tolerance, "~" one that
differs within it. Metrics new in the run are listed but are not drift.

Exit codes:
  0  equal within the tolerances
  1  drift: a value or record differs beyond the tolerances, or an account is missing
  2  bad input: a missing or unreadable file, invalid JSON or CSV, an incomplete run
     directory (no manifest.json: interrupted or still running), a bad flag`,
		Example: `  bt check runs/swing-new --baseline runs/swing-old
  bt check runs/a --baseline runs/b/summary.json --rtol 1e-6 --atol 1e-8
  bt check runs/a --baseline runs/b --json > drift.json`,
		Args: argsBetween(1, 1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if baseline == "" {
				return usageErrf("bt check: --baseline is required (a run directory or a summary.json)")
			}
			if rtol < 0 || atol < 0 || math.IsNaN(rtol) || math.IsNaN(atol) || math.IsInf(rtol, 0) || math.IsInf(atol, 0) {
				return usageErrf("bt check: --rtol and --atol must be finite numbers >= 0")
			}
			if show < 1 {
				return usageErrf("bt check: --show must be at least 1")
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
			if err := rep.compareRecords(filepath.Dir(basePath), filepath.Dir(curPath), show); err != nil {
				return usageErr(err)
			}
			if asJSON {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				if err := enc.Encode(rep); err != nil {
					return err
				}
			} else {
				rep.print(e.stdout)
			}
			if !rep.OK {
				return &exitError{exitFail, errSilent}
			}
			return nil
		}),
	}
	cmd.Flags().StringVar(&baseline, "baseline", "", "baseline run directory or summary.json")
	cmd.Flags().Float64Var(&rtol, "rtol", 1e-9, "relative tolerance for every number")
	cmd.Flags().Float64Var(&atol, "atol", 1e-12, "absolute tolerance for every number")
	cmd.Flags().IntVar(&show, "show", 3, "differing records shown per file")
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
		return nil, path, fmt.Errorf("%s: %s", path, pathErrText(err))
	}
	dir := ""
	if fi.IsDir() {
		if err := artifact.CheckComplete(path); err != nil {
			return nil, path, err
		}
		dir, path = path, filepath.Join(path, "summary.json")
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, path, fmt.Errorf("%s: no summary.json (is this a bt run directory?)", filepath.Dir(path))
	}
	if dir != "" {
		// manifest.json is written last: without it the run was interrupted (or still runs).
		if _, err := os.Stat(filepath.Join(dir, "manifest.json")); errors.Is(err, fs.ErrNotExist) {
			return nil, path, fmt.Errorf("%s: incomplete run directory: no manifest.json, which a run writes "+
				"last (was the run interrupted, or is it still running?)", dir)
		}
	}
	if err != nil {
		return nil, path, fmt.Errorf("%s: %s", path, pathErrText(err))
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

// pathErrText is err's text without the operation and path an *fs.PathError repeats.
func pathErrText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// checkDiff is one summary value that drifted.
type checkDiff struct {
	Account  string `json:"account"`
	Metric   string `json:"metric"`
	Baseline any    `json:"baseline"`
	Current  any    `json:"current"`
	RelDiff  any    `json:"rel_diff,omitempty"` // numbers only
}

// recordField is one field of a record shown side by side.
type recordField struct {
	Name     string `json:"name"`
	Baseline string `json:"baseline"`
	Current  string `json:"current"`
	// Mark is "" for equal values, "~" for numbers equal within the tolerances, "*" for a
	// difference beyond them.
	Mark    string   `json:"mark,omitempty"`
	RelDiff *float64 `json:"rel_diff,omitempty"`
}

// recordPair is one record (a CSV data row, 1-based) of the baseline beside the run's.
type recordPair struct {
	Row    int           `json:"row"`
	Fields []recordField `json:"fields"`
}

// recordFileDiff is the comparison of one record file of one account.
type recordFileDiff struct {
	Account       string       `json:"account"`
	File          string       `json:"file"` // e.g. "fills.csv"
	BaselineRows  int          `json:"baseline_rows"`
	CurrentRows   int          `json:"current_rows"`
	Drifted       int          `json:"drifted"`          // records differing beyond the tolerances
	WithinTol     int          `json:"within_tolerance"` // records differing only within them
	MissingFields []string     `json:"missing_fields,omitempty"`
	First         []recordPair `json:"first"` // the first drifted records, at most --show
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
	// Records holds each record file with a drifted record; Notes say how fingerprints that
	// differ were settled.
	Records []recordFileDiff `json:"records,omitempty"`
	Notes   []string         `json:"notes,omitempty"`

	rtol, atol float64
}

// accountNames orders accounts: isolated, cross, then the rest by name.
func accountNames(m map[string]map[string]any) []string {
	var names []string
	for _, n := range []string{"isolated", "cross"} {
		if _, ok := m[n]; ok {
			names = append(names, n)
		}
	}
	for _, n := range slices.Sorted(maps.Keys(m)) {
		if n != "isolated" && n != "cross" {
			names = append(names, n)
		}
	}
	return names
}

// compareSummaries compares cur with base.
func compareSummaries(base, cur *summaryDoc, rtol, atol float64) checkReport {
	rep := checkReport{RTol: rtol, ATol: atol, Diffs: []checkDiff{}, rtol: rtol, atol: atol}
	for _, acc := range accountNames(base.Accounts) {
		b, _ := base.metricsOf(acc)
		c, ok := cur.metricsOf(acc)
		if !ok {
			rep.Diffs = append(rep.Diffs, checkDiff{Account: acc, Metric: "(account)", Baseline: "present", Current: "missing"})
			continue
		}
		for _, m := range slices.Sorted(maps.Keys(b)) {
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
		for _, m := range slices.Sorted(maps.Keys(c)) {
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

// compareRecords settles every differing fingerprint by comparing the account's record files
// in the run directories baseDir and curDir within the tolerances. A fingerprint whose records
// are equal within the tolerances is no longer drift; one whose records are not available stays
// drift, with a note. It returns an error only for unreadable or malformed record files.
func (r *checkReport) compareRecords(baseDir, curDir string, show int) error {
	var kept []checkDiff
	for _, d := range r.Diffs {
		if d.Metric != "fingerprint" {
			kept = append(kept, d)
			continue
		}
		files, within, found, err := r.compareAccountRecords(d.Account, filepath.Join(baseDir, d.Account), filepath.Join(curDir, d.Account), show)
		if err != nil {
			return err
		}
		switch {
		case !found:
			kept = append(kept, d)
			r.Notes = append(r.Notes, d.Account+": fingerprint differs and the baseline's records are not "+
				"available (pass run directories to compare them within the tolerances)")
		case len(files) == 0:
			r.Notes = append(r.Notes, fmt.Sprintf("%s: fingerprint differs, but every record is equal "+
				"within the tolerances (%d record(s) differ within them)", d.Account, within))
		default:
			kept = append(kept, d)
			r.Records = append(r.Records, files...)
		}
	}
	if kept == nil {
		kept = []checkDiff{}
	}
	r.Diffs = kept
	r.OK = len(r.Diffs) == 0
	return nil
}

// compareAccountRecords compares one account's record files: it returns the files with a
// drifted record and the number of records differing only within the tolerances. found is
// false when the records are not available on both sides.
func (r *checkReport) compareAccountRecords(account, baseDir, curDir string, show int) (drifted []recordFileDiff, within int, found bool, err error) {
	if !dirExists(baseDir) || !dirExists(curDir) {
		return nil, 0, false, nil
	}
	out := []recordFileDiff{}
	for _, name := range checkRecordFiles {
		file := name + ".csv"
		bh, brows, bok, err := readRecordCSV(filepath.Join(baseDir, file))
		if err != nil {
			return nil, 0, false, err
		}
		ch, crows, cok, err := readRecordCSV(filepath.Join(curDir, file))
		if err != nil {
			return nil, 0, false, err
		}
		if !bok && !cok {
			continue
		}
		found = true
		fd := recordFileDiff{Account: account, File: file, BaselineRows: len(brows), CurrentRows: len(crows), First: []recordPair{}}
		if bok != cok {
			fd.Drifted = max(len(brows), len(crows))
			side := "new run"
			if !bok {
				side = "baseline"
			}
			fd.MissingFields = []string{"(the whole file is missing in the " + side + ")"}
			out = append(out, fd)
			continue
		}
		r.compareRows(&fd, bh, brows, ch, crows, show)
		within += fd.WithinTol
		if fd.Drifted > 0 || len(fd.MissingFields) > 0 {
			out = append(out, fd)
		}
	}
	return out, within, found, nil
}

func dirExists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// readRecordCSV reads a record CSV file: its header and data rows. ok is false when the file
// does not exist.
func readRecordCSV(path string) (header []string, rows [][]string, ok bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, false, nil
	}
	if err != nil {
		return nil, nil, false, fmt.Errorf("%s: %s", path, pathErrText(err))
	}
	defer f.Close()
	cr := csv.NewReader(f)
	header, err = cr.Read()
	if err == io.EOF {
		return nil, nil, false, fmt.Errorf("%s: empty file, no header row", path)
	}
	if err != nil {
		return nil, nil, false, fmt.Errorf("%s: %v", path, err)
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, false, fmt.Errorf("%s: %v", path, err)
		}
		rows = append(rows, rec)
	}
	return header, rows, true, nil
}

// exactField reports whether a record field is compared as text even when it looks like a
// number: identities and times.
func exactField(name string) bool {
	return name == "order_id" || name == "id" || name == "time" || strings.HasSuffix(name, "_time")
}

// compareRows compares the rows of one record file, aligned by position.
func (r *checkReport) compareRows(fd *recordFileDiff, bh []string, brows [][]string, ch []string, crows [][]string, show int) {
	cidx := make(map[string]int, len(ch))
	for i, n := range ch {
		cidx[n] = i
	}
	type col struct {
		name string
		b, c int
	}
	var cols []col
	for i, n := range bh {
		j, ok := cidx[n]
		if !ok {
			fd.MissingFields = append(fd.MissingFields, n)
			continue
		}
		cols = append(cols, col{n, i, j})
	}
	cell := func(row []string, i int) string {
		if row == nil {
			return "(no record)"
		}
		if i < len(row) {
			return row[i]
		}
		return ""
	}
	for i := range max(len(brows), len(crows)) {
		var br, cr []string
		if i < len(brows) {
			br = brows[i]
		}
		if i < len(crows) {
			cr = crows[i]
		}
		drift, within := false, false
		fields := make([]recordField, 0, len(cols))
		for _, c := range cols {
			f := recordField{Name: c.name, Baseline: cell(br, c.b), Current: cell(cr, c.c)}
			if f.Baseline != f.Current {
				f.Mark = "*"
				if br != nil && cr != nil && !exactField(c.name) {
					bf, e1 := strconv.ParseFloat(f.Baseline, 64)
					cf, e2 := strconv.ParseFloat(f.Current, 64)
					if e1 == nil && e2 == nil {
						rel, d := compareValue(bf, cf, r.rtol, r.atol)
						x := rel.(float64)
						f.RelDiff = &x
						if !d {
							f.Mark = "~"
						}
					}
				}
			}
			switch f.Mark {
			case "*":
				drift = true
			case "~":
				within = true
			}
			fields = append(fields, f)
		}
		switch {
		case drift:
			fd.Drifted++
			if len(fd.First) < show {
				fd.First = append(fd.First, recordPair{Row: i + 1, Fields: fields})
			}
		case within:
			fd.WithinTol++
		}
	}
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
		return rel, diff > atol && diff > rtol*scale
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

// print writes the report for people: every line at most checkWidth columns, paths apart.
func (r checkReport) print(w io.Writer) {
	var diffs []checkDiff
	for _, d := range r.Diffs {
		if d.Metric == "fingerprint" && len(r.recordsOf(d.Account)) > 0 {
			continue // the record diffs below say what changed
		}
		diffs = append(diffs, d)
	}
	tol := fmt.Sprintf("rtol %g, atol %g", r.RTol, r.ATol)
	if r.OK {
		fmt.Fprintf(w, "ok: equal within the tolerances (%d values, %s)\n", r.Compared, tol)
	} else {
		var what []string
		if len(diffs) > 0 {
			what = append(what, fmt.Sprintf("%d of %d summary values", len(diffs), r.Compared))
		}
		if n := len(r.Records); n > 0 {
			what = append(what, fmt.Sprintf("%d record file(s)", n))
		}
		fmt.Fprintf(w, "DRIFT: %s differ (%s)\n", strings.Join(what, " and "), tol)
	}
	fmt.Fprintf(w, "  baseline  %s\n  new       %s\n", r.Baseline, r.Current)
	for _, n := range r.Notes {
		fmt.Fprintln(w)
		for _, l := range wrapText("note: "+n, checkWidth, "      ") {
			fmt.Fprintln(w, l)
		}
	}
	if len(diffs) > 0 {
		fmt.Fprintln(w)
		rows := [][]string{{"", "metric", "baseline", "|", "new", "rel diff"}}
		acc := ""
		for _, d := range diffs {
			if d.Account != acc {
				acc = d.Account
				rows = append(rows, []string{acc})
			}
			rel := ""
			if f, ok := d.RelDiff.(float64); ok {
				rel = strconv.FormatFloat(f, 'e', 2, 64)
			}
			rows = append(rows, []string{"", d.Metric, fmtCheckValue(d.Metric, d.Baseline), "|", fmtCheckValue(d.Metric, d.Current), rel})
		}
		printColumns(w, rows, []int{0, 40, 20, 1, 20, 9})
	}
	for _, fd := range r.Records {
		fmt.Fprintln(w)
		fmt.Fprintf(w, "%s/%s: %d record(s) drifted", fd.Account, fd.File, fd.Drifted)
		if fd.WithinTol > 0 {
			fmt.Fprintf(w, ", %d within the tolerances", fd.WithinTol)
		}
		fmt.Fprintf(w, " (%d baseline, %d new records)\n", fd.BaselineRows, fd.CurrentRows)
		if len(fd.MissingFields) > 0 {
			for _, l := range wrapText("  missing in the new run: "+strings.Join(fd.MissingFields, ", "), checkWidth, "    ") {
				fmt.Fprintln(w, l)
			}
		}
		for _, p := range fd.First {
			fmt.Fprintf(w, "  record %d (line %d of %s):\n", p.Row, p.Row+1, fd.File)
			rows := [][]string{{"", "field", "baseline", "|", "new", "rel diff"}}
			for _, f := range p.Fields {
				rel := ""
				if f.RelDiff != nil {
					rel = strconv.FormatFloat(*f.RelDiff, 'e', 2, 64)
				}
				rows = append(rows, []string{"   " + f.Mark, f.Name, f.Baseline, "|", f.Current, rel})
			}
			printColumns(w, rows, []int{4, 14, 28, 1, 28, 9})
		}
	}
	if len(r.Records) > 0 {
		fmt.Fprintln(w, "\n* differs beyond the tolerances, ~ differs within them")
	}
	if len(r.New) > 0 {
		fmt.Fprintln(w)
		for _, l := range wrapText("new metrics not in the baseline: "+strings.Join(r.New, ", "), checkWidth, "  ") {
			fmt.Fprintln(w, l)
		}
	}
}

// recordsOf returns the record diffs of account.
func (r checkReport) recordsOf(account string) []recordFileDiff {
	var out []recordFileDiff
	for _, fd := range r.Records {
		if fd.Account == account {
			out = append(out, fd)
		}
	}
	return out
}

// printColumns prints rows as left-aligned columns two spaces apart, each cell cut to its
// column's cap (0: no cap) with "…".
func printColumns(w io.Writer, rows [][]string, caps []int) {
	widths := make([]int, len(caps))
	for _, row := range rows {
		if len(row) == 1 {
			continue // a heading line
		}
		for i, c := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(clip(c, caps[i])))
		}
	}
	for _, row := range rows {
		var b strings.Builder
		for i, c := range row {
			c = clip(c, caps[i])
			if len(row) == 1 {
				b.WriteString(c)
				break
			}
			b.WriteString(c)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2))
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// clip cuts s to n runes, ending with "…" when it was cut; n <= 0 means no cut.
func clip(s string, n int) string {
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// wrapText breaks s at spaces into lines of at most width runes; continuation lines start
// with indent.
func wrapText(s string, width int, indent string) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
			if len(lines) > 0 {
				line = indent + word
			}
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(word) > width:
			lines = append(lines, line)
			line = indent + word
		default:
			line += " " + word
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// metricKind tells how a summary metric's number reads: "time" (Unix ms, shown as an RFC 3339
// UTC timestamp), "duration" (ms, shown in seconds or hours) or "" (a plain number).
func metricKind(metric string) string {
	name := metric[strings.LastIndexByte(metric, '.')+1:]
	switch {
	case strings.HasSuffix(name, "_time") || name == "time":
		return "time"
	case strings.HasPrefix(name, "time_") || strings.HasPrefix(name, "entry_to_liquidation"):
		return "duration"
	}
	return ""
}

// fmtCheckValue formats a summary value for people.
func fmtCheckValue(metric string, v any) string {
	f, ok := v.(float64)
	if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return fmtAny(v)
	}
	switch metricKind(metric) {
	case "time":
		if f == 0 {
			return "—"
		}
		return time.UnixMilli(int64(f)).UTC().Format(time.RFC3339)
	case "duration":
		return fmtDuration(int64(f))
	}
	return fmtAny(v)
}

// fmtDuration formats ms as seconds below an hour, as hours (and days past two days) above.
func fmtDuration(ms int64) string {
	s := float64(ms) / 1000
	if math.Abs(s) < 3600 {
		return strconv.FormatFloat(s, 'f', -1, 64) + " s"
	}
	h := s / 3600
	out := strconv.FormatFloat(math.Round(h*100)/100, 'f', -1, 64) + " h"
	if math.Abs(h) >= 48 {
		out += " (" + strconv.FormatFloat(math.Round(h/24*10)/10, 'f', -1, 64) + " d)"
	}
	return out
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
		return string(b)
	}
}
