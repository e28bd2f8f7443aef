package backtest

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/shopspring/decimal"
)

// randomTrader submits random orders of every kind from its own seeded generator (every
// account's instance draws the same sequence).
type randomTrader struct{ rng *rand.Rand }

func (r *randomTrader) OnBar(br *Broker, b Bar) error {
	if r.rng.IntN(3) != 0 {
		return nil
	}
	px := decimal.NewFromFloat(b.Close)
	tick := d("0.1")
	at := func(f float64) decimal.Decimal { return px.Mul(decimal.NewFromFloat(f)).Div(tick).Round(0).Mul(tick) }
	side := Side(1 - 2*r.rng.IntN(2))
	qty := decimal.NewFromFloat(float64(1+r.rng.IntN(30)) * 100 / b.Close).Round(3)
	o := Order{Symbol: b.Symbol, Side: side, Qty: qty, ReduceOnly: r.rng.IntN(5) == 0}
	f := 1 + float64(side)*0.01*r.rng.Float64()
	switch r.rng.IntN(8) {
	case 0, 1:
		o.Type = Market
		if r.rng.IntN(2) == 0 {
			o.StopLoss, o.TakeProfit = at(2-f-0.02*float64(side)), at(f+0.03*float64(side))
		}
	case 2, 3:
		o.Type, o.Price, o.PostOnly = Limit, at(2-f), r.rng.IntN(2) == 0
	case 4:
		o.Type, o.Trigger = StopMarket, at(f+0.005*float64(side))
	case 5:
		o.Type, o.Trigger = TakeProfitMarket, at(2-f-0.005*float64(side))
	case 6:
		br.CancelAll(b.Symbol)
		return nil
	case 7:
		switch r.rng.IntN(3) {
		case 0:
			br.SetLeverage(b.Symbol, 1+r.rng.IntN(50))
		case 1:
			br.AddMargin(b.Symbol, decimal.NewFromInt(int64(r.rng.IntN(40)-10)))
		case 2:
			br.SetMarginMode(b.Symbol, margin.Mode(r.rng.IntN(2)))
		}
		return nil
	}
	br.Submit(o)
	return nil
}

// FuzzRun drives the engine with random markets and random traders and checks the properties
// that must always hold: no error or panic, money conserved in the records, the margin
// ledger's invariants, and parallel runs identical to sequential ones.
func FuzzRun(f *testing.F) {
	f.Add(uint64(1), uint64(1), uint8(2), uint16(120))
	f.Add(uint64(7), uint64(3), uint8(4), uint16(200))
	f.Add(uint64(42), uint64(9), uint8(1), uint16(60))
	f.Fuzz(func(t *testing.T, mseed, sseed uint64, nsym uint8, nbars uint16) {
		all := []string{"AAA", "BBB", "CCC", "DDD", "EEE"}
		symbols := all[:1+int(nsym)%len(all)]
		k, m, fu := market(mseed, symbols, 20+int(nbars)%300)
		var fps []string
		for _, parallel := range []bool{false, true} {
			cfg := chaosConfig(symbols, parallel)
			res, err := Run(context.Background(), cfg, func() Strategy {
				return &randomTrader{rng: rand.New(rand.NewPCG(sseed, 1))}
			}, NewSliceSource(symbols, Batches(k, m, fu)))
			if err != nil {
				t.Fatal(err)
			}
			fp := ""
			for _, a := range res.Accounts {
				fp += a.Fingerprint()
				checkWallets(t, a.Name, cfg.Wallet, &a)
				// the cross wallet alone may go negative (a realized loss carried by other
				// positions' profits); isolated wallets and the margin balance may not
				if a.Final.MarginBalance.IsNegative() || a.Final.IsolatedWallets.IsNegative() {
					t.Errorf("%s: negative balance %+v", a.Name, a.Final)
				}
			}
			fps = append(fps, fp)
		}
		if fps[0] != fps[1] {
			t.Errorf("parallel run differs from sequential")
		}
	})
}
