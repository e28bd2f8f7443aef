package backtest

import (
	"slices"
	"testing"
)

// TestLegFloatsAgree runs the chaos traders (isolated, cross and mixed accounts, one-way and
// hedge mode, with liquidations and funding) with refreshLeg comparing the ledger's float
// shadows (margin.Leg: quantity, isolated wallet, entry, isolated liquidation price; mode,
// leverage, flatness) with the floats of the Decimals PositionOf and LegLiquidationPrice give
// and with PositionOf's mode and leverage, and refreshWallet its cross
// wallet (WalletFloat) and kept isolated sum with InexactFloat64 of Wallet() and the sum made
// again, bit for bit, at every refresh (a difference panics).
func TestLegFloatsAgree(t *testing.T) {
	symbols := []string{"AAA", "BBB", "CCC"}
	defer func() { checkLegFloats = false }()
	checkLegFloats, legFloatsChecked, walletsChecked = true, 0, 0
	runChaosSeeds(t, symbols)
	t.Logf("%d isolated liquidation prices compared", legFloatsChecked)
	if legFloatsChecked < 1000 {
		t.Fatalf("only %d isolated liquidation prices compared: the test is void", legFloatsChecked)
	}
	t.Logf("%d wallet shadows compared", walletsChecked)
	if walletsChecked < 1000 {
		t.Fatalf("only %d wallet shadows compared: the test is void", walletsChecked)
	}
}

// flipper flips each symbol's position the way the swing trader does, with variations that
// put several orders of a symbol into one arrival: at every third bar of a symbol it submits a
// reduce-only market exit of the whole position (if any) and a market entry the other way, of
// a size that varies around the position's (so the entry's margin is partly or wholly covered
// by the position it reverses); some flips add a resting limit order or a marketable
// post-only limit (refused when it arrives) after the entry, or an entry on the next symbol
// in between.
type flipper struct {
	n    map[string]int
	syms []string
}

func (f *flipper) OnBar(br *Broker, b Bar) error {
	k := f.n[b.Symbol]
	f.n[b.Symbol]++
	if k%3 != 0 {
		return nil
	}
	at, qty := chaosOrder(b)
	p := br.Position(b.Symbol)
	side := Buy
	if p.Qty.IsPositive() || p.Qty.IsZero() && (k/3)%2 == 1 {
		side = Sell
	}
	if !p.Qty.IsZero() {
		br.Submit(Order{Symbol: b.Symbol, Side: side, Type: Market, Qty: p.Qty.Abs(), ReduceOnly: true, Tag: "exit"})
		switch k % 4 {
		case 1:
			qty = p.Qty.Abs() // the entry's margin wholly covered while the exit waits
		case 2:
			qty = p.Qty.Abs().Div(d("2")).Round(3)
		}
	}
	if k%5 == 4 { // an entry on another symbol between this one's exit and entry
		if o := f.syms[(slices.Index(f.syms, b.Symbol)+1)%len(f.syms)]; br.Position(o).Qty.IsZero() {
			br.Submit(Order{Symbol: o, Side: Buy, Type: Market, Qty: d("0.5"), Tag: "other"})
		}
	}
	br.Submit(Order{Symbol: b.Symbol, Side: side, Type: Market, Qty: qty, Tag: "entry"})
	switch k % 7 {
	case 3:
		br.Submit(Order{Symbol: b.Symbol, Side: Buy, Type: Limit, Qty: qty, Price: at(0.9)})
	case 5:
		br.Submit(Order{Symbol: b.Symbol, Side: Sell, Type: Limit, Qty: qty, Price: at(1.1)})
	case 6:
		br.Submit(Order{Symbol: b.Symbol, Side: Buy, Type: Limit, Qty: qty, Price: at(1.01), PostOnly: true})
	}
	return nil
}

// TestHeldOpenOrderMarginChangesNothing runs flipper (several orders of a symbol arriving
// together) and the chaos traders (one-way and hedge mode) with arrive holding
// back the open-order margin update of a fill while the next order arriving is on the same
// symbol, and with every update made at once: the records (fills, trades, rejections,
// liquidations, funding, equity) are deeply equal. It fails unless at least 100 held updates
// were replaced unread.
func TestHeldOpenOrderMarginChangesNothing(t *testing.T) {
	symbols := []string{"AAA", "BBB", "CCC"}
	defer func() { holdOpenOrders, countHeld = true, false }()
	heldReplaced.Store(0)
	sameChaosRecords(t, symbols, []string{"flipper", "chaos", "hedge"}, func(first bool) {
		holdOpenOrders, countHeld = first, first
	}, "with every open-order margin update made at once")
	n := heldReplaced.Load()
	t.Logf("%d held open-order margin updates replaced unread", n)
	if n < 100 {
		t.Fatalf("only %d held updates replaced: the comparison is void", n)
	}
}
