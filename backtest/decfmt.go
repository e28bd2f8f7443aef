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
	if exp == 0 || c == 0 {
		return strconv.AppendInt(b, c, 10)
	}
	if c < 0 {
		b = append(b, '-')
		c = -c
	}
	// trailing fractional zeros trimmed from the coefficient, then its digits written in place
	u, frac := uint64(c), -exp
	for frac > 0 && u%10 == 0 {
		u /= 10
		frac--
	}
	start := len(b)
	b = strconv.AppendUint(b, u, 10)
	n := len(b) - start
	switch {
	case frac == 0:
		return b
	case n > frac: // digits '.' the last frac digits
		b = append(b, 0)
		copy(b[len(b)-frac:], b[len(b)-frac-1:len(b)-1])
		b[len(b)-frac-1] = '.'
		return b
	}
	// all digits fractional: "0." then frac−n zeros, then the digits
	shift := 2 + frac - n
	b = append(b, make([]byte, shift)...)
	copy(b[start+shift:], b[start:start+n])
	b[start], b[start+1] = '0', '.'
	for i := start + 2; i < start+shift; i++ {
		b[i] = '0'
	}
	return b
}
