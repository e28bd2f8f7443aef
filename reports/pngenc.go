package reports

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"io"
	"sync"
)

// encodePNG writes img as a PNG: 8-bit RGB when every pixel is opaque (the charts: drawn on
// white), each row filtered with Sub or Up (the one with the smaller sum of absolute bytes)
// and deflated at BestSpeed. It decodes to the same pixels as image/png's output and is
// several times cheaper: image/png tries all five filters on every row and checks the whole
// image for opacity first. The bytes depend only on the pixels (deterministic). An image
// with a transparent pixel goes to image/png's encoder (BestSpeed).
func encodePNG(w io.Writer, img *image.RGBA) error {
	b := img.Bounds()
	width, height := b.Dx(), b.Dy()
	if width <= 0 || height <= 0 || !opaqueRGBA(img) {
		return pngEncoder.Encode(w, img)
	}
	e := encoders.Get().(*pngEncoderState)
	defer func() { e.bw.Reset(nil); encoders.Put(e) }() // keep no reference to w
	bw := e.bw
	bw.Reset(w)
	pw := &e.pw
	*pw = pngChunkWriter{w: bw, buf: pw.buf[:0]}
	bw.WriteString("\x89PNG\r\n\x1a\n")
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(width))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(height))
	ihdr[8], ihdr[9] = 8, 2 // 8 bits per sample, truecolour (RGB)
	pw.chunk("IHDR", ihdr[:])

	pw.typ = "IDAT"
	if e.zw == nil {
		zw, err := zlib.NewWriterLevel(pw, zlib.BestSpeed)
		if err != nil {
			return err
		}
		e.zw = zw
	} else {
		e.zw.Reset(pw)
	}
	zw := e.zw
	n := 3 * width
	sub, up := grow(e.sub, n+1), grow(e.up, n+1)
	e.sub, e.up = sub, up
	sub[0], up[0] = 1, 2 // PNG filter types
	above := grow(e.above, 4*width)
	e.above = above
	clear(above) // the row above the first: zeros
	upZero := grow(e.upZero, n+1)
	e.upZero = upZero
	clear(upZero)
	upZero[0] = 2
	for y := range height {
		row := img.Pix[y*img.Stride : y*img.Stride+4*width]
		out := upZero // a row equal to the one above: Up is all zeros, whose sum 0 Sub cannot beat
		if !bytes.Equal(row, above) {
			out = filterRow(row, above, sub, up, width)
		}
		if _, err := zw.Write(out); err != nil {
			return err
		}
		above = row
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := pw.flush(); err != nil {
		return err
	}
	pw.chunk("IEND", nil)
	if pw.err != nil {
		return pw.err
	}
	return bw.Flush()
}

// filterRow filters row (RGBA, width pixels) against the row above with Sub and with Up into
// sub and up (each 1+3·width bytes, the filter type first) and returns the one whose bytes,
// as signed values, have the smaller sum of absolute values (Up on a tie). A pixel equal to
// both its left and upper neighbours (most of a chart: white) gives zeros to both without
// the arithmetic.
func filterRow(row, above, sub, up []byte, width int) []byte {
	s, u := sub[1:1+3*width], up[1:1+3*width]
	var sSub, sUp int
	var left uint32 // the pixel to the left, RGB (zero before the first)
	for x := range width {
		i := 4 * x
		px, pa := row[i:i+3:i+3], above[i:i+3:i+3]
		p := uint32(px[0]) | uint32(px[1])<<8 | uint32(px[2])<<16
		a := uint32(pa[0]) | uint32(pa[1])<<8 | uint32(pa[2])<<16
		o := s[3*x : 3*x+3 : 3*x+3]
		q := u[3*x : 3*x+3 : 3*x+3]
		if p == left && p == a {
			o[0], o[1], o[2] = 0, 0, 0
			q[0], q[1], q[2] = 0, 0, 0
			continue
		}
		l0, l1, l2 := byte(left), byte(left>>8), byte(left>>16)
		o[0], o[1], o[2] = px[0]-l0, px[1]-l1, px[2]-l2
		q[0], q[1], q[2] = px[0]-pa[0], px[1]-pa[1], px[2]-pa[2]
		sSub += absByte(o[0]) + absByte(o[1]) + absByte(o[2])
		sUp += absByte(q[0]) + absByte(q[1]) + absByte(q[2])
		left = p
	}
	if sSub < sUp {
		return sub
	}
	return up
}

// pngEncoderState is what encodePNG reuses from one PNG to the next: the deflater (1.2 MB
// of tables and window per zlib.Writer), the output buffers and the filtered rows.
type pngEncoderState struct {
	zw             *zlib.Writer
	bw             *bufio.Writer
	pw             pngChunkWriter
	sub, up, above []byte
	upZero         []byte // an Up-filtered row of zeros
}

var encoders = sync.Pool{New: func() any {
	return &pngEncoderState{bw: bufio.NewWriterSize(nil, 64<<10), pw: pngChunkWriter{buf: make([]byte, 0, 64<<10)}}
}}

// grow returns b resliced to n bytes, reallocated when its capacity is smaller.
func grow(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	return b[:n]
}

// absByte is the filter heuristic's cost of a filtered byte (as a signed value).
func absByte(b byte) int {
	v := int(int8(b))
	m := v >> 63
	return (v ^ m) - m
}

// opaqueRGBA reports whether every pixel of img has alpha 255.
func opaqueRGBA(img *image.RGBA) bool {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := img.Pix[img.PixOffset(b.Min.X, y):img.PixOffset(b.Max.X, y)]
		for i := 3; i < len(row); i += 4 {
			if row[i] != 0xff {
				return false
			}
		}
	}
	return true
}

// pngChunkWriter writes PNG chunks; as an io.Writer it gathers IDAT data into chunks of
// up to 64 KiB.
type pngChunkWriter struct {
	w   *bufio.Writer
	typ string
	buf []byte
	err error
}

func (p *pngChunkWriter) Write(b []byte) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	n := len(b)
	for len(b) > 0 {
		k := min(len(b), 64<<10-len(p.buf))
		p.buf = append(p.buf, b[:k]...)
		b = b[k:]
		if len(p.buf) == 64<<10 {
			if err := p.flush(); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

func (p *pngChunkWriter) flush() error {
	if len(p.buf) > 0 {
		p.chunk(p.typ, p.buf)
		p.buf = p.buf[:0]
	}
	return p.err
}

func (p *pngChunkWriter) chunk(typ string, data []byte) {
	if p.err != nil {
		return
	}
	var hdr [8]byte
	binary.BigEndian.PutUint32(hdr[:4], uint32(len(data)))
	copy(hdr[4:], typ)
	crc := crc32.NewIEEE()
	crc.Write(hdr[4:])
	crc.Write(data)
	var sum [4]byte
	binary.BigEndian.PutUint32(sum[:], crc.Sum32())
	p.w.Write(hdr[:])
	p.w.Write(data)
	if _, err := p.w.Write(sum[:]); err != nil {
		p.err = err
	}
}
