package backtest

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/shopspring/decimal"
)

// market generates a seeded random market for symbols: nBars hourly bars from t0 of a random
// walk on the 0.1 tick with a crash of every symbol at bar nBars/2, mark bars near the last
// price (none for the last symbol), funding every 8 bars for the first two symbols, and a
// 10-bar halt of the second symbol.
func market(seed uint64, symbols []string, nBars int) (klines, marks []Bar, funding []Funding) {
	rng := rand.New(rand.NewPCG(seed, 7))
	tick := func(x float64) float64 { return math.Round(x*10) / 10 }
	for si, sym := range symbols {
		p := 100.0 + 10*float64(si)
		for k := 0; k < nBars; k++ {
			t := t0 + int64(k)*hr
			o := p
			c := tick(o * (1 + 0.01*rng.NormFloat64()))
			if k == nBars/2 {
				c = tick(o * 0.8)
			}
			h := tick(math.Max(o, c) * (1 + 0.005*rng.Float64()))
			l := tick(math.Min(o, c) * (1 - 0.005*rng.Float64()))
			p = c
			if si == 1 && k >= 40 && k < 50 {
				continue // halted
			}
			klines = append(klines, Bar{Symbol: sym, Time: t, End: t + hr, Open: o, High: h, Low: l, Close: c, Volume: 1})
			if si < len(symbols)-1 {
				j := 1 + 0.001*rng.NormFloat64()
				mo, mc := o*j, c*j
				marks = append(marks, Bar{Symbol: sym, Time: t, End: t + hr, Open: mo, High: math.Max(h*j, math.Max(mo, mc)),
					Low: math.Min(l*j, math.Min(mo, mc)), Close: mc})
			}
			if si < 2 && k%8 == 0 {
				funding = append(funding, Funding{Symbol: sym, Time: t, Rate: 0.0001 * rng.NormFloat64(), IntervalHours: 8})
			}
		}
	}
	return klines, marks, funding
}

// chaos is a deterministic strategy exercising every broker action on a schedule driven by
// per-symbol bar counts.
type chaos struct{ n map[string]int }

func newChaos() Strategy { return &chaos{n: map[string]int{}} }

// chaosOrder gives the chaos strategies' prices and size at bar b: at(f) is f × the close on
// a 0.1 tick, qty about 2,000 USDT of the symbol at the close (3 decimals).
func chaosOrder(b Bar) (at func(f float64) decimal.Decimal, qty decimal.Decimal) {
	px := decimal.NewFromFloat(b.Close)
	tick := d("0.1")
	at = func(f float64) decimal.Decimal { return px.Mul(decimal.NewFromFloat(f)).Div(tick).Round(0).Mul(tick) }
	return at, decimal.NewFromFloat(2000 / b.Close).Round(3)
}

func (c *chaos) OnBar(br *Broker, b Bar) error {
	k := c.n[b.Symbol]
	c.n[b.Symbol]++
	at, qty := chaosOrder(b)
	side := Buy
	if (k/5)%2 == 1 {
		side = Sell
	}
	switch {
	case k%5 == 0:
		o := Order{Symbol: b.Symbol, Side: side, Type: Market, Qty: qty, Tag: "entry"}
		if side == Buy {
			o.StopLoss, o.TakeProfit = at(0.97), at(1.04)
		} else {
			o.StopLoss, o.TakeProfit = at(1.03), at(0.96)
		}
		br.Submit(o)
	case k%7 == 0:
		br.Submit(Order{Symbol: b.Symbol, Side: Buy, Type: Limit, Qty: qty, Price: at(0.99), PostOnly: k%2 == 0})
	case k%11 == 0:
		br.CancelAll(b.Symbol)
	case k%13 == 0:
		if p := br.Position(b.Symbol); !p.Qty.IsZero() {
			s := Sell
			if p.Qty.IsNegative() {
				s = Buy
			}
			br.Submit(Order{Symbol: b.Symbol, Side: s, Type: StopMarket, Trigger: at(map[Side]float64{Sell: 0.98, Buy: 1.02}[s]), ClosePosition: true})
		}
	case k%17 == 0:
		br.SetLeverage(b.Symbol, 5+k%20)
	case k%19 == 0:
		br.AddMargin(b.Symbol, d("5"))
	case k%23 == 0:
		br.SetMarginMode(b.Symbol, margin.Mode(k%2))
	}
	_ = br.Bars(b.Symbol, 20)
	return nil
}

func (c *chaos) OnStep(br *Broker, t int64) error {
	_ = br.Equity()
	return nil
}

// runChaosSeeds runs the chaos traders on seeds 1..3 of market (300 bars of symbols), once in
// one-way mode and once as hedgeChaos in hedge mode, for the tests whose checks run inside
// the engine while the traders trade (they count what they compared; a difference panics).
func runChaosSeeds(t *testing.T, symbols []string) {
	t.Helper()
	var switches atomic.Int64
	for seed := uint64(1); seed <= 3; seed++ {
		k, m, f := market(seed, symbols, 300)
		for _, trader := range []string{"chaos", "hedge"} {
			cfg, mk := chaosTrader(trader, symbols, &switches)
			if _, err := Run(context.Background(), cfg, mk, NewSliceSource(symbols, Batches(k, m, f))); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// chaosTrader is the configuration and strategy of a trader on symbols: "chaos" (one-way
// mode), "hedge" (hedgeChaos in hedge mode, counting refused switches in switches) or
// "flipper".
func chaosTrader(trader string, symbols []string, switches *atomic.Int64) (Config, func() Strategy) {
	cfg, mk := chaosConfig(symbols, false), newChaos
	switch trader {
	case "flipper":
		mk = func() Strategy { return &flipper{n: map[string]int{}, syms: symbols} }
	case "hedge":
		cfg.PositionMode = margin.Hedge
		mk = func() Strategy { return &hedgeChaos{n: map[string]int{}, switches: switches} }
	}
	return cfg, mk
}

// sameChaosRecords runs each trader (chaosTrader's names) on seeds 1..4 of market (400 bars
// of symbols) twice, after set(true) and after set(false), and reports every account whose
// records (fills, trades, rejections, liquidations, funding, equity) are not deeply equal, the
// second run being the one "what" describes.
func sameChaosRecords(t *testing.T, symbols, traders []string, set func(first bool), what string) {
	t.Helper()
	var switches atomic.Int64
	for seed := uint64(1); seed <= 4; seed++ {
		k, m, f := market(seed, symbols, 400)
		for _, trader := range traders {
			var res [2]*Result
			for i, first := range []bool{true, false} {
				set(first)
				cfg, mk := chaosTrader(trader, symbols, &switches)
				r, err := Run(context.Background(), cfg, mk, NewSliceSource(symbols, Batches(k, m, f)))
				if err != nil {
					t.Fatal(err)
				}
				res[i] = r
			}
			for i, a := range res[0].Accounts {
				if !reflect.DeepEqual(a, res[1].Accounts[i]) {
					t.Errorf("seed %d %s %s: records differ %s", seed, trader, a.Name, what)
				}
			}
		}
	}
}

func chaosConfig(symbols []string, parallel bool) Config {
	cfg := testConfig(symbols...)
	fee := d("0.0004")
	cfg.TakerFee = &fee
	cfg.SlippageBps = 2
	cfg.NoFundingFallback = false
	cfg.DefaultLeverage = 20
	cfg.Parallel = parallel
	cfg.Setups = []Setup{{Name: "isolated", Mode: margin.Isolated}, {Name: "cross", Mode: margin.Cross},
		{Name: "mix", Mode: margin.Cross, Overrides: map[string]margin.Mode{symbols[0]: margin.Isolated}}}
	return cfg
}

// Permuting the symbol order of the source's construction, shuffling the events inside each
// timestamp and running the accounts in parallel or sequentially change nothing: the records
// are deeply equal and the fingerprints identical.
func TestPermutationAndParallelChangeNothing(t *testing.T) {
	symbols := []string{"AAA", "BBB", "CCC", "DDD"}
	k, m, f := market(1, symbols, 400)
	base, err := Run(context.Background(), chaosConfig(symbols, false), newChaos, NewSliceSource(symbols, Batches(k, m, f)))
	if err != nil {
		t.Fatal(err)
	}
	var fills, liqs, funds, rejects int
	for _, a := range base.Accounts {
		fills += len(a.Fills)
		liqs += len(a.Liquidations)
		funds += len(a.Funding)
		rejects += len(a.Rejects)
	}
	t.Logf("fills %d, liquidations %d, funding %d, rejects %d", fills, liqs, funds, rejects)
	if fills < 50 || liqs == 0 || funds == 0 || rejects == 0 {
		t.Fatalf("the scenario does not exercise the engine: fills %d, liquidations %d, funding %d, rejects %d", fills, liqs, funds, rejects)
	}
	rng := rand.New(rand.NewPCG(2, 3))
	for _, parallel := range []bool{false, true} {
		perm := slices.Clone(symbols)
		rng.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		k2, m2, f2 := slices.Clone(k), slices.Clone(m), slices.Clone(f)
		rng.Shuffle(len(k2), func(i, j int) { k2[i], k2[j] = k2[j], k2[i] })
		rng.Shuffle(len(m2), func(i, j int) { m2[i], m2[j] = m2[j], m2[i] })
		rng.Shuffle(len(f2), func(i, j int) { f2[i], f2[j] = f2[j], f2[i] })
		got, err := Run(context.Background(), chaosConfig(symbols, parallel), newChaos, NewSliceSource(perm, Batches(k2, m2, f2)))
		if err != nil {
			t.Fatal(err)
		}
		for i := range base.Accounts {
			if g, w := got.Accounts[i].Fingerprint(), base.Accounts[i].Fingerprint(); g != w {
				t.Errorf("parallel=%v %v: %s fingerprint %s, want %s", parallel, perm, base.Accounts[i].Name, g, w)
			}
		}
		if !reflect.DeepEqual(got.Accounts, base.Accounts) || !reflect.DeepEqual(got.Assumptions, base.Assumptions) {
			t.Errorf("parallel=%v %v: records differ", parallel, perm)
		}
	}
}

// Money is accounted for in the records: for every account, the initial wallet plus the
// realized PnL of all fills, minus their fees, plus funding equals the final wallets, exactly.
// The margin ledger's own invariants hold at the end.
func TestRecordsConserveMoney(t *testing.T) {
	symbols := []string{"AAA", "BBB", "CCC"}
	open := 0
	defer func() {
		if open == 0 {
			t.Error("no account ends with open positions: the equity-point check is void")
		}
	}()
	for seed := uint64(1); seed <= 4; seed++ {
		k, m, f := market(seed, symbols, 300)
		cfg := chaosConfig(symbols, false)
		res, err := Run(context.Background(), cfg, newChaos, NewSliceSource(symbols, Batches(k, m, f)))
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range res.Accounts {
			checkWallets(t, fmt.Sprintf("seed %d %s", seed, a.Name), cfg.Wallet, &a)
			open += len(a.Positions)
			// the float shadows behind the equity curve agree with the exact ledger
			e := a.Equity[len(a.Equity)-1]
			near := func(what string, got float64, want decimal.Decimal) {
				w := want.InexactFloat64()
				if math.Abs(got-w) > 1e-9*math.Max(1, math.Abs(w)) {
					t.Errorf("seed %d %s: last equity point %s = %v, ledger says %v", seed, a.Name, what, got, w)
				}
			}
			near("Equity", e.Equity, a.Final.MarginBalance)
			near("Wallet", e.Wallet, a.Final.Wallet.Add(a.Final.IsolatedWallets))
			near("UnrealizedPnL", e.UnrealizedPnL, a.Final.UnrealizedPnL)
			near("MaintenanceMargin", e.MaintenanceMargin, a.Final.MaintenanceMargin)
			if r := a.Final.MaxMarginRatio; !math.IsInf(r, 0) && math.Abs(e.MarginRatio-r) > 1e-9 {
				t.Errorf("seed %d %s: last margin ratio %v, ledger says %v", seed, a.Name, e.MarginRatio, r)
			}
			for _, tr := range a.Trades {
				if tr.ExitTime < tr.EntryTime || tr.Qty.Sign() <= 0 || !(tr.MinLiqDistance >= 0) {
					t.Errorf("seed %d %s: bad trade %+v", seed, a.Name, tr)
				}
			}
		}
	}
}

// The probes the engine skips because they would find the same figures (the open probed a
// second time when nothing changed there; record's maintenance margin and uPnL at the close,
// which probe has just computed) change nothing: with every probe made, the records, the
// equity curves (peak margin ratios) and the trades (peak ratios, closest liquidation
// distances) are deeply equal.
func TestSkippedProbesChangeNothing(t *testing.T) {
	symbols := []string{"AAA", "BBB", "CCC"}
	defer func() { exhaustiveProbes, countSkips = false, false }()
	pathProbes.Store(0)
	openProbes.Store(0)
	crossFarSkips.Store(0)
	crossWinSkips.Store(0)
	isoFarSkips.Store(0)
	for k := range pathKinds {
		pathKinds[k].Store(0)
	}
	for seed := uint64(1); seed <= 4; seed++ {
		k, m, f := market(seed, symbols, 400)
		var res [2]*Result
		for i, all := range []bool{false, true} {
			exhaustiveProbes, countSkips = all, !all
			r, err := Run(context.Background(), chaosConfig(symbols, false), newChaos, NewSliceSource(symbols, Batches(k, m, f)))
			if err != nil {
				t.Fatal(err)
			}
			res[i] = r
		}
		peaks := 0
		for i, a := range res[0].Accounts {
			b := res[1].Accounts[i]
			if !reflect.DeepEqual(a, b) {
				t.Errorf("seed %d %s: records differ with every probe made", seed, a.Name)
			}
			for _, p := range a.Equity {
				if p.PeakMarginRatio > p.MarginRatio {
					peaks++
				}
			}
		}
		if peaks == 0 {
			t.Errorf("seed %d: no intrabar peak above the close's ratio: the comparison is void", seed)
		}
	}
	if n := pathProbes.Load(); n < 100 {
		t.Errorf("%d steps probed their path's vertices together (probePath), want at least 100", n)
	} else {
		t.Logf("%d steps probed their path's vertices together", n)
	}
	if n := openProbes.Load(); n < 100 {
		t.Errorf("%d steps probed their open with the path's vertices (probePath(true)), want at least 100", n)
	} else {
		t.Logf("%d steps probed their open with the path's vertices", n)
	}
	// probePath's three first loops (every open position cross, every one isolated, mixed)
	for k, kind := range []string{"cross", "isolated", "mixed"} {
		if n := pathKinds[k].Load(); n < 50 {
			t.Errorf("%d probePath passes with the open positions %s, want at least 50", n, kind)
		} else {
			t.Logf("%d probePath passes with the open positions %s", n, kind)
		}
	}
	if n := isoFarSkips.Load(); n < 100 {
		t.Errorf("%d isolated trades' distances were skipped as too far from liquidation (isoFar), want at least 100", n)
	} else {
		t.Logf("%d isolated trades' distances skipped as too far from liquidation", n)
	}
	if n := crossFarSkips.Load(); n < 100 {
		t.Errorf("%d cross trades' vertices were skipped as too far from liquidation (crossFar), want at least 100", n)
	} else {
		t.Logf("%d cross trades' vertices skipped as too far from liquidation", n)
	}
	if n := crossWinSkips.Load(); n < 25 {
		t.Errorf("%d cross trades were left as they were within their windows (setCrossWin), want at least 25", n)
	} else {
		t.Logf("%d cross trades left as they were within their windows", n)
	}
}

// Config.NoLiqPrices (a sweep's) leaves AccountResult.LiqPrices empty and changes nothing else.
func TestNoLiqPricesChangesNothingElse(t *testing.T) {
	symbols := []string{"AAA", "BBB", "CCC"}
	k, m, f := market(1, symbols, 400)
	var res [2]*Result
	for i, no := range []bool{false, true} {
		cfg := chaosConfig(symbols, false)
		cfg.NoLiqPrices = no
		r, err := Run(context.Background(), cfg, newChaos, NewSliceSource(symbols, Batches(k, m, f)))
		if err != nil {
			t.Fatal(err)
		}
		res[i] = r
	}
	for i, a := range res[0].Accounts {
		b := res[1].Accounts[i]
		if len(a.LiqPrices) == 0 || len(b.LiqPrices) != 0 {
			t.Errorf("%s: %d liquidation-price points recorded, %d with NoLiqPrices (want some, none)", a.Name, len(a.LiqPrices), len(b.LiqPrices))
		}
		a.LiqPrices = nil
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: records differ with NoLiqPrices", a.Name)
		}
	}
}

// The per-bar liquidation screen (liqSafe, with the boxes it found safe at earlier bars)
// changes nothing: the chaos scenarios, with liquidations, give deeply equal records when every
// segment asks margin.Account.NextLiquidation instead, and when every bar asks SafeWithin
// anew (exhaustiveProbes). It fails when no bar was found safe within an earlier box.
func TestLiqScreenChangesNothing(t *testing.T) {
	symbols := []string{"AAA", "BBB", "CCC"}
	defer func() { noLiqScreen, countSkips, exhaustiveProbes = false, false, false }()
	liqCertHits.Store(0)
	liqs := 0
	for seed := uint64(1); seed <= 4; seed++ {
		k, m, f := market(seed, symbols, 400)
		var res [3]*Result
		for i := range res {
			noLiqScreen, countSkips, exhaustiveProbes = i == 1, i == 0, i == 2
			r, err := Run(context.Background(), chaosConfig(symbols, false), newChaos, NewSliceSource(symbols, Batches(k, m, f)))
			if err != nil {
				t.Fatal(err)
			}
			res[i] = r
		}
		for i, a := range res[0].Accounts {
			liqs += len(a.Liquidations)
			for j, how := range []string{"", "without the screen", "with every bar screened anew"} {
				if j > 0 && !reflect.DeepEqual(a, res[j].Accounts[i]) {
					t.Errorf("seed %d %s: records differ %s", seed, a.Name, how)
				}
			}
		}
	}
	hits := liqCertHits.Load()
	t.Logf("liquidations %d, bars safe within an earlier box %d", liqs, hits)
	if liqs == 0 || hits == 0 {
		t.Errorf("the comparison is void: %d liquidations, %d bars safe within an earlier box", liqs, hits)
	}
}

// A long on a falling and a short on a rising symbol, held with nothing else happening, drift
// into liquidation over hundreds of small bars (isolated and cross): the screen finds most bars
// safe within an earlier box, and the liquidations come at the same points as when every
// segment asks NextLiquidation.
func TestLiqScreenDriftChangesNothing(t *testing.T) {
	syms := []string{"AAA", "BBB"}
	down, err := ParseSeries("AAA", t0, hr, "100-0.25x300")
	if err != nil {
		t.Fatal(err)
	}
	up, err := ParseSeries("BBB", t0, hr, "100+0.1x300")
	if err != nil {
		t.Fatal(err)
	}
	for i := range up {
		up[i].ID = 1
	}
	bars := append(down, up...)
	cfg := testConfig(syms...)
	cfg.DefaultLeverage = 10
	cfg.Setups = []Setup{{Name: "isolated", Mode: margin.Isolated}, {Name: "cross", Mode: margin.Cross}}
	strat := func() Strategy {
		return &script{sym: "AAA", at: map[int][]Order{0: {{Symbol: "AAA", Side: Buy, Type: Market, Qty: d("12")},
			{Symbol: "BBB", Side: Sell, Type: Market, Qty: d("12")}}}}
	}
	defer func() { noLiqScreen, countSkips = false, false }()
	liqCertHits.Store(0)
	var res [2]*Result
	for i := range res {
		noLiqScreen, countSkips = i == 1, i == 0
		r, err := Run(context.Background(), cfg, strat, NewSliceSource(syms, Batches(bars, bars, nil)))
		if err != nil {
			t.Fatal(err)
		}
		res[i] = r
	}
	for i, a := range res[0].Accounts {
		if len(a.Liquidations) < 2 && a.Name == "isolated" || len(a.Liquidations) == 0 {
			t.Errorf("%s: %d liquidations: the scenario does not reach them", a.Name, len(a.Liquidations))
		}
		if !reflect.DeepEqual(a, res[1].Accounts[i]) {
			t.Errorf("%s: records differ without the screen", a.Name)
		}
	}
	if hits := liqCertHits.Load(); hits < 100 {
		t.Errorf("%d bars safe within an earlier box, want at least 100", hits)
	}
}

// A position held through a last-price wick below its liquidation price (the mark path stays
// flat: no liquidation), isolated and cross: probePath takes the trade's close figures of
// record (closeLiq: the wick, the distance without a price) in its pass, and the trades are the
// same as with every probe made and record taking them (exhaustiveProbes). It fails when the
// wick is not seen or the steps were not probed together.
func TestPathProbeTakesCloseFigures(t *testing.T) {
	syms := []string{"AAA"}
	k, err := ParseSeries("AAA", t0, hr, "100+0x20 100/100/80/100 100+0x20")
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseSeries("AAA", t0, hr, "100+0x42")
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(syms...)
	cfg.DefaultLeverage = 10
	cfg.Setups = []Setup{{Name: "isolated", Mode: margin.Isolated}, {Name: "cross", Mode: margin.Cross}}
	strat := func() Strategy {
		return &script{sym: "AAA", at: map[int][]Order{2: {{Symbol: "AAA", Side: Buy, Type: Market, Qty: d("90")}},
			35: {{Symbol: "AAA", Side: Sell, Type: Market, Qty: d("90")}}}}
	}
	defer func() { exhaustiveProbes, countSkips = false, false }()
	pathProbes.Store(0)
	var res [2]*Result
	for i, all := range []bool{false, true} {
		exhaustiveProbes, countSkips = all, !all
		r, err := Run(context.Background(), cfg, strat, NewSliceSource(syms, Batches(k, m, nil)))
		if err != nil {
			t.Fatal(err)
		}
		res[i] = r
	}
	for i, a := range res[0].Accounts {
		wicks := 0
		for _, tr := range a.Trades {
			if tr.LastWick {
				wicks++
			}
		}
		if wicks == 0 || len(a.Liquidations) > 0 {
			t.Errorf("%s: %d trades with a last-price wick, %d liquidations: the scenario does not hold a position through a wick", a.Name, wicks, len(a.Liquidations))
		}
		if !reflect.DeepEqual(a, res[1].Accounts[i]) {
			t.Errorf("%s: records differ with every probe made", a.Name)
		}
	}
	if n := pathProbes.Load(); n < 60 {
		t.Errorf("%d steps probed their path's vertices together, want at least 60", n)
	}
}

// Cross positions held through hundreds of quiet steps (marks moving about 1 % a bar, a 20 %
// drop, a flip half way, last-price wicks past the liquidation prices of AAA's long and short
// that the marks do not follow) are left as they are within their windows most of the time
// (setCrossWin), which changes nothing: the trades (closest distances, peak ratios, wicks) and
// every other record are deeply equal with every probe made. It fails when the windows are not
// used, or never left, or the wicks not seen.
func TestCrossWindowChangesNothing(t *testing.T) {
	syms := []string{"AAA", "BBB", "CCC"}
	cfg := testConfig(syms...)
	cfg.DefaultLeverage = 10
	cfg.Setups = []Setup{{Name: "cross", Mode: margin.Cross}}
	open := func(side Side) []Order {
		var os []Order
		for i, sym := range syms {
			if i == 1 {
				side = -side
			}
			os = append(os, Order{Symbol: sym, Side: side, Type: Market, Qty: d("15")})
		}
		return os
	}
	strat := func() Strategy {
		// long, short, short; flipped at bar 150 (twice the quantity), closed at bar 390
		flip := open(Sell)
		for i := range flip {
			flip[i].Qty = d("30")
		}
		closeAll := open(Buy)
		return &script{sym: "AAA", at: map[int][]Order{2: open(Buy), 150: flip, 390: closeAll}}
	}
	defer func() { exhaustiveProbes, countSkips = false, false }()
	crossWinSkips.Store(0)
	crossFarSkips.Store(0)
	for _, seed := range []uint64{1, 4, 6, 9} { // (markets the scripted positions live through)
		k, m, f := market(seed, syms, 400)
		k[100].Low, k[300].High = k[100].Close/4, k[300].Close*2 // AAA's (its marks stay)
		var res [2]*Result
		for i, all := range []bool{false, true} {
			exhaustiveProbes, countSkips = all, !all
			r, err := Run(context.Background(), cfg, strat, NewSliceSource(syms, Batches(k, m, f)))
			if err != nil {
				t.Fatal(err)
			}
			res[i] = r
		}
		a := res[0].Accounts[0]
		wicks := 0
		for _, tr := range a.Trades {
			if tr.LastWick {
				wicks++
			}
		}
		if len(a.Trades) < 6 || len(a.Liquidations) > 0 || wicks < 2 {
			t.Errorf("seed %d: %d trades (%d with a last-price wick), %d liquidations: the positions were not held as scripted",
				seed, len(a.Trades), wicks, len(a.Liquidations))
		}
		if !reflect.DeepEqual(a, res[1].Accounts[0]) {
			t.Errorf("seed %d: records differ with every probe made", seed)
		}
	}
	win, far := crossWinSkips.Load(), crossFarSkips.Load()
	t.Logf("%d cross trades left as they were within their windows, %d by crossFar", win, far)
	if win < 1000 || far < 20 {
		t.Errorf("%d cross trades left within their windows, %d by crossFar: the windows are not used, or never left", win, far)
	}
}

// liqDistanceBound is a lower bound of the four distances probePath would otherwise take, as
// floats (so skipping them when it is at least the trade's minimum changes nothing), and not a
// void one: random marks of every magnitude, liquidation prices below, above, between and at
// the marks and one float away from them.
func TestLiqDistanceBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 2))
	pos := 0
	for n := 0; n < 1_000_000; n++ {
		base := math.Pow(10, rng.Float64()*12-4)
		var m [4]float64
		for v := range m {
			m[v] = base * (1 + (rng.Float64()-0.5)*math.Pow(10, -rng.Float64()*15))
		}
		var lp float64
		switch rng.IntN(5) {
		case 0:
			lp = base * rng.Float64() * 2
		case 1:
			lp = base * (1 + (rng.Float64()-0.5)*math.Pow(10, -rng.Float64()*15))
		case 2:
			lp = m[rng.IntN(4)]
		case 3:
			lp = math.Nextafter(min(m[0], m[1], m[2], m[3]), 0)
		default:
			lp = math.Nextafter(max(m[0], m[1], m[2], m[3]), math.Inf(1))
		}
		if !(lp > 0) {
			continue
		}
		b := liqDistanceBound(lp, m[0], m[1], m[2], m[3])
		for v := range m {
			if d := margin.LiquidationDistance(m[v], lp); !(b <= d) {
				t.Fatalf("lp %v, marks %v: bound %v above the distance %v at %v", lp, m, b, d, m[v])
			}
		}
		if b > 0 {
			pos++
		}
	}
	if pos < 300_000 {
		t.Errorf("%d of 1,000,000 bounds > 0: the bound is void", pos)
	}
}

// widen keeps liqSafe's screen honest at its edges: a range widened by liqWiden contains the
// range, a symbol not moving (NaN) stays NaN, and an empty range (a symbol opened after the
// bar's ranges were taken) stays empty, which SafeWithin never finds safe. Widened as numbers,
// +Inf and −Inf gave NaN ("at its mark") and −Inf, where a short passed the screen.
func TestWidenKeepsEmptyRanges(t *testing.T) {
	inf := math.Inf(1)
	if l, h := widen(inf, -inf); !(l > h) {
		t.Errorf("widen(+Inf, -Inf) = %v, %v: no longer empty", l, h)
	}
	if l, h := widen(math.NaN(), math.NaN()); l == l || h == h {
		t.Errorf("widen(NaN, NaN) = %v, %v: want NaN", l, h)
	}
	if l, h := widen(100, 110); !(l < 100 && h > 110) || l != 100-liqWiden*100 || h != 110+liqWiden*110 {
		t.Errorf("widen(100, 110) = %v, %v", l, h)
	}
	if l, h := widen(100, 100); !(l < 100 && h > 100) {
		t.Errorf("widen(100, 100) = %v, %v: a single mark must widen", l, h)
	}
}

// A cross account flat at a bar's open goes long AAA in segment 1 and short BBB in segment 2,
// and BBB's rise in segment 3 liquidates it there. The bar's first liquidation screen comes in
// segment 1 (liqSafe's own ranges, taken once per bar for the open symbols), so BBB, opened
// later in the bar, has the empty range there: widened as numbers it became (NaN, −Inf), which
// SafeWithin read as "at its mark" and "down to −Inf" (the short's uPnL +Inf: safe), and the
// rest of the bar skipped NextLiquidation (b6ee736 keeps it empty, which is never safe).
//
// Wallet 1000, leverage 20, no trading fees, MMR 1 % (testInstrument). The orders placed at
// bar 2's close (AAA 100, BBB 80.5: the sell stop's open loss is small there) arrive at bar 3's
// open, the account flat:
//   - AAA 100/100/90/100 (close = open: open → low → high → close): the buy limit 1 @ 95 fills
//     in segment 1 (100 → 90); AAA stays at 100 in segment 3 (high = close).
//   - BBB 100/101/50/90 (bearish: open → high → low → close; the gap 80.5 → 100 does not
//     trigger the sell stop): the sell stop 100 @ 80 fills in segment 2 (101 → 50); segment 3
//     takes BBB from 50 back up to 90.
//
// In segment 3, with BBB's mark m: equity = 1000 + 1·(100 − 95) + 100·(80 − m) = 9005 − 100m,
// maintenance margin = 1 % × (1·100 + 100·m) = 1 + m; they meet at 9004 = 101m, m =
// 89.1485…, below the close 90: the liquidation comes in bar 3 at BBB's mark 89.1485… (at the
// trigger point the account's ratio is 1). With the broken screen it came at bar 4's open
// (the account under water at the close 90: equity 9005 − 9000 = 5 < MM 91).
func TestWidenedScreenSeesLateOpens(t *testing.T) {
	syms := []string{"AAA", "BBB"}
	a, err := ParseSeries("AAA", t0, hr, "100+0x2 100/100/90/100 100+0x2")
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseSeries("BBB", t0, hr, "100+0x1 80.5 100/101/50/90 90+0x2")
	if err != nil {
		t.Fatal(err)
	}
	for i := range b {
		b[i].ID = 1
	}
	bars := append(a, b...)
	cfg := testConfig(syms...)
	cfg.DefaultLeverage = 20
	cfg.Setups = []Setup{{Name: "cross", Mode: margin.Cross}}
	strat := func() Strategy {
		return &script{sym: "AAA", at: map[int][]Order{2: {
			{Symbol: "AAA", Side: Buy, Type: Limit, Qty: d("1"), Price: d("95")},
			{Symbol: "BBB", Side: Sell, Type: StopMarket, Qty: d("100"), Trigger: d("80")}}}}
	}
	r, err := Run(context.Background(), cfg, strat, NewSliceSource(syms, Batches(bars, bars, nil)))
	if err != nil {
		t.Fatal(err)
	}
	acc := r.Accounts[0]
	if len(acc.Fills) < 2 || !acc.Fills[0].Price.Equal(d("95")) || !acc.Fills[1].Price.Equal(d("80")) {
		t.Fatalf("fills %+v (rejected %+v): want the long 1 AAA @ 95 and the short 100 BBB @ 80 first", acc.Fills, acc.Rejects)
	}
	if len(acc.Liquidations) == 0 {
		t.Fatal("no liquidation")
	}
	t3 := t0 + 3*hr
	for _, l := range acc.Liquidations {
		if l.Time != t3 {
			t.Errorf("%s liquidated at %d, want in bar 3 (%d): the screen hid the liquidation in segment 3", l.Symbol, l.Time, t3)
		}
	}
	var peak float64
	for _, p := range acc.Equity {
		if p.Time == t3+hr { // bar 3's close
			peak = p.PeakMarginRatio
		}
	}
	if peak < 1 {
		t.Errorf("bar 3's peak margin ratio %v, want >= 1 (the liquidation's)", peak)
	}
	want := 9004.0 / 101 // BBB's mark where equity meets the maintenance margin
	bbb := 0
	for _, l := range acc.Liquidations {
		if l.Symbol != "BBB" {
			continue
		}
		bbb++
		// the trigger mark off the grid, the execution price on it against the short (up)
		if m := l.TriggerMark.InexactFloat64(); math.Abs(m-want) > 1e-6 || l.Gap || !l.Price.Equal(d("89.2")) {
			t.Errorf("BBB liquidated at mark %v (gap %v), price %s, want mark %v, no gap, price 89.2", m, l.Gap, l.Price, want)
		}
	}
	if bbb != 1 {
		t.Errorf("%d liquidations of BBB, want 1", bbb)
	}
}

// TestSkippedOpenMarksChangeNothing: step sets the open marks only where something may read
// them before the close (openMarks' doc); a quiet step (quietOpen and probePath(true)) and a
// flat account without orders skip them. The chaos traders (isolated, cross and mixed accounts,
// one-way and hedge mode, with funding, liquidations and rules that hold) give deeply equal
// records when every step sets them (alwaysOpenMarks). It fails unless both skips happened.
func TestSkippedOpenMarksChangeNothing(t *testing.T) {
	symbols := []string{"AAA", "BBB", "CCC"}
	defer func() { alwaysOpenMarks, countSkips = false, false }()
	openProbes.Store(0)
	openMarkSkips.Store(0)
	sameChaosRecords(t, symbols, []string{"chaos", "hedge"}, func(first bool) {
		alwaysOpenMarks, countSkips = !first, first
	}, "when every step sets the open marks")
	quiet, flat := openProbes.Load(), openMarkSkips.Load()
	t.Logf("open marks skipped at %d quiet steps and %d steps of a flat account without orders", quiet, flat)
	if quiet < 100 || flat < 100 {
		t.Errorf("the comparison is void: %d quiet steps, %d flat steps skipped the open marks (want 100 each)", quiet, flat)
	}
}
