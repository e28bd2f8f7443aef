package margin_test

import (
	"fmt"
	"time"

	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/shopspring/decimal"
)

// The liquidation price of an isolated long of 10.2 BTC at 60,000 with 20x (30,600 margin)
// on the 2024-10-24 brackets: the entry is in bracket 3, the liquidation price in bracket 2.
func ExampleLiquidationPrice() {
	table, date, _ := margin.DefaultBook().Table("BTCUSDT", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	r, err := margin.LiquidationPrice(margin.LiqInput{
		Side:     1,
		Qty:      decimal.RequireFromString("10.2"),
		Entry:    decimal.NewFromInt(60000),
		Wallet:   decimal.NewFromInt(30600),
		Brackets: table,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("brackets of", date)
	fmt.Println("liquidation price", r.Price.StringFixed(2), "in bracket", r.Bracket)
	fmt.Println("bankruptcy price", r.Bankruptcy.StringFixed(2))
	fmt.Println("maintenance margin", r.MaintenanceMargin.StringFixed(2))
	// Output:
	// brackets of 2024-10-24
	// liquidation price 57281.51 in bracket 2
	// bankruptcy price 57000.00
	// maintenance margin 2871.36
}

// An isolated BTC long, screened along a falling mark path and liquidated at its
// liquidation price 59,045.2261 rounded down to the tick (0.1); the wallet outside the
// position is untouched.
func ExampleAccount() {
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	btc := margin.DefaultInstrument("BTCUSDT", 60000, at, nil)
	a, _ := margin.NewAccount(margin.Config{Wallet: decimal.NewFromInt(2000), Instruments: []margin.Instrument{btc}})
	_ = a.SetMode(0, margin.Isolated)
	_ = a.SetLeverage(0, 50)
	_, err := a.Apply(0, margin.Fill{Qty: decimal.NewFromInt(1), Price: decimal.NewFromInt(60000),
		FeeRate: decimal.RequireFromString("0.0005")})
	if err != nil {
		fmt.Println(err)
		return
	}
	lp, _ := a.LiquidationPriceOf(0)
	fmt.Println("wallet", a.Wallet(), "isolated", a.Position(0).IsolatedWallet, "LP", lp.StringFixed(2))
	from, to := []float64{60000}, []float64{58000}
	if s, ok := a.NextLiquidation(from, to); ok {
		for _, l := range a.Liquidate(0, margin.PathPoint{From: from, To: to, S: s}, nil) {
			fmt.Printf("liquidated %s at %s: lost %s, fee %s\n", l.Symbol, l.Price.StringFixed(2),
				l.MarginLost.StringFixed(2), l.Fee.StringFixed(2))
		}
	}
	fmt.Println("wallet", a.Wallet(), "check", a.Check())
	// Output:
	// wallet 770 isolated 1200 LP 59045.23
	// liquidated BTCUSDT at 59045.20: lost 954.80, fee 245.20
	// wallet 770 check <nil>
}
