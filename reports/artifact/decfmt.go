package artifact

import (
	"github.com/bt-backtest/bt/backtest"
	"github.com/shopspring/decimal"
)

// appendDecimal appends d as decimal.Decimal.String formats it, without allocating for the
// ledger's values (backtest.AppendDecimal).
func appendDecimal(b []byte, d decimal.Decimal) []byte { return backtest.AppendDecimal(b, d) }
