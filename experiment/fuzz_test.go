package experiment

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoadExperiment: any file content and any --set Override either loads into a valid
// experiment or fails with a *ConfigError; it never panics. Seed corpus:
// testdata/fuzz/FuzzLoadExperiment and the shipped experiments.
func FuzzLoadExperiment(f *testing.F) {
	if files, err := filepath.Glob("../experiments/*.yaml"); err == nil {
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(string(b), "costs.slippage_bps=2")
			}
		}
	}
	f.Add("margin: {mode: both, mixes: {m: {isolated: [BTCUSDT]}}}\n", "margin.mixes.m.default=isolated")
	f.Add("account: {wallet: 1e3}\n", "account.wallet=0.1")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, content, set string) {
		path := filepath.Join(dir, "exp.yaml")
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		var ov []Override
		if k, v, ok := strings.Cut(set, "="); ok {
			ov = append(ov, Override{Path: k, Value: v, Origin: "--set"})
		}
		x, _, err := loadExperiment(path, ov)
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v (%T) is not a *ConfigError", err, err)
			}
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		// A loaded experiment is valid and round-trips through config.resolved.yaml.
		if x.Strategy.Name == "" || !x.Account.Wallet.IsPositive() || x.Leverage.Default < 1 {
			t.Fatalf("invalid experiment loaded: %+v", x)
		}
		b, err := x.marshalResolved("")
		if err != nil {
			t.Fatal(err)
		}
		p2 := filepath.Join(dir, "resolved.yaml")
		if err := os.WriteFile(p2, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, _, err := loadExperiment(p2, nil); err != nil {
			t.Fatalf("resolved config does not load: %v\n%s", err, b)
		}
	})
}
