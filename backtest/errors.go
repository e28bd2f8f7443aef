package backtest

import (
	"errors"
	"fmt"

	"github.com/bt-backtest/bt/backtest/margin"
)

// Errors of package backtest, grouped by when they occur. Order rejections reach the strategy
// as *RejectError, whose Reason is one of the order errors below or a sentinel of package
// margin (so errors.Is also matches e.g. margin.ErrInsufficientMargin; a reduce-only order
// that would not reduce the position is margin.ErrReduceOnly).
var (
	// Configuration and run errors, returned by Config.Validate and Run.
	ErrNoSymbols      = errors.New("backtest: source has no symbols")
	ErrBadConfig      = errors.New("backtest: invalid config")
	ErrBadSource      = errors.New("backtest: invalid source data")
	ErrStrategyFailed = errors.New("backtest: strategy returned an error")

	// Order errors, returned by Broker.Submit and Broker.Cancel, and recorded as Rejects.
	ErrUnknownSymbol = errors.New("backtest: unknown symbol")
	ErrInvalidOrder  = errors.New("backtest: invalid order")
	ErrPostOnly      = errors.New("backtest: post-only order would take liquidity")
	ErrWouldTrigger  = errors.New("backtest: stop or take-profit would trigger immediately")
	ErrNoSuchOrder   = errors.New("backtest: no such open order")
	ErrStopped       = errors.New("backtest: account stopped trading (ruined or liquidated)")
	ErrNoPrice       = errors.New("backtest: symbol has no completed bar yet")
)

// RejectError is an order or account action the engine or the margin rules refused. It is
// the one rejection a strategy sees: a refusal of the margin rules (a *margin.RejectError)
// is not wrapped but taken apart, its reason kept and its symbol and action already here, so
// the message names the reason once. Reason is a sentinel of this package or of package
// margin, so errors.Is matches either (e.g. margin.ErrInsufficientMargin).
type RejectError struct {
	Order  Order
	Action string // "order", "leverage", "mode", "margin", "cancel"
	Reason error  // a backtest or margin sentinel (ErrPostOnly, margin.ErrInsufficientMargin, …)
}

// Error returns "backtest: <symbol> <action> rejected: <reason>".
func (e *RejectError) Error() string {
	return fmt.Sprintf("backtest: %s %s rejected: %v", e.Order.Symbol, e.Action, e.Reason)
}

// Unwrap returns the reason, so errors.Is sees through a RejectError to the sentinel.
func (e *RejectError) Unwrap() error { return e.Reason }

// newReject is the RejectError of action on o refused with err: a *margin.RejectError gives
// its reason alone (its symbol and action are o's and action).
func newReject(o Order, action string, err error) *RejectError {
	return &RejectError{Order: o, Action: action, Reason: reasonOf(err)}
}

// reasonOf is the reason of err without the wrapping of a *margin.RejectError or *RejectError.
func reasonOf(err error) error {
	if mr, ok := err.(*margin.RejectError); ok && mr.Reason != nil {
		return mr.Reason // what errors.As finds first, without its heap-allocated target
	}
	var mr *margin.RejectError
	if errors.As(err, &mr) && mr.Reason != nil {
		return mr.Reason
	}
	if r, ok := err.(*RejectError); ok && r.Reason != nil {
		return r.Reason
	}
	return err
}

// rejectReason is the text of a Reject record: the reason alone (the symbol and the action
// have columns of their own).
func rejectReason(err error) string { return reasonOf(err).Error() }
