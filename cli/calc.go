package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"
)

func newCalcCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "calc",
		Short: "Calculators: liquidation price",
	}
	cmd.AddCommand(newCalcLiqCmd(e))
	return cmd
}

// liqFlags are the flags of bt calc liq, as typed.
type liqFlags struct {
	symbol, side, qty, entry, wallet, mode string
	otherMM, otherUPnL                     string
	mmr, cum, brackets                     string
	account                                string
	asJSON                                 bool
}

// liqOutput is the JSON document bt calc liq --json prints. Decimals are strings so that no
// digit is lost.
type liqOutput struct {
	Symbol            string `json:"symbol"`
	Side              string `json:"side"`
	Mode              string `json:"mode"`
	Qty               string `json:"qty"`
	Entry             string `json:"entry"`
	Wallet            string `json:"wallet"`
	LiquidationPrice  string `json:"liquidation_price"`
	BankruptcyPrice   string `json:"bankruptcy_price"`
	MaintenanceMargin string `json:"maintenance_margin"`
	MMR               string `json:"mmr"`
	Cum               string `json:"cum"`
	Bracket           int    `json:"bracket"`
	BracketSource     string `json:"bracket_source"`
}

func newCalcLiqCmd(e *env) *cobra.Command {
	var f liqFlags
	cmd := &cobra.Command{
		Use:   "liq (--symbol SYM --side long|short --qty Q --entry PRICE --wallet WB --mode isolated|cross | --account FILE)",
		Short: "Liquidation price of one position, as Binance's calculator computes it",
		Long: `Computes the one-way liquidation price of a USDⓈ-M position with Binance's formula
  LP = (WB − TMM1 + UPNL1 + cum − side·Q·EP) / (Q·MMR − side·Q)
including the re-check in the bracket the liquidation price falls in.

WB is the isolated wallet of the position (isolated) or the cross wallet balance (cross); TMM1 and
UPNL1 (--other-mm, --other-upnl) are the maintenance margin and unrealized PnL of the other cross
positions. The bracket (MMR, cum) comes from the embedded Binance snapshots in force at --brackets
DATE (default: the latest), from a bracket file (--brackets FILE, the JSON layout of
GET /fapi/v1/leverageBracket), or is given explicitly with --mmr and --cum.

With --account FILE (YAML or JSON) it computes every position of a whole account with the
backtester's own margin account: cross positions share the cross wallet, each with the others
held at their marks; isolated positions use their own isolated wallet. The file:
  brackets: 2024-10-24        # the tables in force on this date (default: the latest)
  wallet: 10000               # cross wallet balance, USDT
  position_mode: hedge        # one-way (default) | hedge
  positions:
    - {symbol: BTCUSDT, side: long, qty: 1.5, entry: 60000, mark: 60500, margin: cross}
    - {symbol: BTCUSDT, side: short, qty: 0.5, entry: 61000, mark: 60500, margin: cross}
    - {symbol: ETHUSDT, side: long, qty: 10, entry: 2500, mark: 2450, margin: isolated, isolated_wallet: 1200}
In one-way mode a symbol has one position; in hedge mode a long and a short (with one mark and
one margin mode), and two cross sides share one liquidation price from Binance's formula with
both legs (docs/margin.md §4.1). Positions are printed in input order; the maintenance margin and bracket are at the mark, and
a liquidation price at or below zero is "--" (null in JSON).`,
		Example: `  bt calc liq --account account.yaml --json
  bt calc liq --symbol BTCUSDT --side long --qty 1 --entry 60000 --wallet 3000 --mode isolated
  bt calc liq --symbol BTCUSDT --side short --qty 2 --entry 30000 --wallet 5000 --mode cross \
      --other-mm 120 --other-upnl -300 --mmr 0.005 --cum 50 --json`,
		Args: argsBetween(0, 0),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if f.account != "" {
				for _, name := range []string{"symbol", "side", "qty", "entry", "wallet", "mode", "other-mm", "other-upnl", "mmr", "cum", "brackets"} {
					if cmd.Flags().Changed(name) {
						return usageErrf("--%s does not go with --account (the file gives every position)", name)
					}
				}
				out, err := calcAccount(f.account)
				if err != nil {
					return usageErr(err)
				}
				if f.asJSON {
					return writeJSON(e.stdout, out)
				}
				return writeAccountText(e.stdout, out)
			}
			for _, name := range []string{"symbol", "side", "qty", "entry", "wallet", "mode"} {
				if !cmd.Flags().Changed(name) {
					return usageErrf("--%s is required (or give --account FILE)", name)
				}
			}
			out, err := calcLiq(f)
			if err != nil {
				return usageErr(err)
			}
			if f.asJSON {
				return writeJSON(e.stdout, out)
			}
			t := newTable(e.stdout)
			t.row("symbol", out.Symbol)
			t.row("side", out.Side)
			t.row("mode", out.Mode)
			t.row("liquidation price", out.LiquidationPrice)
			t.row("bankruptcy price", out.BankruptcyPrice)
			t.row("maintenance margin", out.MaintenanceMargin)
			t.row("mmr / cum", out.MMR+" / "+out.Cum)
			if out.Bracket > 0 {
				t.row("bracket", fmt.Sprintf("%d (%s)", out.Bracket, out.BracketSource))
			} else {
				t.row("bracket", out.BracketSource)
			}
			return t.flush()
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&f.symbol, "symbol", "", "symbol, e.g. BTCUSDT")
	fl.StringVar(&f.side, "side", "", "position side: long or short")
	fl.StringVar(&f.qty, "qty", "", "position size in base units (> 0)")
	fl.StringVar(&f.entry, "entry", "", "entry price")
	fl.StringVar(&f.wallet, "wallet", "", "wallet balance: the isolated wallet (isolated) or the cross wallet (cross)")
	fl.StringVar(&f.mode, "mode", "", "margin mode: isolated or cross")
	fl.StringVar(&f.otherMM, "other-mm", "", "cross: maintenance margin of the other cross positions (TMM1)")
	fl.StringVar(&f.otherUPnL, "other-upnl", "", "cross: unrealized PnL of the other cross positions (UPNL1)")
	fl.StringVar(&f.mmr, "mmr", "", "maintenance margin rate, overriding the bracket lookup (needs --cum)")
	fl.StringVar(&f.cum, "cum", "", "maintenance amount, overriding the bracket lookup (needs --mmr)")
	fl.StringVar(&f.brackets, "brackets", "", "bracket snapshot date (YYYY-MM-DD) or bracket file (JSON)")
	fl.StringVar(&f.account, "account", "", "an account file (YAML or JSON): every position's liquidation price")
	fl.BoolVar(&f.asJSON, "json", false, "print one JSON document")
	cmd.MarkFlagsRequiredTogether("mmr", "cum")
	cmd.MarkFlagsMutuallyExclusive("mmr", "brackets")
	return cmd
}

// parseDec parses a decimal flag value, naming the flag in the error.
func parseDec(flag, s string) (decimal.Decimal, error) {
	d, err := decimal.NewFromString(strings.TrimSpace(s))
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("--%s %q: not a decimal number", flag, s)
	}
	return d, nil
}

// calcLiq validates the flags and computes the liquidation price.
func calcLiq(f liqFlags) (liqOutput, error) {
	var out liqOutput
	in := margin.LiqInput{}
	symbol := strings.ToUpper(strings.TrimSpace(f.symbol))
	if symbol == "" {
		return out, errors.New("--symbol is empty")
	}
	switch strings.ToLower(f.side) {
	case "long", "buy":
		in.Side = 1
		out.Side = "long"
	case "short", "sell":
		in.Side = -1
		out.Side = "short"
	default:
		return out, fmt.Errorf("--side %q: want long or short", f.side)
	}
	var mode margin.Mode
	switch strings.ToLower(f.mode) {
	case "isolated":
		mode = margin.Isolated
	case "cross":
		mode = margin.Cross
	default:
		return out, fmt.Errorf("--mode %q: want isolated or cross", f.mode)
	}
	out.Mode = strings.ToLower(f.mode)
	var err error
	if in.Qty, err = parseDec("qty", f.qty); err != nil {
		return out, err
	}
	if !in.Qty.IsPositive() {
		return out, fmt.Errorf("--qty %s: the position size must be > 0 (use --side for the direction)", f.qty)
	}
	if in.Entry, err = parseDec("entry", f.entry); err != nil {
		return out, err
	}
	if !in.Entry.IsPositive() {
		return out, fmt.Errorf("--entry %s: the entry price must be > 0", f.entry)
	}
	if in.Wallet, err = parseDec("wallet", f.wallet); err != nil {
		return out, err
	}
	if !in.Wallet.IsPositive() {
		return out, fmt.Errorf("--wallet %s: the wallet balance must be > 0 (a position needs margin behind it)", f.wallet)
	}
	if mode == margin.Isolated && (f.otherMM != "" || f.otherUPnL != "") {
		return out, errors.New("--other-mm and --other-upnl apply to cross mode only (isolated positions ignore other positions)")
	}
	if f.otherMM != "" {
		if in.OtherMM, err = parseDec("other-mm", f.otherMM); err != nil {
			return out, err
		}
		if in.OtherMM.IsNegative() {
			return out, fmt.Errorf("--other-mm %s: maintenance margin must be >= 0", f.otherMM)
		}
	}
	if f.otherUPnL != "" {
		if in.OtherPnL, err = parseDec("other-upnl", f.otherUPnL); err != nil {
			return out, err
		}
	}
	switch {
	case f.mmr != "" || f.cum != "":
		if f.mmr == "" || f.cum == "" {
			return out, errors.New("--mmr and --cum go together")
		}
		mmr, err := parseDec("mmr", f.mmr)
		if err != nil {
			return out, err
		}
		if mmr.IsNegative() || mmr.GreaterThanOrEqual(decimal.NewFromInt(1)) {
			return out, fmt.Errorf("--mmr %s: want a rate in [0, 1)", f.mmr)
		}
		cum, err := parseDec("cum", f.cum)
		if err != nil {
			return out, err
		}
		if cum.IsNegative() {
			return out, fmt.Errorf("--cum %s: want >= 0", f.cum)
		}
		in.MMR, in.Cum = &mmr, &cum
		out.BracketSource = "--mmr/--cum"
	default:
		table, src, err := bracketTable(symbol, f.brackets)
		if err != nil {
			return out, err
		}
		in.Brackets = table
		out.BracketSource = src
	}
	res, err := margin.LiquidationPrice(in)
	if err != nil {
		return out, fmt.Errorf("%s: %w", symbol, err)
	}
	if !res.Price.IsPositive() {
		return out, fmt.Errorf("%s: the liquidation price is %s, at or below zero (Binance shows \"--\"): the wallet covers any price move", symbol, res.Price.String())
	}
	out.Symbol = symbol
	out.Qty = in.Qty.String()
	out.Entry = in.Entry.String()
	out.Wallet = in.Wallet.String()
	out.LiquidationPrice = res.Price.String()
	out.BankruptcyPrice = res.Bankruptcy.String()
	out.MaintenanceMargin = res.MaintenanceMargin.String()
	out.MMR = res.MMR.String()
	out.Cum = res.Cum.String()
	out.Bracket = res.Bracket
	return out, nil
}

// bracketTable returns the bracket table of symbol from spec: "" (the latest embedded
// snapshot), a date (the embedded snapshot in force then) or a file.
func bracketTable(symbol, spec string) (margin.Table, string, error) {
	book := margin.DefaultBook()
	at := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	if spec != "" {
		if t, err := time.Parse(time.DateOnly, spec); err == nil {
			at = t
		} else {
			b, err := loadBookFile(spec)
			if err != nil {
				return nil, "", fmt.Errorf("--brackets %q: neither a date (YYYY-MM-DD) nor a bracket file: %w", spec, err)
			}
			book = b
		}
	}
	table, date, ok := book.Table(symbol, at)
	if !ok {
		return nil, "", fmt.Errorf("unknown symbol %s: no bracket table (give --mmr and --cum, or --brackets FILE)", symbol)
	}
	src := "snapshot " + date
	if spec != "" && !isDate(spec) {
		src = spec + " " + date
	}
	return table, src, nil
}

func isDate(s string) bool { _, err := time.Parse(time.DateOnly, s); return err == nil }
