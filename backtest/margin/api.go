package margin

// CONTRACT STUB written by the lead: these are the names and semantics the event loop
// (package backtest), the CLI (bt calc liq) and the reports code against. The owner of this
// package implements them (in whatever files it likes; this file may be split up) and may add
// to the API, but must keep these signatures and meanings.

import (
	"time"

	"github.com/shopspring/decimal"
)

// Mode is the margin mode of one symbol. The zero value is Cross, Binance's default.
type Mode uint8

const (
	Cross    Mode = iota // positions share the cross wallet
	Isolated             // the position risks only its own isolated wallet
)

// Bracket is one row of a leverage-bracket table (GET /fapi/v1/leverageBracket).
type Bracket struct {
	Bracket     int
	Floor, Cap  decimal.Decimal // notional range, floor inclusive
	MaxLeverage int             // initialLeverage
	MMR, Cum    decimal.Decimal
}

// Table is one symbol's brackets, ascending by Floor.
type Table []Bracket

// For returns the bracket whose range holds notional (the last one past the top cap).
func (t Table) For(notional decimal.Decimal) Bracket { panic("unimplemented") }

// Book holds dated bracket tables per symbol (the embedded reference snapshots, or a user file
// in the same JSON layout as ../shared/reference/binance-um-brackets.json).
type Book struct{}

// DefaultBook returns the embedded book of real Binance snapshots plus a documented default
// table for other symbols.
func DefaultBook() *Book { panic("unimplemented") }

// Table returns the table of symbol in force at t (the latest snapshot dated on or before t;
// the earliest one before the first snapshot), the snapshot date, and whether the symbol had a
// real table (false: the documented default table was used).
func (b *Book) Table(symbol string, t time.Time) (Table, string, bool) { panic("unimplemented") }

// Instrument is a tradable perpetual with its exchange filters and liquidation fee rate.
type Instrument struct {
	Symbol         string
	TickSize       decimal.Decimal // price grid
	StepSize       decimal.Decimal // quantity grid
	MinQty         decimal.Decimal
	MinNotional    decimal.Decimal
	LiquidationFee decimal.Decimal // clearance fee rate on liquidated notional
	Brackets       Table
}

// Side of a position: +1 long, -1 short.
type Side int8

// LiqInput is the input of the Binance one-way liquidation-price formula (see reference §1).
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

// LiqResult is what LiquidationPrice computes.
type LiqResult struct {
	Price             decimal.Decimal // liquidation price; may be <= 0 ("--" on Binance)
	Bankruptcy        decimal.Decimal
	MaintenanceMargin decimal.Decimal // at the liquidation price
	MMR, Cum          decimal.Decimal
	Bracket           int // bracket the liquidation price falls in (re-checked), 0 with overrides
}

// LiquidationPrice computes the one-way liquidation price as Binance's calculator does,
// including the re-check in the bracket the liquidation price falls in.
func LiquidationPrice(in LiqInput) (LiqResult, error) { panic("unimplemented") }

// Account is one USDT futures account in one-way position mode: a wallet, and per symbol a
// margin mode, a leverage and at most one net position. Symbols are addressed by their index
// in the instruments slice given to NewAccount. Every ledger quantity is exact decimal.
type Account struct{}

// Config sets an account up.
type Config struct {
	Wallet        decimal.Decimal // initial USDT wallet balance
	Instruments   []Instrument
	AutoAddMargin bool // top isolated positions up from the wallet near liquidation
}

// NewAccount returns a flat account. Every symbol starts in Cross mode at leverage 20.
func NewAccount(cfg Config) (*Account, error) { panic("unimplemented") }

// SetMode sets the margin mode of symbol i (errors: open position, open orders).
func (a *Account) SetMode(i int, m Mode) error { panic("unimplemented") }

// SetLeverage sets the leverage of symbol i (errors: above the bracket maximum for the
// position's notional, lowering on an open isolated position).
func (a *Account) SetLeverage(i int, lev int) error { panic("unimplemented") }

// SetOpenOrders tells the account how many orders symbol i has open and the initial margin
// they reserve (counted in the available balance; blocks mode changes).
func (a *Account) SetOpenOrders(i int, n int, initialMargin decimal.Decimal) { panic("unimplemented") }

// Fill is one execution to book.
type Fill struct {
	Time       int64           // Unix ms
	Qty        decimal.Decimal // signed: > 0 buy, < 0 sell
	Price      decimal.Decimal
	FeeRate    decimal.Decimal // maker or taker rate
	ReduceOnly bool
}

// FillResult is what booking a fill did.
type FillResult struct {
	RealizedPnL decimal.Decimal
	Fee         decimal.Decimal
	PositionQty decimal.Decimal // after the fill
	EntryPrice  decimal.Decimal // after the fill
}

// Apply books fill f on symbol i: checks filters (step, tick, min notional), reduce-only and
// the initial margin against the available balance (when the position grows), then updates
// the position, realized PnL and fee, and the isolated wallet. Rejections are *RejectError.
func (a *Account) Apply(i int, f Fill) (FillResult, error) { panic("unimplemented") }

// CanOpen checks, without booking, whether an order of qty at price on symbol i would pass
// the filters and margin checks (used when an order is placed). It returns a *RejectError.
func (a *Account) CanOpen(i int, qty, price decimal.Decimal, reduceOnly bool) error {
	panic("unimplemented")
}

// AddMargin moves amount from the wallet into the isolated wallet of symbol i; a negative
// amount removes margin (up to the removable maximum Binance defines).
func (a *Account) AddMargin(i int, amount decimal.Decimal) error { panic("unimplemented") }

// SetMark sets symbol i's current mark price (float, for screening; made exact only when the
// ledger needs it). NaN means no mark yet.
func (a *Account) SetMark(i int, mark float64) { panic("unimplemented") }

// Fund settles one funding payment on symbol i at time t: notional at mark × rate, paid by
// longs when rate > 0. It returns the signed amount credited to the account (0 when flat).
func (a *Account) Fund(i int, t int64, rate float64, mark float64) (decimal.Decimal, error) {
	panic("unimplemented")
}

// NextLiquidation screens the straight mark path from `from` to `to` (indexed by symbol; NaN:
// the symbol does not move) and returns the smallest s in [0,1] at which an isolated position
// or the cross account reaches its liquidation threshold, and whether there is one. The
// decision is exact: float64 screening falls back to decimal arithmetic near the threshold.
func (a *Account) NextLiquidation(from, to []float64) (s float64, ok bool) { panic("unimplemented") }

// Liquidation records one liquidated position.
type Liquidation struct {
	Time          int64
	Symbol        string
	Mode          Mode
	Qty           decimal.Decimal // signed position closed
	Entry         decimal.Decimal
	TriggerMark   decimal.Decimal // mark price at which the threshold was met
	Price         decimal.Decimal // execution (liquidation) price
	Bankruptcy    decimal.Decimal
	MarginLost    decimal.Decimal // margin the position lost, clearance fee excluded
	Fee           decimal.Decimal // clearance fee
	InsuranceDraw decimal.Decimal // shortfall taken by the insurance fund
	Gap           bool            // the price gapped through the liquidation price
	Cascade       int             // number of positions liquidated together (cross)
}

// Liquidate executes every liquidation due at parameter s of the path from→to (as returned
// by NextLiquidation; gap=true when the threshold was already met at `from`, i.e. the bar
// opened through it, so positions close at `from`). Isolated positions close at their
// liquidation price; cross positions all close at the marks at s. It appends the records.
func (a *Account) Liquidate(t int64, from, to []float64, s float64, gap bool, out []Liquidation) []Liquidation {
	panic("unimplemented")
}

// Position is a read-only view of one symbol's position.
type Position struct {
	Symbol         string
	Mode           Mode
	Leverage       int
	Qty            decimal.Decimal // > 0 long, < 0 short, 0 flat
	Entry          decimal.Decimal
	IsolatedWallet decimal.Decimal // isolated mode only
}

// Position returns symbol i's position.
func (a *Account) Position(i int) Position { panic("unimplemented") }

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

// Snapshot values the account at the current marks.
func (a *Account) Snapshot() Snapshot { panic("unimplemented") }

// Equity is Snapshot().MarginBalance computed in float64 for per-bar curves (cheap).
func (a *Account) Equity() float64 { panic("unimplemented") }

// LiquidationPriceOf returns symbol i's current liquidation price (cross: other positions at
// their current marks) and false when flat or when it is <= 0.
func (a *Account) LiquidationPriceOf(i int) (decimal.Decimal, bool) { panic("unimplemented") }

// Check verifies the invariants: money is conserved (initial wallet + realized PnL − fees ±
// funding − clearance fees + insurance draws + margin moved = wallet + isolated wallets), no
// isolated loss exceeds its margin, isolated wallets >= 0, flat positions have no margin,
// nothing is NaN.
func (a *Account) Check() error { panic("unimplemented") }

// RejectError is a refused action, with a reason that errors.Is matches against the Err*
// sentinels of this package (ErrInsufficientMargin, ErrMinNotional, ErrStepSize, ErrTickSize,
// ErrReduceOnly, ErrModeChangeWithPosition, ErrModeChangeWithOrders, ErrLeverageTooHigh,
// ErrLeverageReduceIsolated, ErrNotIsolated, ErrNoPosition, ErrRemoveTooMuch).
type RejectError struct {
	Symbol string
	Action string // "order", "leverage", "mode", "margin"
	Reason error
}

func (e *RejectError) Error() string {
	return "margin: " + e.Symbol + " " + e.Action + ": " + e.Reason.Error()
}
func (e *RejectError) Unwrap() error { return e.Reason }
