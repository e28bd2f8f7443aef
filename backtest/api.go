package backtest

import (
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/shopspring/decimal"
)

// Side of an order: Buy = +1, Sell = -1 (margin.Side, the one side type of bt).
type Side = margin.Side

// The two sides of an order.
const (
	Buy  = margin.Buy
	Sell = margin.Sell
)

// OrderType is the kind of an order.
type OrderType uint8

const (
	Market           OrderType = iota // fills at the next bar's open plus slippage, taker
	Limit                             // fills when the price trades through Price, at Price, maker
	StopMarket                        // triggers when the last price reaches Trigger, taker
	TakeProfitMarket                  // triggers when the last price reaches Trigger, taker
)

// String returns "market", "limit", "stop_market" or "take_profit_market" ("" for another
// value).
func (t OrderType) String() string {
	switch t {
	case Market:
		return "market"
	case Limit:
		return "limit"
	case StopMarket:
		return "stop_market"
	case TakeProfitMarket:
		return "take_profit_market"
	}
	return ""
}

// OrderID identifies an order within one account's run, counting from 1.
type OrderID int64

// Order is what a strategy submits.
type Order struct {
	Symbol        string
	Side          Side
	Type          OrderType
	Qty           decimal.Decimal // base units, > 0 (ignored with ClosePosition)
	Price         decimal.Decimal // Limit price
	Trigger       decimal.Decimal // StopMarket / TakeProfitMarket trigger price
	ReduceOnly    bool
	ClosePosition bool            // close the whole position when it triggers/fills
	PostOnly      bool            // Limit: reject instead of taking liquidity
	StopLoss      decimal.Decimal // attached stop-market (reduce-only) placed when this fills; zero: none
	TakeProfit    decimal.Decimal // attached take-profit-market placed when this fills; zero: none
	Tag           string          // free text, copied to fills
	// PositionSide is the position the order acts on, as Binance's positionSide: margin.Both
	// (the zero value) in one-way mode; margin.Long or margin.Short in hedge mode, where a buy
	// on LONG opens or adds and a sell on LONG reduces (a sell on SHORT opens, a buy on SHORT
	// reduces). A side that does not match the account's position mode is refused
	// (margin.ErrPositionSide, Binance -4061).
	PositionSide margin.PositionSide
}

// Strategy is a trading strategy. The engine calls OnBar for every completed bar, in
// timestamp order and, within a timestamp, in symbol order (unless the strategy is a
// BarsHandler, which takes a timestamp's bars in one call). One instance runs per account.
type Strategy interface {
	OnBar(br *Broker, b Bar) error
}

// StrategyFunc adapts a function to Strategy.
type StrategyFunc func(br *Broker, b Bar) error

// OnBar calls f(br, b).
func (f StrategyFunc) OnBar(br *Broker, b Bar) error { return f(br, b) }

// Optional hooks a Strategy may implement.
type (
	// Starter is called once before the first event.
	Starter interface{ Start(br *Broker) error }
	// StepHandler is called after the strategy's OnBar calls (or its OnBars call) of one
	// timestamp with bars, t being their close (multi-symbol strategies decide here).
	StepHandler interface {
		OnStep(br *Broker, t int64) error
	}
	// BarsHandler takes the completed bars of one timestamp in one call. When a Strategy
	// implements it, the engine calls OnBars once per timestamp with bars, with exactly the
	// bars it would have passed to OnBar one by one, in the same order (symbol order, at most
	// one bar per symbol; every symbol of the source, traded or not), and does not call OnBar;
	// OnStep follows as usual. A strategy that does per bar what its OnBar does, in order,
	// gets the same results from OnBars: the Broker is the same (Now is the bars' close, the
	// same orders are accepted or refused), and the account cannot stop between two bars of
	// a timestamp (it stops only at a liquidation under Config.StopOnLiquidation or at ruin,
	// both decided before the strategy is called at that timestamp), so the strategy gets a
	// timestamp's bars all or none, as from OnBar; once stopped it is not called again.
	//
	// The slice and its bars belong to the engine: they are shared by every account of the
	// run and reused for later timestamps, so OnBars reads them during the call and must
	// neither modify them nor keep the slice (copy a Bar to keep it). An error stops the run
	// with ErrStrategyFailed, naming the account and the bars' open time.
	//
	// The hook exists for speed: one call per timestamp instead of one per symbol, and no
	// 72-byte Bar copied per call (BENCHMARKS.md, "Per-account cost").
	BarsHandler interface {
		OnBars(br *Broker, bars []Bar) error
	}
	// SignalSharer lets accounts share the part of a strategy that depends only on the bars
	// and the strategy's own settings, not on the account (indicators, crossings, a ranking):
	// in a sweep that varies leverage, size or margin mode, every account would otherwise
	// compute the same signals. After every strategy of the run has started, the engine asks
	// each SignalSharer for its SignalKey, in setup order; strategies whose keys are equal
	// (==) share one Signals, made by NewSignals of the first of them and handed to each of
	// them (the first included) by UseSignals, before the first step. A nil key shares
	// nothing: the engine then calls neither NewSignals nor UseSignals.
	//
	// The key must be comparable without panicking (a Run with a key that is not, such as a
	// slice or a struct whose interface field holds one, fails with ErrStrategyFailed; NaN is
	// never equal to itself, so a key holding one shares nothing) and should hold every
	// setting the signals depend on; use a type of the strategy's own package (a struct of
	// those settings) so that keys of different strategies never meet.
	//
	// A strategy that is never handed a Signals (run by another caller, or with a nil key)
	// must compute its signals itself; the sharing is an optimisation that changes no result.
	// ExampleSignalSharer is a small one; strategies/swing is a real one.
	SignalSharer interface {
		SignalKey() any
		NewSignals() Signals
		UseSignals(Signals)
	}
	// Signals is the computation that the strategies of one SignalKey share (see
	// SignalSharer). The engine calls Prepare with every batch of the run, in order, each
	// batch once, in runs of consecutive batches: Prepare(bs) is called before any account
	// steps through any batch of bs, and not again until every account has stepped through
	// all of them. While an account steps through bs[j], Broker.BatchIndex is j, so a
	// strategy reads the signals Prepare computed for that batch at that index. Prepare is
	// called on the engine's goroutine while no account steps; while they step (on several
	// goroutines under Config.Parallel) the strategies only read the Signals. Prepare sees
	// every batch, including those of timestamps at which a strategy is not called (no bars;
	// an account that has stopped), and runs whether or not any account still reads it. bs
	// and its bars belong to the engine: read them during the call, do not keep them.
	Signals interface {
		Prepare(bs []Batch)
	}
	// IdleSignals is a Signals that can tell the engine when its strategies have nothing to
	// do: after each Prepare(bs) the engine asks Idle(j) once for each batch j of bs (before
	// any account steps them), and at a batch where it answers true it calls none of the
	// key's strategies' OnBar, OnBars and OnStep (hooks of the account's own events, such as
	// OnFill, are called as usual). Answer true only where skipping those calls changes
	// nothing the strategy does: no order, no change to its state that a later call reads.
	// In a sweep the strategy's calls are then made only at the batches where its signals
	// ask for something (swing: a trend flipped). A strategy type that embeds one whose
	// signals are idle inherits this: to be called at every timestamp, it names no key.
	IdleSignals interface {
		Signals
		Idle(j int) bool
	}
	// FillHandler is told of every fill of the account.
	FillHandler interface {
		OnFill(br *Broker, f FillRecord)
	}
	// LiquidationHandler is told of every liquidation of the account.
	LiquidationHandler interface {
		OnLiquidation(br *Broker, l margin.Liquidation)
	}
	// FundingHandler is told of every funding payment of the account.
	FundingHandler interface {
		OnFunding(br *Broker, p FundingPayment)
	}
	// RejectHandler is told of every rejection recorded after placement (an order refused
	// when it triggers or fills); rejections at placement are returned by Submit instead.
	RejectHandler interface {
		OnReject(br *Broker, r Reject)
	}
)

// Records a run produces, per account.

// EquityPoint is the account valued at one bar close.
type EquityPoint struct {
	Time              int64 // Unix ms (bar close)
	Equity            float64
	Wallet            float64 // cross wallet + isolated wallets
	UnrealizedPnL     float64
	MarginBalance     float64
	MaintenanceMargin float64
	MarginRatio       float64 // highest of cross ratio and isolated positions' ratios at the close; math.MaxFloat64 for a non-positive balance
	// PeakMarginRatio is the highest margin ratio the account reached during the bar, along
	// the intrabar path the engine walks (the open, each path vertex and each order or
	// liquidation event on it, a float estimate): ≥ MarginRatio, and ≥ 1 in a bar with a
	// liquidation (the ledger met the threshold). Zero in records written before it existed.
	PeakMarginRatio float64
	Drawdown        float64 // fraction below the running equity peak, the peak starting at the initial wallet (so fees at the first fill show; summary max_drawdown starts at the first point)
}

// FillRecord is one execution.
type FillRecord struct {
	Time        int64
	OrderID     OrderID // 0 for a liquidation
	Symbol      string
	Side        Side
	Qty         decimal.Decimal // > 0
	Price       decimal.Decimal
	Fee         decimal.Decimal // trading fee, or the clearance fee of a liquidation
	RealizedPnL decimal.Decimal // credited to the account: after an insurance-fund draw, if any
	Maker       bool
	Liquidation bool
	Tag         string
	// PositionSide is the position the fill acted on: margin.Both in one-way mode, the leg
	// in hedge mode.
	PositionSide margin.PositionSide
}

// Trade is one round trip of a position, from flat to flat (a flip closes one and opens the
// next). AccountResult.Trades holds the closed ones; a position still open at the end is in
// AccountResult.Positions.
type Trade struct {
	Symbol string
	// PositionSide is margin.Both in one-way mode; in hedge mode the leg (Long or Short), each
	// leg's round trips being separate trades.
	PositionSide margin.PositionSide
	Mode         margin.Mode
	Side         Side
	EntryTime    int64
	ExitTime     int64
	Qty          decimal.Decimal // largest absolute size held
	EntryPrice   decimal.Decimal // quantity-weighted average of the opening fills
	ExitPrice    decimal.Decimal // quantity-weighted average of the closing fills
	PnL          decimal.Decimal // realized, fees and funding included
	Fees         decimal.Decimal
	Funding      decimal.Decimal
	Liquidated   bool
	// LastWick: while the trade was open, a last-price bar reached its liquidation price but
	// the mark price did not, so a backtester that liquidates on last price would have killed
	// it. A float estimate made at each close: the bar's last-price low (long) or high (short)
	// against the liquidation price at the close (not at the moment of the wick); a trade
	// opened during the bar counts the bar's whole range; the bar it closes in is not examined.
	LastWick       bool
	MinLiqDistance float64 // closest |mark − liquidation price| / mark while open, along the intrabar path (float estimate; 1 when never measured or no liquidation price)
	// PeakMarginRatio is the highest margin ratio of the position's margin while open, along
	// the intrabar path: its own for an isolated position, the cross account's for a cross
	// one (float estimate); ≥ 1 when liquidated.
	PeakMarginRatio float64
	// EntryDecision is the strategy's order that opened the position (Decision); Leverage
	// the symbol's leverage when it opened. Initial margin ≈ Qty × EntryPrice / Leverage.
	EntryDecision Decision
	Leverage      int
}

// Decision identifies a strategy's order by when and in which order the strategy placed it:
// Time is the account's time at placement (the bar close during OnBar), Seq counts the
// strategy's orders on the symbol placed at that time, from 1. The same strategy replayed under
// two margin setups places the same decisions, whatever sizes they get, so a Decision pairs a
// position under isolated with the same position under cross. Zero: none (an engine-placed
// stop-loss or take-profit child).
type Decision struct {
	Time int64
	Seq  int
}

// FundingPayment is one funding settlement on an open position.
type FundingPayment struct {
	Time         int64
	Symbol       string
	PositionSide margin.PositionSide // margin.Both in one-way mode, the leg in hedge mode
	Qty          decimal.Decimal
	Mark         decimal.Decimal
	Rate         float64
	Amount       decimal.Decimal // signed, credited to the account
}

// Reject is an order or action the rules refused.
type Reject struct {
	Time    int64
	Symbol  string
	OrderID OrderID // 0 for an order refused at placement (it never got an id) and for actions
	Action  string  // "order", "leverage", "mode", "margin", "funding"
	Reason  string  // the reason's sentence, as the engine or the margin rules word it
	Code    string  // the reason's stable code (see RejectCodes), e.g. "insufficient_margin"

	// The refused order (Action "order"; zero for the other actions).
	Side  Side
	Type  OrderType
	Qty   decimal.Decimal // the order's quantity (zero for a close-position order)
	Price decimal.Decimal // refused at placement: the price the margin check used (limit, trigger, or last close for a market order); later: the fill price
	Tag   string          // the order's tag (the replay strategy's "replay row N")
}

// AccountResult is everything one account produced.
type AccountResult struct {
	Name         string                 // "isolated", "cross", or the mix's name
	Modes        map[string]margin.Mode // per symbol, as the setup started them (strategies may change them)
	Equity       []EquityPoint
	Fills        []FillRecord
	Trades       []Trade
	Liquidations []margin.Liquidation
	Funding      []FundingPayment
	Rejects      []Reject
	Final        margin.Snapshot
	Positions    []margin.Position // final positions, open ones only, in symbol order
	Ruined       bool
	RuinTime     int64
	Stopped      bool  // the strategy stopped being called (ruin or StopOnLiquidation)
	StopTime     int64 // when it stopped

	// LiqPrices holds each position's liquidation price (and the margin behind it) at every
	// ledger event that changed it, in time order: for charts, not in the fingerprint.
	LiqPrices []LiqPricePoint

	// the records went to a RecordSink (Config.Records): the record slices are empty and fp
	// is the fingerprint hashed while they streamed
	streamed bool
	fp       string
}

// Assumption is one modelling assumption in force in a run (named in every output).
type Assumption struct{ Key, Value string }

// Fallback is one place where a run used a default instead of what the data or the config
// should have given: the mark price taken from the last price, a constant funding rate, a
// default bracket table or filters, a bracket date out of the snapshots' range. Every
// fallback is also stated in Result.Assumptions; Kind is one of the Fallback* constants.
type Fallback struct {
	Kind   string `json:"kind"`
	Symbol string `json:"symbol,omitempty"` // "" when it concerns the whole run
	Count  int    `json:"count"`            // how often it applied: bars, or funding settlements (see Kind)
	Detail string `json:"detail"`           // one sentence for people
}

// Result is a whole run.
type Result struct {
	Accounts    []AccountResult
	Assumptions []Assumption
	Fallbacks   []Fallback // in Symbols order, then by kind; empty when the run used none
	Start, End  int64      // first and last timestamp replayed (Unix ms)
	Symbols     []string
	Instruments []margin.Instrument // per symbol, in Symbols order: filters, fees, brackets at the start
	Config      Config              // the run's config with defaults filled in
}
