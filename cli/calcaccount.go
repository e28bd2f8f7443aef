package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/bt-backtest/bt/experiment"
	"go.yaml.in/yaml/v3"
)

// accountFile is the input of bt calc liq --account (YAML or JSON; issue 10 item 6).
type accountFile struct {
	Brackets     string           `yaml:"brackets"`      // YYYY-MM-DD: the tables in force on that date; empty: the latest
	Wallet       experiment.Dec   `yaml:"wallet"`        // cross wallet balance, USDT
	PositionMode string           `yaml:"position_mode"` // one-way (default) | hedge
	Positions    []accountPosLine `yaml:"positions"`
}

type accountPosLine struct {
	Symbol         string         `yaml:"symbol"`
	Side           string         `yaml:"side"`
	Qty            experiment.Dec `yaml:"qty"`
	Entry          experiment.Dec `yaml:"entry"`
	Mark           experiment.Dec `yaml:"mark"`
	Margin         string         `yaml:"margin"` // cross | isolated
	IsolatedWallet experiment.Dec `yaml:"isolated_wallet"`
}

// accountOutput is what bt calc liq --account --json prints: the positions in input order.
type accountOutput struct {
	Positions []accountPosOut `json:"positions"`
}

// accountPosOut is one position's figures; decimals are strings, a missing liquidation price
// (the formula gives <= 0: Binance shows "--") is null.
type accountPosOut struct {
	Symbol            string  `json:"symbol"`
	Side              string  `json:"side"`
	Margin            string  `json:"margin"`
	LiquidationPrice  *string `json:"liquidation_price"`
	BankruptcyPrice   string  `json:"bankruptcy_price"`
	MaintenanceMargin string  `json:"maintenance_margin"`
	Bracket           int     `json:"bracket"`
}

// calcAccount reads an account file and computes every position's figures with the engine's
// own margin account (margin.LoadAccount, PositionRisk).
func calcAccount(path string) (accountOutput, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return accountOutput{}, fmt.Errorf("--account %s: %s", path, unwrapPathErr(err))
	}
	return calcAccountData(path, data)
}

// calcAccountData is calcAccount on the file's contents; path names the file in messages.
func calcAccountData(path string, data []byte) (accountOutput, error) {
	var out accountOutput
	var err error
	var f accountFile
	d := yaml.NewDecoder(bytes.NewReader(data))
	d.KnownFields(true)
	if err := d.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return out, fmt.Errorf("%s: empty account file", path)
		}
		return out, fmt.Errorf("%s: %s", path, strings.TrimPrefix(strings.ReplaceAll(err.Error(), "cli.", ""), "yaml: "))
	}
	bad := func(format string, a ...any) error { return fmt.Errorf("%s: %s", path, fmt.Sprintf(format, a...)) }
	switch strings.ToLower(f.PositionMode) {
	case "", "one-way":
	case "hedge":
		return out, bad("position_mode: hedge mode is not yet supported (one-way only)")
	default:
		return out, bad("position_mode %q: want one-way or hedge", f.PositionMode)
	}
	if f.Wallet.IsNegative() {
		return out, bad("wallet %s: the cross wallet balance must be >= 0", f.Wallet.String())
	}
	if len(f.Positions) == 0 {
		return out, bad("positions: none given")
	}
	book := margin.DefaultBook()
	at := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	if f.Brackets != "" {
		if at, err = time.Parse(time.DateOnly, f.Brackets); err != nil {
			return out, bad("brackets %q: want a date YYYY-MM-DD (the tables in force on it)", f.Brackets)
		}
	}
	var insts []margin.Instrument
	var holds []margin.Holding
	seen := map[string]int{}
	for k, p := range f.Positions {
		where := fmt.Sprintf("positions[%d]", k)
		sym := strings.ToUpper(strings.TrimSpace(p.Symbol))
		if sym == "" {
			return out, bad("%s: symbol missing", where)
		}
		where += " (" + sym + ")"
		if j, dup := seen[sym]; dup {
			return out, bad("%s: %s is already positions[%d]: one-way mode holds one position per symbol (two sides of one symbol need position_mode: hedge)", where, sym, j)
		}
		seen[sym] = k
		var h margin.Holding
		side := strings.ToLower(p.Side)
		switch side {
		case "long", "short":
		default:
			return out, bad("%s: side %q: want long or short", where, p.Side)
		}
		for _, x := range []struct {
			name string
			v    experiment.Dec
		}{{"qty", p.Qty}, {"entry", p.Entry}, {"mark", p.Mark}} {
			if !x.v.Set {
				return out, bad("%s: %s missing", where, x.name)
			}
			if !x.v.IsPositive() {
				return out, bad("%s: %s %s must be > 0 (the side gives the direction)", where, x.name, x.v.String())
			}
		}
		h.Qty, h.Entry, h.Mark = p.Qty.Decimal, p.Entry.Decimal, p.Mark.InexactFloat64()
		if side == "short" {
			h.Qty = h.Qty.Neg()
		}
		switch strings.ToLower(p.Margin) {
		case "cross":
			if p.IsolatedWallet.Set {
				return out, bad("%s: isolated_wallet given for a cross position (its margin is the cross wallet)", where)
			}
		case "isolated":
			h.Mode = margin.Isolated
			if !p.IsolatedWallet.Set {
				return out, bad("%s: an isolated position needs isolated_wallet (its margin)", where)
			}
			if !p.IsolatedWallet.IsPositive() {
				return out, bad("%s: isolated_wallet %s must be > 0", where, p.IsolatedWallet.String())
			}
			h.IsolatedWallet = p.IsolatedWallet.Decimal
		default:
			return out, bad("%s: margin %q: want cross or isolated", where, p.Margin)
		}
		table, _, ok := book.Table(sym, at)
		if !ok {
			return out, bad("%s: no bracket table of %s in the embedded snapshots", where, sym)
		}
		in := margin.DefaultInstrument(sym, h.Mark, at, book)
		in.Brackets = table
		insts = append(insts, in)
		holds = append(holds, h)
		out.Positions = append(out.Positions, accountPosOut{Symbol: sym, Side: side, Margin: strings.ToLower(p.Margin)})
	}
	for k, h := range holds {
		if h.Mode == margin.Cross && !f.Wallet.IsPositive() {
			return out, bad("positions[%d] (%s): a cross position needs a cross wallet balance > 0 (wallet: %s)", k, out.Positions[k].Symbol, f.Wallet.String())
		}
	}
	a, err := margin.LoadAccount(margin.Config{Wallet: f.Wallet.Decimal, Instruments: insts}, holds)
	if err != nil {
		return out, bad("%v", err)
	}
	for i := range out.Positions {
		r, _ := a.PositionRisk(i)
		o := &out.Positions[i]
		if r.HasLiquidation {
			s := r.LiquidationPrice.String()
			o.LiquidationPrice = &s
		}
		o.BankruptcyPrice = r.BankruptcyPrice.String()
		o.MaintenanceMargin = r.MaintenanceMargin.String()
		o.Bracket = r.Bracket
	}
	return out, nil
}

// writeAccountText prints the account calculator's result as a table.
func writeAccountText(w io.Writer, out accountOutput) error {
	t := newTable(w)
	t.row("symbol", "side", "margin", "liquidation", "bankruptcy", "maint. margin", "bracket")
	for _, p := range out.Positions {
		lp := "--"
		if p.LiquidationPrice != nil {
			lp = *p.LiquidationPrice
		}
		t.row(p.Symbol, p.Side, p.Margin, lp, p.BankruptcyPrice, p.MaintenanceMargin, fmt.Sprint(p.Bracket))
	}
	return t.flush()
}
