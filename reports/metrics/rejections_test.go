package metrics

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/backtest"
)

// A replay of 1000 BTC: both logged orders refused for insufficient margin, one leverage
// change refused; the run used the last price as mark for BTCUSDT. summary.json counts them
// per account and reason and lists the fallback.
func TestRejectionsAndFallbacksInSummary(t *testing.T) {
	rej := func(t int64, action, code, reason string) backtest.Reject {
		return backtest.Reject{Time: t, Symbol: "BTCUSDT", Action: action, Code: code, Reason: reason}
	}
	res := &backtest.Result{
		Accounts: []backtest.AccountResult{
			{Name: "isolated", Rejects: []backtest.Reject{
				rej(1000, "leverage", "leverage_too_high", "margin: leverage above the bracket maximum"),
				rej(2000, "order", "insufficient_margin", "margin: insufficient margin"),
				rej(3000, "order", "insufficient_margin", "margin: insufficient margin"),
			}},
			{Name: "cross"},
		},
		Fallbacks: []backtest.Fallback{{Kind: backtest.FallbackMark, Symbol: "BTCUSDT", Count: 720, Detail: "BTCUSDT: no mark-price bar on 720 of 720 bars (100.0%)"}},
	}
	s := Summarize(res)
	iso := s.Accounts["isolated"]
	if iso.Rejections != 3 || len(iso.RejectionsByReason) != 2 {
		t.Fatalf("isolated rejections %d %+v", iso.Rejections, iso.RejectionsByReason)
	}
	want := RejectionCount{Action: "order", Code: "insufficient_margin", Reason: "insufficient margin", Count: 2, FirstTime: 2000, FirstSymbol: "BTCUSDT"}
	if got := iso.RejectionsByReason[0]; got != want {
		t.Errorf("first count %+v, want %+v", got, want)
	}
	if d, ok := s.Delta["rejections"]; !ok || d != -3 {
		t.Errorf("delta rejections %v %v, want -3", d, ok)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"rejections":3`, `"rejections_by_reason":[{"action":"order","code":"insufficient_margin","reason":"insufficient margin","count":2,"first_time":2000,"first_symbol":"BTCUSDT"}`,
		`"rejections":0,"rejections_by_reason":[]`, `"fallbacks":[{"kind":"mark_from_last","symbol":"BTCUSDT","count":720,`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("summary.json lacks %s:\n%s", key, b)
		}
	}
	if b, _ := json.Marshal(Summarize(&backtest.Result{})); !strings.Contains(string(b), `"fallbacks":[]`) {
		t.Errorf("a run without fallbacks: %s", b)
	}
}
