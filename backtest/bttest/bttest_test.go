package bttest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/bttest"
	"github.com/shopspring/decimal"
)

const hour = 3600_000

// source: one symbol, 6 hourly bars rising from 100 to 105.
func source(t testing.TB) backtest.Source {
	var q [][4]float64
	for k := range 6 {
		o := 100 + float64(k)
		q = append(q, [4]float64{o, o + 1, o - 0.5, o + 1})
	}
	bars := backtest.OHLC("AAAUSDT", 1748736000000, hour, q...)
	return backtest.NewSliceSource([]string{"AAAUSDT"}, backtest.Batches(bars, nil, nil))
}

// buyer buys qty at the first close and sells it at the fourth.
func buyer(qty string) func() backtest.Strategy {
	return func() backtest.Strategy {
		n := 0
		return backtest.StrategyFunc(func(br *backtest.Broker, b backtest.Bar) error {
			n++
			switch n {
			case 1:
				br.Submit(backtest.Order{Symbol: b.Symbol, Side: backtest.Buy, Type: backtest.Market, Qty: decimal.RequireFromString(qty)})
			case 4:
				br.Submit(backtest.Order{Symbol: b.Symbol, Side: backtest.Sell, Type: backtest.Market, Qty: decimal.RequireFromString(qty), ReduceOnly: true})
			}
			return nil
		})
	}
}

// TestGolden pins the buyer on the scripted series (testdata/buyer.golden, regenerated with
// go test -update).
func TestGolden(t *testing.T) {
	res := bttest.Run(t, bttest.Case{Name: "buyer", Strategy: buyer("2"), Source: source, Config: backtest.Config{NoFundingFallback: true}})
	if len(res.Accounts) != 2 || len(res.Accounts[0].Fills) != 2 {
		t.Fatalf("unexpected result: %+v", res.Accounts)
	}
}

// recorder is a testing.TB that records failures instead of failing the real test.
type recorder struct {
	testing.TB
	failed bool
	msgs   []string
}

func (r *recorder) Helper()             {}
func (r *recorder) Logf(string, ...any) {}
func (r *recorder) Error(args ...any)   { r.failed = true; r.msgs = append(r.msgs, fmt.Sprint(args...)) }
func (r *recorder) Errorf(f string, a ...any) {
	r.failed = true
	r.msgs = append(r.msgs, fmt.Sprintf(f, a...))
}
func (r *recorder) Fatalf(f string, a ...any) {
	r.Errorf(f, a...)
	runtime.Goexit()
}

func runRecorded(t *testing.T, c bttest.Case) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		bttest.Run(r, c)
	}()
	<-done
	return r
}

// TestDetectsChange writes goldens for the buyer of 2 units, then runs a buyer of 3: the
// comparison must fail and show the fingerprint change and the first differing log lines.
func TestDetectsChange(t *testing.T) {
	dir := t.TempDir()
	c := bttest.Case{Name: "change", Strategy: buyer("2"), Source: source, Dir: dir, Config: backtest.Config{NoFundingFallback: true}}
	t.Setenv("BTTEST_UPDATE", "1")
	if r := runRecorded(t, c); r.failed {
		t.Fatalf("update failed: %v", r.msgs)
	}
	for _, f := range []string{"change.golden", "change.isolated.log", "change.cross.log"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("BTTEST_UPDATE", "0")
	if r := runRecorded(t, c); r.failed {
		t.Fatalf("unchanged run failed: %v", r.msgs)
	}
	c.Strategy = buyer("3")
	r := runRecorded(t, c)
	if !r.failed {
		t.Fatal("a changed strategy passed")
	}
	msg := strings.Join(r.msgs, "\n")
	for _, want := range []string{"case change differs", "fingerprint", "account isolated canonical log, first differences", "account cross canonical log", "qty=2", "qty=3"} {
		if !strings.Contains(msg, want) {
			t.Errorf("failure message lacks %q:\n%s", want, msg)
		}
	}
	// A missing golden says how to create it.
	c.Name = "missing"
	r = runRecorded(t, c)
	if !r.failed || !strings.Contains(strings.Join(r.msgs, ""), "go test -update") {
		t.Errorf("missing golden: %v", r.msgs)
	}
}

func TestDiff(t *testing.T) {
	a := []byte("l1\nl2\nl3\nl4\nl5\n")
	if d := bttest.Diff("a", a, "b", a, 5); d != "" {
		t.Errorf("equal inputs: %q", d)
	}
	b := []byte("l1\nl2\nX3\nl4\nl5\n")
	d := bttest.Diff("a", a, "b", b, 5)
	for _, want := range []string{"first difference at line 3", "        1  l1", "        2  l2", "  -     3  l3", "  +     3  X3"} {
		if !strings.Contains(d, want) {
			t.Errorf("diff lacks %q:\n%s", want, d)
		}
	}
	if strings.Contains(d, "l4") {
		t.Errorf("diff did not resynchronize at l4:\n%s", d)
	}
	// An inserted line.
	c := []byte("l1\nl2\nnew\nl3\nl4\nl5\n")
	d = bttest.Diff("a", a, "c", c, 5)
	if !strings.Contains(d, "  +     3  new") || strings.Contains(d, "-     3  l3") {
		t.Errorf("insertion diff:\n%s", d)
	}
}

// TestDetectsNondeterminism: a strategy whose behaviour depends on how many instances were
// created before it (shared state, a classic bug): the first run's two accounts buy 1 unit,
// the second run's buy 2. The determinism check must report it.
func TestDetectsNondeterminism(t *testing.T) {
	runs := 0
	newS := func() backtest.Strategy {
		runs++
		return buyer(fmt.Sprint(1 + (runs-1)/2))() // runs 1-2: 1 unit, runs 3-4: 2 units
	}
	r := runRecorded(t, bttest.Case{Name: "nd", Strategy: newS, Source: source, Dir: t.TempDir(), Config: backtest.Config{NoFundingFallback: true}})
	if !r.failed || !strings.Contains(strings.Join(r.msgs, "\n"), "is not deterministic") {
		t.Errorf("nondeterminism not reported: %v", r.msgs)
	}
}
