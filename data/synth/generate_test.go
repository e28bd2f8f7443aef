package synth

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/bt-backtest/bt/data"
)

// output is everything Generate produced, concatenated per series, in callback order.
type output struct {
	order   []data.Series
	klines  map[data.Series][]data.Kline
	funding map[data.Series][]data.FundingRate
}

func collect(t testing.TB, opt Options) *output {
	t.Helper()
	out := &output{klines: map[data.Series][]data.Kline{}, funding: map[data.Series][]data.FundingRate{}}
	err := Generate(opt, func(s data.Series, k []data.Kline, f []data.FundingRate) error {
		out.order = append(out.order, s)
		out.klines[s] = append(out.klines[s], k...)
		out.funding[s] = append(out.funding[s], f...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func ser(sym string, kind data.Kind, interval string) data.Series {
	if kind == data.KindFunding {
		interval = ""
	}
	return data.Series{Symbol: sym, Kind: kind, Interval: interval, Source: Source}
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// Two runs with the same options give identical rows; another seed does not.
func TestDeterminism(t *testing.T) {
	opt := Options{Start: day("2025-01-30"), End: day("2025-03-02"), Interval: "15m", Seed: 42,
		Crashes: []Crash{{Time: day("2025-02-10"), Size: -0.2}}}
	a, b := collect(t, opt), collect(t, opt)
	if !slices.Equal(a.order, b.order) {
		t.Fatal("callback order differs")
	}
	for s, k := range a.klines {
		if !slices.Equal(k, b.klines[s]) || !slices.Equal(a.funding[s], b.funding[s]) {
			t.Fatalf("%v differs between runs", s)
		}
	}
	opt.Seed = 43
	c := collect(t, opt)
	s := ser("BTCUSDT", data.KindKlines, "15m")
	if slices.Equal(a.klines[s], c.klines[s]) {
		t.Error("seed 43 gave the same BTC klines as seed 42")
	}
	// Dropping mark and funding does not change the klines.
	opt.Seed, opt.NoMark, opt.NoFunding = 42, true, true
	d := collect(t, opt)
	if !slices.Equal(a.klines[s], d.klines[s]) {
		t.Error("NoMark/NoFunding changed the klines")
	}
	if _, ok := d.klines[ser("BTCUSDT", data.KindMark, "15m")]; ok {
		t.Error("NoMark still produced mark klines")
	}
}

// Callbacks come month by month, assets in order, klines → mark → funding.
func TestCallbackOrder(t *testing.T) {
	opt := Options{Symbols: []string{"ETHUSDT", "BTCUSDT"}, Start: day("2025-01-31"), End: day("2025-02-02"), Seed: 1}
	out := collect(t, opt)
	var got []string
	for _, s := range out.order {
		got = append(got, s.Symbol+"/"+string(s.Kind))
	}
	want := []string{"ETHUSDT/klines", "ETHUSDT/mark", "ETHUSDT/funding", "BTCUSDT/klines", "BTCUSDT/mark", "BTCUSDT/funding"}
	want = append(want, want...) // January, then February
	if !slices.Equal(got, want) {
		t.Errorf("order = %v\nwant %v", got, want)
	}
	if k := out.klines[ser("ETHUSDT", data.KindKlines, "1h")]; len(k) != 48 || k[0].Open != 2920.50 {
		t.Errorf("ETH: %d klines, first %+v", len(k), k[0])
	}
}

// Invariants on every bar of every series of the default universe.
func TestInvariants(t *testing.T) {
	opt := Options{Start: day("2025-10-01"), End: day("2025-11-01"), Interval: "5m", Seed: 7,
		Crashes: []Crash{{Time: time.Date(2025, 10, 10, 21, 0, 0, 0, time.UTC), Size: -0.25}}}
	out := collect(t, opt)
	step := int64(5 * 60_000)
	for _, a := range Universe() {
		kl := out.klines[ser(a.Symbol, data.KindKlines, "5m")]
		mk := out.klines[ser(a.Symbol, data.KindMark, "5m")]
		if len(kl) != 31*288 || len(mk) != len(kl) {
			t.Fatalf("%s: %d klines, %d mark, want %d", a.Symbol, len(kl), len(mk), 31*288)
		}
		maxBasis := 0.0
		for i := range kl {
			for _, k := range []data.Kline{kl[i], mk[i]} {
				if !(k.Low > 0) || k.Low > min(k.Open, k.Close) || k.High < max(k.Open, k.Close) {
					t.Fatalf("%s %d: OHLC violation %+v", a.Symbol, i, k)
				}
				if onTick(k.Open, a.Tick) != k.Open || onTick(k.Low, a.Tick) != k.Low {
					t.Fatalf("%s %d: price off tick %v: %+v", a.Symbol, i, a.Tick, k)
				}
				if k.OpenTime != opt.Start.UnixMilli()+int64(i)*step {
					t.Fatalf("%s %d: open time %d", a.Symbol, i, k.OpenTime)
				}
			}
			if i > 0 && (kl[i].Open != kl[i-1].Close || mk[i].Open != mk[i-1].Close) {
				t.Fatalf("%s %d: open != previous close", a.Symbol, i)
			}
			k := kl[i]
			if k.Volume < 0 || k.TakerBuyVolume < 0 || k.TakerBuyVolume > k.Volume || k.Trades < 1 {
				t.Fatalf("%s %d: bad volumes %+v", a.Symbol, i, k)
			}
			maxBasis = max(maxBasis, math.Abs(mk[i].Close/k.Close-1))
		}
		// Basis: stationary sd ~3-5 bp; 1% would be a modelling bug.
		if maxBasis > 0.01 {
			t.Errorf("%s: max |mark/last - 1| = %.4f, want < 1%%", a.Symbol, maxBasis)
		}
		fr := out.funding[ser(a.Symbol, data.KindFunding, "")]
		if len(fr) != 31*3 {
			t.Errorf("%s: %d funding rows, want %d", a.Symbol, len(fr), 31*3)
		}
		for i, f := range fr {
			if f.Time != opt.Start.UnixMilli()+int64(i)*8*3600_000 || f.IntervalHours != 8 || math.Abs(f.Rate) > a.FundingCap {
				t.Fatalf("%s funding %d: %+v", a.Symbol, i, f)
			}
			if h := time.UnixMilli(f.Time).UTC().Hour(); h%8 != 0 {
				t.Fatalf("%s funding at %02d:00", a.Symbol, h)
			}
		}
	}
}

func onTick(p, tick float64) float64 {
	d := math.Round(-math.Log10(tick))
	return math.Round(p*math.Pow(10, d)) / math.Pow(10, d)
}

// logReturns returns close-to-close log returns.
func logReturns(k []data.Kline) []float64 {
	r := make([]float64, len(k)-1)
	for i := range r {
		r[i] = math.Log(k[i+1].Close / k[i].Close)
	}
	return r
}

func stats(x, y []float64) (sx, sy, rho float64) {
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(len(x))
	my /= float64(len(y))
	var vx, vy, cxy float64
	for i := range x {
		vx += (x[i] - mx) * (x[i] - mx)
		vy += (y[i] - my) * (y[i] - my)
		cxy += (x[i] - mx) * (y[i] - my)
	}
	return math.Sqrt(vx / float64(len(x))), math.Sqrt(vy / float64(len(y))), cxy / math.Sqrt(vx*vy)
}

// Realized annualized volatility and pairwise correlation of one year of 1h returns
// are what was asked. With regimes and jumps off, returns are Gaussian: the standard
// error of the realized vol is vol/√(2·8760) ≈ 0.8% of it and of rho about
// (1−rho²)/√8760 ≈ 0.007, so 5% and 0.03 are several standard errors. With regimes and
// jumps on (the defaults) the sample variance is much noisier (about 11 stress spells a
// year), so the tolerance is 20% and 0.08.
func TestStatistics(t *testing.T) {
	tests := []struct {
		name           string
		regimes, jumps bool
		rho            float64
		volTol, rhoTol float64
	}{
		{"gaussian", false, false, 0.6, 0.05, 0.03},
		{"gaussian rho 0.3", false, false, 0.3, 0.05, 0.03},
		{"regimes and jumps", true, true, 0.6, 0.20, 0.08},
	}
	assets := []Asset{
		{Symbol: "AAA", Price: 100, Tick: 0.0001, AnnualVol: 0.5},
		{Symbol: "BBB", Price: 10, Tick: 0.00001, AnnualVol: 0.9},
		{Symbol: "CCC", Price: 1000, Tick: 0.001, AnnualVol: 0.3},
	}
	for _, tt := range tests {
		for _, seed := range []uint64{1, 2} {
			t.Run(fmt.Sprintf("%s/seed%d", tt.name, seed), func(t *testing.T) {
				opt := Options{Assets: assets, Start: day("2024-01-01"), End: day("2025-01-01"), Seed: seed,
					Correlation: tt.rho, Regimes: Regimes{Off: !tt.regimes}, Jumps: Jumps{Off: !tt.jumps}, NoMark: true, NoFunding: true}
				out := collect(t, opt)
				r := make([][]float64, len(assets))
				for i, a := range assets {
					r[i] = logReturns(out.klines[ser(a.Symbol, data.KindKlines, "1h")])
				}
				perYear := math.Sqrt(365.25 * 24)
				for i := range assets {
					j := (i + 1) % len(assets)
					si, _, rho := stats(r[i], r[j])
					vol := si * perYear
					if want := assets[i].AnnualVol; math.Abs(vol/want-1) > tt.volTol {
						t.Errorf("%s: realized vol %.4f, want %.2f ± %.0f%%", assets[i].Symbol, vol, want, 100*tt.volTol)
					}
					if math.Abs(rho-tt.rho) > tt.rhoTol {
						t.Errorf("%s/%s: realized rho %.4f, want %.2f ± %.2f", assets[i].Symbol, assets[j].Symbol, rho, tt.rho, tt.rhoTol)
					}
				}
			})
		}
	}
}

// A market crash moves the reference asset by its size and the others by their beta,
// in the bar that contains its time, and the basis stays small around it.
func TestCrash(t *testing.T) {
	at := time.Date(2025, 10, 10, 21, 0, 0, 0, time.UTC)
	opt := Options{Symbols: []string{"BTCUSDT", "ETHUSDT", "ZECUSDT"}, Start: day("2025-10-01"), End: day("2025-10-20"),
		Seed: 3, Regimes: Regimes{Off: true}, Jumps: Jumps{Off: true},
		Crashes: []Crash{{Time: at, Size: -0.25}, {Time: at.Add(48 * time.Hour), Size: 0.5, Symbol: "ETHUSDT"}}}
	out := collect(t, opt)
	u := Universe()
	vol := map[string]float64{"BTCUSDT": u[0].AnnualVol, "ETHUSDT": u[1].AnnualVol, "ZECUSDT": u[11].AnnualVol}
	bar := int(at.Sub(opt.Start) / time.Hour)
	for _, sym := range opt.Symbols {
		k := out.klines[ser(sym, data.KindKlines, "1h")]
		if k[bar].OpenTime != at.UnixMilli() {
			t.Fatalf("bar %d opens at %d", bar, k[bar].OpenTime)
		}
		// beta = rho × vol_i / vol_BTC with rho 0.6 (1 for BTC itself).
		beta := 0.6 * vol[sym] / vol["BTCUSDT"]
		if sym == "BTCUSDT" {
			beta = 1
		}
		want := beta * math.Log(0.75)
		got := math.Log(k[bar].Close / k[bar].Open)
		// One hour of diffusion has sd vol/√8766 ≤ 1.1%; allow 4 sd.
		if sd := vol[sym] / math.Sqrt(8766); math.Abs(got-want) > 4*sd {
			t.Errorf("%s: crash bar log return %.4f, want %.4f ± %.4f", sym, got, want, 4*sd)
		}
		// The bars around it are ordinary.
		for _, b := range []int{bar - 1, bar + 1} {
			if r := math.Log(k[b].Close / k[b].Open); math.Abs(r) > 0.05 {
				t.Errorf("%s: bar %d moved %.4f", sym, b, r)
			}
		}
		mk := out.klines[ser(sym, data.KindMark, "1h")]
		if d := math.Abs(mk[bar].Close/k[bar].Close - 1); d > 0.01 {
			t.Errorf("%s: mark/last after the crash differs by %.4f", sym, d)
		}
	}
	eth := out.klines[ser("ETHUSDT", data.KindKlines, "1h")]
	btc := out.klines[ser("BTCUSDT", data.KindKlines, "1h")]
	if r := eth[bar+48].Close / eth[bar+48].Open; r < 1.4 || r > 1.6 {
		t.Errorf("ETH-only +50%% crash: bar return %.4f", r)
	}
	if r := btc[bar+48].Close / btc[bar+48].Open; math.Abs(r-1) > 0.05 {
		t.Errorf("ETH-only crash moved BTC by %.4f", r)
	}
}

// Funding follows the premium (−basis): when last trades above mark for a whole
// interval, funding is above the 0.01% interest; it is clamped to the cap.
func TestFundingFollowsBasis(t *testing.T) {
	g := newGen(mustResolve(t, Options{Symbols: []string{"BTCUSDT", "ETHUSDT"}, Start: day("2025-01-01"), End: day("2025-01-02")}), 1)
	tests := []struct{ b, want float64 }{
		{0, 0.0001},       // P = 0: F = I
		{-0.0003, 0.0001}, // P = 3 bp: I − P = −2 bp is inside the band: F = I
		{-0.001, 0.0005},  // P = 10 bp: F = P − 5 bp
		{0.0002, 0.0001},  // P = −2 bp: I − P = 3 bp within the band: F = I
		{0.002, -0.0015},  // P = −20 bp: F = P + 5 bp
		{-0.01, 0.003},    // P = 1%: F = 0.95%, capped at 0.3% for BTC
	}
	for _, tt := range tests {
		for i := range g.n {
			g.sumP[i] = -tt.b * 4
		}
		g.cntP = 4
		g.settle(0)
		if got := g.fund[0][len(g.fund[0])-1].Rate; math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("basis %v: funding %v, want %v", tt.b, got, tt.want)
		}
	}
}

func mustResolve(t *testing.T, o Options) *model {
	t.Helper()
	m, err := o.resolve()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestParseCrash(t *testing.T) {
	at := time.Date(2025, 10, 10, 21, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want Crash
	}{
		{"2025-10-10T21:00Z:-0.25", Crash{at, -0.25, ""}},
		{"2025-10-10T21:00:00Z:-25%", Crash{at, -0.25, ""}},
		{"2025-10-10T23:00+02:00:-0.25", Crash{at, -0.25, ""}},
		{"2025-10-10T21:00:-0.25:ZECUSDT", Crash{at, -0.25, "ZECUSDT"}},
		{"2025-10-10:0.1", Crash{day("2025-10-10"), 0.1, ""}},
	}
	for _, tt := range tests {
		got, err := ParseCrash(tt.in)
		if err != nil || !got.Time.Equal(tt.want.Time) || got.Size != tt.want.Size || got.Symbol != tt.want.Symbol {
			t.Errorf("ParseCrash(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "2025-10-10T21:00Z", "2025-10-10T21:00Z:-1", "2025-10-10T21:00Z:x", "yesterday:-0.2", "2025-10-10T21:00Z:NaN", "2025-10-10T21:00Z:-0.2:BTC:x"} {
		if _, err := ParseCrash(bad); !errors.Is(err, ErrCrash) {
			t.Errorf("ParseCrash(%q): err = %v, want ErrCrash", bad, err)
		}
	}
}

func TestValidate(t *testing.T) {
	base := Options{Start: day("2025-01-01"), End: day("2025-02-01")}
	bad := map[string]func(o *Options){
		"no range":      func(o *Options) { o.Start = time.Time{} },
		"end before":    func(o *Options) { o.End = day("2024-01-01") },
		"interval":      func(o *Options) { o.Interval = "7m" },
		"symbol":        func(o *Options) { o.Symbols = []string{"FOOUSDT"} },
		"rho":           func(o *Options) { o.Correlation = 1 },
		"rho low":       func(o *Options) { o.Correlation = -0.2 }, // 12 assets: rho > -1/11
		"corr shape":    func(o *Options) { o.Corr = [][]float64{{1}} },
		"crash outside": func(o *Options) { o.Crashes = []Crash{{Time: day("2026-01-01"), Size: -0.1}} },
		"crash symbol":  func(o *Options) { o.Crashes = []Crash{{Time: day("2025-01-02"), Size: -0.1, Symbol: "X"}} },
		"jumps too big": func(o *Options) { o.Jumps.StdDev = 1 },
		"tick":          func(o *Options) { o.Assets = []Asset{{Symbol: "A", Price: 1, Tick: 0.25}} },
		"price":         func(o *Options) { o.Assets = []Asset{{Symbol: "A", Price: math.NaN(), Tick: 0.1}} },
		"duplicate asset": func(o *Options) {
			o.Assets = []Asset{{Symbol: "A", Price: 1, Tick: 0.1}, {Symbol: "A", Price: 1, Tick: 0.1}}
		},
		"substeps": func(o *Options) { o.SubSteps = -1 },
		"stress":   func(o *Options) { o.Regimes.StressVol = -1 },
	}
	for name, f := range bad {
		o := base
		f(&o)
		if err := o.Validate(); !errors.Is(err, ErrOptions) {
			t.Errorf("%s: err = %v, want ErrOptions", name, err)
		}
	}
	if err := base.Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
	// Not positive definite: rho(a,b) = 0.9, rho(a,c) = 0.9, rho(b,c) = -0.9.
	o := base
	o.Symbols = []string{"BTCUSDT", "ETHUSDT", "SOLUSDT"}
	o.Corr = [][]float64{{1, 0.9, 0.9}, {0.9, 1, -0.9}, {0.9, -0.9, 1}}
	if err := o.Validate(); !errors.Is(err, ErrOptions) {
		t.Errorf("indefinite Corr: err = %v", err)
	}
}

// Funding varies with the basis, and so with the recent move: the mark price lags, so
// after a rise last trades above mark, the premium is positive and funding exceeds the
// 0.01% interest; after a fall it is below. Over a year of 1h bars, when funding differs
// from 0.01% its sign agrees with the sign of the trailing 8h return 90% of the time or more (0.97–0.99 with this seed).
func TestFundingVaries(t *testing.T) {
	opt := Options{Symbols: []string{"BTCUSDT", "DOGEUSDT"}, Start: day("2024-01-01"), End: day("2025-01-01"), Seed: 1, NoMark: true}
	out := collect(t, opt)
	for _, sym := range opt.Symbols {
		k := out.klines[ser(sym, data.KindKlines, "1h")]
		f := out.funding[ser(sym, data.KindFunding, "")]
		var differ, agree int
		for i, r := range f[1:] {
			bar := (i + 1) * 8 // funding i+1 settles at the open of this bar
			if r.Rate == interest {
				continue
			}
			differ++
			move := k[bar-1].Close - k[bar-8].Open
			if (r.Rate > interest) == (move > 0) {
				agree++
			}
		}
		if differ < len(f)/20 {
			t.Errorf("%s: only %d of %d funding rates differ from 0.01%%", sym, differ, len(f))
		}
		if frac := float64(agree) / float64(differ); frac < 0.9 {
			t.Errorf("%s: funding agrees with the trailing 8h move %.2f of the time, want > 0.9", sym, frac)
		}
	}
}

// Extending End leaves the earlier bars unchanged (draws are made bar by bar).
func TestPrefixStable(t *testing.T) {
	short := collect(t, Options{Symbols: []string{"SOLUSDT", "ADAUSDT"}, Start: day("2025-03-01"), End: day("2025-04-01"), Interval: "5m", Seed: 5})
	long := collect(t, Options{Symbols: []string{"SOLUSDT", "ADAUSDT"}, Start: day("2025-03-01"), End: day("2025-05-01"), Interval: "5m", Seed: 5})
	for s, k := range short.klines {
		if s.Kind == data.KindFunding {
			f := short.funding[s]
			if l := long.funding[s]; len(f) != 31*3 || len(l) <= len(f) || !slices.Equal(l[:len(f)], f) {
				t.Errorf("%v: March funding differs when End moves to May", s)
			}
			continue
		}
		if l := long.klines[s]; len(l) <= len(k) || !slices.Equal(l[:len(k)], k) {
			t.Errorf("%v: March differs when End moves to May", s)
		}
	}
}

// Every interval gives the right bar count and funding at 00:00, 08:00, 16:00 UTC.
func TestIntervals(t *testing.T) {
	for _, iv := range intervals {
		opt := Options{Symbols: []string{"XRPUSDT"}, Start: day("2025-02-27"), End: day("2025-03-03"), Interval: iv, Seed: 2}
		out := collect(t, opt)
		k := out.klines[ser("XRPUSDT", data.KindKlines, iv)]
		if want := int(4 * 24 * time.Hour / intervalDuration(iv)); len(k) != want {
			t.Errorf("%s: %d bars, want %d", iv, len(k), want)
		}
		f := out.funding[ser("XRPUSDT", data.KindFunding, "")]
		if len(f) != 12 {
			t.Errorf("%s: %d funding rows, want 12", iv, len(f))
		}
		for i, r := range f {
			if r.Time != opt.Start.Add(time.Duration(i)*8*time.Hour).UnixMilli() {
				t.Errorf("%s: funding %d at %s", iv, i, time.UnixMilli(r.Time).UTC())
			}
		}
	}
}
