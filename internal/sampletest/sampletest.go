package sampletest

import (
	"testing"
	"time"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/data/parquet"
	"github.com/bt-backtest/bt/data/sample"
)

// Source returns a bttest.Case source replaying the sample's 1h data of symbols (nil: all)
// over [start, end), both RFC 3339 dates such as "2025-10-01". It panics on a malformed date
// (a programmer's constant); open errors fail the test.
func Source(symbols []string, start, end string) func(t testing.TB) backtest.Source {
	s, e := day(start), day(end)
	return func(t testing.TB) backtest.Source {
		t.Helper()
		store, err := sample.Open()
		if err != nil {
			t.Fatalf("sample: %v", err)
		}
		st, err := store.Stream(parquet.StreamOptions{Symbols: symbols, Interval: "1h", Start: s, End: e})
		if err != nil {
			t.Fatalf("sample stream: %v", err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
}

func day(s string) int64 {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic("sampletest: bad date " + s)
	}
	return t.UnixMilli()
}
