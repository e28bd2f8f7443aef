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
	pm := margin.OneWay
	switch strings.ToLower(f.PositionMode) {
	case "", "one-way":
	case "hedge":
		pm = margin.Hedge
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
	type legRef struct {
		sym  int // index in insts
		side margin.PositionSide
		line int // positions[line]
	}
	var refs []legRef
	symIdx := map[string]int{}    // symbol → index in insts
	seen := map[string]int{}      // symbol (one-way) or "symbol side" (hedge) → line
	firstLine := map[string]int{} // symbol → its first line
	for k, p := range f.Positions {
		where := fmt.Sprintf("positions[%d]", k)
		sym := strings.ToUpper(strings.TrimSpace(p.Symbol))
		if sym == "" {
			return out, bad("%s: symbol missing", where)
		}
		where += " (" + sym + ")"
		var h margin.Holding
		side := strings.ToLower(p.Side)
		switch side {
		case "long", "short":
		default:
			return out, bad("%s: side %q: want long or short", where, p.Side)
		}
		key := sym
		if pm == margin.Hedge {
			key += " " + side
		}
		if j, dup := seen[key]; dup {
			if pm == margin.Hedge {
				return out, bad("%s: %s %s is already positions[%d]: hedge mode holds one long and one short position per symbol", where, sym, side, j)
			}
			return out, bad("%s: %s is already positions[%d]: one-way mode holds one position per symbol (two sides of one symbol need position_mode: hedge)", where, sym, j)
		}
		seen[key] = k
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
		ref := legRef{side: margin.Both, line: k}
		if pm == margin.Hedge {
			ref.side = margin.Long
			if side == "short" {
				ref.side = margin.Short
			}
		}
		if j, ok := symIdx[sym]; ok {
			// the other leg of a symbol already given (hedge mode): one mark, one margin mode
			o := holds[firstLine[sym]]
			if h.Mark != o.Mark {
				return out, bad("%s: mark %s differs from positions[%d]'s %s: a symbol has one mark price", where, p.Mark.String(), firstLine[sym], f.Positions[firstLine[sym]].Mark.String())
			}
			if h.Mode != o.Mode {
				return out, bad("%s: margin %s, but positions[%d] is %s: both sides of a symbol share its margin mode", where, strings.ToLower(p.Margin), firstLine[sym], o.Mode)
			}
			ref.sym = j
		} else {
			table, _, ok := book.Table(sym, at)
			if !ok {
				return out, bad("%s: no bracket table of %s in the embedded snapshots", where, sym)
			}
			in := margin.DefaultInstrument(sym, h.Mark, at, book)
			in.Brackets = table
			ref.sym = len(insts)
			symIdx[sym], firstLine[sym] = len(insts), k
			insts = append(insts, in)
		}
		refs = append(refs, ref)
		holds = append(holds, h)
		out.Positions = append(out.Positions, accountPosOut{Symbol: sym, Side: side, Margin: strings.ToLower(p.Margin)})
	}
	for k, h := range holds {
		if h.Mode == margin.Cross && !f.Wallet.IsPositive() {
			return out, bad("positions[%d] (%s): a cross position needs a cross wallet balance > 0 (wallet: %s)", k, out.Positions[k].Symbol, f.Wallet.String())
		}
	}
	// the account's holdings: one per symbol (one-way), or LONG legs then SHORT legs (hedge)
	n := len(insts)
	slots := n
	if pm == margin.Hedge {
		slots = 2 * n
	}
	legs := make([]margin.Holding, slots)
	for k, r := range refs {
		j := r.sym
		if r.side == margin.Short {
			j += n
		}
		legs[j] = holds[k]
	}
	for j := range legs { // a flat leg takes its symbol's margin mode
		if legs[j].Qty.IsZero() {
			legs[j].Mode = holds[firstLine[insts[j%n].Symbol]].Mode
		}
	}
	a, err := margin.LoadAccount(margin.Config{Wallet: f.Wallet.Decimal, Instruments: insts, PositionMode: pm}, legs)
	if err != nil {
		return out, bad("%v", err)
	}
	for i := range out.Positions {
		r, _ := a.PositionRiskOf(refs[i].sym, refs[i].side)
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
