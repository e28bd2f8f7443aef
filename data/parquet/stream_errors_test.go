package parquet

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/data"
)

// goWords are the Go identifiers of StreamOptions that errors once asked users to "set".
var goWords = regexp.MustCompile(`\b(Start|End|Interval|Source|Symbols|StreamOptions)\b`)

// TestStreamErrorsForPeople: a selection the store cannot serve is refused with a message
// that names what was asked, what the store has (symbols, intervals, sources, the span of the
// data), and never a Go identifier.
func TestStreamErrorsForPeople(t *testing.T) {
	s := mustCreate(t)
	mustWrite(t, s, kl("BTCUSDT"), genKlines(t0, 10, 1, false)) // 2025-05-31T20:00Z, 10 hours
	mustWrite(t, s, kl("ETHUSDT"), genKlines(t0+2*hour, 4, 2, false))
	d := t0 + 100*24*hour
	tests := []struct {
		name string
		opt  StreamOptions
		want []string
		is   error
	}{
		{"empty range", StreamOptions{Start: t0, End: t0}, []string{"time range is empty", "2025-05-31T20:00Z"}, nil},
		{"unknown symbol", StreamOptions{Symbols: []string{"BTCUSDT", "DOGEUSDT"}},
			[]string{"no 1h klines of DOGEUSDT from test", "the store has klines of BTCUSDT, ETHUSDT at 1h from test"}, ErrNoData},
		{"unknown interval", StreamOptions{Interval: "5m"},
			[]string{"no klines at interval 5m", "the store has klines of BTCUSDT, ETHUSDT at 1h from test"}, ErrNoData},
		{"after the data", StreamOptions{Start: d, Symbols: []string{"ETHUSDT"}},
			[]string{"no 1h klines of ETHUSDT from test in the time range from 2025-09-08T20:00Z",
				"the store holds ETHUSDT from 2025-05-31T22:00Z to 2025-06-01T02:00Z"}, ErrNoData},
		{"before the data, all symbols", StreamOptions{End: t0},
			[]string{"no 1h klines of BTCUSDT, ETHUSDT", "before 2025-05-31T20:00Z",
				"BTCUSDT from 2025-05-31T20:00Z to 2025-06-01T06:00Z; ETHUSDT from 2025-05-31T22:00Z to 2025-06-01T02:00Z"}, ErrNoData},
		// A requested symbol without rows in the range is an error even when another has some.
		{"one symbol outside", StreamOptions{Start: t0 + 7*hour, Symbols: []string{"BTCUSDT", "ETHUSDT"}},
			[]string{"no 1h klines of ETHUSDT", "the store holds ETHUSDT from"}, ErrNoData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Stream(tt.opt)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			if m := goWords.FindString(err.Error()); m != "" {
				t.Errorf("error %q names the Go identifier %s", err, m)
			}
		})
	}
	// Without explicit symbols, a range that some symbol covers streams the others' absence.
	if _, err := s.Stream(StreamOptions{Start: t0 + 7*hour}); err != nil {
		t.Errorf("range covered by BTCUSDT only: %v", err)
	}

	// Several intervals or sources: choose one, with the flag and the experiment key named.
	mustWrite(t, s, data.Series{Symbol: "BTCUSDT", Kind: data.KindKlines, Interval: "1m", Source: "test"}, []data.Kline{{OpenTime: t0, Open: 1, High: 1, Low: 1, Close: 1}})
	_, err := s.Stream(StreamOptions{})
	if err == nil || !strings.Contains(err.Error(), "several intervals (1h, 1m): choose one (--interval, data.interval)") || goWords.MatchString(err.Error()) {
		t.Errorf("several intervals: %v", err)
	}
	mustWrite(t, s, data.Series{Symbol: "BTCUSDT", Kind: data.KindKlines, Interval: "1h", Source: "other"}, genKlines(t0, 2, 1, false))
	_, err = s.Stream(StreamOptions{Interval: "1h"})
	if err == nil || !strings.Contains(err.Error(), "several sources (other, test): choose one (--origin, data.origin)") || goWords.MatchString(err.Error()) {
		t.Errorf("several sources: %v", err)
	}
}
