package backtest

import (
	"fmt"
	"testing"

	"github.com/bt-backtest/bt/backtest/margin"
)

// A 1000-unit market buy at 100 on a 1000 wallet needs 100000/20 = 5000 of initial margin:
// refused at placement, twice; a reduce-only sell on a flat position is refused too. At bar 1
// a long 1 is closed by a market sell and a reduce-only market sell that arrives with it: the
// second is refused when it would fill, at the open of bar 2 (101, no slippage).
func TestRejectionsCounted(t *testing.T) {
	bars := OHLC("AAA", t0, hr,
		[4]float64{100, 100.5, 99.5, 100},
		[4]float64{100, 101, 99, 100},
		[4]float64{101, 102, 100, 101},
	)
	huge := buy("AAA", "1000")
	huge.Tag = "replay row 7"
	ro := Order{Symbol: "AAA", Side: Sell, Type: Market, Qty: d("1"), ReduceOnly: true}
	res := run(t, testConfig("AAA"), NewSliceSource([]string{"AAA"}, Batches(bars, nil, nil)), func() Strategy {
		return &script{at: map[int][]Order{0: {huge, ro, huge, buy("AAA", "1")}, 1: {sell("AAA", "1"), ro}}}
	})
	for _, a := range res.Accounts {
		if len(a.Rejects) != 4 {
			t.Fatalf("%s: rejects %+v, want 4", a.Name, a.Rejects)
		}
		r := a.Rejects[0]
		if r.Code != "insufficient_margin" || r.Side != Buy || r.Type != Market || !r.Qty.Equal(d("1000")) ||
			!r.Price.Equal(d("100")) || r.Tag != "replay row 7" || r.OrderID != 0 || r.Time != t0+hr {
			t.Errorf("%s: placement reject %+v", a.Name, r)
		}
		if r := a.Rejects[3]; r.Code != "reduce_only" || r.OrderID == 0 || !r.Price.Equal(d("101")) || r.Time != t0+2*hr {
			t.Errorf("%s: fill-time reject %+v, want reduce_only at 101", a.Name, r)
		}
		got := a.RejectCounts()
		want := []struct {
			action, code, reason string
			n                    int
		}{{"order", "insufficient_margin", "insufficient margin", 2}, {"order", "reduce_only", "reduce-only order would increase the position", 2}}
		if len(got) != len(want) {
			t.Fatalf("%s: counts %+v", a.Name, got)
		}
		for k, w := range want {
			if g := got[k]; g.Action != w.action || g.Code != w.code || g.Reason != w.reason || g.Count != w.n {
				t.Errorf("%s: count %d = %+v, want %+v", a.Name, k, g, w)
			}
		}
		if got[0].First.Tag != "replay row 7" {
			t.Errorf("%s: first insufficient-margin reject %+v", a.Name, got[0].First)
		}
	}
}

func TestRejectCodes(t *testing.T) {
	for _, c := range []struct {
		err  error
		code string
	}{
		{&margin.RejectError{Symbol: "X", Action: "order", Reason: margin.ErrMinNotional}, "min_notional"},
		{&RejectError{Action: "order", Reason: &margin.RejectError{Reason: margin.ErrInsufficientMargin}}, "insufficient_margin"},
		{ErrPostOnly, "post_only"},
		{fmt.Errorf("wrapped: %w", ErrStopped), "account_stopped"},
		{margin.ErrLeverageTooHigh, "leverage_too_high"},
		{fmt.Errorf("something new"), OtherRejectCode},
	} {
		if got := rejectCode(c.err); got != c.code {
			t.Errorf("rejectCode(%v) = %q, want %q", c.err, got, c.code)
		}
	}
	seen := map[string]string{}
	for _, c := range RejectCodes {
		if c.Code == "" || c.Reason == "" {
			t.Errorf("incomplete code %+v", c)
		}
		if r, ok := seen[c.Code]; ok && r != c.Reason {
			t.Errorf("code %s has two reasons: %q and %q", c.Code, r, c.Reason)
		}
		seen[c.Code] = c.Reason
		// records read back from an older rejects file carry only the engine's reason text
		if got := CodeOfReason(rejectReason(c.err)); got != c.Code {
			t.Errorf("CodeOfReason(%q) = %q, want %q", rejectReason(c.err), got, c.Code)
		}
	}
	err := error(&margin.RejectError{Reason: margin.ErrStepSize})
	if n := testing.AllocsPerRun(100, func() { rejectCode(err) }); n != 0 {
		t.Errorf("rejectCode allocates %v times", n)
	}
}

func TestCountRejectsLegacy(t *testing.T) {
	rs := []Reject{
		{Time: 1, Symbol: "A", Action: "order", Reason: "margin: insufficient margin"},
		{Time: 2, Symbol: "A", Action: "leverage", Reason: "margin: leverage above the bracket maximum"},
		{Time: 3, Symbol: "B", Action: "order", Reason: "margin: insufficient margin"},
		{Time: 4, Symbol: "B", Action: "order", Reason: "backtest: some future reason"},
	}
	got := CountRejects(rs)
	if len(got) != 3 || got[0].Code != "insufficient_margin" || got[0].Count != 2 || got[0].First.Time != 1 ||
		got[1].Code != "leverage_too_high" || got[2].Code != OtherRejectCode || got[2].Reason != "some future reason" {
		t.Errorf("counts %+v", got)
	}
}
