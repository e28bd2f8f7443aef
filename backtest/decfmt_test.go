package backtest

import (
	"math"
	"math/big"
	"math/rand"
	"testing"

	"github.com/shopspring/decimal"
)

// TestAppendDecimal checks AppendDecimal against decimal.Decimal.String byte for byte.
func TestAppendDecimal(t *testing.T) {
	var ds []decimal.Decimal
	for _, s := range []string{"0", "-0", "0.000", "1", "-1", "10", "100.00", "0.1", "-0.1", "0.0001",
		"-0.00010", "123.456", "123.4560", "1000.0001", "-5000.5", "0.00000000000000000001",
		"999999999999999999", "-999999999999999999", "9999999999999999999", "1e5", "-2.5e3",
		"123456789012345678.9", "0.1234567890123456789", "3.000000000000000000", "1E-70"} {
		ds = append(ds, decimal.RequireFromString(s))
	}
	for _, c := range []int64{0, 1, -1, 7, 10, 1000, -1000, math.MaxInt64, math.MinInt64 + 1, math.MinInt64} {
		for exp := int32(-25); exp <= 3; exp++ {
			ds = append(ds, decimal.New(c, exp))
		}
	}
	ds = append(ds, decimal.NewFromBigInt(new(big.Int).Lsh(big.NewInt(1), 80), -7))
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 20000; i++ {
		c := r.Int63n(1 << uint(r.Intn(62)+1))
		if r.Intn(2) == 0 {
			c = -c
		}
		ds = append(ds, decimal.New(c, -int32(r.Intn(22))))
	}
	// results of arithmetic, as the ledger makes them
	a, b := decimal.RequireFromString("0.0004"), decimal.RequireFromString("64123.45")
	ds = append(ds, a.Mul(b), a.Mul(b).Neg(), b.Div(a), a.Sub(a), b.Mul(decimal.NewFromInt(1000)))
	for _, d := range ds {
		if got, want := string(AppendDecimal([]byte("x"), d)), "x"+d.String(); got != want {
			t.Errorf("AppendDecimal(%s·10^%d) = %q, want %q", d.Coefficient(), d.Exponent(), got, want)
		}
	}
}

func BenchmarkAppendDecimal(b *testing.B) {
	d := decimal.RequireFromString("-64123.4500")
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = AppendDecimal(buf[:0], d)
	}
}

// AppendFixed writes u·10^−frac as decimal.String does, for coefficients of every length
// (0 to 20 digits, written four at a time) without trailing fractional zeros, and for frac
// from −5 (trailing integer zeros) to 25 ("0.000…ddd").
func TestAppendFixed(t *testing.T) {
	r := rand.New(rand.NewSource(15))
	us := []uint64{0, 1, 9, 10, 99, 100, 9999, 10000, 12345678, math.MaxUint64, 1<<63 + 1}
	for i := 0; i < 5000; i++ {
		us = append(us, r.Uint64()>>uint(r.Intn(64)))
	}
	for _, u := range us {
		for frac := -5; frac <= 25; frac++ {
			if frac > 0 && u%10 == 0 {
				continue // the caller trims trailing fractional zeros
			}
			want := decimal.NewFromBigInt(new(big.Int).SetUint64(u), int32(-frac)).String()
			if got := string(AppendFixed([]byte("x"), u, frac)); got != "x"+want {
				t.Errorf("AppendFixed(%d, %d) = %q, want %q", u, frac, got, "x"+want)
			}
		}
	}
}
