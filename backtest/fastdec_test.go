package backtest

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/bt-backtest/bt/internal/exact"
	"github.com/bt-backtest/bt/internal/exact/exacttest"
	"github.com/shopspring/decimal"
)

// TestDecMinAgrees checks decMin against decimal.Min (value and exponent) on random values of
// every length and on budgets and quantities at a step.
func TestDecMinAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 7))
	for k := range 100000 {
		x, y := exacttest.RandDec(r), exacttest.RandDec(r)
		if k%3 == 0 {
			x, y = decimal.New(int64(r.IntN(1000)), -3), decimal.New(int64(r.IntN(1000)), -int32(r.IntN(4)))
		}
		if got, want := decMin(x, y), decimal.Min(x, y); !exacttest.Same(got, want) {
			t.Fatalf("decMin(%s, %s) = %s e%d, want %s e%d", x, y, got, got.Exponent(), want, want.Exponent())
		}
	}
}

// TestSlipFloatAgrees checks slipFloat and marketRef against the expressions they replace,
// slip(decimal.NewFromFloat(f)) and onTick(decimal.NewFromFloat(f)), value and exponent, with
// and without slippage (2 bps, 1/3 bps whose factor has 17 digits) on power-of-ten ticks and
// others.
func TestSlipFloatAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 32))
	ticks := []decimal.Decimal{d("0.1"), d("0.01"), d("0.0001"), d("1"), d("0.5"), d("0.00001")}
	fast := 0
	accts := map[int]*account{} // one per tick and slippage, its memo kept across prices
	var f float64
	for k := range 60000 {
		idx := (k / 5) % (3 * len(ticks)) // five prices in a row on one account
		bps := []float64{0, 2, 1.0 / 3}[idx%3]
		a := accts[idx]
		if a == nil {
			a = &account{cfg: &Config{SlippageBps: bps}, syms: []symState{{}}, pv: newPaths(1).one(&Batch{})}
			a.syms[0].inst.TickSize = ticks[idx%len(ticks)]
			b := decimal.NewFromFloat(bps).Div(decimal.NewFromInt(10000))
			a.slipUp, a.slipDown = decimal.NewFromInt(1).Add(b), decimal.NewFromInt(1).Sub(b)
			accts[idx] = a
		}
		switch {
		case k%5 == 4: // the previous price again (a close, then the same open)
		case k%2 == 0:
			f = math.Abs(math.Round(r.Float64()*1e7)/10) + 0.1
		default:
			f = exacttest.RandFloat(r)
		}
		if math.Abs(f) > 1e30 || math.Abs(f) < 1e-30 {
			continue // Decimal's own Div of such magnitudes is slow; the int64 path refuses them anyway
		}
		for _, side := range []Side{Buy, Sell} {
			got, want := a.slipFloat(f, side, 0), a.slip(decimal.NewFromFloat(f), side, 0)
			if !exacttest.Same(got, want) {
				t.Fatalf("slipFloat(%v, %v, tick %s, %v bps) = %s (exp %d), want %s (exp %d)", f, side,
					a.syms[0].inst.TickSize, bps, got, got.Exponent(), want, want.Exponent())
			}
		}
		a.pv.last[a.closed][0] = f // the close the account reads (its own view here)
		want := onTick(decimal.NewFromFloat(f), a.syms[0].inst.TickSize, tickNearest)
		for range 2 { // computed, then remembered
			if got := a.marketRef(0); !exacttest.Same(got, want) {
				t.Fatalf("marketRef(%v, %s) = %s, want %s", f, a.syms[0].inst.TickSize, got, want)
			}
		}
		if c, e, ok := exact.FloatCoef(f); ok {
			if _, ok := onTickCoef(c, e, a.syms[0].inst.TickSize, tickUp); ok {
				fast++
			}
		}
	}
	if fast < 20000 {
		t.Fatalf("only %d prices on the int64 path", fast)
	}
}

// TestBigFloatIsFloat64 checks bigFloat against exact.Float64 and InexactFloat64 on
// decimals shaped like liquidation prices (coefficients of 1 to 40 digits at 16 decimals,
// both signs, zero) and at other exponents: the same float64, bit for bit. It fails unless
// many coefficients pass int64 and some pass 128 bits.
func TestBigFloatIsFloat64(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 34))
	var wide, huge int
	for k := range 100000 {
		nd := 1 + r.IntN(40)
		digits := make([]byte, nd)
		for j := range digits {
			digits[j] = byte('0' + r.IntN(10))
		}
		c, _ := new(big.Int).SetString(string(digits), 10)
		if k%2 == 1 {
			c.Neg(c)
		}
		e := int32(-16)
		if k%3 == 0 {
			e = int32(r.IntN(60) - 40)
		}
		x := decimal.NewFromBigInt(c, e)
		switch n := c.BitLen(); {
		case n > 128:
			huge++
		case n > 63:
			wide++
		}
		got, want := bigFloat(x), exact.Float64(x)
		if math.Float64bits(got) != math.Float64bits(want) || got != x.InexactFloat64() {
			t.Fatalf("bigFloat(%s) = %v, want %v", x, got, want)
		}
	}
	if wide < 20000 || huge < 2000 {
		t.Fatalf("only %d coefficients of 64 to 128 bits, %d wider", wide, huge)
	}
}

// TestGridCoefIsFloatCoef checks the order path's conversion of prices on the tick grid
// (gridCoef) against exact.FloatCoef: prices read from decimal strings of whole ticks (as the
// data's are), the same one or two float64 steps off, off-grid prices and prices of more than
// 15 digits, on power-of-ten ticks and others. It fails unless most on-grid prices take the
// grid path, and when a price off the grid takes it.
func TestGridCoefIsFloatCoef(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 35))
	ticks := []decimal.Decimal{d("0.1"), d("0.01"), d("0.0001"), d("1"), d("0.00001"), d("0.0000001"), d("10"), d("0.5"), d("0.10")}
	var grid, onGrid int
	for k := range 200000 {
		a := &account{syms: []symState{{}}}
		tick := ticks[k%len(ticks)]
		a.syms[0].inst.TickSize = tick
		n := decimal.NewFromInt(1 + r.Int64N(int64(math.Pow(10, float64(1+r.IntN(15))))))
		f, _ := n.Mul(tick).Float64()
		whole := true
		switch k % 7 {
		case 4:
			f = math.Nextafter(f, math.Inf(1))
			whole = false
		case 5:
			f = math.Nextafter(math.Nextafter(f, 0), 0)
			whole = false
		case 6:
			f = exacttest.RandFloat(r)
			whole = false
		}
		if whole {
			onGrid++
		}
		gc, ge, gok := a.gridCoef(0, f)
		c, e, ok := exact.FloatCoef(f)
		if gok {
			grid++
			if gc != c || ge != e || !ok {
				t.Fatalf("gridCoef(%v, tick %s) = %d e%d, FloatCoef %d e%d", f, tick, gc, ge, c, e)
			}
		}
		if fc, fe, fok := a.floatCoef(0, f); fc != c || fe != e || fok != ok {
			t.Fatalf("floatCoef(%v, tick %s) = %d e%d %v, FloatCoef %d e%d %v", f, tick, fc, fe, fok, c, e, ok)
		}
	}
	if grid < onGrid/2 {
		t.Fatalf("only %d of %d prices on the grid took the grid path", grid, onGrid)
	}
}

// TestFloatCoefMemo checks the order path's per-symbol memo of exact.FloatCoef against
// FloatCoef on a sequence of prices that repeat (a close, the next open, the close again),
// special values included (±0, NaN, ±Inf, whose bits differ from every price's), on two
// symbols whose memos must not mix.
func TestFloatCoefMemo(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 33))
	a := &account{syms: make([]symState, 2)}
	pool := []float64{0, math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1), 90600.6, 0.1, 1e-7}
	for range 20 {
		pool = append(pool, exacttest.RandFloat(r))
	}
	hits := 0
	for k := range 20000 {
		i := k % 2
		f := pool[r.IntN(len(pool))]
		if r.IntN(3) == 0 {
			f = pool[i] // a price seen before on this symbol
		}
		m := a.syms[i].px.coef
		if b := math.Float64bits(f); b == m[0].bits || b == m[1].bits {
			hits++
		}
		c, e, ok := a.floatCoef(i, f)
		wc, we, wok := exact.FloatCoef(f)
		if c != wc || e != we || ok != wok {
			t.Fatalf("floatCoef(%d, %v) = %d, %d, %v, want %d, %d, %v", i, f, c, e, ok, wc, we, wok)
		}
	}
	if hits < 2000 {
		t.Fatalf("only %d conversions remembered", hits)
	}
}

// TestOpenOrderIMAgrees runs the chaos traders (one-way and hedge mode: limit, market, stop
// and reduce-only orders, attached children, partly reducing orders) with updateOpenOrders
// comparing openOrderIM, the int64 path, with the decimal loop at every call (value and
// exponent; a difference panics).
func TestOpenOrderIMAgrees(t *testing.T) {
	symbols := []string{"AAA", "BBB", "CCC"}
	defer func() { checkOpenOrderIM, checkTradeQty = false, false }()
	checkOpenOrderIM, openOrderIMChecked = true, 0
	checkTradeQty, tradeQtyChecked = true, 0
	runChaosSeeds(t, symbols)
	t.Logf("%d open-order margins compared", openOrderIMChecked)
	if openOrderIMChecked < 1000 {
		t.Fatalf("only %d open-order margins on the int64 path: the test is void", openOrderIMChecked)
	}
	t.Logf("%d trade quantities taken from their fill compared", tradeQtyChecked)
	if tradeQtyChecked < 100 {
		t.Fatalf("only %d trade quantities taken from their fill: the test is void", tradeQtyChecked)
	}
}

// TestFillFixIsFixOf runs the chaos traders (one-way and hedge mode: sells, reduce-only orders
// cut to the position, close-position orders, attached children, liquidations) with execute
// comparing the Fix of each fill's quantity and price it hands the ledger and trackFill
// (Submit's coefficient of the order's quantity, negated for a sell; the slipped price's memo)
// with exact.FixOf's (a difference panics).
func TestFillFixIsFixOf(t *testing.T) {
	defer func() { checkFillFix = false }()
	checkFillFix, fillFixChecked = true, 0
	symbols := []string{"AAA", "BBB", "CCC"}
	runChaosSeeds(t, symbols)
	// two reduce-only exits of 3/4 of a position each, a sell or a buy: the second is cut to
	// the quarter left when it fills
	cut := 0
	for seed := uint64(1); seed <= 2; seed++ {
		k, m, f := market(seed, symbols, 300)
		n := map[string]int{}
		mk := func() Strategy {
			return StrategyFunc(func(br *Broker, b Bar) error {
				n[b.Symbol]++
				_, qty := chaosOrder(b)
				p := br.Position(b.Symbol)
				switch {
				case p.Qty.IsZero() && n[b.Symbol]%4 == 0:
					side := Buy
					if n[b.Symbol]%8 == 0 {
						side = Sell
					}
					br.Submit(Order{Symbol: b.Symbol, Side: side, Type: Market, Qty: qty})
				case !p.Qty.IsZero() && n[b.Symbol]%4 == 2:
					side := Sell
					if p.Qty.IsNegative() {
						side = Buy
					}
					q := p.Qty.Abs().Mul(d("0.75")).Round(3)
					br.Submit(Order{Symbol: b.Symbol, Side: side, Type: Market, Qty: q, ReduceOnly: true, Tag: "first"})
					br.Submit(Order{Symbol: b.Symbol, Side: side, Type: Market, Qty: q, ReduceOnly: true, Tag: "second"})
				}
				return nil
			})
		}
		r, err := Run(context.Background(), chaosConfig(symbols, false), mk, NewSliceSource(symbols, Batches(k, m, f)))
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range r.Accounts {
			for _, f := range a.Fills {
				if f.Tag == "second" {
					cut++
				}
			}
		}
	}
	t.Logf("%d fills' Fix compared, %d of reduce-only orders cut to the position", fillFixChecked, cut)
	if fillFixChecked < 1000 || cut < 50 {
		t.Fatalf("only %d fills' Fix compared, %d of cut orders: the test is void", fillFixChecked, cut)
	}
}

// TestTradeOpenIsPositionOf runs the chaos traders (one-way and hedge mode, isolated, cross and
// mixed accounts, leverage and margin-mode changes between trades) with openTrade comparing the
// mode and leverage it gives each trade with PositionOf's (a difference panics).
func TestTradeOpenIsPositionOf(t *testing.T) {
	defer func() { checkTradeOpen = false }()
	checkTradeOpen, tradeOpenChecked = true, 0
	runChaosSeeds(t, []string{"AAA", "BBB", "CCC"})
	t.Logf("%d trades' mode and leverage compared", tradeOpenChecked)
	if tradeOpenChecked < 300 {
		t.Fatalf("only %d trades compared: the test is void", tradeOpenChecked)
	}
}

// TestMarkDecIsNewFromFloat runs the chaos traders (funding at every 8-hour boundary, one-way
// and hedge mode) with settleLeg's funding marks compared with decimal.NewFromFloat's (value
// and exponent; a difference panics).
func TestMarkDecIsNewFromFloat(t *testing.T) {
	defer func() { checkMarkDec = false }()
	checkMarkDec, markDecChecked = true, 0
	runChaosSeeds(t, []string{"AAA", "BBB", "CCC"})
	t.Logf("%d funding marks compared", markDecChecked)
	if markDecChecked < 300 {
		t.Fatalf("only %d funding marks compared: the test is void", markDecChecked)
	}
}

// TestTradeQtyFromFill: a trade opened by one fill reports that fill's quantity, value and
// exponent as the sums make it: 0.005 (exp -3) is shared; 1E+2 (coefficient 1, exp 2) is
// not, since the sums hold 100 at exp 0 and the trade reports that; a second entry makes the
// quantity the sum's.
func TestTradeQtyFromFill(t *testing.T) {
	for _, c := range []struct {
		fills  []decimal.Decimal // entries, then one exit of their sum
		shared bool
		want   string // the trade's quantity and exponent
	}{
		{[]decimal.Decimal{decimal.New(5, -3)}, true, "0.005 -3"},
		{[]decimal.Decimal{decimal.New(1, 2)}, false, "100 0"},
		{[]decimal.Decimal{decimal.New(5, -3), decimal.New(2, -3)}, false, "0.007 -3"},
		{[]decimal.Decimal{decimal.New(50, -4)}, true, "0.005 -4"},
	} {
		acct, err := margin.NewAccount(margin.Config{Wallet: decimal.NewFromInt(1000),
			Instruments: []margin.Instrument{margin.DefaultInstrument("AAA", 100, time.Time{}, nil)}})
		if err != nil {
			t.Fatal(err)
		}
		a := &account{syms: make([]symState, 1), symbols: []string{"AAA"}, acct: acct}
		px := decimal.New(100, 0)
		sum := decimal.Zero
		for _, q := range c.fills {
			a.trackFill(1, 0, margin.Both, q, q, px, decimal.Zero, decimal.Zero, exact.FixOf(q), exact.FixOf(px), exact.FixOf(decimal.Zero), exact.FixOf(decimal.Zero), false)
			sum = sum.Add(q)
		}
		if got := a.syms[0].tr.qtyShared; got != c.shared {
			t.Errorf("%v: shared %v, want %v", c.fills, got, c.shared)
		}
		a.trackFill(2, 0, margin.Both, sum.Neg(), sum, px, decimal.Zero, decimal.Zero, exact.FixOf(sum), exact.FixOf(px), exact.FixOf(decimal.Zero), exact.FixOf(decimal.Zero), false)
		if len(a.res.Trades) != 1 {
			t.Fatalf("%v: %d trades", c.fills, len(a.res.Trades))
		}
		q := a.res.Trades[0].Qty
		if got := fmt.Sprintf("%s %d", q, q.Exponent()); got != c.want {
			t.Errorf("%v: trade quantity %s, want %s", c.fills, got, c.want)
		}
	}
}

// TestQuoIntPosAgrees checks quoIntPos against DivRound (value and exponent) on sums of
// order notionals and leverages 1 to 125, with quotients past 2^63 and 2^64.
func TestQuoIntPosAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 33))
	wide := 0
	for k := range 200000 {
		c := r.Int64N(math.MaxInt64) + 1
		if k%2 == 0 {
			c = r.Int64N(1e12) + 1
		}
		e := int32(r.IntN(30) - 22)
		n := int64(r.IntN(125) + 1)
		places := int32(16)
		if k%5 == 0 {
			places = int32(r.IntN(20))
		}
		got, ok := quoIntPos(c, e, n, places)
		want := decimal.New(c, e).DivRound(decimal.NewFromInt(n), places)
		if !ok {
			continue
		}
		if !exacttest.Same(got, want) {
			t.Fatalf("quoIntPos(%d, %d, %d, %d) = %s, want %s", c, e, n, places, got, want)
		}
		if got.NumDigits() > 19 {
			wide++
		}
	}
	if wide < 10000 {
		t.Fatalf("only %d quotients past 19 digits", wide)
	}
}

// TestTradeSumsFixAgree runs random fills through trackFill twice, on the trade's Fix sums
// with the Nums' fallback and on the Nums alone (trackNums, the reference), and requires the
// same trades, every Decimal equal in value and exponent, and the same sums after every fill.
// The fills have quantities, prices, fees and realized PnL from a few digits to past 2^63
// (sums, notionals and fee shares that overflow an int64 mid-trade), partial closes, adds and
// flips, and funding; both paths must be taken (fallbacks in the middle of a trade too), and a
// fill the Fix sums fit must leave the trade without Nums (trackFill took the Fix path).
func TestTradeSumsFixAgree(t *testing.T) {
	defer func() { trackNums = false }()
	r := rand.New(rand.NewPCG(7, 15))
	coef := func() int64 {
		switch r.IntN(40) {
		case 0:
			return r.Int64N(math.MaxInt64/1000) + 1
		case 1:
			return math.MaxInt64 - r.Int64N(1000)
		case 2, 3, 4, 5:
			return r.Int64N(1e12) + 1
		}
		return r.Int64N(5000) + 1
	}
	dec := func(big bool) decimal.Decimal {
		d := decimal.New(coef(), -int32(r.IntN(10)))
		if big && r.IntN(40) == 0 { // beyond 18 digits
			d = d.Mul(decimal.New(coef(), 0)).Add(decimal.New(1, -20))
		}
		return d
	}
	mk := func() *account {
		acct, err := margin.NewAccount(margin.Config{Wallet: decimal.NewFromInt(1000),
			Instruments: []margin.Instrument{margin.DefaultInstrument("AAA", 100, time.Time{}, nil)}})
		if err != nil {
			t.Fatal(err)
		}
		return &account{syms: make([]symState, 1), symbols: []string{"AAA"}, acct: acct}
	}
	sumsDec := func(tr *tradeState) [7]decimal.Decimal {
		if n := tr.nums; n != nil {
			return [7]decimal.Decimal{n.entryQty.Dec(), n.entryNotional.Dec(), n.exitQty.Dec(), n.exitNotional.Dec(),
				n.realized.Dec(), n.fees.Dec(), n.qty.Dec()}
		}
		f := tr.tradeSums
		return [7]decimal.Decimal{f.entryQty.Dec(), f.entryNotional.Dec(), f.exitQty.Dec(), f.exitNotional.Dec(),
			f.realized.Dec(), f.fees.Dec(), f.qty.Dec()}
	}
	fixFills, numFills, trades := 0, 0, 0
	for run := range 3000 {
		fa, na := mk(), mk()
		held := decimal.Zero // signed position
		for k := range 12 {
			var q decimal.Decimal
			switch {
			case held.IsZero() || r.IntN(3) == 0: // open or add
				q = dec(true)
				if held.IsNegative() || held.IsZero() && r.IntN(2) == 0 {
					q = q.Neg()
				}
			case r.IntN(2) == 0: // close all, or flip
				q = held.Neg()
				if r.IntN(3) == 0 {
					q = q.Add(decimal.New(int64(held.Sign())*-coef(), -int32(r.IntN(6))))
				}
			default: // partial close (or more when the draw is larger: a flip)
				q = dec(true)
				if held.IsPositive() {
					q = q.Neg()
				}
			}
			px, fee, pnl := dec(true), dec(true), decimal.Zero
			if r.IntN(2) == 0 {
				fee = fee.Neg()
			}
			if fa.syms[0].tr.open && fa.syms[0].tr.t.Side == Buy != q.IsPositive() {
				pnl = dec(true)
				if r.IntN(2) == 0 {
					pnl = pnl.Neg()
				}
			}
			if fa.syms[0].tr.open && r.IntN(4) == 0 {
				f := dec(true)
				fa.syms[0].tr.t.Funding = fa.syms[0].tr.t.Funding.Add(f)
				na.syms[0].tr.t.Funding = na.syms[0].tr.t.Funding.Add(f)
			}
			// would the Fix sums take this fill? (asked of a copy)
			c := *fa
			c.syms, c.res.Trades = []symState{fa.syms[0]}, nil
			onFix := c.syms[0].tr.nums == nil && c.trackFillFix(int64(k), 0, margin.Both, &c.syms[0].posState, q, q.Abs(), exact.FixOf(q.Abs()), exact.FixOf(px), exact.FixOf(pnl), exact.FixOf(fee), k == 11)
			trackNums = false
			fa.trackFill(int64(k), 0, margin.Both, q, q.Abs(), px, pnl, fee, exact.FixOf(q.Abs()), exact.FixOf(px), exact.FixOf(pnl), exact.FixOf(fee), k == 11)
			trackNums = true
			na.trackFill(int64(k), 0, margin.Both, q, q.Abs(), px, pnl, fee, exact.FixOf(q.Abs()), exact.FixOf(px), exact.FixOf(pnl), exact.FixOf(fee), k == 11)
			if onFix {
				// the Fix sums took it: they leave the Nums unmade (trackFillNum makes them)
				if fa.syms[0].tr.nums != nil {
					t.Fatalf("run %d fill %d: trackFill took the Nums where the Fix sums fit", run, k)
				}
				fixFills++
			} else {
				numFills++
			}
			held = held.Add(q)
			ft, nt := &fa.syms[0].tr, &na.syms[0].tr
			if ft.open != nt.open || ft.qtyShared != nt.qtyShared || ft.open && !exacttest.Same(ft.qtyDec, nt.qtyDec) {
				t.Fatalf("run %d fill %d: open %v/%v, shared %v/%v", run, k, ft.open, nt.open, ft.qtyShared, nt.qtyShared)
			}
			if ft.open {
				fs, ns := sumsDec(ft), sumsDec(nt)
				for j := range fs {
					if !exacttest.Same(fs[j], ns[j]) {
						t.Fatalf("run %d fill %d: sum %d is %s (exp %d), the Nums give %s (exp %d)", run, k, j,
							fs[j], fs[j].Exponent(), ns[j], ns[j].Exponent())
					}
				}
			}
		}
		if len(fa.res.Trades) != len(na.res.Trades) {
			t.Fatalf("run %d: %d trades, the Nums make %d", run, len(fa.res.Trades), len(na.res.Trades))
		}
		for j, ft := range fa.res.Trades {
			nt := na.res.Trades[j]
			for _, p := range [][2]decimal.Decimal{{ft.Qty, nt.Qty}, {ft.EntryPrice, nt.EntryPrice},
				{ft.ExitPrice, nt.ExitPrice}, {ft.PnL, nt.PnL}, {ft.Fees, nt.Fees}, {ft.Funding, nt.Funding}} {
				if !exacttest.Same(p[0], p[1]) {
					t.Fatalf("run %d trade %d: %s (exp %d), the Nums make %s (exp %d)", run, j, p[0], p[0].Exponent(), p[1], p[1].Exponent())
				}
			}
			ft.Qty, ft.EntryPrice, ft.ExitPrice, ft.PnL, ft.Fees, ft.Funding = nt.Qty, nt.EntryPrice, nt.ExitPrice, nt.PnL, nt.Fees, nt.Funding
			if ft != nt {
				t.Fatalf("run %d trade %d: %+v, the Nums make %+v", run, j, ft, nt)
			}
			trades++
		}
	}
	t.Logf("%d trades; %d fills on the Fix sums, %d on the Nums", trades, fixFills, numFills)
	if fixFills < 5000 || numFills < 5000 || trades < 3000 {
		t.Fatalf("%d fills on the Fix sums, %d on the Nums, %d trades: the test is void", fixFills, numFills, trades)
	}
}

// TestPxFixIsFixOf: pxFix gives a price's coefficient and exponent, from the memo for the
// Decimal onTickMemo made last and by FixOf for any other (an equal Decimal too, and the value
// at another exponent).
func TestPxFixIsFixOf(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 9))
	a := &account{syms: make([]symState, 1)}
	memo := 0
	for range 20000 {
		c, e := r.Int64N(1e15)+1, -int32(r.IntN(9))
		if r.IntN(10) == 0 {
			c = math.MaxInt64 - r.Int64N(1e6) // 19 digits: FixOf holds no value
		}
		d := decimal.New(c, e)
		m := &a.syms[0].px
		m.d, m.dc, m.de, m.dSet = d, c, e, true
		// d, an equal Decimal, the next price, and d's value at the next exponent (1.50 for 1.5)
		for _, px := range []decimal.Decimal{d, decimal.New(c, e), decimal.New(c+1, e), d.Mul(decimal.New(10, -1))} {
			got, want := a.pxFix(0, px), exact.FixOf(px)
			if want.OK() && got != want || got.OK() && !exacttest.Same(got.Dec(), px) {
				t.Fatalf("pxFix(%s) = %v, FixOf gives %v", px, got, want)
			}
			if px == m.d {
				memo++
			} else if got != want {
				t.Fatalf("pxFix(%s) of another Decimal = %v, FixOf gives %v", px, got, want)
			}
		}
	}
	if memo != 20000 {
		t.Fatalf("%d prices read from the memo", memo)
	}
}
