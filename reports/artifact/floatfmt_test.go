package artifact

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/backtest"
)

// appendFloat writes what strconv.AppendFloat(b, v, 'g', -1, 64) writes: on 4,000,000 random
// floats of every binary exponent its own path takes (and around it), on values with few
// decimals (money amounts, parsed from short decimal strings), powers of two and ten and
// their neighbours, and on the special values. It also fails unless its own path (not
// strconv's) formatted most of them, so that it cannot pass by always falling back.
func TestAppendFloatIsStrconv(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 6))
	var vals []float64
	for i := 0; i < 4_000_000; i++ {
		// a random mantissa at a binary exponent in [-12, 22], either sign
		v := math.Ldexp(1+r.Float64(), r.IntN(35)-12)
		if i%7 == 0 {
			v = math.Float64frombits(math.Float64bits(v) &^ (1<<uint(r.IntN(52)) - 1)) // few mantissa bits
		}
		if r.IntN(2) == 0 {
			v = -v
		}
		vals = append(vals, v)
	}
	for i := 0; i < 300_000; i++ {
		// short decimals: what the ledger's exact amounts become as floats
		c := r.Int64N(1e12)
		s := strconv.FormatInt(c, 10) + "e-" + strconv.Itoa(r.IntN(14))
		v, _ := strconv.ParseFloat(s, 64)
		vals = append(vals, v, math.Nextafter(v, 0), math.Nextafter(v, math.Inf(1)))
	}
	for e := -12; e <= 22; e++ {
		v := math.Ldexp(1, e)
		vals = append(vals, v, -v, math.Nextafter(v, 0), math.Nextafter(v, 10*v), math.Ldexp(3, e))
	}
	for e := -5; e <= 7; e++ {
		v := math.Pow(10, float64(e))
		vals = append(vals, v, -v, math.Nextafter(v, 0), math.Nextafter(v, 10*v), 9.5*v, 5*v)
	}
	vals = append(vals, 0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), math.MaxFloat64,
		math.SmallestNonzeroFloat64, 1e6, 999999.9999999999, 0.001953125, 0.0019531249999999998, 0.1+0.2,
		10000, 1130.51099106, 218.62627153000005, 0.028899910287790657, 0.8879496954533211)
	own := 0
	var got, want []byte
	for _, v := range vals {
		got, want = appendFloat(got[:0], v), strconv.AppendFloat(want[:0], v, 'g', -1, 64)
		if string(got) != string(want) {
			t.Fatalf("appendFloat(%b) = %s, want %s", v, got, want)
		}
		if _, ok := appendShortest(nil, v); ok {
			own++
		}
	}
	if own < len(vals)*7/10 {
		t.Errorf("its own path formatted %d of %d values, want most", own, len(vals))
	}
}

// FuzzAppendFloat compares appendFloat with strconv on arbitrary bit patterns.
func FuzzAppendFloat(f *testing.F) {
	for _, v := range []float64{1, 0.1, 1130.51099106, 0.028899910287790657, 999999.9999999999, 0.001953125} {
		f.Add(math.Float64bits(v))
	}
	f.Fuzz(func(t *testing.T, u uint64) {
		v := math.Float64frombits(u)
		if got, want := appendFloat(nil, v), strconv.AppendFloat(nil, v, 'g', -1, 64); string(got) != string(want) {
			t.Fatalf("appendFloat(%b) = %s, want %s", v, got, want)
		}
	})
}

// BenchmarkAppendFloat formats random floats of 16–17 significant digits (full) and prices
// on a 0.1 tick (prices), with appendFloat and with strconv.
func BenchmarkAppendFloat(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	vals := make([]float64, 1024)
	for i := range vals {
		vals[i] = math.Ldexp(1+r.Float64(), r.IntN(20)-6)
	}
	prices := make([]float64, 1024) // a price on a 0.1 tick
	for i := range prices {
		prices[i] = float64(r.IntN(1_000_000)) / 10
	}
	buf := make([]byte, 0, 32)
	for _, c := range []struct {
		name string
		vals []float64
	}{{"full", vals}, {"prices", prices}} {
		b.Run("own/"+c.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				buf = appendFloat(buf[:0], c.vals[i&1023])
				i++
			}
		})
		b.Run("strconv/"+c.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				buf = strconv.AppendFloat(buf[:0], c.vals[i&1023], 'g', -1, 64)
				i++
			}
		})
	}
}

// writeEquityRow writes writeRow's bytes for the equity table: on 200,000 random points whose
// fields repeat from row to row, equal each other (the margin balance the equity, the peak
// ratio the close's, the wallet the equity), and take special values. A column added to,
// removed from or moved in the equity table fails it.
func TestEquityRowIsWriteRow(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 7))
	pick := []float64{0, math.Copysign(0, -1), 1, 10000, 0.5, math.MaxFloat64, math.Inf(1), math.NaN(), 1e-7, 123456789.25}
	val := func() float64 {
		if r.IntN(5) == 0 {
			return pick[r.IntN(len(pick))]
		}
		return math.Ldexp(r.Float64(), r.IntN(40)-20) * float64(1-2*r.IntN(2))
	}
	var (
		fast, slow strings.Builder
		fw, sw     = newCSVWriter(&fast), newCSVWriter(&slow)
		cols       = backtest.EquityTable().FileColumns()
		fc, sc     = make([]floatCache, len(cols)), make([]floatCache, len(cols))
		p          backtest.EquityPoint
	)
	for i := 0; i < 200_000; i++ {
		p.Time += int64(r.IntN(3)) * 60_000
		for _, f := range []*float64{&p.Equity, &p.Wallet, &p.UnrealizedPnL, &p.MaintenanceMargin, &p.MarginRatio, &p.PeakMarginRatio, &p.Drawdown} {
			if r.IntN(3) == 0 {
				*f = val()
			}
		}
		p.MarginBalance = p.Equity
		switch r.IntN(4) {
		case 0:
			p.PeakMarginRatio = p.MarginRatio
		case 1:
			p.Wallet = p.Equity
		case 2:
			p.MarginBalance = val()
		}
		writeEquityRow(fw, fc, &p)
		writeRow(sw, cols, sc, &p)
		if fast.String() != slow.String() {
			t.Fatalf("point %+v:\n got %q\nwant %q", p, fast.String(), slow.String())
		}
		fast.Reset()
		slow.Reset()
	}
}
