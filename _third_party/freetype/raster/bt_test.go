package raster

import (
	"math/rand"
	"reflect"
	"testing"

	"golang.org/x/image/math/fixed"
)

// spanRecorder keeps every span painted.
type spanRecorder struct{ spans []Span }

func (s *spanRecorder) Paint(ss []Span, done bool) { s.spans = append(s.spans, ss...) }

func pt(x, y float64) fixed.Point26_6 {
	return fixed.Point26_6{X: fixed.Int26_6(x * 64), Y: fixed.Int26_6(y * 64)}
}

// randomPath is a polyline of n points: long horizontal runs left to right or right to
// left (the charts' step lines), steps, and random jumps, some outside the bounds.
func randomPath(r *rand.Rand, w, h float64, n int) Path {
	var p Path
	x, y := r.Float64()*w, r.Float64()*h
	p.Start(pt(x, y))
	dir := 1.0
	if r.Intn(2) == 0 {
		dir = -1
	}
	for i := 0; i < n; i++ {
		switch r.Intn(4) {
		case 0, 1:
			x += dir * r.Float64() * 8
		case 2:
			y += (r.Float64() - 0.5) * 20
		default:
			x, y = r.Float64()*(w+40)-20, r.Float64()*(h+40)-20
		}
		p.Add1(pt(x, y))
	}
	return p
}

// The dense cell index finds the same cells as walking each row's list from its head, so
// strokes and fills of random paths paint exactly the same spans (same pixels).
func TestFindCellSameSpans(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for k := 0; k < 40; k++ {
		w, h := 50+r.Intn(1400), 20+r.Intn(460)
		path := randomPath(r, float64(w), float64(h), 1+r.Intn(800))
		more := randomPath(r, float64(w), float64(h), 1+r.Intn(200))
		width := fixed.Int26_6(32 + r.Intn(200))
		fill := k%3 == 0
		paint := func(list bool) []Span {
			listOnly = list
			defer func() { listOnly = false }()
			ras := NewRasterizer(w, h)
			other := NewRasterizer(w/2+1, h) // another size in between: the pooled index
			add := func(p Path) {
				if fill {
					ras.AddPath(p)
				} else {
					ras.AddStroke(p, width, RoundCapper, RoundJoiner)
				}
			}
			var rec spanRecorder
			for rep := 0; rep < 2; rep++ { // again after Clear: the index must be reset
				ras.Clear()
				ras.UseNonZeroWinding = k%2 == 0
				add(path)
				other.AddStroke(path, width, ButtCapper, BevelJoiner)
				other.Rasterize(&spanRecorder{})
				// painted, then more added without Clear: the cells already held are found
				ras.Rasterize(&spanRecorder{})
				add(more)
				rec.spans = rec.spans[:0]
				ras.Rasterize(&rec)
			}
			return rec.spans
		}
		want, got := paint(true), paint(false)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("case %d (%dx%d, %d points): %d spans, want %d (the list walk's)", k, w, h, len(path)/3, len(got), len(want))
		}
	}
}
