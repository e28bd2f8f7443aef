package backtest

import (
	"fmt"
	"slices"

	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/shopspring/decimal"
)

// A record table is described once, here, and written from that description: the CSV and
// Parquet tables of a run directory (package reports/artifact) and the canonical log that
// Fingerprint hashes (CanonicalLog). Adding a column is one line in the table's Columns: the
// CSV header, the Parquet schema, the column list of docs/records.md and, when the column has
// a Log key, the canonical log all follow from it. A column added without a Log key leaves
// every fingerprint unchanged; one with a Log key changes them all (say so in the commit).
// Reading a run back (artifact.Read) is the one place that still parses the columns by hand:
// its round-trip test fails until the new column is read too.

// ColumnKind is what a column holds; it decides how each output writes it.
type ColumnKind uint8

// The column kinds. Tables: the CSV and Parquet files; log: CanonicalLog.
const (
	// KindTime: Unix ms. Tables: RFC 3339 UTC with milliseconds (CSV), INT64
	// TIMESTAMP(MILLIS, UTC) (Parquet); log: the integer.
	KindTime ColumnKind = iota + 1
	// KindDecimal: an exact decimal.Decimal, fixed point with trailing zeros trimmed
	// (decimal.String) everywhere; Parquet STRING.
	KindDecimal
	// KindFloat: a float64 in its shortest round-trip form ('g', -1); Parquet DOUBLE.
	KindFloat
	// KindInt: an integer; Parquet INT64.
	KindInt
	// KindString: text. CSV quotes it when needed, Parquet STRING; the log Go-quotes it.
	KindString
	// KindEnum: one of a few labels (a side, a margin mode). Tables write the label (Str),
	// Parquet as a dictionary-encoded STRING; the log writes the code (Int) when the column
	// has one, else the label unquoted.
	KindEnum
	// KindBool: tables write true/false (Parquet BOOLEAN), the log 1/0.
	KindBool
)

var kindNames = [...]string{KindTime: "time", KindDecimal: "decimal", KindFloat: "float", KindInt: "int",
	KindString: "string", KindEnum: "enum", KindBool: "bool"}

// String returns the kind's name: time, decimal, float, int, string, enum or bool.
func (k ColumnKind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "invalid"
}

// Column describes one column of a record table of R: its name, what it holds, and the
// accessor that reads it from a record. Exactly the accessor of its Kind is set (Time, Dec,
// Float, Int, Str or Bool; an enum sets Str and, for the log, optionally Int).
type Column[R any] struct {
	Name string     // CSV header and Parquet column name
	Kind ColumnKind // how every output writes it
	Unit string     // the unit, for the documentation ("USDT", "base units", "fraction"); "" when none
	Doc  string     // what it is, for the documentation
	// Log is the column's key in the canonical log, "" when the log leaves it out. Keys are
	// short and older than the columns; a column added later normally stays out of the log so
	// that fingerprints stay comparable with earlier runs.
	Log string
	// Dict marks a string column with few distinct values (symbols, reasons): Parquet
	// dictionary-encodes it. Enums always are.
	Dict bool
	// EmptyZero writes a zero decimal as an empty cell (and an empty Parquet string).
	EmptyZero bool
	// LogOmit: the log leaves the column out of a line where its label (Str) is LogOmit, so
	// that lines keep the form they had before the column existed ("BOTH": a one-way fill).
	LogOmit string
	// LogOnly: the column is in the canonical log only, not (yet) in the CSV and Parquet files.
	LogOnly bool
	// FileOmit: the CSV and Parquet files leave the column out when every record's label
	// (Str) is FileOmit, and otherwise write it as their last column ("BOTH": the leg of a
	// hedge-mode position, absent from one-way runs' files so that they keep their bytes).
	// FileColumns leaves it out; package artifact adds it per run.
	FileOmit string

	logKey string // " Log=", the column's prefix in a log line (prepareLog); "" before

	Time  func(*R) int64 // KindTime
	Dec   func(*R) decimal.Decimal
	Float func(*R) float64
	Int   func(*R) int64  // KindInt; for KindEnum the code the log writes
	Str   func(*R) string // KindString; for KindEnum the label
	Bool  func(*R) bool
}

// prepareLog sets the log prefix of t's logged columns, once, before any line is written.
func prepareLog[R any](t *Table[R]) {
	for i := range t.Columns {
		if c := &t.Columns[i]; c.Log != "" {
			c.logKey = " " + c.Log + "="
		}
	}
}

func init() {
	prepareLog(&fillTable)
	prepareLog(&liquidationTable)
	prepareLog(&fundingTable)
	prepareLog(&rejectTable)
}

// Table describes one record table: the file it is written to, its line in the canonical log
// and its columns in order. The tables are shared: do not modify them.
type Table[R any] struct {
	Name    string // base name of the files: Name.csv, Name.parquet
	Log     string // the line's first word in CanonicalLog; "" when the records are not logged
	Doc     string // one sentence for the documentation
	CSVOnly bool   // written as CSV only, without a Parquet file
	Columns []Column[R]
}

// Names returns the names of the columns of the CSV and Parquet files, in order (the CSV
// header): every column but the LogOnly and FileOmit ones.
func (t *Table[R]) Names() []string {
	var s []string
	for _, c := range t.FileColumns() {
		s = append(s, c.Name)
	}
	return s
}

// FileColumns returns the columns of the CSV and Parquet files, in order: every column but
// the LogOnly and FileOmit ones. The slice is t.Columns itself when there are none.
func (t *Table[R]) FileColumns() []Column[R] {
	notInFiles := func(c Column[R]) bool { return c.LogOnly || c.FileOmit != "" }
	if !slices.ContainsFunc(t.Columns, notInFiles) {
		return t.Columns
	}
	return slices.DeleteFunc(slices.Clone(t.Columns), notInFiles)
}

// Doc describes the table without its accessors.
func (t *Table[R]) describe() TableDoc {
	d := TableDoc{Name: t.Name, Log: t.Log, Doc: t.Doc, CSVOnly: t.CSVOnly}
	for _, c := range t.Columns {
		d.Columns = append(d.Columns, ColumnDoc{Name: c.Name, Kind: c.Kind, Unit: c.Unit, Doc: c.Doc, Log: c.Log, Dict: c.Dict || c.Kind == KindEnum, EmptyZero: c.EmptyZero, LogOmit: c.LogOmit, LogOnly: c.LogOnly, FileOmit: c.FileOmit})
	}
	return d
}

// TableDoc is a Table without its accessors, for documentation and checks.
type TableDoc struct {
	Name, Log, Doc string
	CSVOnly        bool
	Columns        []ColumnDoc
}

// ColumnDoc is a Column without its accessor.
type ColumnDoc struct {
	Name      string
	Kind      ColumnKind
	Unit, Doc string
	Log       string
	Dict      bool // Parquet dictionary-encodes it (Dict or an enum)
	EmptyZero bool
	LogOmit   string
	LogOnly   bool   // not in the CSV and Parquet files
	FileOmit  string // in the files (last) only when some record's label is not FileOmit
}

// RecordTables describes every record table, in the order of the run directory's files.
func RecordTables() []TableDoc {
	return []TableDoc{equityTable.describe(), tradeTable.describe(), fillTable.describe(),
		liquidationTable.describe(), fundingTable.describe(), rejectTable.describe(), liqPriceTable.describe(), barTable.describe()}
}

// EquityTable describes the equity curve (equity.csv).
func EquityTable() *Table[EquityPoint] { return &equityTable }

// TradeTable describes the round trips (trades.csv).
func TradeTable() *Table[Trade] { return &tradeTable }

// FillTable describes the executions (fills.csv; "fill" lines of the canonical log).
func FillTable() *Table[FillRecord] { return &fillTable }

// LiquidationTable describes the liquidations (liquidations.csv; "liquidation" lines).
func LiquidationTable() *Table[margin.Liquidation] { return &liquidationTable }

// FundingTable describes the funding payments (funding.csv; "funding" lines).
func FundingTable() *Table[FundingPayment] { return &fundingTable }

// RejectTable describes the refused orders and actions (rejects.csv; "reject" lines).
func RejectTable() *Table[Reject] { return &rejectTable }

// LiqPriceTable describes the liquidation-price points of an account's positions
// (liquidation_prices.csv, no Parquet).
func LiqPriceTable() *Table[LiqPricePoint] { return &liqPriceTable }

// BarTable describes the last-price bars a run directory keeps for its charts
// (prices/<SYMBOL>.csv, no Parquet).
func BarTable() *Table[Bar] { return &barTable }

func modeLabel(isolated bool) string {
	if isolated {
		return "isolated"
	}
	return "cross"
}

func sideLabel(s Side, buy, sell string) string {
	if s == Buy {
		return buy
	}
	return sell
}

var equityTable = Table[EquityPoint]{Name: "equity", Doc: "The account valued at every bar close.", Columns: []Column[EquityPoint]{
	{Name: "time", Kind: KindTime, Doc: "bar close", Time: func(p *EquityPoint) int64 { return p.Time }},
	{Name: "equity", Kind: KindFloat, Unit: "USDT", Doc: "wallet + isolated wallets + unrealized PnL", Float: func(p *EquityPoint) float64 { return p.Equity }},
	{Name: "wallet", Kind: KindFloat, Unit: "USDT", Doc: "cross wallet + isolated wallets", Float: func(p *EquityPoint) float64 { return p.Wallet }},
	{Name: "unrealized_pnl", Kind: KindFloat, Unit: "USDT", Doc: "all positions at the mark price", Float: func(p *EquityPoint) float64 { return p.UnrealizedPnL }},
	{Name: "margin_balance", Kind: KindFloat, Unit: "USDT", Doc: "margin balance", Float: func(p *EquityPoint) float64 { return p.MarginBalance }},
	{Name: "maintenance_margin", Kind: KindFloat, Unit: "USDT", Doc: "all positions", Float: func(p *EquityPoint) float64 { return p.MaintenanceMargin }},
	{Name: "margin_ratio", Kind: KindFloat, Unit: "fraction", Doc: "highest of the cross ratio and the isolated positions' ratios at the close", Float: func(p *EquityPoint) float64 { return p.MarginRatio }},
	{Name: "peak_margin_ratio", Kind: KindFloat, Unit: "fraction", Doc: "highest margin ratio during the bar, along the intrabar path (float estimate)", Float: func(p *EquityPoint) float64 { return p.PeakMarginRatio }},
	{Name: "drawdown", Kind: KindFloat, Unit: "fraction", Doc: "below the running equity peak (the peak starts at the initial wallet)", Float: func(p *EquityPoint) float64 { return p.Drawdown }},
}}

var tradeTable = Table[Trade]{Name: "trades", Doc: "Closed round trips of a position, flat to flat.", Columns: []Column[Trade]{
	{Name: "symbol", Kind: KindString, Dict: true, Doc: "the perpetual, e.g. BTCUSDT", Str: func(t *Trade) string { return t.Symbol }},
	{Name: "mode", Kind: KindEnum, Doc: "cross or isolated", Str: func(t *Trade) string { return modeName(t.Mode) }},
	{Name: "side", Kind: KindEnum, Doc: "long or short", Str: func(t *Trade) string { return sideLabel(t.Side, "long", "short") }},
	{Name: "position_side", Kind: KindEnum, FileOmit: "BOTH", Doc: "the leg: LONG or SHORT in hedge mode, BOTH in one-way mode", Str: func(t *Trade) string { return t.PositionSide.String() }},
	{Name: "entry_time", Kind: KindTime, Doc: "first opening fill", Time: func(t *Trade) int64 { return t.EntryTime }},
	{Name: "exit_time", Kind: KindTime, Doc: "last closing fill", Time: func(t *Trade) int64 { return t.ExitTime }},
	{Name: "qty", Kind: KindDecimal, Unit: "base units", Doc: "largest absolute size held", Dec: func(t *Trade) decimal.Decimal { return t.Qty }},
	{Name: "entry_price", Kind: KindDecimal, Unit: "USDT", Doc: "quantity-weighted average of the opening fills", Dec: func(t *Trade) decimal.Decimal { return t.EntryPrice }},
	{Name: "exit_price", Kind: KindDecimal, Unit: "USDT", Doc: "quantity-weighted average of the closing fills", Dec: func(t *Trade) decimal.Decimal { return t.ExitPrice }},
	{Name: "pnl", Kind: KindDecimal, Unit: "USDT", Doc: "realized, fees and funding included", Dec: func(t *Trade) decimal.Decimal { return t.PnL }},
	{Name: "fees", Kind: KindDecimal, Unit: "USDT", Doc: "trading fees of its fills", Dec: func(t *Trade) decimal.Decimal { return t.Fees }},
	{Name: "funding", Kind: KindDecimal, Unit: "USDT", Doc: "funding payments while open", Dec: func(t *Trade) decimal.Decimal { return t.Funding }},
	{Name: "liquidated", Kind: KindBool, Doc: "closed by a liquidation", Bool: func(t *Trade) bool { return t.Liquidated }},
	{Name: "last_wick", Kind: KindBool, Doc: "a last-price wick reached the liquidation price, the mark did not", Bool: func(t *Trade) bool { return t.LastWick }},
	{Name: "min_liq_distance", Kind: KindFloat, Unit: "fraction", Doc: "closest |mark − liquidation price| / mark while open (1 when never measured)", Float: func(t *Trade) float64 { return t.MinLiqDistance }},
	{Name: "peak_margin_ratio", Kind: KindFloat, Unit: "fraction", Doc: "highest margin ratio of the position's margin while open", Float: func(t *Trade) float64 { return t.PeakMarginRatio }},
	{Name: "entry_order_time", Kind: KindTime, Doc: "when the strategy placed the opening order (Decision.Time)", Time: func(t *Trade) int64 { return t.EntryDecision.Time }},
	{Name: "entry_order_seq", Kind: KindInt, Doc: "the opening order's number among the strategy's orders on the symbol at that time (Decision.Seq)", Int: func(t *Trade) int64 { return int64(t.EntryDecision.Seq) }},
	{Name: "leverage", Kind: KindInt, Doc: "the symbol's leverage when the position opened", Int: func(t *Trade) int64 { return int64(t.Leverage) }},
}}

var fillTable = Table[FillRecord]{Name: "fills", Log: "fill", Doc: "Every execution, liquidations' included.", Columns: []Column[FillRecord]{
	{Name: "time", Log: "t", Kind: KindTime, Doc: "execution time", Time: func(f *FillRecord) int64 { return f.Time }},
	{Name: "order_id", Log: "id", Kind: KindInt, Doc: "0 for a liquidation", Int: func(f *FillRecord) int64 { return int64(f.OrderID) }},
	{Name: "symbol", Log: "sym", Kind: KindString, Dict: true, Doc: "the perpetual", Str: func(f *FillRecord) string { return f.Symbol }},
	{Name: "position_side", Log: "pos", Kind: KindEnum, LogOmit: "BOTH", FileOmit: "BOTH", Doc: "the leg: LONG or SHORT in hedge mode, BOTH in one-way mode", Str: func(f *FillRecord) string { return f.PositionSide.String() }},
	{Name: "side", Log: "side", Kind: KindEnum, Doc: "buy or sell (the log: 1 or -1)", Str: func(f *FillRecord) string { return sideLabel(f.Side, "buy", "sell") }, Int: func(f *FillRecord) int64 { return int64(f.Side) }},
	{Name: "qty", Log: "qty", Kind: KindDecimal, Unit: "base units", Doc: "> 0", Dec: func(f *FillRecord) decimal.Decimal { return f.Qty }},
	{Name: "price", Log: "price", Kind: KindDecimal, Unit: "USDT", Doc: "execution price", Dec: func(f *FillRecord) decimal.Decimal { return f.Price }},
	{Name: "fee", Log: "fee", Kind: KindDecimal, Unit: "USDT", Doc: "trading fee, or a liquidation's clearance fee", Dec: func(f *FillRecord) decimal.Decimal { return f.Fee }},
	{Name: "realized_pnl", Log: "pnl", Kind: KindDecimal, Unit: "USDT", Doc: "credited to the account, after an insurance-fund draw", Dec: func(f *FillRecord) decimal.Decimal { return f.RealizedPnL }},
	{Name: "maker", Log: "maker", Kind: KindBool, Doc: "filled as maker (maker fee)", Bool: func(f *FillRecord) bool { return f.Maker }},
	{Name: "liquidation", Log: "liq", Kind: KindBool, Doc: "a liquidation's closing fill", Bool: func(f *FillRecord) bool { return f.Liquidation }},
	{Name: "tag", Log: "tag", Kind: KindString, Doc: "the order's tag", Str: func(f *FillRecord) string { return f.Tag }},
}}

var liquidationTable = Table[margin.Liquidation]{Name: "liquidations", Log: "liquidation", Doc: "Every liquidated position.", Columns: []Column[margin.Liquidation]{
	{Name: "time", Log: "t", Kind: KindTime, Doc: "when liquidated", Time: func(l *margin.Liquidation) int64 { return l.Time }},
	{Name: "symbol", Log: "sym", Kind: KindString, Dict: true, Doc: "the perpetual", Str: func(l *margin.Liquidation) string { return l.Symbol }},
	{Name: "position_side", Log: "pos", Kind: KindEnum, LogOmit: "BOTH", FileOmit: "BOTH", Doc: "the leg: LONG or SHORT in hedge mode, BOTH in one-way mode", Str: func(l *margin.Liquidation) string { return l.Side.String() }},
	{Name: "mode", Log: "mode", Kind: KindEnum, Doc: "cross or isolated", Str: func(l *margin.Liquidation) string { return modeName(l.Mode) }},
	{Name: "qty", Log: "qty", Kind: KindDecimal, Unit: "base units", Doc: "signed position closed", Dec: func(l *margin.Liquidation) decimal.Decimal { return l.Qty }},
	{Name: "entry", Log: "entry", Kind: KindDecimal, Unit: "USDT", Doc: "entry price", Dec: func(l *margin.Liquidation) decimal.Decimal { return l.Entry }},
	{Name: "trigger_mark", Log: "trigger", Kind: KindDecimal, Unit: "USDT", Doc: "mark price at which the threshold was met (off the tick grid)", Dec: func(l *margin.Liquidation) decimal.Decimal { return l.TriggerMark }},
	{Name: "price", Log: "price", Kind: KindDecimal, Unit: "USDT", Doc: "execution price", Dec: func(l *margin.Liquidation) decimal.Decimal { return l.Price }},
	{Name: "bankruptcy", Log: "bankruptcy", Kind: KindDecimal, Unit: "USDT", Doc: "bankruptcy price", Dec: func(l *margin.Liquidation) decimal.Decimal { return l.Bankruptcy }},
	{Name: "margin_lost", Log: "lost", Kind: KindDecimal, Unit: "USDT", Doc: "margin the position lost, clearance fee excluded", Dec: func(l *margin.Liquidation) decimal.Decimal { return l.MarginLost }},
	{Name: "fee", Log: "fee", Kind: KindDecimal, Unit: "USDT", Doc: "clearance fee", Dec: func(l *margin.Liquidation) decimal.Decimal { return l.Fee }},
	{Name: "insurance_draw", Log: "insurance", Kind: KindDecimal, Unit: "USDT", Doc: "shortfall taken by the insurance fund", Dec: func(l *margin.Liquidation) decimal.Decimal { return l.InsuranceDraw }},
	{Name: "gap", Log: "gap", Kind: KindBool, Doc: "the price gapped through the liquidation price", Bool: func(l *margin.Liquidation) bool { return l.Gap }},
	{Name: "cascade", Log: "cascade", Kind: KindInt, Doc: "positions liquidated together (cross)", Int: func(l *margin.Liquidation) int64 { return int64(l.Cascade) }},
	{Name: "realized_pnl", Kind: KindDecimal, Unit: "USDT", Doc: "realized PnL booked: qty × (price − entry)", Dec: func(l *margin.Liquidation) decimal.Decimal { return l.RealizedPnL }},
	{Name: "shortfall", Kind: KindDecimal, Unit: "USDT", Doc: "execution shortfall: qty × (trigger mark − price), ≥ 0", Dec: func(l *margin.Liquidation) decimal.Decimal { _, sf := l.Cost(); return sf }},
	{Name: "cost", Kind: KindDecimal, Unit: "USDT", Doc: "cost beyond a stop at the trigger mark: clearance fee + shortfall", Dec: func(l *margin.Liquidation) decimal.Decimal { c, _ := l.Cost(); return c }},
}}

var fundingTable = Table[FundingPayment]{Name: "funding", Log: "funding", Doc: "Every funding settlement on an open position.", Columns: []Column[FundingPayment]{
	{Name: "time", Log: "t", Kind: KindTime, Doc: "settlement time", Time: func(p *FundingPayment) int64 { return p.Time }},
	{Name: "symbol", Log: "sym", Kind: KindString, Dict: true, Doc: "the perpetual", Str: func(p *FundingPayment) string { return p.Symbol }},
	{Name: "position_side", Log: "pos", Kind: KindEnum, LogOmit: "BOTH", FileOmit: "BOTH", Doc: "the leg: LONG or SHORT in hedge mode, BOTH in one-way mode", Str: func(p *FundingPayment) string { return p.PositionSide.String() }},
	{Name: "qty", Log: "qty", Kind: KindDecimal, Unit: "base units", Doc: "signed position", Dec: func(p *FundingPayment) decimal.Decimal { return p.Qty }},
	{Name: "mark", Log: "mark", Kind: KindDecimal, Unit: "USDT", Doc: "mark price at the settlement", Dec: func(p *FundingPayment) decimal.Decimal { return p.Mark }},
	{Name: "rate", Log: "rate", Kind: KindFloat, Unit: "fraction", Doc: "funding rate", Float: func(p *FundingPayment) float64 { return p.Rate }},
	{Name: "amount", Log: "amount", Kind: KindDecimal, Unit: "USDT", Doc: "signed, credited to the account", Dec: func(p *FundingPayment) decimal.Decimal { return p.Amount }},
}}

// rejectOrderOnly returns get's value for a refused order and the zero value for the other
// actions (whose order columns are empty).
func rejectOrderOnly[T any](get func(*Reject) T) func(*Reject) T {
	return func(r *Reject) T {
		if r.Action != "order" {
			var zero T
			return zero
		}
		return get(r)
	}
}

var rejectTable = Table[Reject]{Name: "rejects", Log: "reject", Doc: "Every refused order and account action; the order columns are empty for actions that are no order.", Columns: []Column[Reject]{
	{Name: "time", Log: "t", Kind: KindTime, Doc: "when refused", Time: func(r *Reject) int64 { return r.Time }},
	{Name: "symbol", Log: "sym", Kind: KindString, Dict: true, Doc: "the perpetual", Str: func(r *Reject) string { return r.Symbol }},
	{Name: "order_id", Log: "id", Kind: KindInt, Doc: "0 when refused at placement", Int: func(r *Reject) int64 { return int64(r.OrderID) }},
	{Name: "action", Log: "action", Kind: KindString, Dict: true, Doc: "order, leverage, mode, margin or funding", Str: func(r *Reject) string { return r.Action }},
	{Name: "code", Kind: KindString, Dict: true, Doc: "the reason's stable code (backtest.RejectCodes)", Str: func(r *Reject) string { return r.Code }},
	{Name: "reason", Log: "reason", Kind: KindString, Dict: true, Doc: "the engine's sentence", Str: func(r *Reject) string { return r.Reason }},
	{Name: "side", Kind: KindEnum, Doc: "buy or sell", Str: rejectOrderOnly(func(r *Reject) string { return r.Side.String() })},
	{Name: "type", Kind: KindEnum, Doc: "market, limit, stop_market or take_profit_market", Str: rejectOrderOnly(func(r *Reject) string { return r.Type.String() })},
	{Name: "qty", Kind: KindDecimal, EmptyZero: true, Unit: "base units", Doc: "empty for a close-position order", Dec: rejectOrderOnly(func(r *Reject) decimal.Decimal { return r.Qty })},
	{Name: "price", Kind: KindDecimal, EmptyZero: true, Unit: "USDT", Doc: "the price it was checked or would have filled at", Dec: rejectOrderOnly(func(r *Reject) decimal.Decimal { return r.Price })},
	{Name: "tag", Kind: KindString, Doc: "the order's tag", Str: func(r *Reject) string { return r.Tag }},
}}

var liqPriceTable = Table[LiqPricePoint]{Name: "liquidation_prices", CSVOnly: true,
	Doc: "Each position's liquidation price, margin and maintenance margin after every ledger event that changed it (float estimates, for the report's charts).", Columns: []Column[LiqPricePoint]{
		{Name: "time", Kind: KindTime, Doc: "the event's time", Time: func(p *LiqPricePoint) int64 { return p.Time }},
		{Name: "symbol", Kind: KindString, Doc: "the perpetual", Str: func(p *LiqPricePoint) string { return p.Symbol }},
		{Name: "position_side", Kind: KindEnum, FileOmit: "BOTH", Doc: "the leg: LONG or SHORT in hedge mode, BOTH in one-way mode", Str: func(p *LiqPricePoint) string { return p.Side.String() }},
		{Name: "mode", Kind: KindEnum, Doc: "cross or isolated", Str: func(p *LiqPricePoint) string { return modeLabel(p.Isolated) }},
		{Name: "qty", Kind: KindFloat, Unit: "base units", Doc: "signed size after the event (0: closed)", Float: func(p *LiqPricePoint) float64 { return p.Qty }},
		{Name: "entry", Kind: KindFloat, Unit: "USDT", Doc: "entry price after the event", Float: func(p *LiqPricePoint) float64 { return p.Entry }},
		{Name: "liquidation_price", Kind: KindFloat, Unit: "USDT", Doc: "0 when there is none", Float: func(p *LiqPricePoint) float64 { return p.LiqPrice }},
		{Name: "isolated_wallet", Kind: KindFloat, Unit: "USDT", Doc: "an isolated position's own wallet; 0 for cross", Float: func(p *LiqPricePoint) float64 { return p.Wallet }},
		{Name: "mark", Kind: KindFloat, Unit: "USDT", Doc: "mark price at the event", Float: func(p *LiqPricePoint) float64 { return p.Mark }},
		{Name: "maintenance_margin", Kind: KindFloat, Unit: "USDT", Doc: "the position's at that mark (0 when flat)", Float: func(p *LiqPricePoint) float64 { return p.MaintMargin }},
	}}

var barTable = Table[Bar]{Name: "prices/<SYMBOL>", CSVOnly: true, Doc: "Last-price bars, for the price charts.", Columns: []Column[Bar]{
	{Name: "time", Kind: KindTime, Doc: "open time", Time: func(b *Bar) int64 { return b.Time }},
	{Name: "end", Kind: KindTime, Doc: "close time (exclusive)", Time: func(b *Bar) int64 { return b.End }},
	{Name: "symbol", Kind: KindString, Doc: "the perpetual", Str: func(b *Bar) string { return b.Symbol }},
	{Name: "open", Kind: KindFloat, Unit: "USDT", Doc: "last price", Float: func(b *Bar) float64 { return b.Open }},
	{Name: "high", Kind: KindFloat, Unit: "USDT", Doc: "last price", Float: func(b *Bar) float64 { return b.High }},
	{Name: "low", Kind: KindFloat, Unit: "USDT", Doc: "last price", Float: func(b *Bar) float64 { return b.Low }},
	{Name: "close", Kind: KindFloat, Unit: "USDT", Doc: "last price", Float: func(b *Bar) float64 { return b.Close }},
	{Name: "volume", Kind: KindFloat, Unit: "base units", Doc: "traded volume", Float: func(b *Bar) float64 { return b.Volume }},
}}

// check returns an error naming the first column that lacks its kind's accessor, has another
// kind's, or repeats a name or log key.
func (t *Table[R]) check() error {
	names, keys := map[string]bool{}, map[string]bool{}
	for _, c := range t.Columns {
		set := []bool{c.Time != nil, c.Dec != nil, c.Float != nil, c.Int != nil, c.Str != nil, c.Bool != nil}
		want := make([]bool, 6)
		switch c.Kind {
		case KindTime:
			want[0] = true
		case KindDecimal:
			want[1] = true
		case KindFloat:
			want[2] = true
		case KindInt:
			want[3] = true
		case KindString:
			want[4] = true
		case KindEnum:
			want[4], want[3] = true, c.Int != nil
		case KindBool:
			want[5] = true
		default:
			return fmt.Errorf("table %s column %s: invalid kind %d", t.Name, c.Name, c.Kind)
		}
		if !slices.Equal(set, want) {
			return fmt.Errorf("table %s column %s: a %s column sets exactly the accessor of its kind", t.Name, c.Name, c.Kind)
		}
		if (c.LogOmit != "" || c.FileOmit != "") && c.Str == nil || c.LogOnly && c.Log == "" {
			return fmt.Errorf("table %s column %s: LogOmit and FileOmit need a label (Str), LogOnly a Log key", t.Name, c.Name)
		}
		if c.EmptyZero && c.Kind != KindDecimal {
			return fmt.Errorf("table %s column %s: EmptyZero applies to decimals only", t.Name, c.Name)
		}
		if c.Name == "" || names[c.Name] {
			return fmt.Errorf("table %s: column name %q empty or repeated", t.Name, c.Name)
		}
		names[c.Name] = true
		if c.Log != "" {
			if keys[c.Log] {
				return fmt.Errorf("table %s column %s: log key %q repeated", t.Name, c.Name, c.Log)
			}
			keys[c.Log] = true
		}
	}
	return nil
}
