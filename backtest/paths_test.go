package backtest

import (
	"math"
	"slices"
	"testing"
)

// paths builds each timestamp's segment ends and ranges by the rules of the intrabar path:
// the mark bar's path, else the kline's; the gap segment from the previous mark close (the
// open at a symbol's first bar, also after a halt the previous close); NaN for a symbol that
// does not move.
func TestPathsView(t *testing.T) {
	bar := func(id int, o, h, l, c float64) Bar {
		return Bar{ID: id, Open: o, High: h, Low: l, Close: c, End: 60 * int64(id+1)}
	}
	bs := []Batch{
		// A: kline only (bullish: open, low, high, close); B: mark bar (bearish) beside a kline
		{Bars: []Bar{bar(0, 10, 12, 9, 11), bar(1, 50, 60, 40, 45)}, Marks: []Bar{bar(1, 20, 22, 17, 18)}},
		// A halted; B's kline only
		{Bars: []Bar{bar(1, 19, 21, 18, 20)}},
		// A back after the halt: its gap starts at its last mark close (11)
		{Bars: []Bar{bar(0, 13, 14, 12.5, 13.5)}},
	}
	p := newPaths(3)
	vs := p.build(bs)
	nan := math.NaN()
	want := [][3][7]float64{ // per batch, per symbol: pts[0..4], lo, hi
		{{10, 10, 9, 12, 11, 9, 12}, {20, 20, 22, 17, 18, 17, 22}, {nan, nan, nan, nan, nan, nan, nan}},
		{{nan, nan, nan, nan, nan, nan, nan}, {18, 19, 18, 21, 20, 18, 21}, {nan, nan, nan, nan, nan, nan, nan}},
		{{11, 13, 12.5, 14, 13.5, 11, 14}, {nan, nan, nan, nan, nan, nan, nan}, {nan, nan, nan, nan, nan, nan, nan}},
	}
	for j, v := range vs {
		for i := range 3 {
			got := [7]float64{v.pts[0][i], v.pts[1][i], v.pts[2][i], v.pts[3][i], v.pts[4][i], v.lo[i], v.hi[i]}
			for x := range got {
				if w := want[j][i][x]; got[x] != w && !(math.IsNaN(got[x]) && math.IsNaN(w)) {
					t.Errorf("batch %d symbol %d: %v, want %v", j, i, got, want[j][i])
					break
				}
			}
		}
	}
	// each symbol's paths: a moving symbol's mark path, the others' mark in force four times
	// (NaN before the first); the kline's path, NaN without one; the moving symbols in the
	// batch's order, mark bars first; the end
	wantMP := [][3][4]float64{
		{{10, 9, 12, 11}, {20, 22, 17, 18}, {nan, nan, nan, nan}},
		{{11, 11, 11, 11}, {19, 18, 21, 20}, {nan, nan, nan, nan}},
		{{13, 12.5, 14, 13.5}, {20, 20, 20, 20}, {nan, nan, nan, nan}},
	}
	wantLP := [][3][4]float64{
		{{10, 9, 12, 11}, {50, 60, 40, 45}, {nan, nan, nan, nan}},
		{{nan, nan, nan, nan}, {19, 18, 21, 20}, {nan, nan, nan, nan}},
		{{13, 12.5, 14, 13.5}, {nan, nan, nan, nan}, {nan, nan, nan, nan}},
	}
	wantMoved := [][]int{{1, 0}, {1}, {0}}
	same := func(x, y [4]float64) bool {
		for k := range x {
			if x[k] != y[k] && !(math.IsNaN(x[k]) && math.IsNaN(y[k])) {
				return false
			}
		}
		return true
	}
	for j, v := range vs {
		for i := range 3 {
			if sp := v.sym[i]; !same(sp.mp, wantMP[j][i]) || !same(sp.lp, wantLP[j][i]) {
				t.Errorf("batch %d symbol %d: paths %v %v, want %v %v", j, i, sp.mp, sp.lp, wantMP[j][i], wantLP[j][i])
			}
			if v.moving(i) != !math.IsNaN(want[j][i][1]) || v.sym[i].present() != !math.IsNaN(wantLP[j][i][0]) {
				t.Errorf("batch %d symbol %d: moving %v present %v", j, i, v.moving(i), v.sym[i].present())
			}
		}
		if !slices.Equal(v.moved, wantMoved[j]) {
			t.Errorf("batch %d: moved %v, want %v", j, v.moved, wantMoved[j])
		}
		// the latest closes and kline counts before and through the batch
		wantLast := [][2][3]float64{
			{{nan, nan, nan}, {11, 45, nan}},
			{{11, 45, nan}, {11, 20, nan}},
			{{11, 20, nan}, {13.5, 20, nan}},
		}
		wantSeen := [][2][3]int{{{0, 0, 0}, {1, 1, 0}}, {{1, 1, 0}, {1, 2, 0}}, {{1, 2, 0}, {2, 2, 0}}}
		for r := range 2 {
			last := [4]float64{v.last[r][0], v.last[r][1], v.last[r][2], nan}
			w := wantLast[j][r]
			if !same(last, [4]float64{w[0], w[1], w[2], nan}) || [3]int(v.seen[r]) != wantSeen[j][r] {
				t.Errorf("batch %d, %d: last %v seen %v, want %v %v", j, r, v.last[r], v.seen[r], w, wantSeen[j][r])
			}
		}
		if v.fundDue != (j == 0) { // (every batch at time 0: a boundary at the run's first only)
			t.Errorf("batch %d: fallback funding due %v", j, v.fundDue)
		}
		if want := []int64{120, 120, 60}[j]; v.end != want { // the latest End
			t.Errorf("batch %d: end %d, want %d", j, v.end, want)
		}
	}
	// one batch at a time continues from the last built
	v := p.one(&Batch{Bars: []Bar{bar(1, 21, 21, 21, 21)}})
	if v.pts[0][1] != 20 || !math.IsNaN(v.pts[0][0]) {
		t.Errorf("one: gap starts %v, want [NaN 20 NaN]", v.pts[0])
	}
}

// TestPathsFundDue: fallback funding is due at a timestamp when an 8-hour boundary lies
// between the previous one and it, or at it for the run's first timestamp.
func TestPathsFundDue(t *testing.T) {
	const p = fundingPeriodMs
	for _, c := range []struct {
		times []int64
		want  []bool
	}{
		{[]int64{p - 60000, p, p + 60000, 2*p + 1, 3 * p}, []bool{false, true, false, true, true}},
		{[]int64{p, p + 60000}, []bool{true, false}},        // at the first timestamp
		{[]int64{p + 60000, 2*p - 1}, []bool{false, false}}, // none crossed
	} {
		ps := newPaths(1)
		for k, tm := range c.times {
			if got := ps.one(&Batch{Time: tm}).fundDue; got != c.want[k] {
				t.Errorf("times %v: at %d due %v, want %v", c.times, tm, got, c.want[k])
			}
		}
	}
}

// TestPathsFallback: at a timestamp where fallback funding is due, the view lists the symbols
// the source has delivered no funding for through that timestamp (a rate at it counts), in
// symbol order; elsewhere none. Three symbols; symbol 1 has a rate at the second boundary,
// symbol 2 one between boundaries:
//
//	time      funding   due   fallback
//	p         —         yes   0 1 2
//	p + 1m    sym 2     no    —
//	2p        sym 1     yes   0
//	3p        —         yes   0
func TestPathsFallback(t *testing.T) {
	const p = fundingPeriodMs
	ps := newPaths(3)
	for _, c := range []struct {
		b    Batch
		want []int
	}{
		{Batch{Time: p}, []int{0, 1, 2}},
		{Batch{Time: p + 60000, Funding: []Funding{{ID: 2, Time: p + 60000, Rate: 0.0001}}}, []int{}},
		{Batch{Time: 2 * p, Funding: []Funding{{ID: 1, Time: 2 * p, Rate: 0.0001}}}, []int{0}},
		{Batch{Time: 3 * p}, []int{0}},
	} {
		if got := ps.one(&c.b).fallback; !slices.Equal(got, c.want) {
			t.Errorf("at %d: fallback for %v, want %v", c.b.Time, got, c.want)
		}
	}
}
