package artifact

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/bt-backtest/bt/backtest"
)

// LiqPricesFile is the name of an account's liquidation-price points in its directory
// (backtest.LiqPricePoint, one row per ledger event that changed a position): the report's
// liquidation-price lines and isolated positions' own margin ratio. A run written before it
// existed has none; Read then leaves AccountResult.LiqPrices empty.
const LiqPricesFile = "liquidation_prices.csv"

var liqPriceCols = []string{"time", "symbol", "mode", "qty", "entry", "liquidation_price", "isolated_wallet", "mark", "maintenance_margin"}

// writeLiqPrices writes pts as dir/LiqPricesFile, atomically. The figures are float64 chart
// estimates, written in shortest round-trip form so that reading them back gives the same
// numbers (and the report the same bytes).
func writeLiqPrices(dir string, pts []backtest.LiqPricePoint) error {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(liqPriceCols)
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, p := range pts {
		mode := "cross"
		if p.Isolated {
			mode = "isolated"
		}
		_ = w.Write([]string{FormatTime(p.Time), p.Symbol, mode, f(p.Qty), f(p.Entry), f(p.LiqPrice), f(p.Wallet), f(p.Mark), f(p.MaintMargin)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, LiqPricesFile), b.Bytes())
}

// readLiqPrices reads dir/LiqPricesFile; a missing file (a run written before it existed) is
// no points and no error.
func readLiqPrices(dir string) ([]backtest.LiqPricePoint, error) {
	path := filepath.Join(dir, LiqPricesFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %v", path, ErrMalformed, err)
	}
	if len(recs) == 0 || len(recs[0]) != len(liqPriceCols) {
		return nil, fmt.Errorf("%s: %w: the header is not %v", path, ErrMalformed, liqPriceCols)
	}
	for k, c := range liqPriceCols {
		if recs[0][k] != c {
			return nil, fmt.Errorf("%s: %w: column %d is %q, want %q", path, ErrMalformed, k+1, recs[0][k], c)
		}
	}
	pts := make([]backtest.LiqPricePoint, 0, len(recs)-1)
	for i, r := range recs[1:] {
		bad := func(col int, err error) error {
			return fmt.Errorf("%s: row %d, %s: %w: %v", path, i+2, liqPriceCols[col], ErrMalformed, err)
		}
		t, err := ParseTime(r[0])
		if err != nil {
			return nil, bad(0, err)
		}
		p := backtest.LiqPricePoint{Time: t, Symbol: r[1]}
		switch r[2] {
		case "isolated":
			p.Isolated = true
		case "cross":
		default:
			return nil, bad(2, fmt.Errorf("%q is not cross or isolated", r[2]))
		}
		for k, dst := range []*float64{&p.Qty, &p.Entry, &p.LiqPrice, &p.Wallet, &p.Mark, &p.MaintMargin} {
			if *dst, err = strconv.ParseFloat(r[3+k], 64); err != nil {
				return nil, bad(3+k, err)
			}
		}
		pts = append(pts, p)
	}
	return pts, nil
}
