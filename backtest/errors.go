package backtest

import (
	"errors"
	"fmt"

	"github.com/bt-backtest/bt/backtest/margin"
)

// Errors of package backtest, grouped by when they occur. Order rejections reach the strategy
// as *RejectError, whose Reason is one of the order errors below or a margin.RejectError (so
// errors.Is also matches the margin package's sentinels, e.g. margin.ErrInsufficientMargin;
// a reduce-only order that would not reduce the position is margin.ErrReduceOnly).
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

// RejectError is an order or account action the engine or the margin rules refused. Its
// Reason is a backtest sentinel or a *margin.RejectError.
type RejectError struct {
	Order  Order
	Action string // "order", "leverage", "mode", "margin", "cancel"
	Reason error
}

func (e *RejectError) Error() string {
	return fmt.Sprintf("backtest: %s %s rejected: %v", e.Order.Symbol, e.Action, e.Reason)
}

// Unwrap returns the reason, so errors.Is and errors.As see through a RejectError.
func (e *RejectError) Unwrap() error { return e.Reason }

// rejectReason is the text of a Reject record: the reason alone (the symbol and the action
// have columns of their own), without the wrapping of a *margin.RejectError or *RejectError.
func rejectReason(err error) string {
	var mr *margin.RejectError
	if errors.As(err, &mr) && mr.Reason != nil {
		err = mr.Reason
	} else if r, ok := err.(*RejectError); ok && r.Reason != nil {
		err = r.Reason
	}
	return err.Error()
}
