package synth

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bt-backtest/bt/data"
)

// Errors returned by this package.
var (
	// ErrOptions: the Options are inconsistent (bad range, interval, correlation, ...).
	ErrOptions = errors.New("synthetic market")
	// ErrCrash: a crash specification cannot be parsed.
	ErrCrash = errors.New("scheduled crash")
)

// Asset is one simulated USDT perpetual.
type Asset struct {
	Symbol string  // e.g. "BTCUSDT"
	Price  float64 // price at Start
	// Tick is the price tick, a power of ten (0.1, 0.01, ..., 1e-8); prices are rounded to it.
	Tick float64
	// AnnualVol is the unconditional annualized volatility of log returns (diffusion,
	// regimes and jumps together); 0 means Options.AnnualVol.
	AnnualVol float64
	// DailyQuoteVolume is the mean quote (USDT) volume per day; 0 means 1e9.
	DailyQuoteVolume float64
	// FundingCap bounds |funding rate| per 8h interval; 0 means 0.0075 (0.75 × a 1% MMR).
	FundingCap float64
}

// Universe returns the default universe: the USDT perpetuals of BTC, ETH, XRP, BNB, SOL,
// TRX, DOGE, ADA, HYPE, BCH, LINK and ZEC at their late-2025 prices. Ticks follow
// Binance's USDⓈ-M tick sizes as we know them (an assumption: they change). Volatilities
// and daily volumes are rough assumptions of their 2024–2025 levels, not calibrated.
// Funding caps are 0.75 × the first bracket's MMR: 0.4% for BTC and ETH (±0.3%), 1% for
// the others (±0.75%).
func Universe() []Asset {
	return []Asset{
		{"BTCUSDT", 87959.91, 0.1, 0.50, 15e9, 0.003},
		{"ETHUSDT", 2920.50, 0.01, 0.70, 12e9, 0.003},
		{"XRPUSDT", 2.2373, 0.0001, 0.80, 2e9, 0.0075},
		{"BNBUSDT", 860.24, 0.01, 0.50, 1e9, 0.0075},
		{"SOLUSDT", 138.09, 0.01, 0.80, 4e9, 0.0075},
		{"TRXUSDT", 0.2728, 0.00001, 0.50, 0.3e9, 0.0075},
		{"DOGEUSDT", 0.1509, 0.00001, 0.90, 2e9, 0.0075},
		{"ADAUSDT", 0.4216, 0.0001, 0.85, 0.8e9, 0.0075},
		{"HYPEUSDT", 32.15, 0.001, 1.10, 1e9, 0.0075},
		{"BCHUSDT", 533.30, 0.01, 0.75, 0.5e9, 0.0075},
		{"LINKUSDT", 12.95, 0.001, 0.85, 0.7e9, 0.0075},
		{"ZECUSDT", 521.48, 0.01, 1.00, 1e9, 0.0075},
	}
}

// Regimes is the market-wide two-state (calm/stressed) Markov volatility switch. The
// chain steps once per bar. Volatility in the stressed state is StressVol × the calm
// one; calm volatility is set so that the long-run average variance matches AnnualVol.
type Regimes struct {
	Off        bool    // true: one regime, constant volatility
	StressVol  float64 // stressed/calm volatility ratio; 0 means 2.5
	CalmDays   float64 // mean time in the calm state; 0 means 30
	StressDays float64 // mean time in the stressed state; 0 means 3
}

// Jumps are market-wide Poisson jumps. A jump's log size for the reference asset (the
// first one) is Normal(Mean, StdDev); each asset gets it scaled by its beta (see
// Options). Arrivals are drawn once per bar with probability PerYear × bar length, at a
// uniformly drawn sub-step.
type Jumps struct {
	Off     bool    // true: no jumps
	PerYear float64 // intensity; 0 means 6
	Mean    float64 // mean log jump size; 0 is symmetric
	StdDev  float64 // standard deviation of the log jump size; 0 means 0.03
}

// Basis shapes mark price = last price × exp(b), where b is a mean-reverting
// (Ornstein-Uhlenbeck) basis per asset: it decays with HalfLife, has independent noise of
// stationary standard deviation StdDev, and lags the last price by Lag × each diffusion
// return (the mark price is an average and moves more slowly). The premium index that
// drives funding is −b: last above mark means longs pay.
type Basis struct {
	StdDev   float64       // stationary sd of the noise part; 0 means 0.0003 (3 bp)
	HalfLife time.Duration // 0 means 1h
	Lag      float64       // 0 means 0.1; negative means none
}

// Crash is a scheduled shock. Size is a simple return (−0.25 is −25%) applied at the
// sub-step containing Time. With Symbol empty it hits every asset through its beta to
// the reference asset: asset i's log shock is beta_i × ln(1+Size), beta_i = rho_i0 ×
// vol_i / vol_0, so the reference moves by exactly Size and the others by what their
// correlation and volatility imply. With Symbol set only that asset moves, by Size.
type Crash struct {
	Time   time.Time
	Size   float64 // > −1
	Symbol string  // "": all assets, scaled by beta
}

// String formats c as ParseCrash reads it: "TIME:SIZE[:SYMBOL]".
func (c Crash) String() string {
	s := c.Time.UTC().Format("2006-01-02T15:04:05Z") + ":" + strconv.FormatFloat(c.Size, 'g', -1, 64)
	if c.Symbol != "" {
		s += ":" + c.Symbol
	}
	return s
}

// ParseCrash parses "TIME:SIZE[:SYMBOL]", e.g. "2025-10-10T21:00Z:-0.25" or
// "2025-10-10T21:00:00Z:-25%:ZECUSDT". TIME is RFC 3339 (seconds and zone optional, UTC
// when absent) or a date; SIZE is a fraction or a percentage.
func ParseCrash(s string) (Crash, error) {
	var c Crash
	rest := s
	cut := func() string {
		i := strings.LastIndexByte(rest, ':')
		if i < 0 {
			return ""
		}
		last := rest[i+1:]
		rest = rest[:i]
		return last
	}
	last := cut()
	size, err := parseSize(last)
	if err != nil && last != "" && !strings.ContainsAny(last, "0123456789.%") {
		c.Symbol = last
		last = cut()
		size, err = parseSize(last)
	}
	if err != nil {
		return c, fmt.Errorf("%w: %q: size %q: want a number > -1 (e.g. -0.25 or -25%%)", ErrCrash, s, last)
	}
	c.Size = size
	if c.Time, err = parseTime(rest); err != nil {
		return c, fmt.Errorf("%w: %q: time %q: want RFC 3339, e.g. 2025-10-10T21:00Z", ErrCrash, s, rest)
	}
	return c, nil
}

func parseSize(s string) (float64, error) {
	pct := strings.HasSuffix(s, "%")
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil {
		return 0, err
	}
	if pct {
		v /= 100
	}
	if math.IsNaN(v) || math.IsInf(v, 0) || v <= -1 {
		return 0, fmt.Errorf("out of range")
	}
	return v, nil
}

func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("bad time")
}

// Options configures a synthetic market. Start and End are required; every other
// field's zero value is a documented default.
type Options struct {
	// Assets is the universe; nil means Universe().
	Assets []Asset
	// Symbols selects assets by symbol, in the given order; nil means all of Assets.
	// The first selected asset is the reference for betas (crashes, jumps).
	Symbols []string
	// Start and End bound the bar open times: Start <= open < End. Start is rounded down
	// to the interval grid (UTC).
	Start, End time.Time
	// Interval is the bar length: 1m, 3m, 5m, 15m, 30m, 1h, 2h, 4h, 6h, 8h, 12h or 1d;
	// "" means 1h.
	Interval string
	// Seed seeds the PCG generator; the same Seed and Options give identical output.
	Seed uint64
	// AnnualVol is the volatility of assets whose own AnnualVol is 0; 0 means 0.6.
	AnnualVol float64
	// Correlation is the pairwise correlation of diffusion returns used when Corr is nil;
	// 0 means 0.6. For independent assets give an identity Corr.
	Correlation float64
	// Corr, if set, is the full correlation matrix of the selected assets, in order:
	// symmetric, unit diagonal, positive definite.
	Corr [][]float64
	// Regimes, Jumps and Basis: see their types.
	Regimes Regimes
	Jumps   Jumps
	Basis   Basis
	// Crashes are scheduled shocks; each must fall in [Start, End).
	Crashes []Crash
	// NoMark and NoFunding drop the mark-price klines and the funding rates from the
	// output. They do not change the random draws: the klines stay the same.
	NoMark, NoFunding bool
	// SubSteps is the number of internal path steps per bar from which open, high, low
	// and close are taken; 0 means 8.
	SubSteps int
}

var intervals = []string{"1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d"}

// intervalDuration is the length of one of intervals, or 0 for any other string.
func intervalDuration(s string) time.Duration {
	if !slices.Contains(intervals, s) {
		return 0
	}
	ms, _ := data.IntervalMillis(s)
	return time.Duration(ms) * time.Millisecond
}

// Validate reports whether the options are consistent.
func (o *Options) Validate() error {
	_, err := o.resolve()
	return err
}
