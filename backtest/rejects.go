package backtest

import (
	"errors"

	"github.com/bt-backtest/bt/backtest/margin"
)

// RejectCode is the stable code of a rejection reason with the sentence people read.
type RejectCode struct {
	Code   string // snake_case, stable across versions: what scripts and summary.json key on
	Reason string // the reason in a trader's words, without numbers
	err    error
}

// RejectCodes lists every reason a Reject can carry. A reason the table does not know (a
// bug, or a newer rule) has the code "other".
var RejectCodes = []RejectCode{
	{"insufficient_margin", "insufficient margin", margin.ErrInsufficientMargin},
	{"min_notional", "notional below the symbol's minimum", margin.ErrMinNotional},
	{"min_qty", "quantity below the symbol's minimum", margin.ErrMinQty},
	{"step_size", "quantity not a multiple of the step size", margin.ErrStepSize},
	{"tick_size", "price not a multiple of the tick size", margin.ErrTickSize},
	{"reduce_only", "reduce-only order would increase the position", margin.ErrReduceOnly},
	{"invalid_order", "invalid order", ErrInvalidOrder},
	{"invalid_order", "invalid order", margin.ErrInvalidOrder},
	{"mode_change_with_position", "margin mode cannot change with an open position", margin.ErrModeChangeWithPosition},
	{"mode_change_with_orders", "margin mode cannot change with open orders", margin.ErrModeChangeWithOrders},
	{"position_mode_change_with_orders", "position mode cannot change with open orders", margin.ErrPositionModeWithOrders},
	{"position_mode_change_with_position", "position mode cannot change with an open position", margin.ErrPositionModeWithPosition},
	{"position_side_mismatch", "position side does not match the position mode (hedge mode: an order names LONG or SHORT; one-way mode: BOTH or none)", margin.ErrPositionSide},
	{"leverage_too_high", "leverage above the bracket maximum", margin.ErrLeverageTooHigh},
	{"leverage_reduce_isolated", "leverage cannot be lowered on an open isolated position", margin.ErrLeverageReduceIsolated},
	{"invalid_leverage", "leverage must be at least 1", margin.ErrInvalidLeverage},
	{"not_isolated", "symbol is not in isolated mode", margin.ErrNotIsolated},
	{"no_position", "no open position", margin.ErrNoPosition},
	{"remove_too_much", "amount exceeds the removable margin", margin.ErrRemoveTooMuch},
	{"unknown_symbol", "unknown symbol", ErrUnknownSymbol},
	{"post_only", "post-only order would take liquidity", ErrPostOnly},
	{"would_trigger", "stop or take-profit would trigger immediately", ErrWouldTrigger},
	{"no_such_order", "no such open order", ErrNoSuchOrder},
	{"account_stopped", "account stopped trading (ruined or liquidated)", ErrStopped},
	{"no_price", "symbol has no completed bar yet", ErrNoPrice},
	{"invalid_input", "invalid input to the margin rules", margin.ErrInvalidInput},
}

// OtherRejectCode is the code of a reason RejectCodes does not list.
const OtherRejectCode = "other"

// rejectCode returns the code of err (a backtest or margin sentinel, possibly wrapped). It
// allocates nothing.
func rejectCode(err error) string {
	for k := range RejectCodes {
		if errors.Is(err, RejectCodes[k].err) {
			return RejectCodes[k].Code
		}
	}
	return OtherRejectCode
}

// ReasonOfCode returns the reason sentence of code ("" for an unknown code).
func ReasonOfCode(code string) string {
	for _, c := range RejectCodes {
		if c.Code == code {
			return c.Reason
		}
	}
	return ""
}

// CodeOfReason returns the code of a Reject's Reason text as the engine writes it (for records
// read back from files that have no code column): OtherRejectCode when it matches none.
func CodeOfReason(reason string) string {
	for _, c := range RejectCodes {
		if c.err.Error() == reason || c.Reason == reason {
			return c.Code
		}
	}
	return OtherRejectCode
}

// RejectCount is how many rejections of one action had one reason, with the first of them.
type RejectCount struct {
	Action string // "order", "leverage", "mode", "position mode", "margin", "funding"
	Code   string // RejectCode.Code
	Reason string // RejectCode.Reason; for OtherRejectCode the first record's Reason
	Count  int
	First  Reject
}

// RejectCounts counts the account's rejections per action and reason code: the most frequent
// first, ties in order of (action, code). It costs nothing during the run (it reads Rejects).
func (r *AccountResult) RejectCounts() []RejectCount { return CountRejects(r.Rejects) }

// CountRejects counts rs per action and reason code, as AccountResult.RejectCounts. Records
// without a Code (read from an older rejects file) are coded by CodeOfReason.
func CountRejects(rs []Reject) []RejectCount {
	var c RejectCounter
	for i := range rs {
		c.Add(&rs[i])
	}
	return c.Counts()
}
