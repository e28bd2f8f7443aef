package backtest

import (
	"encoding/binary"
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
	// trailing fractional zeros trimmed from the coefficient, then its digits
	u, frac := uint64(c), -exp
	for frac > 0 && u%10 == 0 {
		u /= 10
		frac--
	}
	return AppendFixed(b, u, frac)
}

// AppendFixed appends u·10^−frac in fixed point as decimal.Decimal.String and
// strconv.FormatFloat's %f write it: u's digits with the point before the last frac of them,
// "0.00ddd" when all are fractional, and u followed by −frac zeros when frac ≤ 0. The caller
// has trimmed trailing fractional zeros from u (when frac > 0, u is not a multiple of 10);
// u = 0 is "0".
// The digits are written four at a time from a table of digit pairs. AppendDecimal writes a
// decimal's coefficient with it, reports/artifact the shortest digits of a float.
func AppendFixed(b []byte, u uint64, frac int) []byte {
	if u == 0 {
		return append(b, '0')
	}
	var buf [24]byte
	i := len(buf)
	for u >= 10000 {
		q := u / 10000
		x := u - q*10000
		i -= 4
		binary.BigEndian.PutUint32(buf[i:], uint32(digitPairs[x/100])<<16|uint32(digitPairs[x%100]))
		u = q
	}
	if u >= 100 {
		q := u / 100
		i -= 2
		binary.BigEndian.PutUint16(buf[i:], digitPairs[u-q*100])
		u = q
	}
	if u >= 10 {
		i -= 2
		binary.BigEndian.PutUint16(buf[i:], digitPairs[u])
	} else {
		i--
		buf[i] = byte('0' + u)
	}
	digits := buf[i:]
	n := len(digits)
	switch {
	case frac <= 0:
		b = append(b, digits...)
		for ; frac < 0; frac++ {
			b = append(b, '0')
		}
		return b
	case n > frac: // digits '.' the last frac digits
		b = append(b, digits[:n-frac]...)
		b = append(b, '.')
		return append(b, digits[n-frac:]...)
	}
	// all digits fractional: "0." then frac−n zeros, then the digits
	b = append(b, '0', '.')
	for z := frac - n; z > 0; z-- {
		b = append(b, '0')
	}
	return append(b, digits...)
}

// digitPairs holds "00" … "99" as big-endian uint16s.
var digitPairs = func() (t [100]uint16) {
	for i := range t {
		t[i] = uint16('0'+i/10)<<8 | uint16('0'+i%10)
	}
	return t
}()
