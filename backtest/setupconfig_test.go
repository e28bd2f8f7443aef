package backtest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// paramChaos is chaos that skips the symbol named by its "skip" parameter: the parameter
// changes what it trades.
type paramChaos struct{ chaos }

func (p *paramChaos) OnBar(br *Broker, b Bar) error {
	if s, _ := br.Param("skip"); s == b.Symbol {
		return nil
	}
	return p.chaos.OnBar(br, b)
}

// Accounts of several configurations in one run (Setup.Config) book exactly what each
// configuration books in a run of its own: same fingerprints, account by account, sequential
// or parallel, whatever the run's own per-account settings.
func TestSetupConfigMatchesSeparateRuns(t *testing.T) {
	symbols := []string{"AAA", "BBB", "CCC"}
	k, m, f := market(4, symbols, 300)
	newStrat := func() Strategy { return &paramChaos{chaos{n: map[string]int{}}} }
	variant := func(lev int, wallet, taker string, slip float64, skip string, stop bool) Config {
		c := chaosConfig(symbols, false)
		c.DefaultLeverage, c.Wallet, c.SlippageBps, c.StopOnLiquidation = lev, d(wallet), slip, stop
		fee := d(taker)
		c.TakerFee = &fee
		c.Params = map[string]string{"skip": skip}
		c.Leverage = map[string]int{"CCC": lev / 2}
		return c
	}
	variants := []Config{
		variant(20, "10000", "0.0004", 2, "", false),
		variant(5, "300", "0.0004", 2, "", false),  // 2000 USDT entries need 400 at 5x: refused
		variant(20, "300", "0.0004", 2, "", false), // and 100 at 20x: accepted
		variant(20, "3000", "0.0005", 0, "BBB", true),
		variant(10, "50000", "0", 5, "AAA", false),
	}
	var want []string
	seen := map[string]bool{}
	for i, v := range variants {
		res, err := Run(context.Background(), v, newStrat, NewSliceSource(symbols, Batches(k, m, f)))
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range res.Accounts {
			fp := a.Fingerprint()
			if seen[fp] {
				t.Fatalf("variant %d %s: fingerprint seen before: the variants do not differ", i, a.Name)
			}
			seen[fp] = true
			want = append(want, fp)
		}
	}
	for _, parallel := range []bool{false, true} {
		var setups []Setup
		for i := range variants {
			for _, s := range variants[i].Setups {
				s.Name = fmt.Sprintf("%d/%s", i, s.Name)
				s.Config = &variants[i]
				setups = append(setups, s)
			}
		}
		// the run's own per-account settings are ignored for accounts with a Config
		fee := decimal.NewFromInt(0)
		cfg := Config{Setups: setups, Parallel: parallel, DefaultLeverage: 1, TakerFee: &fee, Instruments: variants[0].Instruments}
		res, err := Run(context.Background(), cfg, newStrat, NewSliceSource(symbols, Batches(k, m, f)))
		if err != nil {
			t.Fatal(err)
		}
		for j, a := range res.Accounts {
			// the fingerprint includes the account's name: the sweep's prefix comes off
			_, a.Name, _ = strings.Cut(a.Name, "/")
			if got := a.Fingerprint(); got != want[j] {
				t.Errorf("parallel=%v %s: fingerprint %s, its own run's %s", parallel, a.Name, got, want[j])
			}
		}
	}
	// a bad per-account setting is refused, naming the setup
	bad := variants[0]
	bad.DefaultLeverage = -1
	_, err := Run(context.Background(), Config{Setups: []Setup{{Name: "x", Config: &bad}}}, newStrat, NewSliceSource(symbols, Batches(k, m, f)))
	if err == nil || err.Error() != `Setups[0] "x": backtest: invalid config: DefaultLeverage -1 < 1` {
		t.Errorf("bad setup config: %v", err)
	}
}
