package synth_test

import (
	"fmt"
	"time"

	"github.com/bt-backtest/bt/data"
	"github.com/bt-backtest/bt/data/synth"
)

// Two days of 4h bars for BTC and ETH with a −25% market crash on the second day. The
// reference asset (BTC, listed first) drops by the full 25% in the crash bar; ETH by
// its beta (0.6 × 0.7 / 0.5 = 0.84) times ln(0.75), about −21.5%, plus the bar's noise.
func ExampleGenerate() {
	crash, err := synth.ParseCrash("2025-10-10T20:00Z:-0.25")
	if err != nil {
		panic(err)
	}
	opt := synth.Options{
		Symbols:  []string{"BTCUSDT", "ETHUSDT"},
		Start:    time.Date(2025, 10, 9, 0, 0, 0, 0, time.UTC),
		End:      time.Date(2025, 10, 11, 0, 0, 0, 0, time.UTC),
		Interval: "4h",
		Seed:     1,
		Jumps:    synth.Jumps{Off: true},
		Crashes:  []synth.Crash{crash},
	}
	err = synth.Generate(opt, func(s data.Series, k []data.Kline, f []data.FundingRate) error {
		switch s.Kind {
		case data.KindKlines:
			last := k[len(k)-1]
			fmt.Printf("%s: %d bars, crash bar %+.1f%%\n", s.Symbol, len(k), 100*(last.Close/last.Open-1))
		case data.KindFunding:
			fmt.Printf("%s: %d funding rates, first at %s\n", s.Symbol, len(f), time.UnixMilli(f[0].Time).UTC().Format("15:04"))
		}
		return nil
	})
	if err != nil {
		panic(err)
	}
	// Output:
	// BTCUSDT: 12 bars, crash bar -25.6%
	// BTCUSDT: 6 funding rates, first at 00:00
	// ETHUSDT: 12 bars, crash bar -22.2%
	// ETHUSDT: 6 funding rates, first at 00:00
}
