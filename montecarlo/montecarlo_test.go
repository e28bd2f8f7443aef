package montecarlo

import (
	"bytes"
	"context"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/data/bootstrap"
	"github.com/bt-backtest/bt/data/parquet"
	"github.com/bt-backtest/bt/data/synth"
	"github.com/bt-backtest/bt/experiment"
	"github.com/bt-backtest/bt/reports/metrics"
)

// market writes a 20-day synthetic BTCUSDT/ETHUSDT store, with or without a −30% crash.
func market(t *testing.T, crash bool) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "store")
	st, err := parquet.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)
	opt := synth.Options{Symbols: []string{"BTCUSDT", "ETHUSDT"}, Start: start, End: start.AddDate(0, 0, 20), Seed: 7, AnnualVol: 0.3}
	if crash {
		c, err := synth.ParseCrash("2025-10-10T21:00Z:-0.3")
		if err != nil {
			t.Fatal(err)
		}
		opt.Crashes = []synth.Crash{c}
	}
	if _, err := synth.Write(st, opt); err != nil {
		t.Fatal(err)
	}
	return dir
}

// hodlExperiment is the tests' experiment: the hodl strategy buying 500 USDT of BTCUSDT every
// 48 bars at leverage 10 on store.
func hodlExperiment(t *testing.T, store string) *experiment.Experiment {
	t.Helper()
	x, err := experiment.Load("", []experiment.Override{
		{Path: "data.source", Value: store, Origin: "test"},
		{Path: "strategy", Value: "{name: hodl, params: {symbol: BTCUSDT, amount: 500, every: 48}}", Origin: "test"},
		{Path: "leverage.default", Value: "10", Origin: "test"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func run(t *testing.T, store string, seed uint64) *Result {
	t.Helper()
	x := hodlExperiment(t, store)
	r, err := Run(context.Background(), x, Options{Paths: 30, Seed: seed, MeanBlock: 24})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// A market with a scheduled crash gives a higher liquidation probability than the same market
// without it; the same seed gives the same table, another seed another.
func TestCrashRaisesLiquidationProbability(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 120 backtests")
	}
	calm, crashed := market(t, false), market(t, true)
	a, b := run(t, calm, 1), run(t, crashed, 1)
	var ta, tb bytes.Buffer
	a.WriteText(&ta)
	b.WriteText(&tb)
	t.Logf("without crash:\n%s\nwith crash:\n%s", ta.String(), tb.String())
	for i := range a.Accounts {
		if b.Accounts[i].PLiquidation.P <= a.Accounts[i].PLiquidation.P {
			t.Errorf("%s: P(liquidation) %v with the crash, %v without", a.Accounts[i].Name, b.Accounts[i].PLiquidation.P, a.Accounts[i].PLiquidation.P)
		}
	}
	again := run(t, crashed, 1)
	if !bytes.Equal(again.CSV(), b.CSV()) {
		t.Error("same seed, different tables")
	}
	pa, err1 := again.HistogramPNG()
	pb, err2 := b.HistogramPNG()
	if err1 != nil || err2 != nil || !bytes.Equal(pa, pb) {
		t.Errorf("same seed, different histograms (%v, %v)", err1, err2)
	}
	qa, err1 := again.Parquet()
	qb, err2 := b.Parquet()
	if err1 != nil || err2 != nil || !bytes.Equal(qa, qb) {
		t.Errorf("same seed, different Parquet tables (%v, %v)", err1, err2)
	}
	if other := run(t, crashed, 2); bytes.Equal(other.CSV(), b.CSV()) {
		t.Error("different seeds, same table")
	}
}

func TestWilson(t *testing.T) {
	// 0 of 30: [0, 0.1135] (z = 1.96), by the Wilson formula: hi = z²/n / (1 + z²/n)
	p := wilson(0, 30)
	if p.P != 0 || p.Lo != 0 || p.Hi < 0.1135 || p.Hi > 0.1136 {
		t.Errorf("0/30: %+v", p)
	}
	if p := wilson(15, 30); p.P != 0.5 || p.Lo+p.Hi < 0.9999 || p.Hi-p.Lo < 0.3 {
		t.Errorf("15/30: %+v", p)
	}
}

// A path's accounts stream their curves and records (runPath): each outcome is what the
// held result of the same path gives (liquidated, ruined, final margin balance,
// metrics.MaxDrawdown of the whole curve), bit for bit, for both accounts on paths of the
// crashed market (some liquidated, some not).
func TestPathStreamedEqualsHeld(t *testing.T) {
	store := market(t, true)
	x := hodlExperiment(t, store)
	if err := x.Resolve(); err != nil {
		t.Fatal(err)
	}
	st, err := openStream(x)
	if err != nil {
		t.Fatal(err)
	}
	h, err := bootstrap.Read(st)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	cfg, newStrategy, err := x.Engine(h.Symbols)
	if err != nil {
		t.Fatal(err)
	}
	liquidated, survived := 0, 0
	for p := range 8 {
		src := func() backtest.Source {
			s, err := h.Path(bootstrap.Options{MeanBlock: 24, Seed: 1, Path: p})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		got, err := runPath(context.Background(), cfg, newStrategy, src())
		if err != nil {
			t.Fatal(err)
		}
		held, err := backtest.Run(context.Background(), cfg, newStrategy, src())
		if err != nil {
			t.Fatal(err)
		}
		for i, a := range held.Accounts {
			want := pathOutcome{liquidated: len(a.Liquidations) > 0, ruined: a.Ruined,
				final: a.Final.MarginBalance.InexactFloat64(), maxDD: metrics.MaxDrawdown(a.Equity)}
			if got[i] != want {
				t.Errorf("path %d %s: streamed %+v, held %+v", p, a.Name, got[i], want)
			}
			if want.liquidated {
				liquidated++
			} else {
				survived++
			}
		}
	}
	if liquidated == 0 || survived == 0 {
		t.Errorf("%d liquidated and %d surviving accounts: the comparison needs both", liquidated, survived)
	}
}

// Paths running concurrently (one per core) give the table of paths run one after another
// (GOMAXPROCS 1: one worker, the accounts as execution.parallel says), and a failing path
// returns the lowest failing path's error, as a sequential run meets it: with the context
// cancelled every path fails, and the error is path 0's whichever path fails first.
func TestConcurrentPathsEqualSequential(t *testing.T) {
	store := market(t, true)
	x := hodlExperiment(t, store)
	opts := Options{Paths: 12, Seed: 3, MeanBlock: 24}
	prev := runtime.GOMAXPROCS(1)
	seq, err := Run(context.Background(), x, opts)
	runtime.GOMAXPROCS(max(prev, 2))
	defer runtime.GOMAXPROCS(prev)
	if err != nil {
		t.Fatal(err)
	}
	par, err := Run(context.Background(), hodlExperiment(t, store), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(seq, par) {
		t.Errorf("concurrent paths give another result:\n%+v\nsequential:\n%+v", par, seq)
	}
	if !bytes.Equal(seq.CSV(), par.CSV()) {
		t.Error("concurrent paths give another CSV")
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Run(ctx, hodlExperiment(t, store), opts)
	if err == nil || !strings.HasPrefix(err.Error(), "path 0: ") {
		t.Errorf("a cancelled run: %v, want path 0's error", err)
	}
}
