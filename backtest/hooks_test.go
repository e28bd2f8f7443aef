package backtest

import (
	"fmt"
	"testing"

	"github.com/bt-backtest/bt/backtest/margin"
)

// hooked records every hook call with Broker.Now.
type hooked struct {
	log []string
	n   int
}

func (h *hooked) Start(br *Broker) error {
	h.log = append(h.log, fmt.Sprintf("start %d", br.Now()))
	return nil
}

func (h *hooked) OnBar(br *Broker, b Bar) error {
	h.log = append(h.log, fmt.Sprintf("bar %s %d now %d", b.Symbol, b.Time, br.Now()))
	if h.n == 0 {
		o := buy("AAA", "10")
		o.StopLoss = d("80")
		br.Submit(o)
		br.Submit(Order{Symbol: "AAA", Side: Buy, Type: Limit, Qty: d("1"), Price: d("99"), PostOnly: true})
	}
	h.n++
	return nil
}

func (h *hooked) OnStep(br *Broker, t int64) error {
	h.log = append(h.log, fmt.Sprintf("step %d", t))
	return nil
}

func (h *hooked) OnFill(br *Broker, f FillRecord) {
	h.log = append(h.log, fmt.Sprintf("fill %d %s at %s now %d", f.OrderID, f.Qty, f.Price, br.Now()))
}

func (h *hooked) OnLiquidation(br *Broker, l margin.Liquidation) {
	h.log = append(h.log, fmt.Sprintf("liquidation %s now %d", l.Symbol, br.Now()))
}

func (h *hooked) OnFunding(br *Broker, p FundingPayment) {
	h.log = append(h.log, fmt.Sprintf("funding %s now %d", p.Amount, br.Now()))
}

func (h *hooked) OnReject(br *Broker, r Reject) {
	h.log = append(h.log, fmt.Sprintf("reject %d now %d", r.OrderID, br.Now()))
}

// Every optional hook is called, in event order, with Now the bar's open during the path and
// its close when bars are delivered. Bar 1 opens at 98: the market entry fills (order 1,
// with its stop-loss as order 3), the post-only limit at 99 would take and is rejected; the
// funding of bar 1 is paid on the new position; the crash of bar 1 liquidates the isolated
// account (LP 90.9) and cancels the stop; the cross account keeps its position.
func TestHooks(t *testing.T) {
	bars := OHLC("AAA", t0, hr, [4]float64{100, 100.5, 99.5, 100}, [4]float64{98, 98, 85, 88})
	f := []Funding{{Symbol: "AAA", Time: t0 + hr, Rate: 0.001}}
	cfg := testConfig("AAA")
	var hs []*hooked
	run(t, cfg, NewSliceSource([]string{"AAA"}, Batches(bars, nil, f)), func() Strategy {
		h := &hooked{}
		hs = append(hs, h)
		return h
	})
	t1 := t0 + hr
	want := map[int][]string{
		0: { // isolated
			fmt.Sprintf("start %d", t0),
			fmt.Sprintf("bar AAA %d now %d", t0, t1), fmt.Sprintf("step %d", t1),
			fmt.Sprintf("fill 1 10 at 98 now %d", t1), fmt.Sprintf("reject 2 now %d", t1),
			fmt.Sprintf("funding -0.98 now %d", t1),
			fmt.Sprintf("liquidation AAA now %d", t1),
			fmt.Sprintf("bar AAA %d now %d", t1, t1+hr), fmt.Sprintf("step %d", t1+hr),
		},
		1: { // cross
			fmt.Sprintf("start %d", t0),
			fmt.Sprintf("bar AAA %d now %d", t0, t1), fmt.Sprintf("step %d", t1),
			fmt.Sprintf("fill 1 10 at 98 now %d", t1), fmt.Sprintf("reject 2 now %d", t1),
			fmt.Sprintf("funding -0.98 now %d", t1),
			fmt.Sprintf("bar AAA %d now %d", t1, t1+hr), fmt.Sprintf("step %d", t1+hr),
		},
	}
	for k, h := range hs {
		if fmt.Sprint(h.log) != fmt.Sprint(want[k]) {
			t.Errorf("account %d hooks:\n got %q\nwant %q", k, h.log, want[k])
		}
	}
}
