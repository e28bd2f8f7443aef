//go:build invariants

package backtest

// checkInvariants: built with -tags invariants, every account checks the margin ledger's
// invariants (margin.Account.Check) after every timestamp and panics on a violation.
const checkInvariants = true
