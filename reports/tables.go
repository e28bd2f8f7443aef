package reports

import (
	"fmt"
	"github.com/bt-backtest/bt/reports/artifact"
	"path/filepath"

	"github.com/bt-backtest/bt/backtest"
)

// maxLiqRows caps the rows of each account's liquidations table (all of them are in the
// account's liquidations.csv).
const maxLiqRows = 500

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

// maxTradeRows caps the rows of the trades table per account (all of them are in the
// account's trades.csv).
const maxTradeRows = 1000

// tradeTable is every trade of a run's accounts, one row each, for the sortable and
// filterable table.
type tradeTable struct {
	Rows []tradeRow
	More int // trades left out
}

// tradeRow is one trade as the table shows it; the V fields are the numbers sorted on.
type tradeRow struct {
	Account, Symbol, Side, Mode, Qty, Leverage string
	EntryTime, ExitTime                        int64
	EntryPrice, ExitPrice                      string
	PnL, Fees, Funding                         string
	PnLV, FeesV, FundingV                      float64
	Liquidated                                 bool
	Chart                                      string
	Zoom                                       int64
}

// tradeTableOf lists the trades of every account of run r; lev is the leverage each symbol
// started the run at (summary.json's), empty when unknown.
func tradeTableOf(r *artifact.Run, lev map[string]int) tradeTable {
	var tt tradeTable
	for i := range r.Result.Accounts {
		a := &r.Result.Accounts[i]
		tt.More += max(0, len(a.Trades)-maxTradeRows)
		for _, t := range a.Trades[:min(len(a.Trades), maxTradeRows)] {
			row := tradeRow{Account: a.Name, Symbol: t.Symbol, Side: sideWord(int(t.Side)), Mode: t.Mode.String(), Qty: t.Qty.String(),
				EntryTime: t.EntryTime, ExitTime: t.ExitTime, EntryPrice: t.EntryPrice.String(), ExitPrice: t.ExitPrice.String(),
				PnL: fmtMoney(t.PnL.InexactFloat64()), Fees: fmtMoney(t.Fees.InexactFloat64()), Funding: fmtMoney(t.Funding.InexactFloat64()),
				PnLV: t.PnL.InexactFloat64(), FeesV: t.Fees.InexactFloat64(), FundingV: t.Funding.InexactFloat64(),
				Liquidated: t.Liquidated, Chart: "chart-price-" + t.Symbol, Zoom: t.EntryTime / 1000, Leverage: "—"}
			if l, ok := lev[t.Symbol]; ok {
				row.Leverage = fmt.Sprintf("%d×", l)
			}
			tt.Rows = append(tt.Rows, row)
		}
	}
	return tt
}
