package backtest

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
)

type failingSource struct{ SliceSource }

func (f *failingSource) Err() error { return errors.New("disk on fire") }

// Bad input gives a clear error naming what is wrong; nothing panics.
func TestRunErrors(t *testing.T) {
	good := OHLC("AAA", t0, hr, [4]float64{100, 101, 99, 100}, [4]float64{100, 101, 99, 100})
	nan := OHLC("AAA", t0, hr, [4]float64{100, 101, 99, 100}, [4]float64{100, math.NaN(), 99, 100})
	inverted := OHLC("AAA", t0, hr, [4]float64{100, 99, 101, 100})
	noop := func() Strategy { return StrategyFunc(func(*Broker, Bar) error { return nil }) }
	failing := func() Strategy {
		return StrategyFunc(func(*Broker, Bar) error { return errors.New("boom") })
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name  string
		ctx   context.Context
		cfg   Config
		src   Source
		strat func() Strategy
		is    error
		text  string
	}{
		{"nan price", context.Background(), testConfig("AAA"), NewSliceSource([]string{"AAA"}, Batches(nan, nil, nil)), noop, ErrBadSource, "Bars[0] AAA"},
		{"high below low", context.Background(), testConfig("AAA"), NewSliceSource([]string{"AAA"}, Batches(inverted, nil, nil)), noop, ErrBadSource, "low <= open"},
		{"unknown symbol", context.Background(), testConfig("BBB"), NewSliceSource([]string{"BBB"}, Batches(good, nil, nil)), noop, ErrBadSource, `"AAA"`},
		{"source error", context.Background(), testConfig("AAA"), &failingSource{*NewSliceSource([]string{"AAA"}, Batches(good, nil, nil))}, noop, ErrBadSource, "disk on fire"},
		{"empty", context.Background(), testConfig("AAA"), NewSliceSource([]string{"AAA"}, nil), noop, ErrBadSource, "no data"},
		{"no symbols", context.Background(), testConfig(), NewSliceSource(nil, nil), noop, ErrNoSymbols, ""},
		{"strategy error", context.Background(), testConfig("AAA"), NewSliceSource([]string{"AAA"}, Batches(good, nil, nil)), failing, ErrStrategyFailed, "boom"},
		{"bad config", context.Background(), Config{SlippageBps: -1}, NewSliceSource([]string{"AAA"}, Batches(good, nil, nil)), noop, ErrBadConfig, "SlippageBps"},
		{"duplicate setup", context.Background(), Config{Setups: []Setup{{Name: "a"}, {Name: "a"}}}, NewSliceSource([]string{"AAA"}, Batches(good, nil, nil)), noop, ErrBadConfig, "duplicate"},
		{"leverage above bracket", context.Background(), func() Config { c := testConfig("AAA"); c.DefaultLeverage = 150; return c }(), NewSliceSource([]string{"AAA"}, Batches(good, nil, nil)), noop, ErrBadConfig, "leverage 150"},
		{"unknown leverage symbol", context.Background(), func() Config { c := testConfig("AAA"); c.Leverage = map[string]int{"AAAX": 5}; return c }(), NewSliceSource([]string{"AAA"}, Batches(good, nil, nil)), noop, ErrBadConfig, `"AAAX"`},
		{"cancelled", cancelled, testConfig("AAA"), NewSliceSource([]string{"AAA"}, Batches(good, nil, nil)), noop, context.Canceled, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Run(tc.ctx, tc.cfg, tc.strat, tc.src)
			if !errors.Is(err, tc.is) || !strings.Contains(errString(err), tc.text) {
				t.Errorf("err = %v, want %v containing %q", err, tc.is, tc.text)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
