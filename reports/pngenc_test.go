package reports

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math/rand/v2"
	"testing"
)

// encodePNG's output decodes (with image/png) to exactly the pixels it was given, the same
// pixels always give the same bytes, and an image with a transparent pixel keeps its alpha
// (image/png's encoder).
func TestEncodePNGSamePixels(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	img := image.NewRGBA(image.Rect(0, 0, 301, 97))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	for i := range 4000 { // noise, lines and blocks: every filter gets chosen somewhere
		x, y := r.IntN(301), r.IntN(97)
		c := color.RGBA{uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)), 0xff}
		switch i % 3 {
		case 0:
			img.SetRGBA(x, y, c)
		case 1:
			for k := range 40 {
				img.SetRGBA(min(x+k, 300), y, c)
			}
		default:
			for k := range 20 {
				img.SetRGBA(x, min(y+k, 96), c)
			}
		}
	}
	check := func(name string, img *image.RGBA, wantModel color.Model) []byte {
		var buf bytes.Buffer
		if err := encodePNG(&buf, img); err != nil {
			t.Fatal(err)
		}
		got, err := png.Decode(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.ColorModel() != wantModel {
			t.Errorf("%s: colour model %v", name, got.ColorModel())
		}
		b := img.Bounds()
		if got.Bounds() != b {
			t.Fatalf("%s: bounds %v, want %v", name, got.Bounds(), b)
		}
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				if g, w := color.NRGBAModel.Convert(got.At(x, y)), color.NRGBAModel.Convert(img.At(x, y)); g != w {
					t.Fatalf("%s: pixel (%d,%d) = %v, want %v", name, x, y, g, w)
				}
			}
		}
		return buf.Bytes()
	}
	a := check("opaque", img, color.RGBAModel)
	if b := check("opaque again", img, color.RGBAModel); !bytes.Equal(a, b) {
		t.Error("the same pixels gave different bytes")
	}
	var std bytes.Buffer
	if err := pngEncoder.Encode(&std, img); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d bytes (image/png BestSpeed: %d)", len(a), std.Len())
	img.SetRGBA(5, 5, color.RGBA{10, 20, 30, 0x80})
	check("transparent pixel", img, color.NRGBAModel)
}

// chartImage is the fixture's first price chart as drawn for its PNG.
func chartImage(b testing.TB) *image.RGBA {
	panels := Charts(fixtureRun(b, b.TempDir(), "run"))
	var buf bytes.Buffer
	for _, p := range panels {
		if p.ID == "price-BTCUSDT" {
			if err := WritePNG(&buf, p); err != nil {
				b.Fatal(err)
			}
		}
	}
	m, err := png.Decode(&buf)
	if err != nil {
		b.Fatal(err)
	}
	img := image.NewRGBA(m.Bounds())
	draw.Draw(img, img.Bounds(), m, image.Point{}, draw.Src)
	return img
}

// BenchmarkEncodePNG compares image/png (BestSpeed) with encodePNG on a chart.
func BenchmarkEncodePNG(b *testing.B) {
	img := chartImage(b)
	for _, enc := range []struct {
		name string
		f    func(*bytes.Buffer) error
	}{
		{"image-png", func(w *bytes.Buffer) error { return pngEncoder.Encode(w, img) }},
		{"encodePNG", func(w *bytes.Buffer) error { return encodePNG(w, img) }},
	} {
		b.Run(enc.name, func(b *testing.B) {
			var buf bytes.Buffer
			for range b.N {
				buf.Reset()
				if err := enc.f(&buf); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len()), "bytes")
		})
	}
}
