package backtest

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/backtest/margin"
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

// Account actions refuse an unknown symbol, a ledger refusal and a stopped account with a
// *RejectError naming the action, recorded in Rejects.
func TestAccountActionRefusals(t *testing.T) {
	bars := OHLC("AAA", t0, hr, [4]float64{100, 101, 99, 100}, [4]float64{100, 101, 99, 100})
	type call struct {
		action string
		err    error
	}
	calls := map[string][]call{}
	res := run(t, testConfig("AAA"), NewSliceSource([]string{"AAA"}, Batches(bars, nil, nil)), func() Strategy {
		return StrategyFunc(func(br *Broker, b Bar) error {
			if b.Time != t0 {
				return nil
			}
			acct := br.Account()
			calls[acct] = append(calls[acct],
				call{"leverage", br.SetLeverage("ZZZ", 5)},
				call{"mode", br.SetMarginMode("ZZZ", margin.Isolated)},
				call{"margin", br.AddMargin("ZZZ", d("1"))},
				call{"leverage", br.SetLeverage("AAA", 1000)},
				call{"margin", br.AddMargin("AAA", d("-1000"))}, // no isolated wallet to take from
			)
			br.a.stop()
			calls[acct] = append(calls[acct], call{"leverage", br.SetLeverage("AAA", 5)})
			return nil
		})
	})
	want := []error{ErrUnknownSymbol, ErrUnknownSymbol, ErrUnknownSymbol, nil, nil, ErrStopped}
	for _, a := range res.Accounts {
		if len(calls[a.Name]) != len(want) {
			t.Fatalf("%s: %d calls, want %d", a.Name, len(calls[a.Name]), len(want))
		}
		for k, c := range calls[a.Name] {
			var re *RejectError
			if !errors.As(c.err, &re) || re.Action != c.action {
				t.Errorf("%s call %d: err %v, want a *RejectError of action %q", a.Name, k, c.err, c.action)
				continue
			}
			if w := want[k]; w != nil && !errors.Is(c.err, w) {
				t.Errorf("%s call %d: err %v, want %v", a.Name, k, c.err, w)
			}
		}
		if len(a.Rejects) != len(want) {
			t.Errorf("%s: %d rejects recorded, want %d", a.Name, len(a.Rejects), len(want))
		}
	}
}

// A refusal of the margin rules reaches the strategy as one *RejectError naming the reason
// once, and errors.Is still matches the margin sentinel.
func TestRejectErrorTakesMarginReason(t *testing.T) {
	err := error(newReject(Order{Symbol: "AAA"}, "leverage",
		&margin.RejectError{Symbol: "AAA", Action: "leverage", Reason: margin.ErrLeverageTooHigh}))
	if !errors.Is(err, margin.ErrLeverageTooHigh) {
		t.Errorf("errors.Is(%v, margin.ErrLeverageTooHigh) = false", err)
	}
	var re *RejectError
	if !errors.As(err, &re) || re.Reason != margin.ErrLeverageTooHigh || re.Action != "leverage" {
		t.Errorf("errors.As: %+v, want Reason margin.ErrLeverageTooHigh, Action leverage", re)
	}
	if got, want := err.Error(), "backtest: AAA leverage rejected: margin: leverage above the bracket maximum"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got := rejectCode(err); got != "leverage_too_high" {
		t.Errorf("rejectCode = %q, want leverage_too_high", got)
	}

	// through the broker: a ledger refusal and an engine refusal of a reduce-only order
	bars := OHLC("AAA", t0, hr, [4]float64{100, 101, 99, 100}, [4]float64{100, 101, 99, 100})
	var errs []error
	run(t, testConfig("AAA"), NewSliceSource([]string{"AAA"}, Batches(bars, nil, nil)), func() Strategy {
		return StrategyFunc(func(br *Broker, b Bar) error {
			if b.Time == t0 && len(errs) == 0 {
				errs = append(errs, br.SetLeverage("AAA", 1000))
				_, err := br.Submit(Order{Symbol: "AAA", Side: Sell, Type: Market, Qty: d("1"), ReduceOnly: true})
				errs = append(errs, err)
			}
			return nil
		})
	})
	for k, want := range []struct {
		err  error
		text string
	}{
		{margin.ErrLeverageTooHigh, "backtest: AAA leverage rejected: margin: leverage above the bracket maximum"},
		{margin.ErrReduceOnly, "backtest: AAA order rejected: margin: reduce-only order would increase the position"},
	} {
		if k >= len(errs) {
			t.Fatalf("%d errors, want 2", len(errs))
		}
		if !errors.Is(errs[k], want.err) || errs[k].Error() != want.text {
			t.Errorf("call %d: %v, want %q (errors.Is %v)", k, errs[k], want.text, want.err)
		}
	}
}

// vouching is a SliceSource that says its batches are checked (CheckedSource).
type vouching struct {
	SliceSource
	ok bool
}

func (v *vouching) Checked() bool { return v.ok }

// A source that vouches for its batches (CheckedSource, as data/parquet's Stream does after
// validating every row) is not checked again; one that does not, or answers false, is.
func TestCheckedSourceSkipsTheChecks(t *testing.T) {
	inverted := OHLC("AAA", t0, hr, [4]float64{100, 101, 99, 100}, [4]float64{100, 99, 101, 100})
	noop := func() Strategy { return StrategyFunc(func(*Broker, Bar) error { return nil }) }
	for _, tc := range []struct {
		src  Source
		fail bool
	}{
		{NewSliceSource([]string{"AAA"}, Batches(inverted, nil, nil)), true},
		{&vouching{*NewSliceSource([]string{"AAA"}, Batches(inverted, nil, nil)), false}, true},
		{&vouching{*NewSliceSource([]string{"AAA"}, Batches(inverted, nil, nil)), true}, false},
	} {
		_, err := Run(context.Background(), testConfig("AAA"), noop, tc.src)
		if tc.fail != (err != nil) || err != nil && !errors.Is(err, ErrBadSource) {
			t.Errorf("%T: err = %v, want failure %v", tc.src, err, tc.fail)
		}
	}
}
