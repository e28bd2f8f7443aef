package margin

import (
	"github.com/bt-backtest/bt/internal/exact"
	"github.com/shopspring/decimal"
)

// addDiff is x.Add(y.Sub(z)) (equal in value and exponent to x.Sub(z).Add(y)).
func addDiff(x, y, z decimal.Decimal) decimal.Decimal {
	if r := exact.Fit(x).Add(exact.Fit(y).Sub(exact.Fit(z))); r.OK() {
		return r.Dec()
	}
	return x.Add(y.Sub(z))
}

// lazySum is a running sum of decimals, equal in value and exponent to adding each term with
// Decimal.Add, whose terms are added on int64 coefficients while they fit (exact.Fit) and
// folded into a Decimal only when the sum is read (value) or a term does not fit.
type lazySum struct {
	d    decimal.Decimal // the sum of the terms folded in
	pend exact.Num       // the sum of the terms not folded in yet, when some
	some bool            // whether pend holds terms
}

// add adds x.
func (s *lazySum) add(x decimal.Decimal) {
	if s.some {
		if r := s.pend.Add(exact.Fit(x)); r.OK() {
			s.pend = r
			return
		}
		s.fold()
	}
	if f := exact.Fit(x); f.OK() {
		s.pend, s.some = f, true
		return
	}
	s.d = s.d.Add(x)
}

// fold adds the pending terms' sum to d: Σ at the least exponent of d and of every term.
func (s *lazySum) fold() {
	if !s.some {
		return
	}
	if r := exact.Fit(s.d).Add(s.pend); r.OK() {
		s.d = r.Dec()
	} else {
		s.d = s.d.Add(s.pend.Dec())
	}
	s.pend, s.some = exact.Num{}, false
}

// value returns the sum.
func (s *lazySum) value() decimal.Decimal {
	s.fold()
	return s.d
}

// avgEntry is the entry price after adding openQ (the sign of qty ≠ 0) at price to a
// position of qty at entry: the quantity-weighted average
// (|qty|·entry + |openQ|·price).DivRound(|qty + openQ|, QuotientPlaces). The products and
// the sum are taken on int64 coefficients and the quotient (usually beyond 64 bits at 16
// decimals) by sumQuoCoef, rounded half away from zero as DivRound rounds: the same value and
// exponent (−QuotientPlaces). An entry already averaged (20+ digits) takes the expression.
func avgEntry(qty, entry, openQ, price decimal.Decimal) decimal.Decimal {
	q, o := exact.Fit(qty).Abs(), exact.Fit(openQ).Abs()
	if n := exact.Fit(qty).Add(exact.Fit(openQ)).Abs(); n.OK() && !n.IsZero() {
		if hi, lo, neg, ok := sumQuoCoef(q.Mul(exact.Fit(entry)), o.Mul(exact.Fit(price)), n, exact.New(1, 0), QuotientPlaces); ok {
			return exact.Dec128(hi, lo, neg, -QuotientPlaces)
		}
	}
	return qty.Abs().Mul(entry).Add(openQ.Abs().Mul(price)).DivRound(qty.Add(openQ).Abs(), QuotientPlaces)
}
