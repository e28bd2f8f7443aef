package montecarlo

import (
	"bytes"
	"testing"

	"github.com/parquet-go/parquet-go"
)

func handResult() *Result {
	r := &Result{Paths: 4, Seed: 3, MeanBlock: 24}
	for i, name := range []string{"isolated", "cross"} {
		final := []float64{1000, 900 - float64(i)*100, 1100, 0}
		dd := []float64{0.1, 0.2, 0.05, 1}
		r.Accounts = append(r.Accounts, Account{Name: name, Liquidated: 1, Ruined: i,
			PLiquidation: wilson(1, 4), PRuin: wilson(i, 4), FinalEquity: dist(final), MaxDown: dist(dd),
			FinalEquities: final, MaxDrawdowns: dd})
	}
	return r
}

// The histograms are a PNG, the same bytes for the same result, other bytes for another.
func TestHistogramPNG(t *testing.T) {
	a, err := handResult().HistogramPNG()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(a, []byte("\x89PNG")) {
		t.Fatal("not a PNG")
	}
	b, _ := handResult().HistogramPNG()
	if !bytes.Equal(a, b) {
		t.Error("same result, different PNG bytes")
	}
	r := handResult()
	r.Accounts[1].FinalEquities[0] = 2000
	if c, _ := r.HistogramPNG(); bytes.Equal(a, c) {
		t.Error("another result, same PNG: the histogram does not draw the paths")
	}
	if _, err := (&Result{}).HistogramPNG(); err == nil {
		t.Error("a result without accounts drew a figure")
	}
}

// The Parquet table holds the CSV's rows: the probabilities without quantiles, the
// distributions with them.
func TestParquetTable(t *testing.T) {
	r := handResult()
	b, err := r.Parquet()
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := handResult().Parquet(); !bytes.Equal(b, again) {
		t.Error("same result, different Parquet bytes")
	}
	rows, err := parquet.Read[tableRow](bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 8 {
		t.Fatalf("%d rows, want 8 (2 accounts × p_liquidation, p_ruin, final_equity, max_drawdown)", len(rows))
	}
	liq, fe := rows[4], rows[6] // cross
	if liq.Account != "cross" || liq.Quantity != "p_liquidation" || liq.Estimate != 0.25 || liq.P50 != nil {
		t.Errorf("cross p_liquidation row %+v", liq)
	}
	// cross final equity 0, 800, 1000, 1100: mean 725, empirical median 800
	if fe.Quantity != "final_equity" || fe.Estimate != 725 || fe.P50 == nil || *fe.P50 != 800 || fe.Seed != 3 || fe.Paths != 4 {
		t.Errorf("cross final_equity row %+v (p50 %v)", fe, fe.P50)
	}
}
