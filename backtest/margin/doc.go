// Package margin is bt's margin ledger for Binance USDⓈ-M perpetuals: leverage brackets,
// instruments, the liquidation-price calculator, and Account, one USDT futures account in
// one-way or hedge position mode whose symbols are each in isolated or cross margin mode (in
// hedge mode each symbol has a LONG and a SHORT leg sharing its margin mode, §4.1).
//
// There are only a few types: Book and Table (dated leverage-bracket tables), Instrument
// (filters and liquidation fee), Account (wallet, positions, liquidation screening and
// execution), and the records Liquidation and Snapshot. LiquidationPrice is Binance's
// calculator.
//
// Typical use by an event loop: NewAccount with one Instrument per symbol (DefaultInstrument
// and Book.Table supply defaults); SetMode and SetLeverage per symbol; CanOpen when an order
// is placed and Apply when it fills; for each step of the mark path, NextLiquidation and, when
// it reports one, Liquidate (then screen the rest of the path again); SetMark at the end of
// the step; Fund at funding times; Equity and Risk (float64, no allocation) for per-bar
// records, Snapshot (exact) for final ones; Check after every event in tests.
//
// This package is the one owner of the risk numbers: maintenance margin, margin ratio,
// liquidation and bankruptcy price, distance to liquidation and available balance are defined
// here and nowhere else. Where a caller needs a fast float64 figure (an engine's per-bar
// records), the float64 version sits beside the exact one in the same file: FloatTable beside
// Table (brackets.go), MarginRatioFloat and FloatRisk beside MarginRatio and Snapshot
// (account.go), LiquidationPriceFloat and LiquidationDistance beside LiquidationPrice
// (liquidation.go). Tests check that each agrees with its exact counterpart to float64
// rounding; no decision rests on them.
//
// Conventions: quantities are base units, signed (> 0 long); prices and money are USDT;
// times are Unix milliseconds UTC; rates are fractions (0.0005 = 0.05%). Ledger values
// (wallets, isolated margins, quantities, entry prices, realized PnL, fees, funding,
// liquidation losses, insurance draws) are decimal.Decimal, exact apart from the documented
// roundings (money to 8 decimals, quotient prices to 16); marks are float64 and enter
// the ledger through their shortest decimal representation. Package margin imports only the
// standard library and shopspring/decimal.
//
// # What is modelled, and how
//
// docs/margin.md states every rule with its source, the dates of the bracket tables and each
// modelling choice; the list below is its short form, with the section of each rule.
//
//   - Maintenance margin = |qty| × mark × MMR − cum, with MMR and cum from the bracket that
//     holds that notional: the highest bracket with notional >= floor (§2). Tables
//     must satisfy the cum rule, which makes the maintenance margin continuous.
//   - Brackets are dated (§3): Book.Table picks the snapshot in force at a time, Book.Schedule
//     the snapshots in force from a time on, and Account.SetInstrument swaps a symbol's table
//     (and filters) under its open position when the date changes. Symbols without a table
//     get DefaultTableSymbol's table of DefaultTableDate (LINKUSDT 2024-10-24).
//   - Default instruments (DefaultInstrument, §9), for symbols the caller gives no filters:
//     BTCUSDT has its real filters (tick 0.1, step 0.001, min notional 100), ETHUSDT its min
//     notional 20; every other grid is derived from a reference price p (the engine passes the
//     symbol's first open): tick 10^(⌊log10 p⌋−4), step 10^(−⌈log10 p⌉), min notional 5.
//     These approximate Binance's per-symbol filters; FilterTable holds the dated filters
//     known (tick, step, min quantity and notional, max quantity), GridTick takes a tick from
//     the data's own price grid, and the engine uses both per date (§9.1). DefaultInstrument's clearance fee rate
//     is BTCUSDT's 1.25% for every symbol; FeeSchedule holds the dated maker, taker and
//     clearance fee rates (taker 0.04% then 0.05%; clearance 0.3% BTCUSDT / 0.5% others, then
//     1.25%) that the engine applies per date (§9.1).
//   - Liquidation price: Binance's one-way formula (§4) with the bracket re-check, and in
//     hedge mode the general formula with both legs of a cross symbol (§4.1; each leg's
//     bracket by its own notional); bankruptcy price with MMR = cum = TMM = 0. Results keep
//     QuotientPlaces decimals.
//   - Trigger (§5). Isolated: liquidated when isolated wallet + uPnL <= MM (at mark); cross: all cross
//     positions when Σ cross MM >= cross wallet + Σ cross uPnL. Isolated positions never count
//     toward the cross account.
//   - Path rule (§10): within a step, all marks move linearly and together from `from` to `to`
//     (NextLiquidation). The event loop chooses the waypoints (e.g. open → adverse extreme →
//     other extreme → close) and uses the same waypoints for order triggers.
//   - Exactness (§11): screening uses float64 shadows of the ledger, refreshed on every ledger
//     change; within a relative band of 1e-9 around a threshold the exact decimal test
//     decides (screenEps in screen.go). An isolated position reduces to comparing the mark
//     with its cached liquidation price.
//   - Liquidation (§7) closes positions in full: no partial or stepwise ("smart") liquidation, no
//     ADL. Isolated positions are triggered at their exact liquidation price (the bar's `from`
//     mark when it gapped through), cross positions at the marks at the trigger point. The
//     execution price is the trigger price on the tick grid, rounded against the position
//     (long: down, short: up) — an assumption: Binance's engine fills on the grid at a price
//     the data does not show; this one is conservative by less than a tick. Clearance fee =
//     min(remaining margin, liquidated notional × LiquidationFee); a shortfall beyond the
//     margin is an insurance-fund draw, so an isolated loss never exceeds its margin and the
//     cross wallet never ends a liquidation below zero. When a cross cascade's remaining
//     wallet cannot pay every leg's fee, it is split pro rata by the legs' nominal fees
//     (liquidated notional × rate), never in symbol order.
//   - Initial margin (§6) = notional / leverage. An order's cost is its initial margin, its open
//     loss (qty × max(0, side × (price − mark))) and its fee, checked against the available
//     balance = wallet + Σ cross uPnL (profits count, as on Binance for cross) − Σ cross
//     initial margin at mark − open-order margin; isolated wallets are outside the wallet.
//   - Isolated margin (§6, §8, §9): opening moves the initial margin from the wallet into the isolated
//     wallet; realized PnL goes to the isolated wallet and a proportional share is released
//     on a reduce (all on close). Trading fees are paid from the cross wallet for isolated
//     positions too (Binance is silent: §9; this keeps the isolated wallet equal to the
//     initial margin after an open, as the calculator assumes). Funding of an isolated
//     position hits its isolated wallet (inferred, not documented by Binance: §8); what it cannot pay is
//     an insurance-fund draw, never the cross wallet's (isolation holds). Raising leverage leaves excess isolated margin in place. An
//     isolated open must also fit within the addable maximum (isolated margin comes out of
//     the wallet, not out of cross profit). A fill closing an isolated position beyond its
//     bankruptcy price (which screening before fills should prevent) leaves the shortfall to
//     the insurance fund.
//   - Order independence (§10): open positions are screened, liquidated and recorded in
//     symbol-name order, so no result depends on the order the instruments are listed in.
//   - Auto-add margin (Config.AutoAddMargin, §7): triggered when an isolated position reaches its
//     liquidation threshold (Binance's "about to be liquidated"); it tops the position up,
//     at the trigger mark, to a margin ratio of 0.5 (isolated wallet = 2·MM − uPnL, rounded
//     up to MoneyPlaces) if the addable maximum allows, otherwise the position is liquidated.
//     Binance gives neither the trigger nor the amount: both are assumptions (§7).
//   - Funding (§8) = −qty × mark × rate (longs pay when rate > 0).
//   - Money precision (§11): every booked amount (realized PnL, trading fee, funding, clearance fee,
//     margin moved by division) is rounded to MoneyPlaces = 8 decimals (USDT), half away from
//     zero; insurance draws follow exactly. Prices computed by division (entry averages,
//     LiquidationPrice) keep QuotientPlaces = 16. So wallets carry no sub-1e-8 dust and
//     conservation is exact.
//   - Floats (§11): market data and the screening shadows are float64, computed so that the bits
//     are the same on every machine: no float product may be fused into a multiply-add (see
//     the float rule in screen.go, enforced by a test).
//   - Not modelled (§12): Multi-Assets mode, the 20x limit of new accounts, price
//     filters (PERCENT_PRICE, MARKET_LOT_SIZE), mark-price construction, notionalCoef, the
//     assumed price max(last·1.0015, mark, price) of short market orders in the open loss
//     (the fill price is used), partial liquidation, ADL, and the insurance fund's balance
//     (its draws are counted, the fund is taken as unlimited).
//
// Invariants: Account.Check verifies conservation of money (initial wallet + realized PnL −
// fees + funding − clearance fees + insurance draws = wallet + isolated wallets, exactly) and
// the sign rules; with the build tag invariants every mutating method runs it and panics on a
// violation.
package margin
