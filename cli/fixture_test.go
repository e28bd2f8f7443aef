package cli

import (
	"math"
	"testing"
	"time"

	"github.com/bt-backtest/bt/data"
	"github.com/bt-backtest/bt/data/parquet"
)

// fixtureStart is the first bar of the fixture store.
var fixtureStart = time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)

// makeStore writes a small deterministic store into dir: BTCUSDT and ETHUSDT, hours hourly
// bars from 2025-10-01 (a slow wave, then a 25% crash over a few hours at bar 300), mark
// klines 0.01% above last, and funding of 0.01% every 8h.
func makeStore(t *testing.T, dir string, hours int) {
	t.Helper()
	st, err := parquet.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []struct {
		sym  string
		base float64
	}{{"BTCUSDT", 60000}, {"ETHUSDT", 3000}} {
		var kl, mk []data.Kline
		var fr []data.FundingRate
		price := func(i int) float64 {
			p := a.base * (1 + 0.04*math.Sin(float64(i)/15) + 0.0005*float64(i%7))
			if i >= 300 {
				p *= 0.75 + 0.05*math.Min(1, float64(i-300)/50)
			} else if i >= 296 {
				p *= 1 - 0.0625*float64(i-295)
			}
			return math.Round(p*100) / 100
		}
		for i := range hours {
			open, cl := price(max(i-1, 0)), price(i)
			hi, lo := math.Max(open, cl)*1.002, math.Min(open, cl)*0.998
			hi, lo = math.Round(hi*100)/100, math.Round(lo*100)/100
			ot := fixtureStart.Add(time.Duration(i) * time.Hour).UnixMilli()
			kl = append(kl, data.Kline{OpenTime: ot, Open: open, High: hi, Low: lo, Close: cl, Volume: 100})
			m := func(x float64) float64 { return math.Round(x*1.0001*100) / 100 }
			mk = append(mk, data.Kline{OpenTime: ot, Open: m(open), High: m(hi), Low: m(lo), Close: m(cl)})
			if i%8 == 0 {
				fr = append(fr, data.FundingRate{Time: ot, Rate: 0.0001, IntervalHours: 8})
			}
		}
		if _, err := st.WriteKlines(data.Series{Symbol: a.sym, Kind: data.KindKlines, Interval: "1h", Source: "test"}, kl); err != nil {
			t.Fatal(err)
		}
		if _, err := st.WriteKlines(data.Series{Symbol: a.sym, Kind: data.KindMark, Interval: "1h", Source: "test"}, mk); err != nil {
			t.Fatal(err)
		}
		if _, err := st.WriteFunding(data.Series{Symbol: a.sym, Kind: data.KindFunding, Source: "test"}, fr); err != nil {
			t.Fatal(err)
		}
	}
}
