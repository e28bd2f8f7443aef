package reports

import (
	"github.com/bt-backtest/bt/reports/artifact"
	"path/filepath"

	"github.com/bt-backtest/bt/backtest"
)

// maxLiqRows caps the rows of each account's liquidations table (all of them are in the
// account's liquidations.csv).
const maxLiqRows = 1000

// liqTable is one account's liquidations, one row each.
type liqTable struct {
	Account string
	Rows    []liqRecord
	More    int    // liquidations left out of Rows
	File    string // where all of them are
}

// liqRecord is one liquidation as the table shows it; ID is its anchor (LiquidationAnchor).
type liqRecord struct {
	ID, Symbol, Side, Qty, Entry        string
	TriggerMark, Price, Bankruptcy, PnL string
	MarginLost, Fee, InsuranceDraw      string
	Time                                int64
	Zoom                                int64 // Unix seconds
	Gap                                 bool
	Cascade                             int
	Chart                               string // the price panel's anchor
}

// accountNamed returns the account named name of res, or nil.
func accountNamed(res *backtest.Result, name string) *backtest.AccountResult {
	for i := range res.Accounts {
		if res.Accounts[i].Name == name {
			return &res.Accounts[i]
		}
	}
	return nil
}

// liqTables lists the liquidations of every account of run r; prefix tells runs apart in the
// row anchors.
func liqTables(r *artifact.Run, prefix string) []liqTable {
	var out []liqTable
	for i := range r.Result.Accounts {
		a := &r.Result.Accounts[i]
		if len(a.Liquidations) == 0 {
			continue
		}
		v := liqTable{Account: a.Name, File: filepath.Join(a.Name, "liquidations.csv"), More: max(0, len(a.Liquidations)-maxLiqRows)}
		for k, l := range a.Liquidations[:min(len(a.Liquidations), maxLiqRows)] {
			v.Rows = append(v.Rows, liqRecord{ID: LiquidationAnchor(prefix, a.Name, k), Time: l.Time, Zoom: l.Time / 1000,
				Symbol: l.Symbol, Side: sideWord(l.Qty.Sign()), Qty: l.Qty.Abs().String(), Entry: l.Entry.String(),
				TriggerMark: l.TriggerMark.String(), Price: l.Price.String(), Bankruptcy: l.Bankruptcy.String(),
				PnL: fmtMoney(l.RealizedPnL.InexactFloat64()), MarginLost: fmtMoney(l.MarginLost.InexactFloat64()),
				Fee: fmtMoney(l.Fee.InexactFloat64()), InsuranceDraw: fmtMoney(l.InsuranceDraw.InexactFloat64()),
				Gap: l.Gap, Cascade: l.Cascade, Chart: "chart-price-" + l.Symbol})
		}
		out = append(out, v)
	}
	return out
}
