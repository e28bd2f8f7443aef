package reports

import (
	"testing"

	"gonum.org/v1/plot/plotter"
)

// thinMarkers drops a marker only when one already kept lies in the same cell of a
// PNGWidth × PNGHeight grid over the panel's span and value range (less than a pixel of the
// plot apart), keeps the rest in order, and leaves a panel without a span alone.
func TestThinMarkers(t *testing.T) {
	// x from 0 to 14,000 s: 10 s a cell; values 0 to 4,600: 10 a cell
	p := Panel{X: []int64{0, 14_000}, Series: []Series{{Values: Values{0, 4_600}}}}
	in := plotter.XYs{{X: 100, Y: 100}, {X: 101, Y: 105}, {X: 109, Y: 100}, {X: 110, Y: 100}, {X: 100, Y: 110}, {X: 5000, Y: 2000}, {X: 100, Y: 101}}
	got := thinMarkers(in, p)
	want := plotter.XYs{{X: 100, Y: 100}, {X: 110, Y: 100}, {X: 100, Y: 110}, {X: 5000, Y: 2000}}
	if len(got) != len(want) {
		t.Fatalf("kept %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("kept %v, want %v", got, want)
		}
	}
	flat := Panel{X: []int64{5, 5}, Series: []Series{{Values: Values{1, 1}}}}
	if got := thinMarkers(in, flat); len(got) != len(in) {
		t.Errorf("a panel without a span: kept %d of %d", len(got), len(in))
	}
}
