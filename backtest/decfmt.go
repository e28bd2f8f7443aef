package backtest

import (
	"strconv"

	"github.com/shopspring/decimal"
)

// AppendDecimal appends d as decimal.Decimal.String formats it (fixed point, trailing
// fractional zeros trimmed) without allocating when the coefficient has at most 18 digits and
// the exponent is not positive, which covers every price, quantity and amount the ledger
// writes; other values go through String. The canonical log (CanonicalLog) and the artifact
// writers (reports/artifact) print decimals with it.
func AppendDecimal(b []byte, d decimal.Decimal) []byte {
	exp := int(d.Exponent())
	if exp > 0 || exp < -60 || d.NumDigits() > 18 {
		return append(b, d.String()...)
	}
	c := d.CoefficientInt64()
	if exp == 0 {
		return strconv.AppendInt(b, c, 10)
	}
	if c < 0 {
		b = append(b, '-')
		c = -c
	}
	var tmp [20]byte
	digits := strconv.AppendUint(tmp[:0], uint64(c), 10)
	frac := -exp
	// Trim trailing zeros of the fractional part (at most frac digits).
	n := len(digits)
	trim := 0
	for trim < frac && trim < n && digits[n-1-trim] == '0' {
		trim++
	}
	if n > frac {
		b = append(b, digits[:n-frac]...)
		if trim < frac {
			b = append(b, '.')
			b = append(b, digits[n-frac:n-trim]...)
		}
		return b
	}
	// All digits are fractional: "0." then leading zeros, unless nothing is left after trimming.
	b = append(b, '0')
	if trim == n { // the coefficient is zero (its one digit "0" trimmed)
		return b
	}
	b = append(b, '.')
	for i := 0; i < frac-n; i++ {
		b = append(b, '0')
	}
	return append(b, digits[:n-trim]...)
}
