package backtest

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/shopspring/decimal"
)

// Setup is one account's margin setup: a default mode and per-symbol overrides.
type Setup struct {
	Name      string
	Mode      margin.Mode
	Overrides map[string]margin.Mode
	// Config, when set, is this account's own configuration instead of the run's (a sweep
	// runs accounts of many configurations in one pass over the data): every per-account
	// setting comes from it (wallet, leverage, fees, slippage, strategy parameters, execution
	// and funding switches), with its own defaults. The run-wide settings stay the run's:
	// Setups, Parallel, Instruments, Book, BracketDate, Fees, ClearanceFee, Filters, Equity,
	// Records, NoFingerprint and NoLiqPrices (the schedule of the maker and taker fees is the run's, an own MakerFee or
	// TakerFee replaces it for this account); Result.Assumptions describe the run's Config.
	Config *Config
}

// DefaultSetups are the accounts of a run whose Config.Setups is nil: every symbol isolated,
// and every symbol cross ("--mode both").
func DefaultSetups() []Setup {
	return []Setup{{Name: "isolated", Mode: margin.Isolated}, {Name: "cross", Mode: margin.Cross}}
}

// Config configures a run. The zero value of each field documents its default; the zero
// Config is a valid run of isolated and cross accounts with 10000 USDT each at 10x.
type Config struct {
	Wallet            decimal.Decimal   // initial wallet per account; zero: 10000 USDT
	Setups            []Setup           // nil: DefaultSetups (isolated and cross)
	Leverage          map[string]int    // per symbol; missing: DefaultLeverage
	DefaultLeverage   int               // 0: 10
	MakerFee          *decimal.Decimal  // nil: the dated fee schedule's rate on each fill's date (Fees)
	TakerFee          *decimal.Decimal  // nil: the dated fee schedule's rate on each fill's date (Fees)
	SlippageBps       float64           // adverse slippage of market, stop and take-profit fills; 0: none
	Params            map[string]string // strategy parameters by name
	Parallel          bool              // run accounts on a worker pool (identical results; strategy instances must not share mutable state)
	StopOnLiquidation bool              // stop trading an account after its first liquidation

	// LimitTouch fills a resting limit order when the price touches its limit; false (the
	// default) requires the price to trade through it.
	LimitTouch bool
	// History is how many completed bars per symbol Broker.Bars keeps; 0: 500.
	History int
	// Instruments overrides the instrument of a symbol (filters, liquidation fee, brackets);
	// symbols not listed get margin.DefaultInstrument at the first bar's open.
	Instruments []margin.Instrument
	// Book is the bracket book for default instruments; nil: margin.DefaultBook().
	Book *margin.Book
	// Fees is the dated fee schedule for the maker and taker fees and the clearance fee rate
	// not set by MakerFee, TakerFee or ClearanceFee; nil: margin.FeeSchedule().
	Fees *margin.Fees
	// Filters is the dated instrument filter table for symbols without a configured
	// instrument; nil: margin.FilterTable().
	Filters *margin.Filters
	// ClearanceFee, when set, is the liquidation clearance fee rate of every symbol for the
	// whole run (a configured instrument's own rate included); nil: the dated fee schedule's
	// rate on the liquidation's date for default instruments, a configured instrument's own.
	ClearanceFee *decimal.Decimal
	// BracketDate pins the bracket snapshot of default instruments to the one in force on
	// that date, for the whole run (a what-if); zero: every bar uses the table in force on its
	// UTC date, switched for open positions at the first step of the date.
	BracketDate time.Time
	// FundingFallbackRate is the constant funding rate charged every 8h at 00:00, 08:00 and
	// 16:00 UTC on a symbol until the source delivers a funding event for it; nil: 0.0001.
	FundingFallbackRate *float64
	// NoFundingFallback disables the fallback: symbols without funding data pay none.
	NoFundingFallback bool
	// AutoAddMargin turns on the margin account's auto-add-margin policy for isolated positions.
	AutoAddMargin bool
	// PositionMode is every account's position mode at the start: margin.OneWay (the zero
	// value, Binance's default) or margin.Hedge, where each symbol has a LONG and a SHORT
	// position and every order names the one it acts on (Order.PositionSide; docs/margin.md
	// §4.1). A strategy may change it while flat without open orders (Broker.SetPositionMode).
	PositionMode margin.PositionMode
	// Equity, when set, is called once per account (by Setup name) before the run and the
	// account's equity points go to the returned sink, in time order, one per close (a
	// point is handed over when the next close is reached, the last one at the end of the
	// run), instead of into AccountResult.Equity, which then stays nil: memory no longer
	// grows with the length of the history. A sink's error stops the run. With Parallel,
	// different accounts' sinks are called from different goroutines. nil: the curve is
	// kept in AccountResult.Equity.
	Equity func(account string) EquitySink
	// Records, when set, is called once per account (by Setup name) before the run and the
	// account's fills, trades, liquidations, funding payments and rejections go to the
	// returned sink as the run books them (RecordSink), instead of into AccountResult's
	// slices, which then stay nil: memory no longer grows with the number of records.
	// AccountResult.Fingerprint is then hashed while they stream (CanonicalLog's hash, the
	// same), unless NoFingerprint, with logName as the account's name in the log ("": the
	// Setup's name; a sweep renames its accounts after the run). A nil sink drops them. With Parallel, different accounts' sinks are called from
	// different goroutines. nil: the records are kept in AccountResult.
	Records func(account string) (sink RecordSink, logName string)
	// NoFingerprint, with Records, skips the streamed fingerprint (AccountResult.Fingerprint
	// returns ""): a run that needs none (a Monte Carlo path) saves formatting every record.
	NoFingerprint bool
	// NoLiqPrices leaves AccountResult.LiqPrices empty: the liquidation-price lines of the
	// report's charts cost an exact liquidation price of every open cross position at every
	// ledger event of a cross position; a run that draws no report (a sweep) skips them.
	NoLiqPrices bool
}

// EquitySink receives an account's equity points during a run (Config.Equity). The point is
// passed by value; Add must not keep a reference to anything but its copy.
type EquitySink interface {
	Add(p EquityPoint) error
}

// EquityBlockSink is an EquitySink that takes an account's points in blocks: the account
// keeps its points in a block of its own (a later funding-only timestamp at the same close
// replaces the last one, as in the curve) and hands the sink each full block, then the rest at
// the end of the run, instead of one Add per point (a sweep's and a Monte Carlo path's
// statistics take every point of every account). The points are the ones Add would receive,
// in the same order; the slice is valid only during the call (the account reuses it), and an
// error stops the run at the block that returned it. Add is not called.
type EquityBlockSink interface {
	EquitySink
	AddBlock(pts []EquityPoint) error
}

// EquitySinkFunc adapts a function to EquitySink.
type EquitySinkFunc func(p EquityPoint) error

// Add calls f(p).
func (f EquitySinkFunc) Add(p EquityPoint) error { return f(p) }

var (
	defaultWallet = decimal.NewFromInt(10000)
)

// DefaultLeverage is the leverage of every symbol of a run that sets none (Config's zero
// DefaultLeverage, an experiment without leverage.default): the one place it is set.
const DefaultLeverage = 10

const (
	defaultHistory     = 500
	defaultFundingRate = 0.0001
	fundingPeriodMs    = 8 * 3600 * 1000
)

// withDefaults returns a copy of c with every zero field set to its default.
func (c Config) withDefaults() Config {
	if c.Wallet.IsZero() {
		c.Wallet = defaultWallet
	}
	if c.Setups == nil {
		c.Setups = DefaultSetups()
	}
	if c.DefaultLeverage == 0 {
		c.DefaultLeverage = DefaultLeverage
	}
	if c.History == 0 {
		c.History = defaultHistory
	}
	if c.FundingFallbackRate == nil {
		r := defaultFundingRate
		c.FundingFallbackRate = &r
	}
	return c
}

// Validate reports the first inconsistency of c (after defaults), wrapping ErrBadConfig.
func (c Config) Validate() error {
	c = c.withDefaults()
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrBadConfig, fmt.Sprintf(format, a...))
	}
	if c.Wallet.Sign() < 0 {
		return bad("Wallet %s < 0", c.Wallet)
	}
	if len(c.Setups) == 0 {
		return bad("no Setups")
	}
	seen := make(map[string]bool, len(c.Setups))
	for i, s := range c.Setups {
		if s.Name == "" {
			return bad("Setups[%d] has no Name", i)
		}
		if seen[s.Name] {
			return bad("Setups[%d]: duplicate name %q", i, s.Name)
		}
		seen[s.Name] = true
		if s.Mode > margin.Isolated {
			return bad("Setups[%d] %q: unknown mode %d", i, s.Name, s.Mode)
		}
		for _, sym := range slices.Sorted(maps.Keys(s.Overrides)) { // sorted: a deterministic first error
			if m := s.Overrides[sym]; m > margin.Isolated {
				return bad("Setups[%d] %q: %s: unknown mode %d", i, s.Name, sym, m)
			}
		}
	}
	for i, s := range c.Setups {
		if s.Config != nil {
			if err := s.Config.validateAccount(); err != nil {
				return fmt.Errorf("Setups[%d] %q: %w", i, s.Name, err)
			}
		}
	}
	if err := c.validateAccount(); err != nil {
		return err
	}
	return c.instrumentsValid()
}

// validateAccount reports the first inconsistency of c's per-account settings (after
// defaults), wrapping ErrBadConfig.
func (c Config) validateAccount() error {
	c = c.withDefaults()
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrBadConfig, fmt.Sprintf(format, a...))
	}
	if c.Wallet.Sign() < 0 {
		return bad("Wallet %s < 0", c.Wallet)
	}
	if c.DefaultLeverage < 1 {
		return bad("DefaultLeverage %d < 1", c.DefaultLeverage)
	}
	if c.PositionMode > margin.Hedge {
		return bad("PositionMode %d: want margin.OneWay or margin.Hedge", c.PositionMode)
	}
	for _, sym := range slices.Sorted(maps.Keys(c.Leverage)) {
		if l := c.Leverage[sym]; l < 1 {
			return bad("Leverage[%s] = %d < 1", sym, l)
		}
	}
	if c.MakerFee != nil && c.MakerFee.Abs().GreaterThan(decimal.RequireFromString("0.01")) {
		return bad("MakerFee %s outside [-0.01, 0.01]", c.MakerFee)
	}
	if c.TakerFee != nil && (c.TakerFee.IsNegative() || c.TakerFee.GreaterThan(decimal.RequireFromString("0.01"))) {
		return bad("TakerFee %s outside [0, 0.01]", c.TakerFee)
	}
	if c.ClearanceFee != nil && (c.ClearanceFee.IsNegative() || c.ClearanceFee.GreaterThan(decimal.RequireFromString("0.1"))) {
		return bad("ClearanceFee %s outside [0, 0.1]", c.ClearanceFee)
	}
	if math.IsNaN(c.SlippageBps) || c.SlippageBps < 0 || c.SlippageBps > 10000 {
		return bad("SlippageBps %v outside [0, 10000]", c.SlippageBps)
	}
	if c.History < 1 {
		return bad("History %d < 1", c.History)
	}
	if r := *c.FundingFallbackRate; math.IsNaN(r) || math.IsInf(r, 0) || math.Abs(r) > 0.1 {
		return bad("FundingFallbackRate %v not a rate in [-0.1, 0.1]", r)
	}
	return nil
}

// instrumentsValid reports the first bad configured instrument.
func (c Config) instrumentsValid() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrBadConfig, fmt.Sprintf(format, a...))
	}
	for i, in := range c.Instruments {
		if in.Symbol == "" {
			return bad("Instruments[%d] has no Symbol", i)
		}
		if in.TickSize.Sign() <= 0 || in.StepSize.Sign() <= 0 {
			return bad("Instruments[%d] %s: tick and step size must be > 0", i, in.Symbol)
		}
		if len(in.Brackets) == 0 {
			return bad("Instruments[%d] %s: no brackets", i, in.Symbol)
		}
	}
	return nil
}

// forSetup returns the configuration account s runs with: c itself, or s.Config with its
// defaults and c's run-wide settings (see Setup.Config).
func (c *Config) forSetup(s Setup) *Config {
	if s.Config == nil {
		return c
	}
	a := s.Config.withDefaults()
	a.Setups, a.Parallel, a.Instruments, a.Book, a.BracketDate, a.Equity = c.Setups, c.Parallel, c.Instruments, c.Book, c.BracketDate, c.Equity
	a.NoLiqPrices = c.NoLiqPrices
	a.Fees, a.ClearanceFee, a.Filters = c.Fees, c.ClearanceFee, c.Filters // part of the run's instruments
	return &a
}

// leverageOf returns the configured leverage of symbol.
func (c *Config) leverageOf(symbol string) int {
	if l, ok := c.Leverage[symbol]; ok {
		return l
	}
	return c.DefaultLeverage
}

// modeOf returns the margin mode of symbol under setup s.
func (s *Setup) modeOf(symbol string) margin.Mode {
	if m, ok := s.Overrides[symbol]; ok {
		return m
	}
	return s.Mode
}

// checkSymbols reports config entries naming a symbol the source does not have (a typo would
// otherwise silently fall back to a default).
func (c *Config) checkSymbols(symbols []string) error {
	known := func(sym string) bool { _, ok := slices.BinarySearch(symbols, sym); return ok }
	for _, sym := range slices.Sorted(maps.Keys(c.Leverage)) {
		if !known(sym) {
			return fmt.Errorf("%w: Leverage names %q, not a symbol of the source %v", ErrBadConfig, sym, symbols)
		}
	}
	for _, s := range c.Setups {
		if s.Config != nil {
			for _, sym := range slices.Sorted(maps.Keys(s.Config.Leverage)) {
				if !known(sym) {
					return fmt.Errorf("%w: setup %q: Leverage names %q, not a symbol of the source %v", ErrBadConfig, s.Name, sym, symbols)
				}
			}
		}
		for _, sym := range slices.Sorted(maps.Keys(s.Overrides)) {
			if !known(sym) {
				return fmt.Errorf("%w: setup %q overrides %q, not a symbol of the source %v", ErrBadConfig, s.Name, sym, symbols)
			}
		}
	}
	for _, in := range c.Instruments {
		if !known(in.Symbol) {
			return fmt.Errorf("%w: Instruments names %q, not a symbol of the source %v", ErrBadConfig, in.Symbol, symbols)
		}
	}
	return nil
}
