package reports

import (
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bt-backtest/bt/reports/artifact"

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
// filterable table: report.js builds the table's rows from JSON (Rows as a <script
// type="application/json">, a few times smaller than the rows as HTML and much faster for a
// browser to open), showing at most a few hundred at a time.
type tradeTable struct {
	Rows []tradeRow
	More int         // trades left out
	JSON template.JS // Rows as tradesJSON encodes them
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

// tradesJSON encodes rows as report.js reads them: one array per trade of account, symbol,
// side, mode, entry time (Unix ms), entry price, exit time, exit price, quantity, leverage
// ("—" unknown), PnL, fees and funding as numbers (USDT), liquidated (0/1); prices and
// quantities as the exact decimal strings.
func tradesJSON(rows []tradeRow) template.JS {
	out := make([][]any, len(rows))
	for i, r := range rows {
		liq := 0
		if r.Liquidated {
			liq = 1
		}
		out[i] = []any{r.Account, r.Symbol, r.Side, r.Mode, r.EntryTime, r.EntryPrice, r.ExitTime, r.ExitPrice, r.Qty, r.Leverage,
			round2(r.PnLV), round2(r.FeesV), round2(r.FundingV), liq}
	}
	b, err := json.Marshal(out)
	if err != nil {
		panic(err) // strings and finite numbers: cannot happen
	}
	return template.JS(b) // json.Marshal escapes <, > and &: safe inside <script>
}

// round2 rounds money to cents for the table (the CSVs keep every digit).
func round2(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return math.Round(v*100) / 100
}

// tradeTableOf lists the trades of every account of run r with each trade's leverage when it
// opened (Trade.Leverage), else lev, the leverage each symbol started the run at (summary.json's;
// empty when unknown).
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
			if t.Leverage > 0 { // the trade's own (trades.csv), so that a re-rendered run shows it
				row.Leverage = fmt.Sprintf("%d×", t.Leverage)
			} else if l, ok := lev[t.Symbol]; ok {
				row.Leverage = fmt.Sprintf("%d×", l)
			}
			tt.Rows = append(tt.Rows, row)
		}
	}
	tt.JSON = tradesJSON(tt.Rows)
	return tt
}

// leverageText describes the leverage run r's positions opened at, per symbol from its trades
// (Trade.Leverage), else from lev (summary.json's): "10×" when one for all, else
// "BTCUSDT 10×, ETHUSDT 5×"; "" when unknown.
func leverageText(r *artifact.Run, lev map[string]int) string {
	by := map[string]map[int]bool{}
	for _, a := range r.Result.Accounts {
		for _, t := range a.Trades {
			if t.Leverage > 0 {
				if by[t.Symbol] == nil {
					by[t.Symbol] = map[int]bool{}
				}
				by[t.Symbol][t.Leverage] = true
			}
		}
	}
	if len(by) == 0 {
		for s, l := range lev {
			by[s] = map[int]bool{l: true}
		}
	}
	syms := make([]string, 0, len(by))
	all := map[int]bool{}
	for s, ls := range by {
		syms = append(syms, s)
		for l := range ls {
			all[l] = true
		}
	}
	sort.Strings(syms)
	list := func(ls map[int]bool) string {
		ks := make([]int, 0, len(ls))
		for l := range ls {
			ks = append(ks, l)
		}
		sort.Ints(ks)
		out := make([]string, len(ks))
		for i, l := range ks {
			out[i] = fmt.Sprintf("%d×", l)
		}
		return strings.Join(out, "/")
	}
	if len(all) == 1 {
		return list(all)
	}
	parts := make([]string, len(syms))
	for i, s := range syms {
		parts[i] = s + " " + list(by[s])
	}
	return strings.Join(parts, ", ")
}
