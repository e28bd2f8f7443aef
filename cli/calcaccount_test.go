package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func accountJSON(t *testing.T, file string) accountOutput {
	t.Helper()
	out, _ := mustBT(t, 0, "calc", "liq", "--account", file, "--json")
	var res accountOutput
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, out)
	}
	return res
}

// A mixed account, worked by hand (docs/margin.md §4; 2024-10-24 tables; BTCUSDT bracket 2:
// 50k–600k, MMR 0.5%, cum 50; ETHUSDT and XRPUSDT bracket 1: MMR 0.4% and 0.5%, cum 0):
//
//   - XRPUSDT short 1,000 @ 0.5, mark 0.51, cross: uPnL −10, MM 510 × 0.5% = 2.55.
//   - BTCUSDT long 1.5 @ 60,000, mark 60,500, cross, wallet 10,000, XRP as the other position:
//     LP = (10,000 − 2.55 − 10 + 50 − 90,000) / (1.5 × (0.005 − 1)) = 79,962.55 / 1.4925 =
//     53,576.2479061976549414; BP = (10,000 − 10 − 90,000) / −1.5 = 53,340; MM at the mark
//     90,750 × 0.5% − 50 = 403.75, bracket 2.
//   - ETHUSDT long 10 @ 2,500, mark 2,450, isolated wallet 1,200 (no other position counts):
//     LP = (1,200 − 25,000) / (10 × (0.004 − 1)) = 2,389.5582329317269076; BP = 2,500 −
//     1,200/10 = 2,380; MM 24,500 × 0.4% = 98, bracket 1.
//
// Positions come out in input order. The same BTC figure from the one-position calculator
// (--other-mm 2.55 --other-upnl −10) checks that both paths agree.
func TestCalcAccountMixed(t *testing.T) {
	file := writeFile(t, filepath.Join(t.TempDir(), "acct.yaml"), `brackets: 2024-10-24
wallet: 10000
position_mode: one-way
positions:
  - {symbol: BTCUSDT, side: long,  qty: 1.5,  entry: 60000, mark: 60500, margin: cross}
  - {symbol: ETHUSDT, side: long,  qty: 10,   entry: 2500,  mark: 2450,  margin: isolated, isolated_wallet: 1200}
  - {symbol: XRPUSDT, side: short, qty: 1000, entry: 0.5,   mark: 0.51,  margin: cross}
`)
	res := accountJSON(t, file)
	if len(res.Positions) != 3 || res.Positions[0].Symbol != "BTCUSDT" || res.Positions[1].Symbol != "ETHUSDT" || res.Positions[2].Symbol != "XRPUSDT" {
		t.Fatalf("positions %+v, want BTC, ETH, XRP in input order", res.Positions)
	}
	btc, eth := res.Positions[0], res.Positions[1]
	decEq(t, "BTC liquidation_price", *btc.LiquidationPrice, "53576.2479061976549414")
	decEq(t, "BTC bankruptcy_price", btc.BankruptcyPrice, "53340")
	decEq(t, "BTC maintenance_margin", btc.MaintenanceMargin, "403.75")
	decEq(t, "ETH liquidation_price", *eth.LiquidationPrice, "2389.5582329317269076")
	decEq(t, "ETH bankruptcy_price", eth.BankruptcyPrice, "2380")
	decEq(t, "ETH maintenance_margin", eth.MaintenanceMargin, "98")
	if btc.Bracket != 2 || eth.Bracket != 1 {
		t.Errorf("brackets %d, %d; want 2, 1", btc.Bracket, eth.Bracket)
	}
	one := calcJSON(t, "--symbol", "BTCUSDT", "--side", "long", "--qty", "1.5", "--entry", "60000", "--wallet", "10000",
		"--mode", "cross", "--other-mm", "2.55", "--other-upnl", "-10", "--brackets", "2024-10-24")
	decEq(t, "one-position calculator", one.LiquidationPrice, *btc.LiquidationPrice)

	// text output: a table with every position
	out, _ := mustBT(t, 0, "calc", "liq", "--account", file)
	for _, s := range []string{"BTCUSDT", "53576.2479061976549414", "isolated", "2380"} {
		if !strings.Contains(out, s) {
			t.Errorf("text output lacks %q:\n%s", s, out)
		}
	}
}

// Hedge mode, the example file, worked by hand (docs/margin.md §4.1; 2024-10-24
// tables, BTCUSDT bracket 1: 0–50k at 0.4%, cum 0; bracket 2: 50k–600k at 0.5%, cum 50):
//
//   - BTCUSDT LONG 1.5 @ 60,000 and SHORT 0.5 @ 61,000, both cross, mark 60,500, wallet
//     10,000; ETHUSDT is isolated, so TMM1 = UPNL1 = 0. The legs share one LP, each leg in the
//     bracket of its own notional (LONG 90,000 → 2, SHORT 30,500 → 1):
//     LP = (10,000 + 50 + 0 − 1.5·60,000 + 0.5·61,000) / (1.5·0.005 + 0.5·0.004 − 1.5 + 0.5)
//     = −49,450 / −0.9905 = 49,924.2806663301362948 (LONG notional there 74,886 → bracket 2,
//     SHORT 24,962 → bracket 1: stable); BP = (10,000 − 90,000 + 30,500) / (0.5 − 1.5) =
//     49,500. MM at the mark: LONG 90,750 × 0.5% − 50 = 403.75 (bracket 2), SHORT 30,250 ×
//     0.4% = 121 (bracket 1).
//   - ETHUSDT LONG 10 @ 2,500 isolated with 1,200: as in TestCalcAccountMixed, LP
//     2,389.5582329317269076, BP 2,380, MM 98.
//   - Isolated legs have their own LP (second file): BTCUSDT LONG 1 and SHORT 1 @ 60,000,
//     3,000 each: LONG (3,000 + 50 − 60,000) / (0.005 − 1) = 57,236.1809045226130653, SHORT
//     (3,000 + 50 + 60,000) / (0.005 + 1) = 62,736.318407960199005.
func TestCalcAccountHedge(t *testing.T) {
	dir := t.TempDir()
	res := accountJSON(t, writeFile(t, filepath.Join(dir, "hedge.yaml"), `brackets: 2024-10-24
wallet: 10000
position_mode: hedge
positions:
  - {symbol: BTCUSDT, side: long,  qty: 1.5, entry: 60000, mark: 60500, margin: cross}
  - {symbol: BTCUSDT, side: short, qty: 0.5, entry: 61000, mark: 60500, margin: cross}
  - {symbol: ETHUSDT, side: long,  qty: 10,  entry: 2500,  mark: 2450,  margin: isolated, isolated_wallet: 1200}
`))
	if len(res.Positions) != 3 || res.Positions[0].Side != "long" || res.Positions[1].Side != "short" || res.Positions[2].Symbol != "ETHUSDT" {
		t.Fatalf("positions %+v, want BTC long, BTC short, ETH in input order", res.Positions)
	}
	l, s, eth := res.Positions[0], res.Positions[1], res.Positions[2]
	for _, p := range []accountPosOut{l, s} {
		decEq(t, "BTC "+p.Side+" liquidation_price", *p.LiquidationPrice, "49924.2806663301362948")
		decEq(t, "BTC "+p.Side+" bankruptcy_price", p.BankruptcyPrice, "49500")
	}
	decEq(t, "BTC long maintenance_margin", l.MaintenanceMargin, "403.75")
	decEq(t, "BTC short maintenance_margin", s.MaintenanceMargin, "121")
	if l.Bracket != 2 || s.Bracket != 1 {
		t.Errorf("brackets %d, %d; want 2, 1", l.Bracket, s.Bracket)
	}
	decEq(t, "ETH liquidation_price", *eth.LiquidationPrice, "2389.5582329317269076")
	decEq(t, "ETH bankruptcy_price", eth.BankruptcyPrice, "2380")

	res = accountJSON(t, writeFile(t, filepath.Join(dir, "iso.yaml"), `brackets: 2024-10-24
position_mode: hedge
positions:
  - {symbol: BTCUSDT, side: short, qty: 1, entry: 60000, mark: 60000, margin: isolated, isolated_wallet: 3000}
  - {symbol: BTCUSDT, side: long,  qty: 1, entry: 60000, mark: 60000, margin: isolated, isolated_wallet: 3000}
`))
	decEq(t, "isolated SHORT liquidation_price", *res.Positions[0].LiquidationPrice, "62736.318407960199005")
	decEq(t, "isolated LONG liquidation_price", *res.Positions[1].LiquidationPrice, "57236.1809045226130653")
	decEq(t, "isolated LONG bankruptcy_price", res.Positions[1].BankruptcyPrice, "57000")
}

// Binance's examples through the account calculator: the FAQ's BTCUSDT position as isolated
// (2022-02-12 table: bracket 4, MMR 2.5%, cum 16,300, as the FAQ uses) gives 18,778.73; the
// tier-crossing vector (entry notional 612,000 in bracket 3, LP in bracket 2) gives
// 57,281.5056 with the bracket re-check. A fully margined 1x long has no liquidation price:
// null. The file may be JSON.
func TestCalcAccountBinanceExamples(t *testing.T) {
	dir := t.TempDir()
	res := accountJSON(t, writeFile(t, filepath.Join(dir, "faq.yaml"), `brackets: 2022-02-12
positions:
  - {symbol: BTCUSDT, side: long, qty: 109.488, entry: 32481.98, mark: 32481.98, margin: isolated, isolated_wallet: 1535443.01}
`))
	if got := decimal.RequireFromString(*res.Positions[0].LiquidationPrice).Round(2); !got.Equal(decimal.RequireFromString("18778.73")) {
		t.Errorf("FAQ isolated: %s, want 18778.73", *res.Positions[0].LiquidationPrice)
	}
	res = accountJSON(t, writeFile(t, filepath.Join(dir, "tier.json"), `{"brackets": "2024-10-24", "wallet": 0, "positions": [
  {"symbol": "BTCUSDT", "side": "long", "qty": 10.2, "entry": 60000, "mark": 60000, "margin": "isolated", "isolated_wallet": 30600},
  {"symbol": "ETHUSDT", "side": "long", "qty": 1, "entry": 2500, "mark": 2500, "margin": "isolated", "isolated_wallet": 2500}]}`))
	if got := decimal.RequireFromString(*res.Positions[0].LiquidationPrice).Round(4); !got.Equal(decimal.RequireFromString("57281.5056")) {
		t.Errorf("tier crossing: %s, want 57281.5056", *res.Positions[0].LiquidationPrice)
	}
	if res.Positions[1].LiquidationPrice != nil {
		t.Errorf("fully margined long: liquidation price %s, want null", *res.Positions[1].LiquidationPrice)
	}
	decEq(t, "fully margined bankruptcy", res.Positions[1].BankruptcyPrice, "0")
}

// Bad input is a clear error with exit 2.
func TestCalcAccountErrors(t *testing.T) {
	dir := t.TempDir()
	pos := func(extra string) string {
		return "positions:\n  - {symbol: BTCUSDT, side: long, qty: 1, entry: 60000, mark: 60000, margin: cross" + extra + "}\n"
	}
	for name, c := range map[string]struct{ file, msg string }{
		"unknown key":        {"wallet: 1\nwalet: 2\n" + pos(""), "field walet not found"},
		"unknown pos key":    {pos(", leverage: 5"), "field leverage not found"},
		"negative qty":       {strings.Replace(pos(""), "qty: 1,", "qty: -1,", 1), "qty -1 must be > 0"},
		"iso without wallet": {strings.Replace(pos(""), "margin: cross", "margin: isolated", 1), "needs isolated_wallet"},
		"cross with wallet":  {pos(", isolated_wallet: 5"), "isolated_wallet given for a cross position"},
		"two sides one-way": {pos("") + "  - {symbol: BTCUSDT, side: short, qty: 1, entry: 60000, mark: 60000, margin: cross}\n",
			"one-way mode holds one position per symbol"},
		"hedge twice long": {"position_mode: hedge\nwallet: 5\n" + pos("") + pos("")[len("positions:\n"):], "hedge mode holds one long and one short position per symbol"},
		"hedge marks differ": {"position_mode: hedge\nwallet: 5\n" + pos("") + "  - {symbol: BTCUSDT, side: short, qty: 1, entry: 60000, mark: 61000, margin: cross}\n",
			"a symbol has one mark price"},
		"hedge modes differ": {"position_mode: hedge\nwallet: 5\n" + pos("") + "  - {symbol: BTCUSDT, side: short, qty: 1, entry: 60000, mark: 60000, margin: isolated, isolated_wallet: 5}\n",
			"both sides of a symbol share its margin mode"},
		"bad mode":          {"position_mode: both\n" + pos(""), "want one-way or hedge"},
		"negative":          {"wallet: -5\n" + pos(""), "must be >= 0"},
		"zero cross wallet": {"wallet: 0\n" + pos(""), "needs a cross wallet balance > 0"},
		"no cross wallet":   {pos(""), "needs a cross wallet balance > 0"},
		"bad date":          {"brackets: 2024-13-01\n" + pos(""), "want a date"},
		"unknown symbol":    {strings.Replace(pos(""), "BTCUSDT", "NOSUCHUSDT", 1), "no bracket table of NOSUCHUSDT"},
		"missing mark":      {strings.Replace(pos(""), "mark: 60000, ", "", 1), "mark missing"},
		"bad side":          {strings.Replace(pos(""), "side: long", "side: up", 1), "want long or short"},
		"no positions":      {"wallet: 5\n", "positions: none given"},
		"not a number":      {"wallet: lots\n" + pos(""), "not a decimal number"},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, errs := bt(t, "calc", "liq", "--account", writeFile(t, filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".yaml"), c.file))
			if code != 2 || !strings.Contains(errs, c.msg) {
				t.Errorf("exit %d, stderr %q; want exit 2 mentioning %q", code, errs, c.msg)
			}
		})
	}
	code, _, errs := bt(t, "calc", "liq", "--account", filepath.Join(dir, "none.yaml"))
	if code != 2 || !strings.Contains(errs, "no such file") {
		t.Errorf("missing file: exit %d, %s", code, errs)
	}
	code, _, errs = bt(t, "calc", "liq", "--account", filepath.Join(dir, "none.yaml"), "--symbol", "BTCUSDT")
	if code != 2 || !strings.Contains(errs, "--symbol does not go with --account") {
		t.Errorf("--symbol with --account: exit %d, %s", code, errs)
	}
	code, _, errs = bt(t, "calc", "liq", "--symbol", "BTCUSDT")
	if code != 2 || !strings.Contains(errs, "is required (or give --account FILE)") {
		t.Errorf("missing flags: exit %d, %s", code, errs)
	}
}

// FuzzCalcAccount feeds arbitrary account files to the calculator: it returns positions in
// input order or an error, and never panics.
func FuzzCalcAccount(f *testing.F) {
	f.Add([]byte("brackets: 2024-10-24\nwallet: 10000\npositions:\n" +
		"  - {symbol: BTCUSDT, side: long, qty: 1.5, entry: 60000, mark: 60500, margin: cross}\n" +
		"  - {symbol: ETHUSDT, side: long, qty: 10, entry: 2500, mark: 2450, margin: isolated, isolated_wallet: 1200}\n"))
	f.Add([]byte("wallet: 0\npositions: []\n"))
	f.Add([]byte("position_mode: hedge\n"))
	f.Add([]byte("brackets: 2024-10-24\nwallet: 10000\nposition_mode: hedge\npositions:\n" +
		"  - {symbol: BTCUSDT, side: long, qty: 1.5, entry: 60000, mark: 60500, margin: cross}\n" +
		"  - {symbol: BTCUSDT, side: short, qty: 0.5, entry: 61000, mark: 60500, margin: cross}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := calcAccountData("fuzz.yaml", data)
		if err != nil {
			return
		}
		for i, p := range out.Positions {
			if p.Symbol == "" || (p.Side != "long" && p.Side != "short") {
				t.Fatalf("position %d: %+v", i, p)
			}
			if p.LiquidationPrice != nil && strings.HasPrefix(*p.LiquidationPrice, "-") {
				t.Fatalf("position %d: negative liquidation price %s", i, *p.LiquidationPrice)
			}
		}
	})
}
