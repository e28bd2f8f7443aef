package reports_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/bt-backtest/bt/reports"
	"github.com/bt-backtest/bt/reports/artifact"
	"github.com/bt-backtest/bt/reports/internal/fixture"
)

// Render a run directory into report.html and one PNG per chart, as `bt report RUN_DIR` does.
func ExampleRender() {
	tmp, _ := os.MkdirTemp("", "bt-example")
	defer os.RemoveAll(tmp)

	// what `bt run` leaves behind
	runDir := filepath.Join(tmp, "run")
	if err := artifact.Write(runDir, fixture.Result(), artifact.Manifest{Version: "example", Strategy: "fixture"}); err != nil {
		fmt.Println(err)
		return
	}
	if err := artifact.WritePrices(runDir, fixture.Prices()); err != nil {
		fmt.Println(err)
		return
	}

	run, err := artifact.Read(runDir)
	if err != nil {
		fmt.Println(err)
		return
	}
	out := filepath.Join(runDir, "report")
	if err := reports.Render(out, run); err != nil {
		fmt.Println(err)
		return
	}
	ents, _ := os.ReadDir(out)
	for _, e := range ents {
		fmt.Println(e.Name())
	}
	// Output:
	// diff.png
	// drawdown-cross.png
	// drawdown-isolated.png
	// equity-cross.png
	// equity-isolated.png
	// margin-cross.png
	// margin-isolated.png
	// price-BTCUSDT.png
	// price-ETHUSDT.png
	// report.html
	// risk-isolated.png
}

// Downsample keeps the first minimum and maximum of every bucket (here [0,6) and [6,12)) and
// the last point, so the spike at 4 and the dip at 9 survive.
func ExampleDownsample() {
	y := []float64{1, 2, 1, 2, 9, 2, 1, 2, 1, 0, 1, 2}
	idx := reports.Downsample(2, y)
	fmt.Println(idx)
	for _, i := range idx {
		fmt.Print(y[i], " ")
	}
	fmt.Println()
	// Output:
	// [0 4 7 9 11]
	// 1 9 2 0 2
}

// Charts gives the data behind every chart; the PNG and HTML reports draw exactly this.
func ExampleCharts() {
	run := &artifact.Run{Dir: "run", Result: fixture.Result()}
	for _, p := range reports.Charts(run) {
		fmt.Printf("%-17s %d series\n", p.ID, len(p.Series))
	}
	// Output:
	// equity-isolated   2 series
	// equity-cross      2 series
	// diff              4 series
	// drawdown-isolated 2 series
	// drawdown-cross    2 series
	// margin-isolated   5 series
	// margin-cross      5 series
	// price-BTCUSDT     9 series
	// price-ETHUSDT     8 series
}
