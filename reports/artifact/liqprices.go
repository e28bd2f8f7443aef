package artifact

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
)

// LiqPricesFile is the name of an account's liquidation-price points in its directory
// (backtest.LiqPricePoint, one row per ledger event that changed a position): the report's
// liquidation-price lines and isolated positions' own margin ratio. A run written before it
// existed has none; Read then leaves AccountResult.LiqPrices empty.
const LiqPricesFile = "liquidation_prices.csv"

var liqPriceCols = backtest.LiqPriceTable().Names()

// writeLiqPrices writes pts as dir/LiqPricesFile, atomically (backtest.LiqPriceTable). The
// figures are float64 chart estimates, written in shortest round-trip form so that reading
// them back gives the same numbers (and the report the same bytes).
func writeLiqPrices(dir string, pts []backtest.LiqPricePoint) error {
	// a hedge-mode run's file ends with position_side (fileTable)
	t := fileTable(backtest.LiqPriceTable(), pts)
	return writeCSVFile(filepath.Join(dir, LiqPricesFile), func(w *csvWriter) { writeTable(w, t, pts) })
}

// readLiqPrices reads dir/LiqPricesFile; a missing file (a run written before it existed) is
// no points and no error.
func readLiqPrices(dir string) ([]backtest.LiqPricePoint, error) {
	path := filepath.Join(dir, LiqPricesFile)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	pts := []backtest.LiqPricePoint{}
	cols, row := liqPriceCols, func(r *rowReader) { pts = append(pts, readLiqPrice(r)) }
	if headerIs(path, withLeg(cols, true)) { // a hedge-mode run's: each point's leg last
		cols = withLeg(cols, true)
		row = func(r *rowReader) {
			p := readLiqPrice(r)
			v := r.str()
			ps, ok := parseLeg(v)
			if !ok {
				r.fail(fmt.Errorf("%q is not LONG, SHORT or BOTH", v))
			}
			p.Side = ps
			pts = append(pts, p)
		}
	}
	err := readCSVFile(path, cols, row)
	if err != nil {
		return nil, err
	}
	return pts, nil
}

func readLiqPrice(r *rowReader) backtest.LiqPricePoint {
	return backtest.LiqPricePoint{Time: r.time(), Symbol: r.str(), Isolated: r.mode() == margin.Isolated,
		Qty: r.float(), Entry: r.float(), LiqPrice: r.float(), Wallet: r.float(), Mark: r.float(), MaintMargin: r.float()}
}
