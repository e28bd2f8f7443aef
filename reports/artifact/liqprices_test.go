package artifact

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/bt-backtest/bt/backtest"
)

// An account's liquidation-price points are written with the run and read back to the same
// numbers; a run directory written before the file existed reads as none.
func TestLiqPricesRoundTrip(t *testing.T) {
	pts := []backtest.LiqPricePoint{
		{Time: 1_700_000_000_000, Symbol: "BTCUSDT", Isolated: true, Qty: 0.015, Entry: 37123.4, LiqPrice: 33756.123456789, Wallet: 55.6, Mark: 37120.1, MaintMargin: 2.227},
		{Time: 1_700_000_060_000, Symbol: "BTCUSDT", Isolated: true},
		{Time: 1_700_000_120_000, Symbol: "ETHUSDT", Qty: -3, Entry: 2000.5, LiqPrice: 2650.25, Mark: 2001, MaintMargin: 30.015},
	}
	res := &backtest.Result{Accounts: []backtest.AccountResult{{Name: "isolated", LiqPrices: pts}}, Symbols: []string{"BTCUSDT", "ETHUSDT"}}
	dir := filepath.Join(t.TempDir(), "run")
	if err := Write(dir, res, Manifest{Version: "test"}); err != nil {
		t.Fatal(err)
	}
	r, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Result.Accounts[0].LiqPrices; !reflect.DeepEqual(got, pts) {
		t.Errorf("read back %+v\nwant %+v", got, pts)
	}
	if err := os.Remove(filepath.Join(dir, "isolated", LiqPricesFile)); err != nil {
		t.Fatal(err)
	}
	if r, err = Read(dir); err != nil || r.Result.Accounts[0].LiqPrices != nil {
		t.Errorf("without the file: %v, %v", err, r)
	}
	if err := os.WriteFile(filepath.Join(dir, "isolated", LiqPricesFile), []byte("time,symbol\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(dir); err == nil {
		t.Error("a malformed file was read")
	}
}
