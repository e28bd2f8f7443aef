package cli

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// A baseline summary.json written by hand: bt check needs nothing but the files.
const baselineSummary = `{
  "accounts": {
    "isolated": {"final_equity": 9500.25, "total_return": -0.049975, "liquidations": 2, "fingerprint": "ab12", "ruined": false},
    "cross":    {"final_equity": 10210.5, "total_return": 0.02105, "liquidations": 0, "fingerprint": "cd34", "ruined": false}
  },
  "delta": {"final_equity": 710.25}
}
`

// writeSummary writes a summary.json and, beside it, the manifest.json that marks a complete
// run directory; it returns the summary's path.
func writeSummary(t *testing.T, path, content string) string {
	t.Helper()
	writeFile(t, filepath.Join(filepath.Dir(path), "manifest.json"), "{}\n")
	return writeFile(t, path, content)
}

func TestCheckSame(t *testing.T) {
	dir := t.TempDir()
	base := writeSummary(t, filepath.Join(dir, "base", "summary.json"), baselineSummary)
	writeSummary(t, filepath.Join(dir, "run", "summary.json"), baselineSummary)
	out, _ := mustBT(t, 0, "check", filepath.Join(dir, "run"), "--baseline", base)
	if !strings.HasPrefix(out, "ok: ") {
		t.Errorf("output: %s", out)
	}
	// A baseline directory works as well as its summary.json.
	mustBT(t, 0, "check", filepath.Join(dir, "run"), "--baseline", filepath.Join(dir, "base"))
}

func TestCheckWithinTolerance(t *testing.T) {
	dir := t.TempDir()
	base := writeFile(t, filepath.Join(dir, "base.json"), baselineSummary)
	// 9500.25 → 9500.26 is a relative change of 1.05e-6.
	writeSummary(t, filepath.Join(dir, "run", "summary.json"), strings.Replace(baselineSummary, "9500.25", "9500.26", 1))
	mustBT(t, 1, "check", filepath.Join(dir, "run"), "--baseline", base)
	mustBT(t, 0, "check", filepath.Join(dir, "run"), "--baseline", base, "--rtol", "1e-5")
}

func TestCheckDrift(t *testing.T) {
	dir := t.TempDir()
	base := writeFile(t, filepath.Join(dir, "base.json"), baselineSummary)
	cur := strings.NewReplacer(`"liquidations": 2`, `"liquidations": 3`, `"cd34"`, `"ee99"`, `"ruined": false}`+"\n  },", `"ruined": false, "sharpe": 1.2}`+"\n  },").Replace(baselineSummary)
	writeSummary(t, filepath.Join(dir, "run", "summary.json"), cur)
	out, _ := mustBT(t, 1, "check", filepath.Join(dir, "run"), "--baseline", base)
	for _, want := range []string{"DRIFT", "2 of 10 summary values", "isolated", "liquidations", "2", "3", "3.33e-01", "fingerprint", "cd34", "ee99", "new metrics not in the baseline: cross.sharpe"} {
		if !strings.Contains(out, want) {
			t.Errorf("diff lacks %q:\n%s", want, out)
		}
	}
	out, _ = mustBT(t, 1, "check", filepath.Join(dir, "run"), "--baseline", base, "--json")
	var rep checkReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.OK || len(rep.Diffs) != 2 {
		t.Errorf("--json report: %+v", rep)
	}
}

func TestCheckAccountsDiffer(t *testing.T) {
	dir := t.TempDir()
	base := writeFile(t, filepath.Join(dir, "base.json"), baselineSummary)
	writeSummary(t, filepath.Join(dir, "run", "summary.json"), `{"accounts": {"isolated": {"final_equity": 9500.25, "total_return": -0.049975, "liquidations": 2, "fingerprint": "ab12", "ruined": false}, "mix": {}}}`)
	out, _ := mustBT(t, 1, "check", filepath.Join(dir, "run"), "--baseline", base)
	if !strings.Contains(out, "cross") || !strings.Contains(out, "missing") || !strings.Contains(out, "mix") {
		t.Errorf("diff:\n%s", out)
	}
}

func TestCheckInputErrors(t *testing.T) {
	dir := t.TempDir()
	base := writeFile(t, filepath.Join(dir, "base.json"), baselineSummary)
	bad := writeSummary(t, filepath.Join(dir, "bad", "summary.json"), `{"accounts": `)
	empty := writeSummary(t, filepath.Join(dir, "empty", "summary.json"), `{}`)
	// A run directory without manifest.json (written last) is an interrupted run.
	partial := writeFile(t, filepath.Join(dir, "partial", "summary.json"), baselineSummary)
	tests := []struct {
		args []string
		msg  string
	}{
		{[]string{filepath.Join(dir, "none"), "--baseline", base}, "no such file"},
		{[]string{dir, "--baseline", base}, "no summary.json"},
		{[]string{filepath.Dir(bad), "--baseline", base}, "invalid JSON"},
		{[]string{filepath.Dir(empty), "--baseline", base}, "not a bt summary.json"},
		{[]string{filepath.Dir(partial), "--baseline", base}, "incomplete run directory"},
		{[]string{filepath.Dir(base), "--baseline", base, "--rtol", "-1"}, "--rtol"},
	}
	for _, tt := range tests {
		code, _, errs := bt(t, append([]string{"check"}, tt.args...)...)
		if code != 2 || !strings.Contains(errs, tt.msg) {
			t.Errorf("bt check %v: exit %d, stderr %q; want 2 and %q", tt.args, code, errs, tt.msg)
		}
	}
}

// TestCheckRealRuns: a run checked against itself passes, against a perturbed copy fails.
func TestCheckRealRuns(t *testing.T) {
	_, dir := fixtureRun(t, "--no-report")
	mustBT(t, 0, "check", dir, "--baseline", dir)
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	iso := doc["accounts"].(map[string]any)["isolated"].(map[string]any)
	iso["final_equity"] = iso["final_equity"].(float64) * 1.01
	nb, _ := json.Marshal(doc)
	base := writeSummary(t, filepath.Join(t.TempDir(), "summary.json"), string(nb))
	out, _ := mustBT(t, 1, "check", dir, "--baseline", base)
	if !strings.Contains(out, "final_equity") {
		t.Errorf("diff:\n%s", out)
	}
}

func TestCheckLiquidationStats(t *testing.T) {
	dir := t.TempDir()
	withLiq := func(count int, dists string) string {
		return strings.Replace(baselineSummary, `"delta"`, `"liquidation": {"isolated": {"count": `+strconv.Itoa(count)+`, "trade_distances": [`+dists+`]}, "cross": {"count": 0}},
  "delta"`, 1)
	}
	base := writeFile(t, filepath.Join(dir, "base.json"), withLiq(2, "0.1, 0.2"))
	writeSummary(t, filepath.Join(dir, "same", "summary.json"), withLiq(2, "0.1, 0.2"))
	mustBT(t, 0, "check", filepath.Join(dir, "same"), "--baseline", base)
	writeSummary(t, filepath.Join(dir, "count", "summary.json"), withLiq(3, "0.1, 0.2"))
	out, _ := mustBT(t, 1, "check", filepath.Join(dir, "count"), "--baseline", base)
	if !strings.Contains(out, "liquidation.count") {
		t.Errorf("diff:\n%s", out)
	}
	writeSummary(t, filepath.Join(dir, "dist", "summary.json"), withLiq(2, "0.1, 0.25"))
	out, _ = mustBT(t, 1, "check", filepath.Join(dir, "dist"), "--baseline", base)
	if !strings.Contains(out, "liquidation.trade_distances") {
		t.Errorf("diff:\n%s", out)
	}
}

// fillsHeader is the header of a run directory's fills.csv.
const fillsHeader = "time,order_id,symbol,side,qty,price,fee,realized_pnl,maker,liquidation,tag\n"

// miniRun writes a hand-made run directory: baselineSummary with the isolated fingerprint
// fp, and isolated/fills.csv with the given data rows.
func miniRun(t *testing.T, dir, fp string, fills ...string) string {
	t.Helper()
	writeSummary(t, filepath.Join(dir, "summary.json"), strings.Replace(baselineSummary, `"ab12"`, strconv.Quote(fp), 1))
	writeFile(t, filepath.Join(dir, "isolated", "fills.csv"), fillsHeader+strings.Join(fills, "\n")+"\n")
	return dir
}

const (
	fill1 = "2025-10-10T20:00:00.000Z,1,BTCUSDT,buy,0.5,60000,15,0,false,false,entry"
	fill2 = "2025-10-10T21:00:00.000Z,2,BTCUSDT,sell,0.5,61000,15.25,500,false,false,exit"
)

// TestCheckFillTolerance: a fill whose price moved by less than --rtol passes (the changed
// fingerprint is settled by the records), a larger move fails and is shown side by side.
func TestCheckFillTolerance(t *testing.T) {
	dir := t.TempDir()
	base := miniRun(t, filepath.Join(dir, "base"), "ab12", fill1, fill2)
	// 61000 → 61000.03: relative change 4.9e-7.
	small := miniRun(t, filepath.Join(dir, "small"), "ff01", fill1, strings.Replace(fill2, "61000", "61000.03", 1))
	// 61000 → 61061: relative change 1.0e-3.
	large := miniRun(t, filepath.Join(dir, "large"), "ff02", fill1, strings.Replace(fill2, "61000", "61061", 1))

	out, _ := mustBT(t, 0, "check", small, "--baseline", base, "--rtol", "1e-6")
	if !strings.Contains(out, "fingerprint differs, but every record is equal within the tolerances") {
		t.Errorf("within tolerance:\n%s", out)
	}
	// The same change beyond the default tolerance, and a larger one beyond 1e-6, drift.
	for _, run := range []string{small, large} {
		rtol := "1e-6"
		if run == small {
			rtol = "1e-9"
		}
		out, _ = mustBT(t, 1, "check", run, "--baseline", base, "--rtol", rtol)
		price := ""
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, " price ") {
				price = l
			}
		}
		f := strings.Fields(price)
		if len(f) != 6 || f[0] != "*" || f[2] != "61000" || f[3] != "|" || (f[4] != "61000.03" && f[4] != "61061") {
			t.Errorf("rtol %s: price line %q, want it marked and side by side:\n%s", rtol, price, out)
		}
		for _, want := range []string{"isolated/fills.csv: 1 record(s) drifted", "record 2 (line 3 of fills.csv)",
			"field", "baseline", "new", "2025-10-10T21:00:00.000Z"} {
			if !strings.Contains(out, want) {
				t.Errorf("rtol %s: output lacks %q:\n%s", rtol, want, out)
			}
		}
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, " qty ") && strings.HasPrefix(strings.TrimSpace(l), "*") {
				t.Errorf("an equal field is marked: %q", l)
			}
		}
	}
	// --json carries the records.
	out, _ = mustBT(t, 1, "check", large, "--baseline", base, "--rtol", "1e-6", "--json")
	var rep checkReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Records) != 1 || rep.Records[0].Drifted != 1 || rep.Records[0].First[0].Row != 2 {
		t.Errorf("--json records: %+v", rep.Records)
	}
	// A missing record is drift, shown against "(no record)".
	short := miniRun(t, filepath.Join(dir, "short"), "ff03", fill1)
	out, _ = mustBT(t, 1, "check", short, "--baseline", base, "--rtol", "1", "--atol", "1e9")
	if !strings.Contains(out, "(no record)") || !strings.Contains(out, "(2 baseline, 1 new records)") {
		t.Errorf("missing record:\n%s", out)
	}
	// Without the baseline's records a changed fingerprint stays drift, and says why.
	out, _ = mustBT(t, 1, "check", small, "--baseline", writeFile(t, filepath.Join(dir, "bare.json"), baselineSummary), "--rtol", "1")
	if !strings.Contains(out, "records are not") || !strings.Contains(out, "fingerprint") {
		t.Errorf("bare baseline:\n%s", out)
	}
	// A malformed record file is bad input.
	bad := miniRun(t, filepath.Join(dir, "bad"), "ff04", fill1, `2025-10-10T21:00:00.000Z,"2`)
	code, _, errs := bt(t, "check", bad, "--baseline", base)
	if code != 2 || !strings.Contains(errs, "fills.csv") {
		t.Errorf("malformed fills.csv: exit %d, stderr %q; want 2 naming the file", code, errs)
	}
}

// TestCheckTimesAsTimes: Unix-ms timestamps print as RFC 3339 UTC, ms durations as hours.
func TestCheckTimesAsTimes(t *testing.T) {
	dir := t.TempDir()
	doc := func(ruin int64, entryToLiq int64) string {
		return strings.NewReplacer(`"ruined": false}`, `"ruined": true, "ruin_time": `+strconv.FormatInt(ruin, 10)+`}`,
			`"delta"`, `"liquidation": {"isolated": {"entry_to_liquidation_min": `+strconv.FormatInt(entryToLiq, 10)+
				`, "time_above_0_5": 1500}}, "delta"`).Replace(baselineSummary)
	}
	base := writeFile(t, filepath.Join(dir, "base.json"), doc(1760130000000, 32400000))
	writeSummary(t, filepath.Join(dir, "run", "summary.json"), doc(1760133600000, 36000000))
	out, _ := mustBT(t, 1, "check", filepath.Join(dir, "run"), "--baseline", base)
	for _, want := range []string{"2025-10-10T21:00:00Z", "2025-10-10T22:00:00Z", "9 h", "10 h"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, raw := range []string{"1760130000000", "1.76013e+12", "32400000", "3.24e+07"} {
		if strings.Contains(out, raw) {
			t.Errorf("output shows raw milliseconds %q:\n%s", raw, out)
		}
	}
	if got := fmtDuration(1500); got != "1.5 s" {
		t.Errorf("fmtDuration(1500) = %q", got)
	}
	if got := fmtDuration(255600000 * 2); got != "142 h (5.9 d)" {
		t.Errorf("fmtDuration = %q", got)
	}
}

// TestCheckHelpExitCodes: the help documents the exit codes and the tolerances.
func TestCheckHelpExitCodes(t *testing.T) {
	out, _ := mustBT(t, 0, "check", "--help")
	for _, want := range []string{"Exit codes:", "0  equal within the tolerances", "1  drift", "2  bad input", "--rtol", "every numeric value"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q:\n%s", want, out)
		}
	}
}

// TestCheckColumnWidth runs bt check through every kind of output and fails on a line wider
// than 99 columns.
func TestCheckColumnWidth(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("a very long tag ", 12)
	base := miniRun(t, filepath.Join(dir, "b"), "9018f3576b8c04093907023644759ad145c7f5351fe285cb2c1b4c197b9ca423", fill1, fill2)
	run := miniRun(t, filepath.Join(dir, "r"), "26b191cb874b4122f9d6d3f7209d1d07b243cbb7af8b5b0724e7b796dd8fb445",
		fill1, strings.NewReplacer("61000", "61000.000000000123456789", "exit", long).Replace(fill2), fill2)
	liq := strings.Replace(baselineSummary, `"delta"`, `"liquidation": {"isolated": {"entry_to_liquidation_median": 255600000, "time_total": 25401600000, `+
		`"distances_of_every_trade_with_long_name": [0.1234567, 0.2234567, 0.3234567, 0.4234567]}}, "delta"`, 1)
	liq2 := strings.NewReplacer("255600000", "255700000", "25401600000", "25401700000", "0.4234567", "0.4334567", `"cd34"`,
		strconv.Quote(strings.Repeat("f", 64)), `"ruined": false}`, `"ruined": false, "a_new_metric_with_a_long_name": 1, "another_new_metric_with_a_long_name": 2}`).Replace(liq)
	lb := writeSummary(t, filepath.Join(dir, "lb", "summary.json"), liq)
	lr := writeSummary(t, filepath.Join(dir, "lr", "summary.json"), liq2)
	runs := [][]string{
		{"check", "--help"},
		{"check", base, "--baseline", base},
		{"check", run, "--baseline", base},
		{"check", run, "--baseline", base, "--rtol", "1e-3"},
		{"check", run, "--baseline", base, "--show", "10"},
		{"check", lr, "--baseline", lb},
		{"check", filepath.Join(dir, "none"), "--baseline", base},
	}
	for _, args := range runs {
		_, out, errs := bt(t, args...)
		for _, l := range strings.Split(out+errs, "\n") {
			if n := utf8.RuneCountInString(l); n > 99 {
				t.Errorf("bt %s: line of %d columns:\n%s", strings.Join(args, " "), n, l)
			}
		}
	}
}

// TestCheckRealRecords: a real run against a copy whose first fill price moved by 1e-7
// (relative) passes with --rtol 1e-6 and fails with the default tolerance.
func TestCheckRealRecords(t *testing.T) {
	_, dir := fixtureRun(t, "--no-report")
	cp := filepath.Join(t.TempDir(), "base")
	if err := os.CopyFS(cp, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	fills := filepath.Join(cp, "isolated", "fills.csv")
	f, err := os.Open(fills)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) < 2 {
		t.Fatalf("fills.csv: %d rows, %v", len(rows), err)
	}
	p, err := strconv.ParseFloat(rows[1][5], 64)
	if err != nil {
		t.Fatal(err)
	}
	rows[1][5] = strconv.FormatFloat(p*(1+1e-7), 'g', -1, 64)
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.WriteAll(rows)
	writeFile(t, fills, b.String())
	sum, err := os.ReadFile(filepath.Join(cp, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(sum, &doc); err != nil {
		t.Fatal(err)
	}
	doc["accounts"].(map[string]any)["isolated"].(map[string]any)["fingerprint"] = "changed"
	nb, _ := json.Marshal(doc)
	writeSummary(t, filepath.Join(cp, "summary.json"), string(nb))

	mustBT(t, 0, "check", dir, "--baseline", cp, "--rtol", "1e-6")
	out, _ := mustBT(t, 1, "check", dir, "--baseline", cp)
	if !strings.Contains(out, "isolated/fills.csv: 1 record(s) drifted") {
		t.Errorf("output:\n%s", out)
	}
}
