package margin

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/bt-backtest/bt/internal/exact"
	"github.com/bt-backtest/bt/internal/exact/exacttest"
	"github.com/shopspring/decimal"
)

// TestAggregatesFixAgree runs random ledger sequences twice, with the aggregates on int64
// coefficients and their Nums' fallback, and on the Nums alone (forceAggNums, the reference),
// and requires after every step the same aggregates and the same seen contributions of every
// slot, each Decimal equal in value and exponent, the same float shadows and liquidation
// prices. The fills have quantities and prices from a few digits to past 2^63 (18 and 19
// digit coefficients, products and sums that overflow an int64 mid-life), isolated and cross
// positions, margin moves, mode and leverage changes, one-way and hedge accounts, wallets
// with and without an int64 coefficient (hot's constants on the Fix or the Nums); both paths
// must be taken, and accounts must move to the Nums after steps on the Fix. Every fill's
// FillResult must hold the Fix of its fee and realized PnL (their value and exponent) whenever
// exact.FixOf gives one, and FeeFix and RealizedPnLFix must give them. The reference also
// books every isolated close by the Decimal steps (slowIsoClose): the wallet, the isolated
// wallets, positions and totals must be the same Decimals (value and exponent); isoCloseFix
// must book at least 1000 of the isolated closes the test runs (countIsoCloseFix).
func TestAggregatesFixAgree(t *testing.T) {
	defer func() { forceAggNums, slowIsoClose, countIsoCloseFix = false, false, false }()
	countIsoCloseFix, isoCloseFixed = true, 0
	book := DefaultBook()
	table, _, _ := book.Table("BTCUSDT", snap24)
	insts := []Instrument{
		{Symbol: "AAA", TickSize: d("0.01"), StepSize: d("0.001"), MinQty: d("0.001"), MinNotional: d("5"),
			LiquidationFee: DefaultLiquidationFee, Brackets: table},
		{Symbol: "BBB", TickSize: d("0.00001"), StepSize: d("1"), MinQty: d("1"), MinNotional: d("5"),
			LiquidationFee: DefaultLiquidationFee, Brackets: table},
	}
	coef := func(r *rand.Rand) int64 {
		switch r.IntN(250) {
		case 0:
			return r.Int64N(math.MaxInt64/1000) + 1
		case 1:
			return math.MaxInt64 - r.Int64N(1000) // 2^63 − k: 19 digits
		case 2:
			return 999_999_999_999_999_999 - r.Int64N(1000) // 18 digits
		case 3, 4, 5, 6:
			return r.Int64N(1e9) + 1
		}
		return r.Int64N(5000) + 1
	}
	type state struct {
		desc  string
		decs  []decimal.Decimal
		flts  []float64
		onFix bool
	}
	// run replays sequence seed and returns the state after every step.
	fixResults, closes, isoCloses := 0, 0, 0
	run := func(seed uint64, nums bool) []state {
		forceAggNums, slowIsoClose = nums, nums
		r := rand.New(rand.NewPCG(seed, 15))
		wallet := d("1e30") // beyond an int64 coefficient, or not
		if r.IntN(2) == 0 {
			wallet = decimal.New(r.Int64N(1e15)+1, -int32(r.IntN(9)))
		}
		a, err := NewAccount(Config{Wallet: wallet, Instruments: insts, PositionMode: PositionMode(r.IntN(2)),
			AutoAddMargin: r.IntN(2) == 0})
		if err != nil {
			t.Fatal(err)
		}
		for i := range insts {
			if err := a.SetMode(i, Mode(r.IntN(2))); err != nil {
				t.Fatal(err)
			}
		}
		var out []state
		for step := range 40 {
			i := r.IntN(len(insts))
			in := insts[i]
			ps := Both
			if a.hedge {
				ps = Long + PositionSide(r.IntN(2))
			}
			desc := ""
			switch op := r.IntN(20); {
			case op == 0:
				err = a.SetMode(i, Mode(r.IntN(2)))
				desc = "mode"
			case op == 1:
				err = a.SetLeverage(i, 1+r.IntN(3))
				desc = "leverage"
			case op == 2:
				amt := decimal.New(coef(r), -int32(r.IntN(9)))
				if r.IntN(2) == 0 {
					amt = amt.Neg()
				}
				err = a.AddLegMargin(i, ps, amt)
				desc = "margin " + amt.String()
			case op == 3:
				a.SetMark(i, math.Pow(10, float64(r.IntN(12))))
				desc = "mark"
			default:
				q := in.StepSize.Mul(decimal.New(coef(r), 0))
				if r.IntN(2) == 0 {
					q = q.Neg()
				}
				if p := a.PositionOf(i, ps); !p.Qty.IsZero() && r.IntN(3) == 0 {
					q = p.Qty.Neg() // a close
				}
				if ps == Short && q.IsPositive() && r.IntN(2) == 0 || ps == Long && q.IsNegative() && r.IntN(2) == 0 {
					q = q.Neg()
				}
				px := in.TickSize.Mul(decimal.New(coef(r), 0))
				var res FillResult
				before := a.PositionOf(i, ps)
				res, err = a.Apply(i, Fill{Qty: q, Price: px, FeeRate: d("0.0005"), PositionSide: ps})
				desc = fmt.Sprintf("fill %s @ %s", q, px)
				if err == nil {
					// the fee's and realized PnL's Fix: their value and exponent, set whenever
					// FixOf gives one
					for _, x := range []struct {
						f, m exact.Fix
						d    decimal.Decimal
					}{{res.feeF, res.FeeFix(), res.Fee}, {res.pnlF, res.RealizedPnLFix(), res.RealizedPnL}} {
						if !sameFix(x.f, x.d) || !sameFix(x.m, x.d) {
							t.Fatalf("seed %d step %d %s: Fix %v (method %v) of %s (exp %d)", seed, step, desc, x.f, x.m, x.d, x.d.Exponent())
						}
						if x.f.OK() {
							fixResults++
						}
					}
					closes += btoi(!res.RealizedPnL.IsZero())
					if !nums && before.Mode == Isolated && !before.Qty.IsZero() && res.PositionQty.IsZero() {
						isoCloses++
					}
				}
			}
			st := state{desc: fmt.Sprintf("step %d %s (err %v)", step, desc, err), onFix: a.aggN == nil}
			g := a.aggNums()
			tot := a.Totals()
			st.decs = append(st.decs, g.crossQE.Dec(), g.allQE.Dec(), g.isoSum.Dec(), a.walletDec(), tot.RealizedPnL,
				tot.Fees, tot.InsuranceDraws)
			for k := range a.slots {
				s := &a.slots[k]
				st.decs = append(st.decs, a.seenQE(s).Dec(), s.seenIso, s.lpDec(), s.isoW, s.qty, s.entry)
				st.flts = append(st.flts, s.fq, s.fabs, s.fqe, s.fiso, s.flp, a.fqs[k])
			}
			h := a.hot()
			st.flts = append(st.flts, h.cross, h.scale, h.equity)
			if err := a.Check(); err != nil {
				t.Fatalf("seed %d %s: %v", seed, st.desc, err)
			}
			out = append(out, st)
		}
		return out
	}
	fixSteps, numSteps, moved := 0, 0, 0
	for seed := range uint64(1500) {
		got, want := run(seed, false), run(seed, true)
		for s := range want {
			g, w := got[s], want[s]
			if g.desc != w.desc {
				t.Fatalf("seed %d: %s, the reference %s", seed, g.desc, w.desc)
			}
			for k := range w.decs {
				if !exacttest.Same(g.decs[k], w.decs[k]) {
					t.Fatalf("seed %d %s: value %d %s (exp %d), the reference %s (exp %d)", seed, g.desc, k,
						g.decs[k], g.decs[k].Exponent(), w.decs[k], w.decs[k].Exponent())
				}
			}
			for k := range w.flts {
				if math.Float64bits(g.flts[k]) != math.Float64bits(w.flts[k]) {
					t.Fatalf("seed %d %s: float %d %v, the reference %v", seed, g.desc, k, g.flts[k], w.flts[k])
				}
			}
			if g.onFix {
				fixSteps++
			} else {
				numSteps++
			}
		}
		if !got[len(got)-1].onFix && got[0].onFix {
			moved++
		}
	}
	t.Logf("%d steps on the Fix aggregates, %d on the Nums; %d accounts moved to the Nums; %d fee and PnL Fix, %d closes, %d isolated full closes (%d booked by isoCloseFix)",
		fixSteps, numSteps, moved, fixResults, closes, isoCloses, isoCloseFixed)
	if fixSteps < 10000 || numSteps < 10000 || moved < 1000 || fixResults < 20000 || closes < 2000 || isoCloses < 500 || isoCloseFixed < 1000 {
		t.Fatalf("too few steps on one path: %d on the Fix, %d on the Nums, %d moved, %d fee and PnL Fix, %d closes, %d isolated full closes (%d booked by isoCloseFix)",
			fixSteps, numSteps, moved, fixResults, closes, isoCloses, isoCloseFixed)
	}
}

// TestInsertAt compares insertAt with slices.Insert at every place of slices of 0 to 6
// elements, with and without spare capacity.
func TestInsertAt(t *testing.T) {
	for n := range 7 {
		for j := 0; j <= n; j++ {
			for _, spare := range []int{0, 3} {
				s := make([]int, n, n+spare)
				for k := range s {
					s[k] = 10 + k
				}
				want := slices.Insert(slices.Clone(s), j, -1)
				if got := insertAt(s, j, -1); !slices.Equal(got, want) {
					t.Fatalf("insertAt(%v, %d, -1) = %v, want %v", s[:n], j, got, want)
				}
			}
		}
	}
}
