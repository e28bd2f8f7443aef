package artifact

import (
	"os"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/parquet-go/parquet-go"
)

// Parquet rows: the CSV columns with times as TIMESTAMP(MILLIS, UTC), float64 as DOUBLE and
// decimals as exact strings.

type pqEquityRow struct {
	Time              int64   `parquet:"time,timestamp(millisecond:utc)"`
	Equity            float64 `parquet:"equity"`
	Wallet            float64 `parquet:"wallet"`
	UnrealizedPnL     float64 `parquet:"unrealized_pnl"`
	MarginBalance     float64 `parquet:"margin_balance"`
	MaintenanceMargin float64 `parquet:"maintenance_margin"`
	MarginRatio       float64 `parquet:"margin_ratio"`
	PeakMarginRatio   float64 `parquet:"peak_margin_ratio"`
	Drawdown          float64 `parquet:"drawdown"`
}

type pqTradeRow struct {
	Symbol          string  `parquet:"symbol,dict"`
	Mode            string  `parquet:"mode,dict"`
	Side            string  `parquet:"side,dict"`
	EntryTime       int64   `parquet:"entry_time,timestamp(millisecond:utc)"`
	ExitTime        int64   `parquet:"exit_time,timestamp(millisecond:utc)"`
	Qty             string  `parquet:"qty"`
	EntryPrice      string  `parquet:"entry_price"`
	ExitPrice       string  `parquet:"exit_price"`
	PnL             string  `parquet:"pnl"`
	Fees            string  `parquet:"fees"`
	Funding         string  `parquet:"funding"`
	Liquidated      bool    `parquet:"liquidated"`
	LastWick        bool    `parquet:"last_wick"`
	MinLiqDistance  float64 `parquet:"min_liq_distance"`
	PeakMarginRatio float64 `parquet:"peak_margin_ratio"`
	EntryOrderTime  int64   `parquet:"entry_order_time,timestamp(millisecond:utc)"`
	EntryOrderSeq   int64   `parquet:"entry_order_seq"`
	Leverage        int64   `parquet:"leverage"`
}

type pqFillRow struct {
	Time        int64  `parquet:"time,timestamp(millisecond:utc)"`
	OrderID     int64  `parquet:"order_id"`
	Symbol      string `parquet:"symbol,dict"`
	Side        string `parquet:"side,dict"`
	Qty         string `parquet:"qty"`
	Price       string `parquet:"price"`
	Fee         string `parquet:"fee"`
	RealizedPnL string `parquet:"realized_pnl"`
	Maker       bool   `parquet:"maker"`
	Liquidation bool   `parquet:"liquidation"`
	Tag         string `parquet:"tag"`
}

type pqLiqRow struct {
	Time          int64  `parquet:"time,timestamp(millisecond:utc)"`
	Symbol        string `parquet:"symbol,dict"`
	Mode          string `parquet:"mode,dict"`
	Qty           string `parquet:"qty"`
	Entry         string `parquet:"entry"`
	TriggerMark   string `parquet:"trigger_mark"`
	Price         string `parquet:"price"`
	Bankruptcy    string `parquet:"bankruptcy"`
	MarginLost    string `parquet:"margin_lost"`
	Fee           string `parquet:"fee"`
	InsuranceDraw string `parquet:"insurance_draw"`
	Gap           bool   `parquet:"gap"`
	Cascade       int64  `parquet:"cascade"`
}

type pqFundingRow struct {
	Time   int64   `parquet:"time,timestamp(millisecond:utc)"`
	Symbol string  `parquet:"symbol,dict"`
	Qty    string  `parquet:"qty"`
	Mark   string  `parquet:"mark"`
	Rate   float64 `parquet:"rate"`
	Amount string  `parquet:"amount"`
}

type pqRejectRow struct {
	Time    int64  `parquet:"time,timestamp(millisecond:utc)"`
	Symbol  string `parquet:"symbol,dict"`
	OrderID int64  `parquet:"order_id"`
	Action  string `parquet:"action,dict"`
	Code    string `parquet:"code,dict"`
	Reason  string `parquet:"reason,dict"`
	Side    string `parquet:"side,dict"`
	Type    string `parquet:"type,dict"`
	Qty     string `parquet:"qty"`
	Price   string `parquet:"price"`
	Tag     string `parquet:"tag"`
}

// writeParquet writes rows to path atomically, converting each record with conv, in batches.
// pqRowGroupRows is the most rows of a row group in the run's Parquet files.
const pqRowGroupRows = 1 << 16

func writeParquet[R, T any](path string, recs []T, conv func(T) R) error {
	return atomically(path, func(f *os.File) error {
		// Bounded row groups: the writer buffers one row group in memory, so a long equity
		// curve is written in constant memory rather than held twice.
		w := parquet.NewGenericWriter[R](f, parquet.MaxRowsPerRowGroup(pqRowGroupRows))
		buf := make([]R, 0, 4096)
		for i, rec := range recs {
			buf = append(buf, conv(rec))
			if len(buf) == cap(buf) || i == len(recs)-1 {
				if _, err := w.Write(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
		}
		return w.Close()
	})
}

func sideString(s backtest.Side, buy, sell string) string {
	if s == backtest.Buy {
		return buy
	}
	return sell
}

func pqEquity(path string, eq []backtest.EquityPoint) error {
	return writeParquet(path, eq, func(p backtest.EquityPoint) pqEquityRow {
		return pqEquityRow(p)
	})
}

func pqTrades(path string, ts []backtest.Trade) error {
	return writeParquet(path, ts, func(t backtest.Trade) pqTradeRow {
		return pqTradeRow{
			t.Symbol, modeString(t.Mode), sideString(t.Side, "long", "short"), t.EntryTime, t.ExitTime,
			decString(t.Qty), decString(t.EntryPrice), decString(t.ExitPrice), decString(t.PnL), decString(t.Fees), decString(t.Funding),
			t.Liquidated, t.LastWick, t.MinLiqDistance, t.PeakMarginRatio,
			t.EntryDecision.Time, int64(t.EntryDecision.Seq), int64(t.Leverage),
		}
	})
}

func pqFills(path string, fs []backtest.FillRecord) error {
	return writeParquet(path, fs, func(f backtest.FillRecord) pqFillRow {
		return pqFillRow{
			f.Time, int64(f.OrderID), f.Symbol, sideString(f.Side, "buy", "sell"),
			decString(f.Qty), decString(f.Price), decString(f.Fee), decString(f.RealizedPnL), f.Maker, f.Liquidation, f.Tag,
		}
	})
}

func pqLiqs(path string, ls []margin.Liquidation) error {
	return writeParquet(path, ls, func(l margin.Liquidation) pqLiqRow {
		return pqLiqRow{
			l.Time, l.Symbol, modeString(l.Mode), decString(l.Qty), decString(l.Entry), decString(l.TriggerMark),
			decString(l.Price), decString(l.Bankruptcy), decString(l.MarginLost), decString(l.Fee), decString(l.InsuranceDraw),
			l.Gap, int64(l.Cascade),
		}
	})
}

func pqFunding(path string, fs []backtest.FundingPayment) error {
	return writeParquet(path, fs, func(f backtest.FundingPayment) pqFundingRow {
		return pqFundingRow{f.Time, f.Symbol, decString(f.Qty), decString(f.Mark), f.Rate, decString(f.Amount)}
	})
}

func pqRejects(path string, rs []backtest.Reject) error {
	return writeParquet(path, rs, func(r backtest.Reject) pqRejectRow {
		o := rejectOrder(r)
		return pqRejectRow{r.Time, r.Symbol, int64(r.OrderID), r.Action, r.Code, r.Reason, o.side, o.typ, o.qty, o.price, r.Tag}
	})
}
