package synth

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

const (
	year         = 365.25 * 24 * time.Hour
	fundingEvery = 8 * time.Hour
	interest     = 0.0001 // I: interest component of funding per 8h
	premiumBand  = 0.0005 // clamp(I − P, −0.05%, +0.05%)
	avgTradeUSDT = 4000.0 // mean quote size of one trade, for the trade count
)

// model is Options resolved into per-step parameters.
type model struct {
	assets   []Asset
	n        int
	dec      []int     // price decimals (Tick = 10^-dec)
	pow      []float64 // 10^dec
	series   string    // interval
	start    int64     // ms, first bar open
	end      int64     // ms, exclusive
	step     int64     // bar length, ms
	nbars    int64
	sub      int     // sub-steps per bar
	barDays  float64 // bar length in days
	chol     []float64
	sdCalm   []float64 // per sub-step diffusion sd in the calm regime
	barSD    []float64 // per bar calm sd
	beta     []float64 // to the reference asset
	stress   float64   // stressed/calm vol ratio; 1 when regimes are off
	pCalmOut float64   // per bar probability calm → stressed
	pStrOut  float64   // per bar probability stressed → calm
	regimes  bool
	jumps    bool
	pJump    float64 // per bar
	jumpMean float64
	jumpSD   float64
	phi      float64 // basis decay per sub-step
	sdBasis  float64 // basis innovation sd per sub-step
	lag      float64
	crashes  []crashAt
}

type crashAt struct {
	bar   int64
	sub   int
	shock []float64 // log shock per asset
}

func (o *Options) resolve() (*model, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrOptions}, args...)...)
	}
	m := &model{series: o.Interval}
	if m.series == "" {
		m.series = "1h"
	}
	d := intervalDuration(m.series)
	if d == 0 {
		return nil, bad("interval %q: want one of %v", o.Interval, intervals)
	}
	m.step = d.Milliseconds()
	if o.Start.IsZero() || o.End.IsZero() {
		return nil, bad("a start and an end time are required (--start, --end)")
	}
	m.start = floorDiv(o.Start.UnixMilli(), m.step) * m.step
	m.end = o.End.UnixMilli()
	if m.end <= m.start {
		return nil, bad("the end (%s) is not after the start (%s)", o.End.UTC().Format(time.RFC3339), o.Start.UTC().Format(time.RFC3339))
	}
	m.nbars = (m.end - m.start + m.step - 1) / m.step
	m.barDays = d.Hours() / 24
	m.sub = o.SubSteps
	if m.sub == 0 {
		m.sub = 8
	}
	if m.sub < 1 || m.sub > 1000 {
		return nil, bad("sub-steps per bar (SubSteps) %d: want 1..1000", o.SubSteps)
	}

	// Assets.
	all := o.Assets
	if all == nil {
		all = Universe()
	}
	if o.Symbols == nil {
		m.assets = slices.Clone(all)
	} else {
		for _, s := range o.Symbols {
			i := slices.IndexFunc(all, func(a Asset) bool { return a.Symbol == s })
			if i < 0 {
				return nil, bad("unknown symbol %q: the synthetic universe has %s", s, symbolList(all))
			}
			m.assets = append(m.assets, all[i])
		}
	}
	m.n = len(m.assets)
	if m.n == 0 {
		return nil, bad("no assets")
	}
	defVol := or(o.AnnualVol, 0.6)
	for i := range m.assets {
		a := &m.assets[i]
		if a.Symbol == "" || slices.IndexFunc(m.assets[:i], func(b Asset) bool { return b.Symbol == a.Symbol }) >= 0 {
			return nil, bad("asset %d: empty or duplicate symbol %q", i, a.Symbol)
		}
		a.AnnualVol = or(a.AnnualVol, defVol)
		a.DailyQuoteVolume = or(a.DailyQuoteVolume, 1e9)
		a.FundingCap = or(a.FundingCap, 0.0075)
		if !finitePos(a.Price) || !finitePos(a.AnnualVol) || !finitePos(a.DailyQuoteVolume) || !finitePos(a.FundingCap) || a.AnnualVol > 10 {
			return nil, bad("%s: price, annual volatility (--vol, at most 10), daily volume and funding cap must be finite and > 0", a.Symbol)
		}
		dec := int(math.Round(-math.Log10(a.Tick)))
		if !(a.Tick > 0) || dec < 0 || dec > 10 || math.Abs(a.Tick-math.Pow10(-dec)) > 1e-9*a.Tick {
			return nil, bad("%s: tick %v is not a power of ten in 1e-10..1", a.Symbol, a.Tick)
		}
		m.dec = append(m.dec, dec)
		m.pow = append(m.pow, math.Pow10(dec))
	}

	// Correlation.
	corr := o.Corr
	if corr == nil {
		rho := or(o.Correlation, 0.6)
		if !(rho < 1) || (m.n > 1 && rho <= -1/float64(m.n-1)) {
			return nil, bad("correlation %v (--corr): want more than -1/(n-1) = %.3g (n = %d symbols) and less than 1", rho, -1/float64(max(m.n-1, 1)), m.n)
		}
		corr = make([][]float64, m.n)
		for i := range corr {
			corr[i] = make([]float64, m.n)
			for j := range corr[i] {
				corr[i][j] = rho
			}
			corr[i][i] = 1
		}
	}
	var err error
	if m.chol, err = cholesky(corr, m.n); err != nil {
		return nil, bad("correlation matrix: %v", err)
	}
	for i := range m.assets {
		m.beta = append(m.beta, corr[i][0]*m.assets[i].AnnualVol/m.assets[0].AnnualVol)
	}

	// Regimes.
	m.stress = 1
	piStress := 0.0
	if m.regimes = !o.Regimes.Off; m.regimes {
		m.stress = or(o.Regimes.StressVol, 2.5)
		calm, str := or(o.Regimes.CalmDays, 30), or(o.Regimes.StressDays, 3)
		if !finitePos(m.stress) || !finitePos(calm) || !finitePos(str) {
			return nil, bad("Regimes: StressVol, CalmDays and StressDays must be > 0")
		}
		m.pCalmOut = math.Min(1, m.barDays/calm)
		m.pStrOut = math.Min(1, m.barDays/str)
		piStress = m.pCalmOut / (m.pCalmOut + m.pStrOut)
	}

	// Jumps.
	jumpVar := 0.0
	if m.jumps = !o.Jumps.Off; m.jumps {
		perYear := or(o.Jumps.PerYear, 6)
		m.jumpMean, m.jumpSD = o.Jumps.Mean, or(o.Jumps.StdDev, 0.03)
		barYears := float64(d) / float64(year)
		m.pJump = perYear * barYears
		if !finitePos(perYear) || !finitePos(m.jumpSD) || math.IsNaN(m.jumpMean) || math.IsInf(m.jumpMean, 0) || m.pJump >= 0.5 {
			return nil, bad("Jumps: PerYear, StdDev must be > 0 and PerYear × bar length < 0.5")
		}
		jumpVar = perYear * (m.jumpMean*m.jumpMean + m.jumpSD*m.jumpSD)
	}

	// Diffusion: the rest of each asset's variance, split between the regimes.
	subYears := float64(d) / float64(m.sub) / float64(year)
	for i, a := range m.assets {
		diff := a.AnnualVol*a.AnnualVol - m.beta[i]*m.beta[i]*jumpVar
		if diff <= 0 {
			return nil, bad("%s: the jumps alone are more volatile than the annual volatility %v (--vol): raise it, or --no-jumps", a.Symbol, a.AnnualVol)
		}
		calmVar := diff / (1 - piStress + piStress*m.stress*m.stress)
		m.sdCalm = append(m.sdCalm, math.Sqrt(calmVar*subYears))
		m.barSD = append(m.barSD, math.Sqrt(calmVar*subYears*float64(m.sub)))
	}

	// Basis.
	hl := o.Basis.HalfLife
	if hl == 0 {
		hl = time.Hour
	}
	sd := or(o.Basis.StdDev, 0.0003)
	m.lag = or(o.Basis.Lag, 0.1)
	if m.lag < 0 {
		m.lag = 0
	}
	if hl < 0 || !finitePos(sd) || m.lag > 1 {
		return nil, bad("Basis: HalfLife and StdDev must be > 0, Lag <= 1")
	}
	m.phi = math.Exp(-math.Ln2 * float64(d) / float64(m.sub) / float64(hl))
	m.sdBasis = sd * math.Sqrt(1-m.phi*m.phi)

	// Crashes.
	for _, c := range o.Crashes {
		t := c.Time.UnixMilli()
		if t < m.start || t >= m.end {
			return nil, bad("crash %v (--crash): its time is outside the simulated range %s to %s", c,
				time.UnixMilli(m.start).UTC().Format(time.RFC3339), time.UnixMilli(m.end).UTC().Format(time.RFC3339))
		}
		if !(c.Size > -1) || math.IsInf(c.Size, 0) {
			return nil, bad("crash %v (--crash): size %v: want a number > -1 (-0.25 is a 25%% drop)", c, c.Size)
		}
		off := t - m.start
		ca := crashAt{bar: off / m.step, sub: int((off % m.step) * int64(m.sub) / m.step), shock: make([]float64, m.n)}
		if c.Symbol == "" {
			for i := range ca.shock {
				ca.shock[i] = m.beta[i] * math.Log1p(c.Size)
			}
		} else {
			i := slices.IndexFunc(m.assets, func(a Asset) bool { return a.Symbol == c.Symbol })
			if i < 0 {
				return nil, bad("crash %v (--crash): %s is not among the simulated symbols (%s)", c, c.Symbol, symbolList(m.assets))
			}
			ca.shock[i] = math.Log1p(c.Size)
		}
		m.crashes = append(m.crashes, ca)
	}
	slices.SortStableFunc(m.crashes, func(a, b crashAt) int {
		return cmp.Or(cmp.Compare(a.bar, b.bar), cmp.Compare(a.sub, b.sub))
	})
	return m, nil
}

// cholesky returns the lower-triangular factor of the n×n matrix c, row-major, after
// checking symmetry and a unit diagonal.
func cholesky(c [][]float64, n int) ([]float64, error) {
	if len(c) != n {
		return nil, fmt.Errorf("%d rows for %d assets", len(c), n)
	}
	for i := range c {
		if len(c[i]) != n {
			return nil, fmt.Errorf("row %d has %d columns, want %d", i, len(c[i]), n)
		}
		if c[i][i] != 1 {
			return nil, fmt.Errorf("diagonal [%d][%d] = %v, want 1", i, i, c[i][i])
		}
		for j := range i {
			if c[i][j] != c[j][i] || math.Abs(c[i][j]) > 1 || math.IsNaN(c[i][j]) {
				return nil, fmt.Errorf("[%d][%d] = %v: not symmetric or |rho| > 1", i, j, c[i][j])
			}
		}
	}
	l := make([]float64, n*n)
	for i := range n {
		for j := 0; j <= i; j++ {
			s := c[i][j]
			for k := range j {
				s -= l[i*n+k] * l[j*n+k]
			}
			if i == j {
				if s <= 1e-12 {
					return nil, fmt.Errorf("not positive definite")
				}
				l[i*n+i] = math.Sqrt(s)
			} else {
				l[i*n+j] = s / l[j*n+j]
			}
		}
	}
	return l, nil
}

func or(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

func finitePos(v float64) bool { return v > 0 && !math.IsInf(v, 1) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// symbolList names the symbols of assets, for an error.
func symbolList(assets []Asset) string {
	names := make([]string, len(assets))
	for i, a := range assets {
		names[i] = a.Symbol
	}
	return strings.Join(names, ", ")
}
