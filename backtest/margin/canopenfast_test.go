package margin

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/bt-backtest/bt/internal/exact"
	"github.com/shopspring/decimal"
)

// fastCase is one account and one CanOpen order: the account is rebuilt from it (a wallet, a
// position on BTCUSDT and maybe one on ETHUSDT, marks), so that the wallet can be varied.
type fastCase struct {
	mode          Mode
	lev           int
	qty, entry    decimal.Decimal // BTCUSDT's position, opened by one taker fill
	qty1, entry1  decimal.Decimal // ETHUSDT's (zero: none)
	mark0, mark1  float64         // NaN: no mark set
	order, price  decimal.Decimal
	reduceOnly    bool
	wallet        decimal.Decimal
	built, failed bool
}

func (c *fastCase) build(t *testing.T) *Account {
	t.Helper()
	if c.wallet.Sign() <= 0 {
		return nil
	}
	b := DefaultBook()
	a, err := NewAccount(Config{Wallet: c.wallet, Instruments: []Instrument{
		DefaultInstrument("BTCUSDT", 60000, snap24, b),
		DefaultInstrument("ETHUSDT", 3000, snap24, b),
	}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		must(t, a.SetMode(i, c.mode))
		if a.SetLeverage(i, c.lev) != nil {
			return nil
		}
	}
	if !c.qty.IsZero() {
		if _, err := a.Apply(0, Fill{Qty: c.qty, Price: c.entry, FeeRate: taker}); err != nil {
			return nil
		}
	}
	if !c.qty1.IsZero() {
		if _, err := a.Apply(1, Fill{Qty: c.qty1, Price: c.entry1, FeeRate: taker}); err != nil {
			return nil
		}
	}
	if !math.IsNaN(c.mark0) {
		a.SetMark(0, c.mark0)
	}
	if !math.IsNaN(c.mark1) {
		a.SetMark(1, c.mark1)
	}
	return a
}

// verdicts returns what canOpenFast answers (nothing forced) and what apply's dry run finds
// with every margin check decided exactly (checkMarginScreen), as error strings ("" passes),
// and CanOpen's own answer.
func (c *fastCase) verdicts(t *testing.T) (fast int, canOpen, exactErr string, ok bool) {
	t.Helper()
	a := c.build(t)
	if a == nil {
		return 0, "", "", false
	}
	if err := a.Check(); err != nil {
		t.Fatalf("%+v: before: %v", c, err)
	}
	fast, canOpen, exactErr = orderVerdicts(a, 0, c.order, c.price, c.reduceOnly)
	if err := a.Check(); err != nil {
		t.Fatalf("%+v: the ledger changed: %v", c, err)
	}
	qc, qe, _ := exact.Coef(c.order)
	pc, pe, _ := exact.Coef(c.price)
	if sure := a.CanOpenLegSure(0, Both, qc, qe, pc, pe, c.reduceOnly); sure != (fast > 0) {
		t.Fatalf("%+v: CanOpenLegSure %v, canOpenFast %d", c, sure, fast)
	}
	return fast, canOpen, exactErr, true
}

// orderVerdicts returns what canOpenFast answers (nothing forced) for order q at price p on
// symbol i, CanOpen's error, and apply's dry run's with every margin check decided exactly
// (checkMarginScreen), as error strings ("" passes).
func orderVerdicts(a *Account, i int, q, p decimal.Decimal, reduceOnly bool) (fast int, canOpen, dry string) {
	fast = a.canOpenFast(i, exact.FixOf(q), exact.FixOf(p), reduceOnly)
	canOpen = errString(a.CanOpen(i, q, p, reduceOnly))
	checkMarginScreen = true
	defer func() { checkMarginScreen = false }()
	_, err := a.apply(i, Fill{Qty: q, Price: p, ReduceOnly: reduceOnly}, exact.FixOf(q), exact.FixOf(p), true)
	return fast, canOpen, errString(err)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// canOpenFast answers only what apply's dry run answers, with CanOpen's exact error: random
// one-way accounts (cross and isolated, leverage 1–125, a second position or none, marks set
// or not, above or below the entry) and orders against the position: closes, reduce-only or
// not, and flips of random size at random prices, each also at the wallets around the one
// where the flip's opening part just fits (found by bisection on the exact check, to 1e-8
// USDT: the wallet the exact check needs and its neighbours 1e-8, 1e-6, 1e-3 and 1 USDT away),
// where the float screen must leave the decision to apply. It fails unless the fast path
// decides many closes, many flips each way, and leaves the near ones to apply.
func TestCanOpenFastIsApply(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 15))
	levs := []int{1, 2, 3, 5, 10, 20, 25, 50, 75, 100, 125}
	var counts [3]int // the fast path's answers −1, 0, +1
	var near, nearDecided, cases int
	var kinds [3][3]int // the fast path's answers to opens, closes and flips
	short := errString(reject("BTCUSDT", "order", ErrInsufficientMargin))
	// compare checks c's verdicts; margin: apply found the order passing or short of margin
	compare := func(c *fastCase) (exactPass, margin bool) {
		if rng.IntN(20) == 0 { // now and then off the tick or the step: apply's refusal
			c0 := *c
			if rng.IntN(2) == 0 {
				c0.price = c0.price.Add(d("0.05"))
			} else {
				c0.order = c0.order.Add(d("0.0005"))
			}
			if fast, canOpen, want, ok := c0.verdicts(t); ok && (fast != 0 || canOpen != want || want == "") {
				t.Fatalf("%+v: off the filters: canOpenFast %d, CanOpen %q, apply's dry run %q", c0, fast, canOpen, want)
			}
		}
		fast, canOpen, want, ok := c.verdicts(t)
		if !ok {
			return false, false
		}
		cases++
		counts[fast+1]++
		switch {
		case c.qty.IsZero() || c.qty.Sign() == c.order.Sign():
			kinds[0][fast+1]++
		case c.order.Abs().GreaterThan(c.qty.Abs()):
			kinds[2][fast+1]++
		default:
			kinds[1][fast+1]++
		}
		if canOpen != want {
			t.Fatalf("%+v: CanOpen %q, apply's dry run %q", c, canOpen, want)
		}
		if fast > 0 && want != "" || fast < 0 && want != short {
			t.Fatalf("%+v: canOpenFast %d, apply's dry run %q", c, fast, want)
		}
		return want == "", want == "" || want == short
	}
	tick := func(p float64) decimal.Decimal { return decimal.NewFromFloat(math.Round(p*10) / 10) }
	for range 2000 {
		c := &fastCase{mode: Cross, lev: levs[rng.IntN(len(levs))], mark0: math.NaN(), mark1: math.NaN()}
		if rng.IntN(2) == 0 {
			c.mode = Isolated
		}
		entry := 20000 + rng.Float64()*80000
		c.entry = tick(entry)
		c.qty = decimal.New(1+rng.Int64N(3000), -3) // 0.001–3 BTC
		if rng.IntN(2) == 0 {
			c.qty = c.qty.Neg()
		}
		notional := c.qty.Abs().InexactFloat64() * entry
		c.wallet = decimal.NewFromFloat(notional * (0.02 + rng.Float64()*2)).Round(8).Add(decimal.New(100, 0))
		if rng.IntN(2) == 0 {
			c.qty1, c.entry1 = decimal.New(1+rng.Int64N(20000), -3), decimal.New(1000+rng.Int64N(400000), -2)
			if rng.IntN(2) == 0 {
				c.qty1 = c.qty1.Neg()
			}
			c.mark1 = c.entry1.InexactFloat64() * (0.9 + 0.2*rng.Float64())
			c.wallet = c.wallet.Add(decimal.NewFromFloat(c.qty1.Abs().InexactFloat64() * c.entry1.InexactFloat64()).Round(2))
		}
		if rng.IntN(5) > 0 {
			c.mark0 = math.Round(entry*(0.85+0.3*rng.Float64())*10) / 10
		}
		c.price = tick(entry * (0.8 + 0.4*rng.Float64()))
		cur := c.qty.Abs()
		sign := decimal.New(-int64(c.qty.Sign()), 0)
		// an order on the position's side (reduce-only now and then), and one from flat
		c.reduceOnly = rng.IntN(8) == 0
		c.order = decimal.New(1+rng.Int64N(2*cur.Shift(3).IntPart()), -3).Mul(sign.Neg())
		compare(c)
		c.qty = decimal.Decimal{}
		compare(c)
		c.qty = cur.Mul(sign.Neg())
		// a close, reduce-only or not
		c.order = decimal.New(1+rng.Int64N(cur.Shift(3).IntPart()), -3).Mul(sign)
		c.reduceOnly = rng.IntN(2) == 0
		compare(c)
		// flips, the opening part from 0.001 to twice the position
		c.reduceOnly = rng.IntN(8) == 0
		c.order = cur.Add(decimal.New(1+rng.Int64N(2*cur.Shift(3).IntPart()+1), -3)).Mul(sign)
		pass, ok := compare(c)
		if !ok || c.reduceOnly || rng.IntN(3) > 0 {
			continue
		}
		// the wallet where the flip just fits: bisection between a failing and a passing one
		lo, hi := c.wallet, c.wallet
		found := false
		for step, k := decimal.New(1, 0), 0; k < 40; step, k = step.Mul(decimal.New(2, 0)), k+1 {
			if pass {
				if lo = lo.Sub(step); lo.Sign() <= 0 {
					break
				}
				c.wallet = lo
			} else {
				hi = hi.Add(step)
				c.wallet = hi
			}
			if p, ok := compare(c); !ok || p != pass {
				found = ok
				break
			}
		}
		if !found {
			continue
		}
		for hi.Sub(lo).GreaterThan(decimal.New(1, -8)) {
			c.wallet = lo.Add(hi).Div(decimal.New(2, 0)).Truncate(8)
			p, ok := compare(c)
			if ok && p {
				hi = c.wallet
			} else {
				lo = c.wallet
			}
		}
		for _, dw := range []string{"0", "1e-8", "-1e-8", "2e-8", "-2e-8", "1e-6", "-1e-6", "1e-3", "-1e-3", "1", "-1"} {
			c.wallet = hi.Add(decimal.RequireFromString(dw))
			before := counts
			if _, ok := compare(c); ok && (dw == "0" || dw == "-1e-8") {
				near++
				if counts != before && counts[1] == before[1] {
					nearDecided++
				}
			}
		}
	}
	t.Logf("%d cases: the fast path's short, left to apply, passed: %v (opens %v, closes %v, flips %v); %d at the boundary, %d of them decided",
		cases, counts, kinds[0], kinds[1], kinds[2], near, nearDecided)
	for k, name := range []string{"opens", "closes", "flips"} {
		if (k != 1 && (kinds[k][0] < 200 || kinds[k][1] < 30)) || kinds[k][2] < 500 {
			t.Errorf("too few %s decided to compare: %v", name, kinds[k])
		}
	}
	if near < 100 {
		t.Errorf("%d cases near the boundary", near)
	}
	if nearDecided > 0 {
		t.Errorf("the fast path decided %d orders within 1e-8 USDT of the exact boundary", nearDecided)
	}
}

// FuzzCanOpenFast: canOpenFast, from any BTCUSDT position, wallet, mark and order (quantities
// in steps, prices in ticks), answers only as apply's exact dry run does, and CanOpen's error
// is the dry run's.
func FuzzCanOpenFast(f *testing.F) {
	f.Add(true, uint8(10), int64(1000), int64(600000), int64(5_000_000_000_000), int64(-2500), int64(610000), int64(590000), false)
	f.Add(false, uint8(20), int64(-3), int64(999999), int64(100_000_000), int64(3), int64(1000000), int64(0), true)
	f.Add(true, uint8(125), int64(1), int64(1), int64(1), int64(-2), int64(1), int64(1), false)
	f.Add(false, uint8(1), int64(2000), int64(200000), int64(4_000_000_000_000), int64(-4000), int64(200000), int64(199990), false)
	f.Fuzz(func(t *testing.T, cross bool, lev uint8, qty, entry, wallet, order, price, mark int64, reduceOnly bool) {
		c := &fastCase{mode: Isolated, lev: 1 + int(lev)%125, mark0: math.NaN(), mark1: math.NaN(),
			qty: decimal.New(qty%1_000_000, -3), entry: decimal.New(1+abs64(entry)%10_000_000, -1),
			wallet: decimal.New(abs64(wallet), -8), order: decimal.New(order%1_000_000, -3),
			price: decimal.New(abs64(price)%10_000_000, -1), reduceOnly: reduceOnly}
		if cross {
			c.mode = Cross
		}
		if mark > 0 {
			c.mark0 = float64(mark%10_000_000) / 10
		}
		fast, canOpen, want, ok := c.verdicts(t)
		if !ok {
			return
		}
		if canOpen != want {
			t.Fatalf("%+v: CanOpen %q, apply's dry run %q", c, canOpen, want)
		}
		if fast > 0 && want != "" || fast < 0 && want != errString(reject("BTCUSDT", "order", ErrInsufficientMargin)) {
			t.Fatalf("%+v: canOpenFast %d, apply's dry run %q", c, fast, want)
		}
	})
}

func abs64(x int64) int64 {
	if x < 0 {
		return -(x + 1) // no overflow at math.MinInt64
	}
	return x
}

// TestCanOpenFastMinNotionalEdge: on an instrument whose tick and step are 10^-8, orders from
// flat whose notional is a hair below the minimum of 5 USDT, so close that its float is 5 (the
// screen's slack, screenEps, is what keeps canOpenFast from passing them), are refused by
// apply's dry run with ErrMinNotional, and canOpenFast must not pass them; one at the minimum
// and one above pass.
func TestCanOpenFastMinNotionalEdge(t *testing.T) {
	table, _, _ := DefaultBook().Table("BTCUSDT", snap24)
	in := Instrument{Symbol: "AUSDT", TickSize: d("0.00000001"), StepSize: d("0.00000001"), MinQty: d("0.00000001"),
		MinNotional: d("5"), LiquidationFee: DefaultLiquidationFee, Brackets: table}
	below := errString(reject("AUSDT", "order", ErrMinNotional))
	for _, c := range []struct {
		qty, price string
		pass       bool
	}{
		{"0.00000001", "499999999.99999999", false}, // 4.9999999999999999 USDT
		{"0.00000002", "249999999.99999999", false}, // 4.9999999999999998
		{"0.00000001", "500000000", true},
		{"0.00000001", "500000000.00000001", true},
	} {
		a, err := NewAccount(Config{Wallet: d("1000"), Instruments: []Instrument{in}})
		if err != nil {
			t.Fatal(err)
		}
		fast, canOpen, dry := orderVerdicts(a, 0, d(c.qty), d(c.price), false)
		if canOpen != dry {
			t.Fatalf("%s at %s: CanOpen %q, apply's dry run %q", c.qty, c.price, canOpen, dry)
		}
		if c.pass && dry != "" || !c.pass && dry != below {
			t.Fatalf("%s at %s: apply's dry run %q, want passing %v", c.qty, c.price, dry, c.pass)
		}
		if fast > 0 && !c.pass || fast < 0 {
			t.Fatalf("%s at %s: canOpenFast %d, apply's dry run %q", c.qty, c.price, fast, dry)
		}
	}
}
