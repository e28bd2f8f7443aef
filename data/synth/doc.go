// Package synth generates seeded synthetic markets of USDT perpetuals for stress
// research: correlated returns, volatility regimes, jumps, scheduled crashes, mark-price
// klines and funding rates, in the row types of package data.
//
// There are few types: Options (what to simulate, every zero field a documented
// default), Asset (one perpetual), Regimes, Jumps, Basis and Crash. Generate hands the
// rows to a callback one month at a time; Write streams them into a parquet.Store.
// ParseCrash reads the CLI's --crash TIME:SIZE[:SYMBOL] flag.
//
// # Model
//
// Each bar is built from Options.SubSteps (default 8) internal steps of a log-price
// path; the bar's open is the previous close and high/low are the extremes of the path
// points, so low <= open, close <= high always holds. Per sub-step, asset i's log return
// is
//
//	r_i = σ_i · s · z_i  (+ beta_i · J at a jump, + beta_i · ln(1+c) at a crash)
//
// with no drift (the median price is flat), z the standard normals correlated by the
// Cholesky factor of the correlation matrix (Options.Correlation for every pair, default
// 0.6, or Options.Corr), s the regime multiplier (1 calm, Regimes.StressVol stressed, a
// market-wide two-state Markov chain stepped once per bar) and σ_i set so that the
// unconditional variance of diffusion, regimes and jumps together is Asset.AnnualVol².
// Jumps arrive market-wide, at most one per bar, with probability Jumps.PerYear × bar
// length; J ~ Normal(Jumps.Mean, Jumps.StdDev).
//
// The first selected asset is the reference ("the market"): beta_i = rho_i0 · σ_i / σ_0
// (1 for the reference). A crash with no symbol moves the reference by exactly its Size
// (a simple return) and every other asset by beta_i × ln(1+Size) in log terms, applied at
// the sub-step that contains its time, so it shows in the bar that contains it. With the
// default universe and rho 0.6, a −25% crash moves ETH (beta 0.84) by −21.5% and ZEC
// (beta 1.2) by −29.2%.
//
// # Prices, mark price and funding
//
// Prices are Asset.Price × exp(log path), rounded to the asset's tick (a power of ten;
// the default universe uses Binance's USDⓈ-M tick sizes as we know them) and never below
// one tick. Rounded prices are n / 10^d with an integer n, so their shortest decimal form
// is the tick-grid decimal.
//
// The mark price is last × exp(b), b a per-asset Ornstein-Uhlenbeck basis: it decays
// with Basis.HalfLife (1h), has noise of stationary sd Basis.StdDev (3 bp), and lags the
// last price by Basis.Lag (0.1) × each diffusion return, as an averaged price does; its
// stationary sd is a few basis points. The mark klines take their OHLC from the same
// sub-step path.
//
// Funding settles every 8 hours at 00:00, 08:00 and 16:00 UTC within [Start, End), with
// Binance's formula F = P + clamp(I − P, −0.05%, +0.05%), I = 0.01%, P the mean premium
// index over the sub-steps since the previous settlement, the premium index being −b
// (last above mark: positive). F is clamped to ±Asset.FundingCap (0.75 × the first
// bracket's maintenance margin rate, Binance's default cap: ±0.3% for BTC and ETH,
// ±0.75% otherwise) and rounded to 1e-8, as Binance publishes it.
//
// Volumes are a shape, not a calibration: quote volume per bar is Asset.DailyQuoteVolume
// × bar length × (0.5 + 0.5·|r|/σ_bar) × a mean-one lognormal, doubled in the stressed
// regime; base volume is quote volume over the bar's (H+L+C)/3, rounded to 0.001; the
// trade count assumes 4000 USDT per trade; the taker-buy share is 0.5 + 0.2·tanh(r/σ_bar).
//
// # Determinism and cost
//
// One PCG generator (math/rand/v2, seeded with Options.Seed) draws everything in a fixed
// order, bar by bar; no map order or clock is involved, so the same Options give the same
// rows, and the same files through Write. NoMark and NoFunding do not change the draws.
// A longer End leaves the earlier bars unchanged. Memory is one month of rows per series.
// One year of 1m bars for the 12 default assets (6.3M klines + 6.3M mark bars + funding)
// takes about 2.8 s on one core of the reference machine (AMD EPYC, 2 cores):
//
//	go test -run '^$' -bench GenerateYear1m -benchmem ./data/synth
//	BenchmarkGenerateYear1m-2   2   2806143873 ns/op   2247640 klines/s   85756824 B/op   97 allocs/op
//
// Through Write into a parquet.Store the same year took 14.7 s (Parquet encoding is most
// of it) with a peak RSS of 246 MB; BenchmarkWriteMonth1m measures one month.
package synth
