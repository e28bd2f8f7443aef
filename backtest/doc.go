// Package backtest is bt's core: the event loop that replays one merged market stream through
// several accounts at once (isolated, cross, or a per-symbol mix), the orders, fills and
// broker a strategy uses, and the records a run produces. The margin ledger itself lives in
// backtest/margin.
//
// There are only a few types: a Source delivers Batches of Bars (klines and mark-price bars)
// and Funding events per timestamp; Run fans every Batch out to one account per Setup, each
// with its own margin.Account and its own Strategy instance, which trades through a Broker;
// the Result holds per account the EquityPoints, FillRecords, Trades, liquidations,
// FundingPayments and Rejects.
//
// Conventions: times are Unix milliseconds UTC; Bar.Time is a bar's open and Bar.End its close;
// a strategy sees a bar at its close and its orders fill no earlier than the next bar.
// Accounts are in one-way position mode unless Config.PositionMode is margin.Hedge: then each
// symbol has a LONG and a SHORT position, every order names the one it acts on
// (Order.PositionSide), and fills, liquidations, funding payments and trades carry their leg
// (docs/margin.md §4.1). Quantities are base units, positive for long. Fees are fractions of notional. Money is
// decimal.Decimal; market data is float64 and enters the ledger through its shortest decimal
// representation.
//
// # Modelling assumptions
//
// Result.Assumptions returns a shorter form of them with the run's values; docs/margin.md
// states the margin rules with their sources and these choices (§10, §11).
//
// Per timestamp T, every account, in this order:
//
//  0. At the first timestamp of a UTC date on which Binance's rules change (a bracket
//     snapshot, a fee rate, an instrument filter: docs/margin.md §3, §9.1), every symbol
//     switches to the rules of that date, open positions included, and liquidation is
//     re-checked at the open's marks (a position past its threshold under the new table is
//     liquidated there, as a gap).
//  1. Orders submitted since the previous bar (at its close, or from a hook) arrive at the
//     open of their symbol's next bar: market orders fill at the open plus SlippageBps of
//     adverse slippage, rounded adversely to the tick (up for buys, down for sells), as taker;
//     a limit order marketable at the open fills there the same way but never beyond its limit,
//     as taker (a post-only one is rejected); a stop or take-profit already triggered at the
//     open fills there like a market order; the others start resting. A symbol without a bar
//     at T (a halt, a gap in its data) keeps its orders waiting.
//  2. Funding events of T settle on the positions held after those fills, at the open of the
//     symbol's mark bar (a symbol without a bar at T: at its latest mark, the previous close).
//     A symbol for which the source has not yet delivered any funding event pays the constant
//     Config.FundingFallbackRate (default 0.0001) at T when one or more of the 00:00, 08:00
//     and 16:00 UTC boundaries lie in (previous timestamp, T] (on the first timestamp: when T
//     is one): once per timestamp, so bars longer than 8 h pay it once per bar (flagged as
//     "funding_fallback").
//  3. The intrabar path. Each bar walks open → high → low → close when it is bearish (close <
//     open) and open → low → high → close otherwise. Every symbol steps together: segment k of
//     every symbol at once, so a correlated crash hits a cross account at once and nothing
//     depends on the order symbols are listed in. The mark path comes from the mark bar, the
//     last-price path from the kline; a symbol without a mark bar uses its last price as mark
//     (flagged as "mark_fallback"), for the path, liquidation, funding and the equity point.
//     Segment 0 runs from the previous close to the open: it is a gap; stops and liquidations
//     triggered in it execute at the open, resting limits at their limit price (orders that
//     arrived at this open do not trade it). Along each segment, order triggers and
//     liquidations are executed in the order of their position s along it; a liquidation goes
//     first on a tie.
//     Stop-market and take-profit-market orders trigger on the last-price path and fill at
//     their trigger price (at the open when gapped through; at the path's price where they
//     enter the book already past their trigger, as an attached stop can when its entry
//     filled beyond it), with slippage, rounded adversely to the tick, as taker. Limit
//     orders fill when the last price trades through the limit (Config.LimitTouch: when it
//     touches it), at the limit price, as maker. Liquidation is tested on the mark path by
//     margin.Account.NextLiquidation and executed by margin.Account.Liquidate (isolated
//     positions at their liquidation price, cross positions at the marks, gaps at the open);
//     the symbol's open orders are then cancelled. Stop-loss and take-profit orders attached
//     to an entry are placed when it fills and can trigger later on the same path; when one
//     fills the other is cancelled, and both are cancelled when the position closes or flips.
//  4. An EquityPoint per account at the bars' close (a timestamp without bars, funding only,
//     updates the point of that time instead of adding one), then the strategy: OnBar for
//     every bar of T in symbol order (a BarsHandler: one OnBars with all of them), then
//     OnStep (a SignalSharer's shared Signals have been prepared with T before any account
//     stepped it). Orders it places fill no earlier than the
//     next bar. The point values the positions at the close marks in float64 from the
//     ledger's shadows (margin.Account.Equity; maintenance margin and margin ratio by
//     margin.FloatTable and margin.FloatRisk), as do Trade.MinLiqDistance and
//     Trade.LastWick, which compare the liquidation price at the close (isolated: the
//     ledger's; cross: margin.LiquidationPriceFloat, other cross positions at their close
//     marks) with the close mark (margin.LiquidationDistance) and with the bar's last-price low
//     and high. With Config.Equity the points go to the sink instead of the result, each
//     handed over once the next close is reached, the last at the end of the run.
//
// Orders fill in full: there are no partial fills and no volume or order-book limits. Fill
// times are the bar's open time T; the order within a bar is the path's.
//
// Placement checks: unknown symbol (ErrUnknownSymbol), malformed order (ErrInvalidOrder), no bar yet
// (ErrNoPrice), reduce-only on a flat or same-side position (margin.ErrReduceOnly), a post-only
// limit that would take (ErrPostOnly), a stop that would trigger at once (ErrWouldTrigger), and
// the ledger's filters and initial margin via margin.Account.CanOpen at the last close rounded
// to the tick (market), the limit price or the trigger; an attached stop-loss or take-profit on the wrong side of
// that price is ErrWouldTrigger. At fill, margin.Account.Apply checks again; a reduce-only
// order larger than the position is reduced to it. Limit and market orders reserve the initial
// margin of their position-increasing part (notional / leverage); conditional orders reserve
// nothing until they trigger, as on Binance.
//
// Rejections and fallbacks are results, not errors. Every refused order or action is a Reject
// with a stable reason code (RejectCodes) and, for an order, its side, type, quantity, price
// and tag; AccountResult.RejectCounts counts them per action and reason after the run.
// Result.Fallbacks lists every default the run fell back to (FallbackMark, FallbackFunding,
// FallbackNoFunding, FallbackBrackets, FallbackBracketDate, FallbackFilters), per symbol with
// how often it applied; Result.Assumptions states them too.
//
// Accounts: a ruined account (equity <= 0, or flat with a wallet that cannot fund the smallest
// order at its leverage) stops: its orders are cancelled and its strategy is no longer called.
// With Config.StopOnLiquidation the same happens after the first liquidation (open positions
// stay, marked and liquidatable).
//
// For tests and examples, NewSliceSource replays batches held in memory; OHLC and ParseSeries
// build bars ("100 100+1x2 _ 95/96/80/90") and Batches groups bars and funding by time.
//
// Determinism: no wall clock, no global random state, no map iteration reaches the output;
// float products that feed a sum are converted explicitly (float64(x*y)) so that no platform
// fuses them into FMA instructions;
// OrderIDs count from 1 per account; with Config.Parallel the accounts run on a worker pool,
// in chunks of timestamps, and the results are identical to a sequential run.
// AccountResult.Fingerprint hashes the canonical log (AccountResult.CanonicalLog) of fills,
// liquidations, funding, rejections and final balances. With Config.Records (a sweep, a Monte
// Carlo path) the records go to a RecordSink at every timestamp instead of the result, and the
// fingerprint is hashed as they stream, the same hash: memory no longer grows with the number
// of records.
//
// The record tables (equity points, trades, fills, liquidations, funding, rejections, bars) are
// described once, column by column, in records_schema.go (Table, Column, RecordTables): the
// canonical log and the run directory's CSV and Parquet files (package reports/artifact) are
// written from those descriptions, and docs/records.md lists their columns.
package backtest
