package indicator

import (
	"fmt"
	"math"
)

func checkPeriod(name string, n, min int) {
	if n < min {
		panic(fmt.Sprintf("indicator: %s period %d < %d", name, n, min))
	}
}

// SMA is the simple moving average of the last N values.
type SMA struct {
	w window
}

// NewSMA returns an SMA over n values. It panics if n < 1.
func NewSMA(n int) *SMA {
	checkPeriod("SMA", n, 1)
	return &SMA{w: newWindow(n)}
}

// Update adds x and returns the mean of the last n values; ok is false until n values have
// been seen (the value is then the mean of those seen so far).
func (s *SMA) Update(x float64) (v float64, ok bool) {
	s.w.push(x)
	return s.w.mean, s.w.full()
}

// Value returns the current value without updating.
func (s *SMA) Value() (v float64, ok bool) { return s.w.mean, s.w.full() }

// Reset forgets every value.
func (s *SMA) Reset() { s.w.reset() }

// EMA is the exponential moving average with smoothing factor α = 2/(n+1), seeded with the
// simple average of the first n values (as TA-Lib does).
// An EMA is 24 bytes, so that a strategy can keep two of them with a symbol's other per-bar
// state in one cache line.
type EMA struct {
	alpha float64
	v     float64
	n     int32
	count int32
}

// NewEMA returns an EMA of period n. It panics if n < 1 or n > 2³¹−1.
func NewEMA(n int) *EMA {
	checkPeriod("EMA", n, 1)
	if n > math.MaxInt32 {
		panic(fmt.Sprintf("indicator: EMA period %d > %d", n, math.MaxInt32))
	}
	return &EMA{n: int32(n), alpha: 2 / float64(n+1)}
}

// Update adds x and returns the EMA; ok is false for the first n-1 values, during which the
// value is the running simple average.
func (e *EMA) Update(x float64) (v float64, ok bool) {
	if e.count < e.n {
		e.count++
		e.v += (x - e.v) / float64(e.count)
		return e.v, e.count == e.n
	}
	e.v += e.alpha * (x - e.v)
	return e.v, true
}

// Value returns the current value without updating.
func (e *EMA) Value() (v float64, ok bool) { return e.v, e.count == e.n }

// Reset forgets every value.
func (e *EMA) Reset() { e.count, e.v = 0, 0 }

// EMAPair is two EMAs of one series (a fast and a slow one, say), updated together: the same
// values, bit for bit, as two EMA fed the same series, for one warm-up test per update instead
// of two and no per-EMA state beyond its value and factor. It is 48 bytes.
type EMAPair struct {
	alpha1, alpha2 float64
	v1, v2         float64
	n1, n2         int32
	full           int32 // max(n1, n2)
	count          int32 // values seen, up to full
}

// NewEMAPair returns EMAs of periods n1 and n2. It panics as NewEMA does.
func NewEMAPair(n1, n2 int) *EMAPair {
	e1, e2 := NewEMA(n1), NewEMA(n2)
	return &EMAPair{alpha1: e1.alpha, alpha2: e2.alpha, n1: e1.n, n2: e2.n, full: max(e1.n, e2.n)}
}

// Update adds x and returns both EMAs; ok is false until both are seeded (max(n1, n2)
// values), and each value is its running simple average while it is seeding (as EMA.Update).
func (p *EMAPair) Update(x float64) (v1, v2 float64, ok bool) {
	if p.count == p.full {
		v1, v2 = p.Next(x)
		return v1, v2, true
	}
	return p.Seed(x)
}

// Seed is Update for a pair that is not Seeded yet, small enough to inline: a hot path that
// tests Seeded and calls Next or Seed makes no call. Once Seeded, call Next or Update.
func (p *EMAPair) Seed(x float64) (v1, v2 float64, ok bool) {
	c := p.count
	if c < p.n1 {
		p.v1 += (x - p.v1) / float64(c+1)
	} else {
		p.v1 += p.alpha1 * (x - p.v1)
	}
	if c < p.n2 {
		p.v2 += (x - p.v2) / float64(c+1)
	} else {
		p.v2 += p.alpha2 * (x - p.v2)
	}
	p.count = c + 1
	return p.v1, p.v2, p.count == p.full
}

// Seeded reports whether both EMAs are seeded (Update's ok).
func (p *EMAPair) Seeded() bool { return p.count == p.full }

// Next is Update once Seeded, for a caller's hot path (it is small enough to inline): it adds
// x and returns both EMAs. Before both are seeded it is not Update: call Update then.
func (p *EMAPair) Next(x float64) (v1, v2 float64) {
	p.v1 += p.alpha1 * (x - p.v1)
	p.v2 += p.alpha2 * (x - p.v2)
	return p.v1, p.v2
}

// Values returns both EMAs without updating.
func (p *EMAPair) Values() (v1, v2 float64, ok bool) {
	return p.v1, p.v2, p.count == p.full
}

// Reset forgets every value.
func (p *EMAPair) Reset() { p.count, p.v1, p.v2 = 0, 0, 0 }

// ATR is Wilder's average true range over n bars. The true range of a bar is
// max(high−low, |high−prevClose|, |low−prevClose|), and high−low for the first bar. The
// first ATR is the mean of the first n true ranges; then ATR = (ATR·(n−1) + TR)/n.
type ATR struct {
	n         int
	count     int
	prevClose float64
	v         float64
}

// NewATR returns an ATR of period n. It panics if n < 1.
func NewATR(n int) *ATR {
	checkPeriod("ATR", n, 1)
	return &ATR{n: n}
}

// Update adds one bar and returns the ATR; ok is false for the first n-1 bars.
func (a *ATR) Update(high, low, close float64) (v float64, ok bool) {
	tr := high - low
	if a.count > 0 {
		tr = math.Max(tr, math.Max(math.Abs(high-a.prevClose), math.Abs(low-a.prevClose)))
	}
	a.prevClose = close
	if a.count < a.n {
		a.count++
		a.v += (tr - a.v) / float64(a.count)
		return a.v, a.count == a.n
	}
	a.v = (a.v*float64(a.n-1) + tr) / float64(a.n)
	return a.v, true
}

// Value returns the current value without updating.
func (a *ATR) Value() (v float64, ok bool) { return a.v, a.count == a.n }

// Reset forgets every bar.
func (a *ATR) Reset() { a.count, a.prevClose, a.v = 0, 0, 0 }

// RSI is Wilder's relative strength index over n changes: average gain and average loss are
// seeded with the simple means of the first n changes and then smoothed as
// avg = (avg·(n−1) + x)/n; RSI = 100 − 100/(1 + avgGain/avgLoss). It is 100 when there were
// no losses and 50 when prices did not move at all.
type RSI struct {
	n     int
	count int // values seen
	prev  float64
	gain  float64
	loss  float64
}

// NewRSI returns an RSI of period n. It panics if n < 1.
func NewRSI(n int) *RSI {
	checkPeriod("RSI", n, 1)
	return &RSI{n: n}
}

// Update adds x and returns the RSI; ok is false until n changes (n+1 values) have been seen.
func (r *RSI) Update(x float64) (v float64, ok bool) {
	if r.count == 0 {
		r.count, r.prev = 1, x
		return 50, false
	}
	d := x - r.prev
	r.prev = x
	g, l := 0.0, 0.0
	if d > 0 {
		g = d
	} else {
		l = -d
	}
	if r.count <= r.n {
		k := float64(r.count) // changes seen including this one
		r.gain += (g - r.gain) / k
		r.loss += (l - r.loss) / k
		r.count++
	} else {
		m := float64(r.n)
		r.gain = (r.gain*(m-1) + g) / m
		r.loss = (r.loss*(m-1) + l) / m
	}
	return r.value(), r.count > r.n
}

func (r *RSI) value() float64 {
	switch {
	case r.loss == 0 && r.gain == 0:
		return 50
	case r.loss == 0:
		return 100
	}
	return 100 - 100/(1+r.gain/r.loss)
}

// Value returns the current value without updating.
func (r *RSI) Value() (v float64, ok bool) {
	if r.count < 2 {
		return 50, false
	}
	return r.value(), r.count > r.n
}

// Reset forgets every value.
func (r *RSI) Reset() { r.count, r.prev, r.gain, r.loss = 0, 0, 0, 0 }

// Bollinger holds Bollinger bands: the SMA of the last n values (mid) and mid ± k standard
// deviations, the deviation being the population one (divisor n), as John Bollinger defines it.
type Bollinger struct {
	w window
	k float64
}

// NewBollinger returns bands over n values at k deviations. It panics if n < 1.
func NewBollinger(n int, k float64) *Bollinger {
	checkPeriod("Bollinger", n, 1)
	return &Bollinger{w: newWindow(n), k: k}
}

// Update adds x and returns the middle band; ok is false until n values have been seen. Bands
// returns all three.
func (b *Bollinger) Update(x float64) (mid float64, ok bool) {
	b.w.push(x)
	return b.w.mean, b.w.full()
}

// Bands returns the middle, upper and lower bands as of the last Update.
func (b *Bollinger) Bands() (mid, upper, lower float64) {
	sd := b.StdDev()
	return b.w.mean, b.w.mean + b.k*sd, b.w.mean - b.k*sd
}

// StdDev returns the population standard deviation of the window.
func (b *Bollinger) StdDev() float64 {
	if b.w.count == 0 {
		return 0
	}
	return math.Sqrt(b.w.m2 / float64(b.w.count))
}

// Reset forgets every value.
func (b *Bollinger) Reset() { b.w.reset() }

// Volatility is the rolling sample standard deviation (divisor n−1) of the last n log returns
// ln(xₜ/xₜ₋₁), optionally annualized by √(periods per year).
type Volatility struct {
	w     window
	scale float64
	prev  float64
	seen  bool
}

// NewVolatility returns the volatility of the last n log returns. periodsPerYear scales the
// result by its square root (8760 for hourly bars of a market that never closes); 0 leaves it
// per period. It panics if n < 2 or periodsPerYear < 0.
func NewVolatility(n int, periodsPerYear float64) *Volatility {
	checkPeriod("Volatility", n, 2)
	if periodsPerYear < 0 {
		panic(fmt.Sprintf("indicator: Volatility periods per year %g < 0", periodsPerYear))
	}
	scale := 1.0
	if periodsPerYear > 0 {
		scale = math.Sqrt(periodsPerYear)
	}
	return &Volatility{w: newWindow(n), scale: scale}
}

// Update adds price x (> 0) and returns the volatility; ok is false until n returns (n+1
// prices) have been seen.
func (v *Volatility) Update(x float64) (vol float64, ok bool) {
	if !v.seen {
		v.prev, v.seen = x, true
		return 0, false
	}
	v.w.push(math.Log(x / v.prev))
	v.prev = x
	return v.Value()
}

// Value returns the current value without updating.
func (v *Volatility) Value() (vol float64, ok bool) {
	if v.w.count < 2 {
		return 0, false
	}
	return math.Sqrt(v.w.m2/float64(v.w.count-1)) * v.scale, v.w.full()
}

// Reset forgets every value.
func (v *Volatility) Reset() { v.w.reset(); v.prev, v.seen = 0, false }
