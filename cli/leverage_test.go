package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A leverage study: --leverage 2, 5 and 10 on the same strategy and data give three different
// runs, and each run's summary.json, printout and config.resolved.yaml show the leverage used.
// (Before leverage belonged to the account, the strategy's own leverage parameter won and the
// three runs were identical.)
func TestLeverageStudy(t *testing.T) {
	tmp := t.TempDir()
	store := filepath.Join(tmp, "store")
	makeStore(t, store, 400)
	fingerprints := map[string]string{}
	for _, lev := range []string{"2", "5", "10"} {
		dir := filepath.Join(tmp, "lev"+lev)
		out, _ := mustBT(t, 0, "run", "--data", store, "--strategy", "hodl", "--out", dir, "--no-report",
			"--set", "strategy.params.every=12", "--set", "strategy.params.amount=500", "--leverage", lev)
		if want := "leverage " + lev + "x on every symbol"; !strings.Contains(out, want) {
			t.Errorf("--leverage %s: the printout lacks %q:\n%s", lev, want, out)
		}
		var sum struct {
			Leverage map[string]int `json:"leverage"`
			Accounts map[string]struct {
				Fingerprint string `json:"fingerprint"`
			} `json:"accounts"`
		}
		b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &sum); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"BTCUSDT", "ETHUSDT"} {
			if got := sum.Leverage[s]; lev != itoa(got) {
				t.Errorf("--leverage %s: summary.json leverage of %s = %d", lev, s, got)
			}
		}
		fp := sum.Accounts["isolated"].Fingerprint + sum.Accounts["cross"].Fingerprint
		for other, f := range fingerprints {
			if f == fp {
				t.Errorf("--leverage %s and --leverage %s give identical runs", lev, other)
			}
		}
		fingerprints[lev] = fp
		res, _ := os.ReadFile(filepath.Join(dir, "config.resolved.yaml"))
		if want := "BTCUSDT: " + lev + "\n"; !strings.Contains(string(res), want) {
			t.Errorf("--leverage %s: config.resolved.yaml lacks %q:\n%s", lev, want, res)
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// Invalid leverage values exit 2 naming the allowed range; a strategy leverage parameter is
// refused with a pointer to the account setting.
func TestLeverageErrors(t *testing.T) {
	tmp := t.TempDir()
	store := filepath.Join(tmp, "store")
	makeStore(t, store, 50)
	exp := writeFile(t, filepath.Join(tmp, "exp.yaml"), "leverage:\n  default: 2.5\n")
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"zero", []string{"--leverage", "0"}, "leverage.default: 0: want 1 to 125, a whole number"},
		{"negative", []string{"--leverage", "-3"}, "-3: want 1 to 125"},
		{"fraction", []string{"--leverage", "1.5"}, "1.5: want 1 to 125, a whole number"},
		{"fraction in a file", []string{"-c", exp}, "exp.yaml:2: leverage.default: 2.5: want 1 to 125"},
		{"fraction per symbol", []string{"--set", "leverage.symbols.BTCUSDT=7.5"}, "--set leverage.symbols.BTCUSDT: 7.5: want 1 to 125"},
		{"above every table", []string{"--leverage", "126"}, "126: want 1 to 125"},
		{"above the symbol's table", []string{"--set", "leverage.symbols.ETHUSDT=125", "--set", "brackets.snapshot=2022-02-12"},
			"leverage.symbols.ETHUSDT: 125: ETHUSDT allows leverage 1 to 100 (its Binance bracket table of 2022-02-12)"},
		{"strategy parameter", []string{"--set", "strategy.params.leverage=3"},
			"strategy.params.leverage: leverage belongs to the account, not to the strategy: set leverage.default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"run", "--data", store, "--strategy", "hodl", "--no-report", "--out", filepath.Join(tmp, "out")}, tt.args...)
			code, _, errs := bt(t, args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2; stderr: %s", code, errs)
			}
			if !strings.Contains(strings.ReplaceAll(errs, exp, "exp.yaml"), tt.msg) {
				t.Errorf("stderr %q does not contain %q", errs, tt.msg)
			}
		})
	}
}
