package reports

import (
	"fmt"
	"math"
	"strings"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/bt-backtest/bt/reports/artifact"
	"github.com/bt-backtest/bt/reports/metrics"
)

// Part is a piece of a verdict sentence: plain text, or a link to the place in the report
// (Href, an anchor such as "#chart-equity" or "#liq-isolated-3") that shows it. Zoom, when
// not zero, is the Unix second the charts zoom to when the link is followed.
type Part struct {
	Text string `json:"text"`
	Href string `json:"href,omitempty"`
	Zoom int64  `json:"zoom,omitempty"`
}

// Sentence is one sentence of the verdict.
type Sentence []Part

// String is the sentence's plain text.
func (s Sentence) String() string {
	var b strings.Builder
	for _, p := range s {
		b.WriteString(p.Text)
	}
	return b.String()
}

// sameMoney is the largest equity difference the verdict calls equal: half a cent.
const sameMoney = 0.005

// Verdict states the isolated-versus-cross comparison of one run in a few sentences, in
// numbers: which mode ended ahead and by how much, how many liquidations each account had and
// what they did to the paired entries, the largest single liquidation loss, the first moment
// the two accounts parted, and the cross cascades. sum is the run's summary; iso and cross
// are the accounts' records (either may be nil: the sentences that need records are left
// out). anchor prefixes the ids of the liquidation rows linked ("" for a single run).
// The text depends only on its inputs.
func Verdict(sum metrics.Summary, iso, cross *backtest.AccountResult, anchor string) []Sentence {
	is, iok := sum.Accounts[metrics.IsolatedName]
	cs, cok := sum.Accounts[metrics.CrossName]
	if !iok || !cok {
		return nil
	}
	var out []Sentence

	// 1. who ended ahead, by how much
	d := cs.FinalEquity - is.FinalEquity
	switch {
	case math.Abs(d) < sameMoney:
		out = append(out, Sentence{{Text: "Isolated and cross ended level: "},
			{Text: fmt.Sprintf("final equity %s USDT in both", fmtMoney(cs.FinalEquity)), Href: "#chart-equity"}, {Text: "."}})
	default:
		win, lose, we, le, wr, lr := "Cross", "isolated", cs.FinalEquity, is.FinalEquity, cs.TotalReturn, is.TotalReturn
		if d < 0 {
			win, lose, we, le, wr, lr = "Isolated", "cross", is.FinalEquity, cs.FinalEquity, is.TotalReturn, cs.TotalReturn
		}
		rel := ""
		if le > 0 {
			rel = fmt.Sprintf(" (%s more)", fmtPct(math.Abs(d)/le))
		}
		out = append(out, Sentence{{Text: win + " ended ahead by "},
			{Text: fmt.Sprintf("%s USDT%s", fmtMoney(math.Abs(d)), rel), Href: "#chart-equity"},
			{Text: fmt.Sprintf(": final equity %s against %s USDT for %s; total return %s against %s (%s).",
				fmtMoney(we), fmtMoney(le), lose, signedPct(wr), signedPct(lr), fmtPP(wr-lr))}})
	}

	// 2. liquidations in each, and what they did to the same entries
	s := Sentence{{Text: "Liquidations: "},
		{Text: fmt.Sprintf("isolated %d, cross %d", is.Liquidations, cs.Liquidations), Href: "#liquidations"}}
	if p := sum.Paired; p != nil && p.Matched > 0 && (p.OnlyIsolated > 0 || p.OnlyCross > 0 || p.Both > 0) {
		s = append(s, Part{Text: fmt.Sprintf("; of the %d positions both accounts opened, ", p.Matched)})
		var bits []string
		if p.OnlyIsolated > 0 {
			bits = append(bits, fmt.Sprintf("%d liquidated only in isolated (cross survived them, %d also ending better)", p.OnlyIsolated, p.Rescued))
		}
		if p.OnlyCross > 0 {
			bits = append(bits, fmt.Sprintf("%d liquidated only in cross", p.OnlyCross))
		}
		if p.Both > 0 {
			bits = append(bits, fmt.Sprintf("%d in both", p.Both))
		}
		s = append(s, Part{Text: strings.Join(bits, ", "), Href: "#" + anchor + "paired"})
	}
	out = append(out, append(s, Part{Text: "."}))

	// 3. the largest single liquidation loss of each account
	var big Sentence
	for _, a := range []*backtest.AccountResult{iso, cross} {
		if a == nil {
			continue
		}
		k := largestLiquidation(a.Liquidations)
		if k < 0 {
			continue
		}
		l := a.Liquidations[k]
		loss := l.MarginLost.Add(l.Fee)
		if len(big) == 0 {
			big = Sentence{{Text: "Largest single liquidation loss: "}}
		} else {
			big = append(big, Part{Text: "; "})
		}
		big = append(big, Part{Text: fmt.Sprintf("%s %s %s %s", a.Name, l.Symbol, sideWord(l.Qty.Sign()), when(l.Time)),
			Href: "#" + LiquidationAnchor(anchor, a.Name, k), Zoom: l.Time / 1000},
			Part{Text: fmt.Sprintf(", %s USDT (margin %s + clearance fee %s), liquidation price %s",
				fmtMoney(loss.InexactFloat64()), fmtMoney(l.MarginLost.InexactFloat64()), fmtMoney(l.Fee.InexactFloat64()), l.Price.String())})
	}
	if len(big) > 0 {
		out = append(out, append(big, Part{Text: "."}))
	}

	// 4. the first moment the accounts parted
	if iso != nil && cross != nil {
		if t, what, ok := firstDivergence(iso, cross); ok {
			out = append(out, Sentence{{Text: "The two accounts' equity first parted "},
				{Text: when(t), Href: "#chart-equity", Zoom: t / 1000}, {Text: ": " + what + "."}})
		} else if len(iso.Fills) > 0 {
			out = append(out, Sentence{{Text: "The two accounts made the same fills throughout: their equity never parted."}})
		}
	}

	// 5. cross cascades
	if ls, ok := sum.Liquidation[metrics.CrossName]; ok {
		switch {
		case ls.Cascades == 0:
			out = append(out, Sentence{{Text: "Cross had no cascade (no time at which several positions were liquidated together)."}})
		default:
			s := Sentence{{Text: "Cross had "}, {Text: fmt.Sprintf("%d %s", ls.Cascades, plural(ls.Cascades, "cascade", "cascades")), Href: "#liquidations"},
				{Text: fmt.Sprintf(", %d positions liquidated together", ls.CascadePositions)}}
			if cross != nil {
				if t, n, k := largestCascade(cross.Liquidations); n > 1 {
					s = append(s, Part{Text: "; the largest closed "},
						Part{Text: fmt.Sprintf("%d positions %s", n, when(t)), Href: "#" + LiquidationAnchor(anchor, cross.Name, k), Zoom: t / 1000})
				}
			}
			out = append(out, append(s, Part{Text: "."}))
		}
	}
	return out
}

// LiquidationAnchor is the id of liquidation k (its index in the account's records) in the
// report's liquidation table; prefix tells runs apart in a comparison.
func LiquidationAnchor(prefix, account string, k int) string {
	return fmt.Sprintf("liq-%s%s-%d", prefix, account, k)
}

// largestLiquidation is the index of the liquidation with the largest loss (margin lost plus
// clearance fee), the first of equal ones; −1 without any.
func largestLiquidation(ls []margin.Liquidation) int {
	k := -1
	for i, l := range ls {
		if k < 0 || l.MarginLost.Add(l.Fee).GreaterThan(ls[k].MarginLost.Add(ls[k].Fee)) {
			k = i
		}
	}
	return k
}

// largestCascade is the time, size and first record index of the liquidation time with the
// most positions liquidated (the earliest of equal ones).
func largestCascade(ls []margin.Liquidation) (t int64, n, first int) {
	for i := 0; i < len(ls); {
		j := i
		for j < len(ls) && ls[j].Time == ls[i].Time {
			j++
		}
		if j-i > n {
			t, n, first = ls[i].Time, j-i, i
		}
		i = j
	}
	return t, n, first
}

// firstDivergence finds the first fill (liquidation fills included) in which the two
// accounts differ: until then they held the same positions, so their equity was the same.
// It returns its time and what happened, in words.
func firstDivergence(a, b *backtest.AccountResult) (int64, string, bool) {
	fa, fb := a.Fills, b.Fills
	i := 0
	for i < len(fa) && i < len(fb) && sameFill(fa[i], fb[i]) {
		i++
	}
	if i == len(fa) && i == len(fb) {
		return 0, "", false
	}
	var ta, tb int64 = math.MaxInt64, math.MaxInt64
	if i < len(fa) {
		ta = fa[i].Time
	}
	if i < len(fb) {
		tb = fb[i].Time
	}
	t := min(ta, tb)
	var bits []string
	for _, x := range []struct {
		acct *backtest.AccountResult
		f    []backtest.FillRecord
		t    int64
	}{{a, fa, ta}, {b, fb, tb}} {
		if x.t != t {
			other := fa
			if x.acct == a {
				other = fb
			}
			if other[i].OrderID == 0 {
				bits = append(bits, x.acct.Name+" kept the position")
			} else {
				bits = append(bits, x.acct.Name+" made no such trade")
			}
			continue
		}
		bits = append(bits, describeFill(x.acct.Name, x.f[i]))
	}
	return t, strings.Join(bits, "; "), true
}

func sameFill(a, b backtest.FillRecord) bool {
	return a.Time == b.Time && a.Symbol == b.Symbol && a.Side == b.Side && a.Qty.Equal(b.Qty) && a.Price.Equal(b.Price) &&
		a.Fee.Equal(b.Fee) && a.RealizedPnL.Equal(b.RealizedPnL) && (a.OrderID == 0) == (b.OrderID == 0)
}

func describeFill(acct string, f backtest.FillRecord) string {
	if f.OrderID == 0 {
		// a liquidation closes the position: a sell closes a long
		return fmt.Sprintf("%s's %s %s was liquidated at %s", acct, f.Symbol, sideWord(-int(f.Side)), f.Price.String())
	}
	return fmt.Sprintf("%s %s %s %s at %s", acct, map[backtest.Side]string{backtest.Buy: "bought", backtest.Sell: "sold"}[f.Side],
		f.Qty.String(), f.Symbol, f.Price.String())
}

// sideWord names a position by the sign of its quantity.
func sideWord(sign int) string {
	if sign < 0 {
		return "short"
	}
	return "long"
}

func when(ms int64) string {
	return "at " + strings.Replace(artifact.FormatTime(ms)[:16], "T", " ", 1) + " UTC"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// signedPct is a fraction as a signed percentage: "+12.34 %", "−5.00 %".
func signedPct(v float64) string {
	if v > 0 {
		return "+" + fmtPct(v)
	}
	return fmtPct(v)
}

// fmtPP is a difference of two fractions in percentage points, signed: "+13.46 pp".
func fmtPP(d float64) string {
	s := fmt.Sprintf("%+.2f pp", d*100)
	return strings.Replace(s, "-", "−", 1)
}
