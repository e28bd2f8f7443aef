package reports

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
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

// refFiltered is the filtered scanlines encodePNG must deflate: per row Sub or Up, the one
// with the smaller sum of absolute (signed) bytes, Up on a tie, computed plainly.
func refFiltered(img *image.RGBA) []byte {
	b := img.Bounds()
	w := b.Dx()
	var out []byte
	above := make([]byte, 4*w)
	for y := range b.Dy() {
		row := img.Pix[y*img.Stride : y*img.Stride+4*w]
		sub, up := []byte{1}, []byte{2}
		var sSub, sUp int
		for x := range w {
			for c := range 3 {
				var left byte
				if x > 0 {
					left = row[4*(x-1)+c]
				}
				sv, uv := row[4*x+c]-left, row[4*x+c]-above[4*x+c]
				sub, up = append(sub, sv), append(up, uv)
				sSub += absByte(sv)
				sUp += absByte(uv)
			}
		}
		if sSub < sUp {
			out = append(out, sub...)
		} else {
			out = append(out, up...)
		}
		above = row
	}
	return out
}

// idatStream returns the inflated IDAT data of a PNG.
func idatStream(t *testing.T, p []byte) []byte {
	t.Helper()
	var z []byte
	for p = p[8:]; len(p) >= 12; {
		n := int(binary.BigEndian.Uint32(p))
		if string(p[4:8]) == "IDAT" {
			z = append(z, p[8:8+n]...)
		}
		p = p[12+n:]
	}
	r, err := zlib.NewReader(bytes.NewReader(z))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestEncodePNGFilters: encodePNG's scanlines (its shortcuts for a row equal to the one above
// and for a pixel equal to its left and upper neighbours) are exactly the plain choice of
// Sub or Up, on the fixture's charts and on random images with repeated rows, runs of one
// colour and noise, of odd widths.
func TestEncodePNGFilters(t *testing.T) {
	var imgs []*image.RGBA
	for _, p := range Charts(fixtureRun(t, t.TempDir(), "run")) {
		var buf bytes.Buffer
		if err := WritePNG(&buf, p); err != nil {
			t.Fatal(err)
		}
		m, err := png.Decode(&buf)
		if err != nil {
			t.Fatal(err)
		}
		img := image.NewRGBA(m.Bounds())
		draw.Draw(img, img.Bounds(), m, image.Point{}, draw.Src)
		imgs = append(imgs, img)
	}
	r := rand.New(rand.NewPCG(15, 4))
	for k := range 30 {
		img := image.NewRGBA(image.Rect(0, 0, 1+r.IntN(90), 1+r.IntN(40)))
		pal := []color.RGBA{{255, 255, 255, 255}, {0, 0, 0, 255}, {1, 0, 255, 255}, {255, 255, 254, 255}}
		for y := range img.Bounds().Dy() {
			if y > 0 && r.IntN(3) == 0 { // a repeated row
				copy(img.Pix[y*img.Stride:(y+1)*img.Stride], img.Pix[(y-1)*img.Stride:y*img.Stride])
				continue
			}
			c := pal[r.IntN(len(pal))]
			for x := range img.Bounds().Dx() {
				if r.IntN(4) == 0 {
					c = pal[r.IntN(len(pal))]
					if k%2 == 0 {
						c = color.RGBA{uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)), 255}
					}
				}
				img.SetRGBA(x, y, c)
			}
		}
		imgs = append(imgs, img)
	}
	for i, img := range imgs {
		var buf bytes.Buffer
		if err := encodePNG(&buf, img); err != nil {
			t.Fatal(err)
		}
		if got, want := idatStream(t, buf.Bytes()), refFiltered(img); !bytes.Equal(got, want) {
			t.Errorf("image %d (%v): the filtered scanlines differ from the plain Sub/Up choice", i, img.Bounds())
		}
	}
}
