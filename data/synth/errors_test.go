package synth

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestOptionErrorsForPeople: the mistakes a user of bt data synth can make are explained with
// the flag to change and what is allowed, never with the Go field names of Options (the issue
// quoted "bad options: End…").
func TestOptionErrorsForPeople(t *testing.T) {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	base := Options{Start: start, End: start.AddDate(0, 0, 2), Seed: 1}
	goWords := regexp.MustCompile(`\b(Start|End|Correlation|AnnualVol|Symbols|Crashes|Options)\b`)
	for _, tc := range []struct {
		name string
		mod  func(o *Options)
		want []string
	}{
		{"end before start", func(o *Options) { o.End = start.AddDate(0, 0, -1) },
			[]string{"the end (2024-12-31T00:00:00Z) is not after the start (2025-01-01T00:00:00Z)"}},
		{"no end", func(o *Options) { o.End = time.Time{} }, []string{"--start, --end"}},
		{"unknown symbol", func(o *Options) { o.Symbols = []string{"FOOUSDT"} },
			[]string{`unknown symbol "FOOUSDT"`, "the synthetic universe has BTCUSDT, ETHUSDT"}},
		{"correlation", func(o *Options) { o.Correlation = 1 }, []string{"correlation 1 (--corr)", "less than 1"}},
		{"volatility", func(o *Options) { o.Assets = []Asset{{Symbol: "A", Price: 1, Tick: 0.1, AnnualVol: 11}} }, []string{"(--vol, at most 10)"}},
		{"crash outside", func(o *Options) { o.Crashes = []Crash{{Time: start.AddDate(1, 0, 0), Size: -0.2}} },
			[]string{"(--crash): its time is outside the simulated range 2025-01-01T00:00:00Z to 2025-01-03T00:00:00Z"}},
		{"crash size", func(o *Options) { o.Crashes = []Crash{{Time: start, Size: -1}} }, []string{"size -1: want a number > -1"}},
		{"crash symbol", func(o *Options) {
			o.Symbols = []string{"BTCUSDT"}
			o.Crashes = []Crash{{Time: start, Size: -0.2, Symbol: "ETHUSDT"}}
		}, []string{"ETHUSDT is not among the simulated symbols (BTCUSDT)"}},
	} {
		o := base
		tc.mod(&o)
		err := o.Validate()
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q lacks %q", tc.name, err, w)
			}
		}
		if m := goWords.FindString(err.Error()); m != "" {
			t.Errorf("%s: %q names the Go field %s", tc.name, err, m)
		}
	}
}
