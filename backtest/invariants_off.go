//go:build !invariants

package backtest

const checkInvariants = false
