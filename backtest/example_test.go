package backtest_test

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/shopspring/decimal"
)

// ExampleRun replays a scripted hour of BTCUSDT through one strategy under isolated and cross
// margin at once. The strategy buys 0.1 BTC at 20x after the first bar and sells after the
// fifth. The wick to 57,000 crosses the isolated liquidation price (about 57,229: the 300 USDT
// of isolated margin minus maintenance margin) but not the cross one (about 50,201, backed by
// the whole 1,000 USDT wallet), so the isolated account loses its margin while the cross
// account rides the dip out.
//
// By hand: the entry fills at the second bar's open, 60,000, taker fee 0.05% = 3. Isolated:
// the position is liquidated at its liquidation price, 57,228.9, losing the 300 of margin,
// so −303 with the fee. Cross: the close fills at the sixth bar's open, 59,500: PnL
// 0.1 × (59,500 − 60,000) = −50, fees 3 + 2.975: −55.975, equity 944.025.
func ExampleRun() {
	const h = 3600_000
	start := int64(1719792000000) // 2024-07-01 00:00 UTC
	bars := backtest.OHLC("BTCUSDT", start, h,
		[4]float64{60000, 60100, 59900, 60000},
		[4]float64{60000, 60050, 59800, 59900},
		[4]float64{59900, 59950, 57000, 58500}, // the wick
		[4]float64{58500, 59200, 58400, 59100},
		[4]float64{59100, 59600, 59000, 59500},
		[4]float64{59500, 59700, 59400, 59600},
	)
	src := backtest.NewSliceSource([]string{"BTCUSDT"}, backtest.Batches(bars, nil, nil))
	cfg := backtest.Config{
		Wallet:            decimal.NewFromInt(1000),
		Leverage:          map[string]int{"BTCUSDT": 20},
		NoFundingFallback: true,
	}
	newStrategy := func() backtest.Strategy {
		n := 0
		return backtest.StrategyFunc(func(br *backtest.Broker, b backtest.Bar) error {
			n++
			switch n {
			case 1:
				_, err := br.Submit(backtest.Order{Symbol: "BTCUSDT", Side: backtest.Buy, Type: backtest.Market, Qty: decimal.RequireFromString("0.1")})
				return err
			case 5:
				if br.Position("BTCUSDT").Qty.IsPositive() {
					_, err := br.Submit(backtest.Order{Symbol: "BTCUSDT", Side: backtest.Sell, Type: backtest.Market, ClosePosition: true})
					return err
				}
			}
			return nil
		})
	}
	res, err := backtest.Run(context.Background(), cfg, newStrategy, src)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range res.Accounts {
		fmt.Printf("%-8s fills %d, liquidations %d, equity %s\n", a.Name, len(a.Fills), len(a.Liquidations), a.Final.MarginBalance.StringFixed(2))
		for _, t := range a.Trades {
			fmt.Printf("         trade %s → %s, PnL %s, liquidated %v\n", t.EntryPrice.StringFixed(1), t.ExitPrice.StringFixed(1), t.PnL.StringFixed(2), t.Liquidated)
		}
	}
	// Output:
	// isolated fills 2, liquidations 1, equity 697.00
	//          trade 60000.0 → 57228.9, PnL -303.00, liquidated true
	// cross    fills 2, liquidations 0, equity 944.03
	//          trade 60000.0 → 59500.0, PnL -55.98, liquidated false
}

// leader is a strategy that takes a timestamp's bars in one call (backtest.BarsHandler): it
// holds, of two symbols, the one that rose most over the bar. OnBar is there for the
// backtest.Strategy interface; the engine calls OnBars instead.
type leader struct{ held string }

func (l *leader) OnBar(*backtest.Broker, backtest.Bar) error { return nil }

func (l *leader) OnBars(br *backtest.Broker, bars []backtest.Bar) error {
	best, gain := "", 0.0
	for k := range bars { // read in place: the slice is the engine's, not to be kept or changed
		b := &bars[k]
		if g := b.Close/b.Open - 1; best == "" || g > gain {
			best, gain = b.Symbol, g
		}
	}
	if best == l.held {
		return nil
	}
	if l.held != "" {
		if _, err := br.Submit(backtest.Order{Symbol: l.held, Side: backtest.Sell, Type: backtest.Market, ClosePosition: true}); err != nil {
			return err
		}
	}
	l.held = best
	fmt.Printf("%s: hold %s\n", time.UnixMilli(br.Now()).UTC().Format("15:04"), best)
	_, err := br.Submit(backtest.Order{Symbol: best, Side: backtest.Buy, Type: backtest.Market, Qty: decimal.NewFromInt(1)})
	return err
}

// ExampleBarsHandler runs a rotation between two symbols through OnBars, one call per hour
// with both bars in symbol order. Each switch closes the held symbol and buys the other at
// the next bar's open.
func ExampleBarsHandler() {
	const h = 3600_000
	start := int64(1719792000000) // 2024-07-01 00:00 UTC
	bars := append(backtest.OHLC("AAAUSDT", start, h,
		[4]float64{100, 102, 99, 101}, [4]float64{101, 101, 97, 98}, [4]float64{98, 100, 97, 99}),
		backtest.OHLC("BBBUSDT", start, h,
			[4]float64{50, 51, 49, 50}, [4]float64{50, 52, 50, 51}, [4]float64{51, 51, 49, 50})...)
	src := backtest.NewSliceSource([]string{"AAAUSDT", "BBBUSDT"}, backtest.Batches(bars, nil, nil))
	cfg := backtest.Config{
		Wallet:            decimal.NewFromInt(1000),
		Setups:            []backtest.Setup{{Name: "cross", Mode: margin.Cross}},
		NoFundingFallback: true,
	}
	res, err := backtest.Run(context.Background(), cfg, func() backtest.Strategy { return &leader{} }, src)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("fills:", len(res.Accounts[0].Fills))
	// Output:
	// 01:00: hold AAAUSDT
	// 02:00: hold BBBUSDT
	// 03:00: hold AAAUSDT
	// fills: 3
}

// dipKey is what the dip buyer's signals depend on: its one signal setting, the dip in percent.
type dipKey struct{ pct float64 }

// dipped lists the symbols whose bar closed pct percent or more below its open.
func dipped(pct float64, bars []backtest.Bar) []string {
	var out []string
	for k := range bars {
		if b := &bars[k]; b.Close <= b.Open*(1-pct/100) {
			out = append(out, b.Symbol)
		}
	}
	return out
}

// dips is the dip buyer's shared computation: for each batch of the last Prepare, the symbols
// that dipped. The engine prepares it once per batch for every account with the same dip.
type dips struct {
	pct  float64
	rows [][]string
}

func (d *dips) Prepare(bs []backtest.Batch) {
	d.rows = d.rows[:0]
	for j := range bs {
		row := dipped(d.pct, bs[j].Bars)
		if row != nil {
			fmt.Printf("computed once for dip %g%%: %v in the bar of %s\n", d.pct, row, time.UnixMilli(bs[j].Time).UTC().Format("15:04"))
		}
		d.rows = append(d.rows, row)
	}
}

// dipBuyer buys qty of every symbol that dipped by dip percent in a bar. The dips depend on
// the bars and on dip only, so it is a backtest.SignalSharer: the accounts with the same dip
// share them, whatever their qty or margin mode. Without shared signals it computes its own.
type dipBuyer struct {
	pct    float64
	qty    decimal.Decimal
	shared *dips
	row    []string // the dips of the timestamp being stepped
}

func (d *dipBuyer) Start(br *backtest.Broker) error {
	p, _ := br.Param("dip")
	q, _ := br.Param("qty")
	var err error
	if d.pct, err = strconv.ParseFloat(p, 64); err != nil {
		return err
	}
	d.qty, err = decimal.NewFromString(q)
	return err
}

func (d *dipBuyer) SignalKey() any                             { return dipKey{d.pct} }
func (d *dipBuyer) NewSignals() backtest.Signals               { return &dips{pct: d.pct} }
func (d *dipBuyer) UseSignals(s backtest.Signals)              { d.shared, _ = s.(*dips) }
func (d *dipBuyer) OnBar(*backtest.Broker, backtest.Bar) error { return nil } // OnBars is called instead

func (d *dipBuyer) OnBars(br *backtest.Broker, bars []backtest.Bar) error {
	if d.shared != nil {
		d.row = d.shared.rows[br.BatchIndex()]
	} else {
		d.row = dipped(d.pct, bars)
	}
	return nil
}

func (d *dipBuyer) OnStep(br *backtest.Broker, t int64) error {
	for _, sym := range d.row {
		if _, err := br.Submit(backtest.Order{Symbol: sym, Side: backtest.Buy, Type: backtest.Market, Qty: d.qty}); err != nil {
			return err
		}
	}
	return nil
}

// ExampleSignalSharer runs three dip buyers side by side, as a sweep would: two buy dips of 1%
// (one 1 unit under isolated margin, one 2 units under cross) and share one computation of
// the dips; the third buys dips of 3% and has its own. Each dip is computed once per setting,
// not once per account.
func ExampleSignalSharer() {
	const h = 3600_000
	start := int64(1719792000000) // 2024-07-01 00:00 UTC
	bars := append(backtest.OHLC("AAAUSDT", start, h,
		[4]float64{100, 102, 99, 101}, [4]float64{101, 101, 97, 98}, [4]float64{98, 100, 97, 99}),
		backtest.OHLC("BBBUSDT", start, h,
			[4]float64{50, 51, 49, 50}, [4]float64{50, 50, 47, 48}, [4]float64{48, 49, 47, 48.5})...)
	src := backtest.NewSliceSource([]string{"AAAUSDT", "BBBUSDT"}, backtest.Batches(bars, nil, nil))
	account := func(dip, qty string) *backtest.Config {
		return &backtest.Config{Wallet: decimal.NewFromInt(1000), NoFundingFallback: true, Params: map[string]string{"dip": dip, "qty": qty}}
	}
	cfg := backtest.Config{
		Setups: []backtest.Setup{
			{Name: "iso-1%", Mode: margin.Isolated, Config: account("1", "1")},
			{Name: "cross-1%", Mode: margin.Cross, Config: account("1", "2")},
			{Name: "cross-3%", Mode: margin.Cross, Config: account("3", "1")},
		},
		NoFundingFallback: true,
	}
	res, err := backtest.Run(context.Background(), cfg, func() backtest.Strategy { return &dipBuyer{} }, src)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range res.Accounts {
		fmt.Printf("%-8s", a.Name)
		for _, f := range a.Fills {
			fmt.Printf(" bought %s %s", f.Qty, f.Symbol)
		}
		fmt.Println()
	}
	// Output:
	// computed once for dip 1%: [AAAUSDT BBBUSDT] in the bar of 01:00
	// computed once for dip 3%: [BBBUSDT] in the bar of 01:00
	// iso-1%   bought 1 AAAUSDT bought 1 BBBUSDT
	// cross-1% bought 2 AAAUSDT bought 2 BBBUSDT
	// cross-3% bought 1 BBBUSDT
}
