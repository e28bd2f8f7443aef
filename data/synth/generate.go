package synth

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/bt-backtest/bt/data"
)

// pcgStream is the second word of the PCG state; the first is Options.Seed.
const pcgStream = 0x9e3779b97f4a7c15

// Source is the data.Series Source of everything this package generates.
const Source = "synth"

// Generate simulates the market described by opt and hands it to fn one calendar month
// (UTC) at a time: for each month, for each asset in order, its klines (funding nil),
// then its mark-price klines (unless NoMark), then its funding rates (unless NoFunding;
// klines nil). Months with no rows for a series are skipped. The slices are reused: they
// are valid only until fn returns. Generation stops at the first error fn returns.
//
// Memory is one month of rows per series; the output depends only on opt (including
// Seed), never on the clock or on map order.
func Generate(opt Options, fn func(series data.Series, klines []data.Kline, funding []data.FundingRate) error) error {
	m, err := opt.resolve()
	if err != nil {
		return err
	}
	g := newGen(m, opt.Seed)
	return g.run(!opt.NoMark, !opt.NoFunding, fn)
}

type gen struct {
	*model
	rng     *rand.Rand
	logp, b []float64 // log(price/start price), basis
	e, z    []float64
	sumP    []float64 // Σ premium (−b) since the last funding
	cntP    int
	// lastClose and lastMark are the previous bar's rounded closes; 0 before the first.
	lastClose, lastMark []float64
	kl, mk              [][]data.Kline
	fund                [][]data.FundingRate
	stressed            bool
}

func newGen(m *model, seed uint64) *gen {
	n := m.n
	g := &gen{model: m, rng: rand.New(rand.NewPCG(seed, pcgStream)),
		logp: make([]float64, n), b: make([]float64, n), e: make([]float64, n), z: make([]float64, n),
		sumP: make([]float64, n), lastClose: make([]float64, n), lastMark: make([]float64, n), kl: make([][]data.Kline, n), mk: make([][]data.Kline, n), fund: make([][]data.FundingRate, n)}
	perMonth := int(31*24*time.Hour.Milliseconds()/m.step) + 1
	perMonth = min(perMonth, int(m.nbars))
	for i := range n {
		g.kl[i] = make([]data.Kline, 0, perMonth)
		g.mk[i] = make([]data.Kline, 0, perMonth)
		g.fund[i] = make([]data.FundingRate, 0, 31*3+1)
	}
	return g
}

func nextMonth(ms int64) int64 {
	t := time.UnixMilli(ms).UTC()
	return time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
}

func (g *gen) run(mark, funding bool, fn func(data.Series, []data.Kline, []data.FundingRate) error) error {
	flush := func() error {
		for i, a := range g.assets {
			s := data.Series{Symbol: a.Symbol, Kind: data.KindKlines, Interval: g.series, Source: Source}
			if len(g.kl[i]) > 0 {
				if err := fn(s, g.kl[i], nil); err != nil {
					return err
				}
			}
			if mark && len(g.mk[i]) > 0 {
				s.Kind = data.KindMark
				if err := fn(s, g.mk[i], nil); err != nil {
					return err
				}
			}
			if funding && len(g.fund[i]) > 0 {
				s.Kind, s.Interval = data.KindFunding, ""
				if err := fn(s, nil, g.fund[i]); err != nil {
					return err
				}
			}
			g.kl[i], g.mk[i], g.fund[i] = g.kl[i][:0], g.mk[i][:0], g.fund[i][:0]
		}
		return nil
	}

	every := fundingEvery.Milliseconds()
	nextFunding := (g.start + every - 1) / every * every
	monthEnd := nextMonth(g.start)
	n, sub := g.n, g.sub
	ci := 0
	hi, lo := make([]float64, n), make([]float64, n)
	mhi, mlo := make([]float64, n), make([]float64, n)
	open, mopen := make([]float64, n), make([]float64, n)

	for bar := int64(0); bar < g.nbars; bar++ {
		t0 := g.start + bar*g.step
		if t0 >= monthEnd {
			if err := flush(); err != nil {
				return err
			}
			monthEnd = nextMonth(t0)
		}
		mult := 1.0
		if g.regimes {
			u := g.rng.Float64()
			if g.stressed && u < g.pStrOut {
				g.stressed = false
			} else if !g.stressed && u < g.pCalmOut {
				g.stressed = true
			}
			if g.stressed {
				mult = g.stress
			}
		}
		jumpSub, jump := -1, 0.0
		if g.jumps && g.rng.Float64() < g.pJump {
			jump = g.jumpMean + g.jumpSD*g.rng.NormFloat64()
			jumpSub = g.rng.IntN(sub)
		}
		for i := range n {
			open[i], hi[i], lo[i] = g.logp[i], g.logp[i], g.logp[i]
			m := g.logp[i] + g.b[i]
			mopen[i], mhi[i], mlo[i] = m, m, m
		}
		for k := range sub {
			// Funding settles at the first sub-step at or after its time.
			for nextFunding < g.end && (nextFunding-t0)*int64(sub) <= int64(k)*g.step {
				g.settle(nextFunding)
				nextFunding += every
			}
			for ci < len(g.crashes) && g.crashes[ci].bar == bar && g.crashes[ci].sub == k {
				for i, s := range g.crashes[ci].shock {
					g.logp[i] += s
				}
				ci++
			}
			for i := range n {
				g.e[i] = g.rng.NormFloat64()
			}
			for i := range n {
				row := g.chol[i*n : i*n+i+1]
				s := 0.0
				for j, l := range row {
					s += l * g.e[j]
				}
				g.z[i] = s
			}
			for i := range n {
				r := g.sdCalm[i] * mult * g.z[i]
				x := g.logp[i] + r
				if k == jumpSub {
					x += g.beta[i] * jump
				}
				g.logp[i] = x
				b := g.phi*g.b[i] - g.lag*r + g.sdBasis*g.rng.NormFloat64()
				g.b[i] = b
				hi[i], lo[i] = max(hi[i], x), min(lo[i], x)
				mhi[i], mlo[i] = max(mhi[i], x+b), min(mlo[i], x+b)
				g.sumP[i] -= b
			}
			g.cntP++
		}
		for i := range n {
			g.closeBar(i, t0, open[i], hi[i], lo[i], mopen[i], mhi[i], mlo[i], g.stressed)
		}
	}
	for nextFunding < g.end {
		g.settle(nextFunding)
		nextFunding += every
	}
	return flush()
}

// closeBar appends asset i's kline and mark kline for the bar opening at t0.
func (g *gen) closeBar(i int, t0 int64, o, h, l, mo, mh, ml float64, stressed bool) {
	a := &g.assets[i]
	c := g.logp[i]
	// The open is the previous close (the same log price), so its rounding is reused.
	k := data.Kline{OpenTime: t0, Open: g.lastClose[i], High: g.price(i, h), Low: g.price(i, l), Close: g.price(i, c)}
	if g.lastClose[i] == 0 {
		k.Open = g.price(i, o)
	}
	// Volume grows with the size of the move and in the stressed regime (a shape, not a
	// calibration): quote volume = daily × bar days × (2 if stressed) × (0.5 + 0.5|r|/σ)
	// × lognormal(σ=0.4, mean 1).
	f := (c - o) / g.barSD[i]
	q := a.DailyQuoteVolume * g.barDays * (0.5 + 0.5*math.Abs(f)) * math.Exp(0.4*g.rng.NormFloat64()-0.08)
	if stressed {
		q *= 2
	}
	vwap := (k.High + k.Low + k.Close) / 3
	k.Volume = round(q/vwap, 1e3)
	k.QuoteVolume = round(k.Volume*vwap, 1e4)
	k.Trades = max(1, int64(q/avgTradeUSDT))
	k.TakerBuyVolume = round(k.Volume*(0.5+0.2*math.Tanh(f)), 1e3)
	k.TakerBuyQuoteVolume = round(k.TakerBuyVolume*vwap, 1e4)
	g.kl[i] = append(g.kl[i], k)
	c += g.b[i]
	mk := data.Kline{OpenTime: t0, Open: g.lastMark[i], High: g.price(i, mh), Low: g.price(i, ml), Close: g.price(i, c)}
	if g.lastMark[i] == 0 {
		mk.Open = g.price(i, mo)
	}
	g.mk[i] = append(g.mk[i], mk)
	g.lastClose[i], g.lastMark[i] = k.Close, mk.Close
}

// settle appends every asset's funding rate at time t: Binance's formula
// F = P + clamp(I − P, −0.05%, +0.05%) with P the mean premium (−basis) since the last
// settlement and I = 0.01%, clamped to ±FundingCap and rounded to 1e-8.
func (g *gen) settle(t int64) {
	for i := range g.n {
		p := -g.b[i]
		if g.cntP > 0 {
			p = g.sumP[i] / float64(g.cntP)
		}
		f := p + min(max(interest-p, -premiumBand), premiumBand)
		c := g.assets[i].FundingCap
		f = min(max(f, -c), c)
		g.fund[i] = append(g.fund[i], data.FundingRate{Time: t, Rate: round(f, 1e8), IntervalHours: int32(fundingEvery / time.Hour)})
		g.sumP[i] = 0
	}
	g.cntP = 0
}

// price converts a log price to a price on asset i's tick grid, at least one tick. The
// division by an exact power of ten makes the float the nearest to the decimal, so its
// shortest representation is the tick-grid decimal.
func (g *gen) price(i int, x float64) float64 {
	p := math.Round(g.assets[i].Price * math.Exp(x) * g.pow[i])
	return max(p, 1) / g.pow[i]
}

func round(x, pow float64) float64 { return math.Round(x*pow) / pow }
