package margin

import (
	"math"
	"time"

	"github.com/shopspring/decimal"
)

// Instrument is a tradable perpetual with its exchange filters and liquidation fee rate.
type Instrument struct {
	Symbol         string
	TickSize       decimal.Decimal // price grid
	StepSize       decimal.Decimal // quantity grid
	MinQty         decimal.Decimal
	MinNotional    decimal.Decimal
	MaxQty         decimal.Decimal // largest order quantity (LOT_SIZE maxQty); zero: no limit
	LiquidationFee decimal.Decimal // clearance fee rate on liquidated notional
	Brackets       Table
}

// Default instrument values (docs/margin.md §7 and §9).
var (
	// DefaultLiquidationFee is the clearance fee rate used for every symbol: BTCUSDT's
	// exchangeInfo liquidationFee 0.0125 (1.25%), also seen on ETHUSDC. Binance sets it per
	// symbol; other symbols' values are not known to bt, so they get the same rate.
	DefaultLiquidationFee = decimal.RequireFromString("0.0125")
	// DefaultMinNotional is Binance's default minimum order notional (error -4164), used for
	// symbols whose filter bt does not know.
	DefaultMinNotional = decimal.NewFromInt(5)
)

// DefaultInstrument returns the instrument of symbol with documented default filters, and its
// bracket table from book (nil: DefaultBook()) in force at t:
//
//   - BTCUSDT: tick 0.10, step 0.001, min quantity 0.001, min notional 100 (exchangeInfo
//     captures of 2024–2025, docs/margin.md §9).
//   - ETHUSDT: min notional 20 (docs/margin.md §9); tick and step by the rule below.
//   - any other symbol: derived from refPrice p (a typical price of the period, e.g. the first
//     bar's open). With e = floor(log10 p): tick = 10^(e−4), so prices carry 5 significant
//     digits; step = 10^(−ceil(log10 p)), so one step is worth between 0.1 and 1 USDT;
//     min quantity = step; min notional 5 (Binance's default). A non-positive or NaN refPrice
//     is taken as 1 (tick 0.0001, step 1). These are approximations of Binance's real
//     filters, which differ per symbol; pass real values when they matter.
//
// The liquidation fee is DefaultLiquidationFee for every symbol (real only for BTCUSDT).
func DefaultInstrument(symbol string, refPrice float64, t time.Time, book *Book) Instrument {
	if book == nil {
		book = DefaultBook()
	}
	table, _, _ := book.Table(symbol, t)
	in := Instrument{Symbol: symbol, LiquidationFee: DefaultLiquidationFee, Brackets: table,
		MinNotional: DefaultMinNotional}
	if symbol == "BTCUSDT" {
		in.TickSize = decimal.RequireFromString("0.1")
		in.StepSize = decimal.RequireFromString("0.001")
		in.MinQty = in.StepSize
		in.MinNotional = decimal.NewFromInt(100)
		return in
	}
	if symbol == "ETHUSDT" {
		in.MinNotional = decimal.NewFromInt(20)
	}
	p := refPrice
	if !(p > 0) || math.IsInf(p, 0) {
		p = 1
	}
	e := floorLog10(p)
	in.TickSize = decimal.New(1, int32(e-4))
	c := e // ceil(log10 p)
	if math.Pow10(e) != p {
		c = e + 1
	}
	in.StepSize = decimal.New(1, int32(-c))
	in.MinQty = in.StepSize
	return in
}

// floorLog10 returns floor(log10 p) for p > 0, corrected for the rounding of math.Log10.
func floorLog10(p float64) int {
	e := int(math.Floor(math.Log10(p)))
	for math.Pow10(e+1) <= p {
		e++
	}
	for math.Pow10(e) > p {
		e--
	}
	return e
}
