package margin

import "errors"

// Errors of package margin, grouped by when they occur. Rejections of an account action are
// returned as a *RejectError whose Reason is one of the first group; errors.Is matches both.
var (
	// Rejections of an order or fill (Apply, CanOpen).

	// ErrInsufficientMargin: the initial margin (plus open loss and fee) exceeds the available
	// balance (Binance -2019), or an isolated margin addition exceeds the addable maximum.
	ErrInsufficientMargin = errors.New("margin: insufficient margin")
	// ErrMinNotional: an order that opens or increases a position is below the instrument's
	// minimum notional (Binance -4164).
	ErrMinNotional = errors.New("margin: notional below minimum")
	// ErrMinQty: the quantity is below the instrument's minimum quantity.
	ErrMinQty = errors.New("margin: quantity below minimum")
	// ErrMaxQty: the quantity is above the instrument's maximum quantity (LOT_SIZE maxQty).
	ErrMaxQty = errors.New("margin: quantity above maximum")
	// ErrStepSize: the quantity is not a multiple of the instrument's step size.
	ErrStepSize = errors.New("margin: quantity not a multiple of the step size")
	// ErrTickSize: the price is not a multiple of the instrument's tick size.
	ErrTickSize = errors.New("margin: price not a multiple of the tick size")
	// ErrReduceOnly: a reduce-only order would open, increase or flip the position (Binance
	// -2022); in hedge mode also an order that would close more of a leg than it holds (a
	// leg never flips: a sell on LONG only reduces it).
	ErrReduceOnly = errors.New("margin: reduce-only order would increase the position")
	// ErrInvalidOrder: zero quantity or a non-positive price.
	ErrInvalidOrder = errors.New("margin: invalid order")

	// Rejections of a margin-mode change (SetMode).

	// ErrModeChangeWithPosition: the symbol has an open position (Binance -4048).
	ErrModeChangeWithPosition = errors.New("margin: margin mode cannot change with an open position")
	// ErrModeChangeWithOrders: the symbol has open orders (Binance -4047).
	ErrModeChangeWithOrders = errors.New("margin: margin mode cannot change with open orders")

	// Rejections of a position-mode change (SetPositionMode) and of a fill's position side.

	// ErrPositionModeWithOrders: the account has open orders (Binance -4067).
	ErrPositionModeWithOrders = errors.New("margin: position mode cannot change with open orders")
	// ErrPositionModeWithPosition: the account has an open position (Binance -4068).
	ErrPositionModeWithPosition = errors.New("margin: position mode cannot change with an open position")
	// ErrPositionSide: the order's position side does not match the account's position mode
	// (Binance -4061): LONG or SHORT in one-way mode, BOTH (none) in hedge mode.
	ErrPositionSide = errors.New("margin: position side does not match the position mode (hedge mode: an order names LONG or SHORT; one-way mode: BOTH or none)")

	// Rejections of a leverage change (SetLeverage, and Apply when a fill grows the notional).

	// ErrLeverageTooHigh: the leverage exceeds the bracket maximum for the position's notional.
	ErrLeverageTooHigh = errors.New("margin: leverage above the bracket maximum")
	// ErrLeverageReduceIsolated: leverage cannot be lowered on an open isolated position
	// (Binance -4161).
	ErrLeverageReduceIsolated = errors.New("margin: leverage cannot be lowered on an open isolated position")
	// ErrInvalidLeverage: leverage below 1.
	ErrInvalidLeverage = errors.New("margin: leverage must be at least 1")

	// Rejections of an isolated margin adjustment (AddMargin).

	// ErrNotIsolated: margin can be added or removed only in isolated mode (Binance -4049).
	ErrNotIsolated = errors.New("margin: symbol is not in isolated mode")
	// ErrNoPosition: there is no position to add margin to (Binance -4054).
	ErrNoPosition = errors.New("margin: no open position")
	// ErrRemoveTooMuch: the amount exceeds the removable maximum (Binance -4051).
	ErrRemoveTooMuch = errors.New("margin: amount exceeds the removable margin")

	// Errors of the calculator and of configuration.

	// ErrInvalidInput: a liquidation-price input, a funding rate or a config value is out of
	// range (non-positive quantity or entry, side not ±1, NaN).
	ErrInvalidInput = errors.New("margin: invalid input")
	// ErrBadBrackets: a bracket table is malformed (empty, unordered, gaps, or breaking the
	// cum rule cum_n = cum_(n-1) + floor_n·(MMR_n − MMR_(n-1))).
	ErrBadBrackets = errors.New("margin: malformed bracket table")

	// Errors of Check.

	// ErrInvariant: an accounting invariant does not hold (a bug in this package).
	ErrInvariant = errors.New("margin: invariant violated")
)

// RejectError is a refused action, with a reason that errors.Is matches against the Err*
// sentinels of this package (ErrInsufficientMargin, ErrMinNotional, ErrStepSize, ErrTickSize,
// ErrReduceOnly, ErrModeChangeWithPosition, ErrModeChangeWithOrders, ErrPositionModeWithOrders,
// ErrPositionModeWithPosition, ErrPositionSide, ErrLeverageTooHigh,
// ErrLeverageReduceIsolated, ErrNotIsolated, ErrNoPosition, ErrRemoveTooMuch, and ErrMinQty, ErrMaxQty,
// ErrInvalidOrder, ErrInvalidLeverage).
type RejectError struct {
	Symbol string
	Action string // "order", "leverage", "mode", "position mode", "margin"
	Reason error
}

// Error returns "margin: <symbol> <action>: <reason>".
func (e *RejectError) Error() string {
	return "margin: " + e.Symbol + " " + e.Action + ": " + e.Reason.Error()
}

// Unwrap returns the reason, so that errors.Is(err, ErrInsufficientMargin) works.
func (e *RejectError) Unwrap() error { return e.Reason }

func reject(sym, action string, reason error) error {
	return &RejectError{Symbol: sym, Action: action, Reason: reason}
}
