package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
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

func TestCheckSame(t *testing.T) {
	dir := t.TempDir()
	base := writeFile(t, filepath.Join(dir, "base", "summary.json"), baselineSummary)
	writeFile(t, filepath.Join(dir, "run", "summary.json"), baselineSummary)
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
	writeFile(t, filepath.Join(dir, "run", "summary.json"), strings.Replace(baselineSummary, "9500.25", "9500.26", 1))
	mustBT(t, 1, "check", filepath.Join(dir, "run"), "--baseline", base)
	mustBT(t, 0, "check", filepath.Join(dir, "run"), "--baseline", base, "--rtol", "1e-5")
}

func TestCheckDrift(t *testing.T) {
	dir := t.TempDir()
	base := writeFile(t, filepath.Join(dir, "base.json"), baselineSummary)
	cur := strings.NewReplacer(`"liquidations": 2`, `"liquidations": 3`, `"cd34"`, `"ee99"`, `"ruined": false}`+"\n  },", `"ruined": false, "sharpe": 1.2}`+"\n  },").Replace(baselineSummary)
	writeFile(t, filepath.Join(dir, "run", "summary.json"), cur)
	out, _ := mustBT(t, 1, "check", filepath.Join(dir, "run"), "--baseline", base)
	for _, want := range []string{"DRIFT", "2 of 10 values", "isolated", "liquidations", "2", "3", "3.333e-01", "fingerprint", "cd34", "ee99", "new metrics not in the baseline: [cross.sharpe]"} {
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
	writeFile(t, filepath.Join(dir, "run", "summary.json"), `{"accounts": {"isolated": {"final_equity": 9500.25, "total_return": -0.049975, "liquidations": 2, "fingerprint": "ab12", "ruined": false}, "mix": {}}}`)
	out, _ := mustBT(t, 1, "check", filepath.Join(dir, "run"), "--baseline", base)
	if !strings.Contains(out, "cross") || !strings.Contains(out, "missing") || !strings.Contains(out, "mix") {
		t.Errorf("diff:\n%s", out)
	}
}

func TestCheckInputErrors(t *testing.T) {
	dir := t.TempDir()
	base := writeFile(t, filepath.Join(dir, "base.json"), baselineSummary)
	bad := writeFile(t, filepath.Join(dir, "bad", "summary.json"), `{"accounts": `)
	empty := writeFile(t, filepath.Join(dir, "empty", "summary.json"), `{}`)
	tests := []struct {
		args []string
		msg  string
	}{
		{[]string{filepath.Join(dir, "none"), "--baseline", base}, "no such file"},
		{[]string{dir, "--baseline", base}, "no summary.json"},
		{[]string{filepath.Dir(bad), "--baseline", base}, "invalid JSON"},
		{[]string{filepath.Dir(empty), "--baseline", base}, "not a bt summary.json"},
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
	base := writeFile(t, filepath.Join(t.TempDir(), "summary.json"), string(nb))
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
	writeFile(t, filepath.Join(dir, "same", "summary.json"), withLiq(2, "0.1, 0.2"))
	mustBT(t, 0, "check", filepath.Join(dir, "same"), "--baseline", base)
	writeFile(t, filepath.Join(dir, "count", "summary.json"), withLiq(3, "0.1, 0.2"))
	out, _ := mustBT(t, 1, "check", filepath.Join(dir, "count"), "--baseline", base)
	if !strings.Contains(out, "liquidation.count") {
		t.Errorf("diff:\n%s", out)
	}
	writeFile(t, filepath.Join(dir, "dist", "summary.json"), withLiq(2, "0.1, 0.25"))
	out, _ = mustBT(t, 1, "check", filepath.Join(dir, "dist"), "--baseline", base)
	if !strings.Contains(out, "liquidation.trade_distances") {
		t.Errorf("diff:\n%s", out)
	}
}
