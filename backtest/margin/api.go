package margin

import (
	"github.com/bt-backtest/bt/internal/exact"
	"github.com/shopspring/decimal"
)

// Mode is the margin mode of one symbol. The zero value is Cross, Binance's default.
type Mode uint8

const (
	Cross    Mode = iota // positions share the cross wallet
	Isolated             // the position risks only its own isolated wallet
)

// String returns "cross" or "isolated".
func (m Mode) String() string {
	if m == Isolated {
		return "isolated"
	}
	return "cross"
}

// Side is the side of an order, Buy = +1 or Sell = −1, and of a position: +1 long, −1 short.
// Package backtest's Side is this type.
type Side int8

// The two sides.
const (
	Buy  Side = 1
	Sell Side = -1
)

// String returns "buy" or "sell" ("" for another value).
func (s Side) String() string {
	switch s {
	case Buy:
		return "buy"
	case Sell:
		return "sell"
	}
	return ""
}

// PositionMode is the account's position mode (Binance's dualSidePosition), account-wide. The
// zero value is OneWay, Binance's default.
type PositionMode uint8

const (
	OneWay PositionMode = iota // one net position per symbol (position side BOTH)
	Hedge                      // a LONG and a SHORT position per symbol (dual-side)
)

// String returns "one-way" or "hedge".
func (m PositionMode) String() string {
	if m == Hedge {
		return "hedge"
	}
	return "one-way"
}

// PositionSide is the position an order or fill acts on, as Binance's positionSide: Both in
// one-way mode, Long or Short in hedge mode. The zero value is Both.
type PositionSide uint8

const (
	Both  PositionSide = iota // the one-way net position
	Long                      // the hedge-mode long position
	Short                     // the hedge-mode short position
)

// String returns "BOTH", "LONG" or "SHORT", Binance's spelling.
func (p PositionSide) String() string {
	switch p {
	case Long:
		return "LONG"
	case Short:
		return "SHORT"
	}
	return "BOTH"
}

// LiqInput is the input of the Binance one-way liquidation-price formula (docs/margin.md §4).
type LiqInput struct {
	Side     Side
	Qty      decimal.Decimal // absolute size, base units
	Entry    decimal.Decimal
	Wallet   decimal.Decimal  // isolated wallet, or the cross wallet balance
	OtherMM  decimal.Decimal  // TMM1: maintenance margin of the other cross positions (0 isolated)
	OtherPnL decimal.Decimal  // UPNL1: unrealized PnL of the other cross positions (0 isolated)
	Brackets Table            // used when MMR/Cum are not given
	MMR, Cum *decimal.Decimal // explicit override of the bracket lookup
}

// FloatLiqInput is the input of LiquidationPriceFloat: LiqInput in float64, with the current
// mark, whose notional's bracket the bracket search starts from.
type FloatLiqInput struct {
	Side              Side
	Qty, Entry        float64 // Qty > 0
	Wallet            float64 // isolated wallet, or the cross wallet balance
	OtherMM, OtherPnL float64 // TMM1 and UPNL1, as in LiqInput
	Mark              float64
	Brackets          FloatTable
}

// LiqResult is what LiquidationPrice computes.
type LiqResult struct {
	Price             decimal.Decimal // liquidation price; may be <= 0 ("--" on Binance)
	Bankruptcy        decimal.Decimal
	MaintenanceMargin decimal.Decimal // at the liquidation price
	MMR, Cum          decimal.Decimal
	Bracket           int // bracket the liquidation price falls in (re-checked), 0 with overrides
}

// Config sets an account up.
type Config struct {
	Wallet        decimal.Decimal // initial USDT wallet balance, >= 0
	Instruments   []Instrument
	AutoAddMargin bool // top isolated positions up from the wallet near liquidation
	PositionMode  PositionMode
}

// Fill is one execution to book.
type Fill struct {
	Time       int64           // Unix ms
	Qty        decimal.Decimal // signed: > 0 buy, < 0 sell
	Price      decimal.Decimal
	FeeRate    decimal.Decimal // maker or taker rate
	ReduceOnly bool
	// PositionSide is the position the fill acts on: Both in one-way mode; Long or Short in
	// hedge mode, where a buy opens or increases Long and reduces Short, a sell the reverse.
	PositionSide PositionSide
}

// FillResult is what booking a fill did.
type FillResult struct {
	RealizedPnL decimal.Decimal
	Fee         decimal.Decimal
	PositionQty decimal.Decimal // after the fill
	EntryPrice  decimal.Decimal // after the fill

	feeF, pnlF exact.Fix // Fee's and RealizedPnL's Fix as the ledger computed them (see FeeFix)
}

// FeeFix is Fee as an exact.Fix: its value and exponent (not OK only when Fee's coefficient
// does not fit in an int64), without reading Fee's coefficient again when the ledger booked it.
func (r FillResult) FeeFix() exact.Fix {
	if r.feeF.OK() {
		return r.feeF
	}
	return exact.FixOf(r.Fee)
}

// RealizedPnLFix is RealizedPnL as an exact.Fix, as FeeFix is Fee's.
func (r FillResult) RealizedPnLFix() exact.Fix {
	if r.pnlF.OK() {
		return r.pnlF
	}
	return exact.FixOf(r.RealizedPnL)
}

// Liquidation records one liquidated position.
type Liquidation struct {
	Time          int64
	Symbol        string
	Side          PositionSide // Both in one-way mode, else the leg liquidated
	Mode          Mode
	Qty           decimal.Decimal // signed position closed
	Entry         decimal.Decimal
	TriggerMark   decimal.Decimal // mark price at which the threshold was met (off the grid)
	Price         decimal.Decimal // execution price: TriggerMark on the tick grid, against the position
	Bankruptcy    decimal.Decimal
	RealizedPnL   decimal.Decimal // qty × (Price − Entry) as booked (rounded to MoneyPlaces)
	MarginLost    decimal.Decimal // margin the position lost, clearance fee excluded
	Fee           decimal.Decimal // clearance fee
	InsuranceDraw decimal.Decimal // shortfall taken by the insurance fund
	Gap           bool            // the price gapped through the liquidation price
	Cascade       int             // number of positions liquidated together (cross)
}

// Cost is what the liquidation cost beyond a stop at its trigger mark price: the clearance fee
// plus the execution shortfall qty × (trigger mark − execution price), rounded to MoneyPlaces,
// exact. The shortfall is ≥ 0: the execution price lies against the position (docs/margin.md
// §6; docs/statistics.md, "Liquidation cost").
func (l Liquidation) Cost() (cost, shortfall decimal.Decimal) {
	shortfall = l.Qty.Mul(l.TriggerMark.Sub(l.Price)).Round(MoneyPlaces)
	return l.Fee.Add(shortfall), shortfall
}

// Position is a read-only view of one symbol's position (one-way) or of one leg of it (hedge).
type Position struct {
	Symbol         string
	Side           PositionSide // Both in one-way mode, Long or Short in hedge mode
	Mode           Mode
	Leverage       int
	Qty            decimal.Decimal // > 0 long, < 0 short, 0 flat
	Entry          decimal.Decimal
	IsolatedWallet decimal.Decimal // isolated mode only
}

// Snapshot is the account valued at the current marks.
type Snapshot struct {
	Wallet            decimal.Decimal // cross wallet (isolated wallets excluded)
	IsolatedWallets   decimal.Decimal
	UnrealizedPnL     decimal.Decimal // all positions
	MarginBalance     decimal.Decimal // wallet + isolated wallets + uPnL (equity)
	MaintenanceMargin decimal.Decimal // all positions
	CrossMarginRatio  float64         // cross MM / cross margin balance (0 without cross positions)
	MaxMarginRatio    float64         // the highest ratio of the cross account and isolated positions
	Available         decimal.Decimal // available balance for new orders
}
