package parquet

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"math"
	"slices"
	"time"

	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/bt-backtest/bt/data"
)

// Column fields of the three schemas. A field's stored name is fieldNames[f].
const (
	fTime = iota // open_time (klines, mark) or time (funding)
	fOpen
	fHigh
	fLow
	fClose
	fVolume
	fQuoteVolume
	fTrades
	fTakerBuyVolume
	fTakerBuyQuoteVolume
	fRate
	fIntervalHours
	nFields
)

var fieldNames = [nFields]string{
	"open_time", "open", "high", "low", "close", "volume",
	"quote_volume", "trades", "taker_buy_volume", "taker_buy_quote_volume",
	"rate", "interval_hours",
}

var fieldKinds = [nFields]pq.Kind{
	pq.Int64, pq.Double, pq.Double, pq.Double, pq.Double, pq.Double,
	pq.Double, pq.Int64, pq.Double, pq.Double,
	pq.Double, pq.Int32,
}

// block holds the decoded columns of one row group. Its slices are reused across row groups.
type block struct {
	n   int
	i64 [nFields][]int64
	f64 [nFields][]float64
	i32 [nFields][]int32
	has [nFields]bool
	val []pq.Value // scratch for dictionary-encoded pages
}

// partReader decodes a partition file one row group at a time, column by column.
type partReader struct {
	name   string // file name for errors
	closer io.Closer
	pf     *pq.File
	col    [nFields]int // column index, -1 when absent
	scale  int64        // divisor taking the time column to ms
	rg     int          // next row group
	rows   int64        // rows decoded before the current block
	meta   map[string]string
	fields []int
	names  [nFields]string // column names as stored
}

// openPart opens path in fsys and prepares to decode fields; errors call the file name.
// Fields in need must exist; fields in opt are decoded when present.
func openPart(fsys fs.FS, path, name string, need, opt []int) (*partReader, error) {
	f, err := fsys.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	pr, err := newPartReader(f, name, need, opt)
	if err != nil {
		f.Close()
		return nil, err
	}
	return pr, nil
}

func newPartReader(f fs.File, name string, need, opt []int) (*partReader, error) {
	funding := slices.Contains(need, fRate)
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	ra, ok := f.(io.ReaderAt)
	if !ok {
		b, err := io.ReadAll(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		ra = bytes.NewReader(b)
	}
	pf, err := openFileSafe(ra, st.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %v", name, ErrCorrupt, err)
	}
	pr := &partReader{name: name, closer: f, pf: pf, scale: 1}
	for i := range pr.col {
		pr.col[i] = -1
	}
	use := func(fld int, required bool) error {
		col := fieldNames[fld]
		if fld == fTime && funding {
			col = "time"
		}
		leaf, ok := pf.Schema().Lookup(col)
		if !ok {
			if required {
				return fmt.Errorf("%s: field %s: %w", name, col, ErrMissingColumn)
			}
			return nil
		}
		if leaf.MaxRepetitionLevel > 0 {
			return fmt.Errorf("%s: field %s: %w: repeated", name, col, ErrColumnType)
		}
		kind := leaf.Node.Type().Kind()
		if kind != fieldKinds[fld] && !(fld == fIntervalHours && kind == pq.Int64) {
			return fmt.Errorf("%s: field %s: %w: %v, want %v", name, col, ErrColumnType, kind, fieldKinds[fld])
		}
		if fld == fTime {
			if lt := leaf.Node.Type().LogicalType(); lt != nil {
				if ts, ok := lt.Value.(*format.TimestampType); ok && ts.Unit.Value != nil {
					pr.scale = int64(time.Millisecond / ts.Unit.Value.Duration())
				}
				if pr.scale <= 0 { // coarser than ms cannot happen in Parquet
					pr.scale = 1
				}
			}
		}
		pr.col[fld] = leaf.ColumnIndex
		pr.names[fld] = col
		pr.fields = append(pr.fields, fld)
		return nil
	}
	for _, fld := range need {
		if err := use(fld, true); err != nil {
			return nil, err
		}
	}
	for _, fld := range opt {
		if err := use(fld, false); err != nil {
			return nil, err
		}
	}
	pr.meta = make(map[string]string)
	for _, kv := range pf.Metadata().KeyValueMetadata {
		pr.meta[kv.Key] = kv.Value
	}
	return pr, nil
}

// openFileSafe opens a Parquet file, turning a panic of the decoder on corrupt input into
// an error.
func openFileSafe(ra io.ReaderAt, size int64) (pf *pq.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			pf, err = nil, fmt.Errorf("%v", r)
		}
	}()
	return pq.OpenFile(ra, size, pq.SkipPageIndex(true), pq.SkipBloomFilters(true), pq.ReadBufferSize(256<<10))
}

func (pr *partReader) Close() error { return pr.closer.Close() }

// checkMeta verifies the file's key/value metadata names series s, when present.
func (pr *partReader) checkMeta(s data.Series) error {
	for k, want := range map[string]string{"symbol": s.Symbol, "kind": string(s.Kind), "interval": s.Interval, "source": s.Source} {
		if got, ok := pr.meta[k]; ok && got != want {
			return fmt.Errorf("%s: metadata %s=%q, want %q: %w", pr.name, k, got, want, ErrMetadata)
		}
	}
	return nil
}

// next decodes the next row group into b. It returns io.EOF after the last one.
func (pr *partReader) next(b *block) (err error) {
	groups := pr.pf.RowGroups()
	if pr.rg >= len(groups) {
		return io.EOF
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: row group %d: %w: %v", pr.name, pr.rg, ErrCorrupt, r)
		}
	}()
	if pr.rg > 0 {
		pr.rows += groups[pr.rg-1].NumRows()
	}
	rg := groups[pr.rg]
	pr.rg++
	n := rg.NumRows()
	b.n = int(n)
	b.has = [nFields]bool{}
	chunks := rg.ColumnChunks()
	for _, fld := range pr.fields {
		// Size the buffers once for the row group, so appends never reallocate.
		switch fieldKinds[fld] {
		case pq.Int64:
			if int64(cap(b.i64[fld])) < n {
				b.i64[fld] = make([]int64, 0, n)
			}
		case pq.Double:
			if int64(cap(b.f64[fld])) < n {
				b.f64[fld] = make([]float64, 0, n)
			}
		case pq.Int32:
			if int64(cap(b.i32[fld])) < n {
				b.i32[fld] = make([]int32, 0, n)
			}
		}
		if err := pr.readColumn(b, fld, chunks[pr.col[fld]]); err != nil {
			return err
		}
		b.has[fld] = true
	}
	for _, fld := range pr.fields {
		var got int
		switch fieldKinds[fld] {
		case pq.Int64:
			got = len(b.i64[fld])
		case pq.Double:
			got = len(b.f64[fld])
		case pq.Int32:
			got = len(b.i32[fld])
		}
		if int64(got) != n {
			return fmt.Errorf("%s: row group %d: field %s: %w: %d values for %d rows",
				pr.name, pr.rg-1, pr.names[fld], ErrCorrupt, got, n)
		}
	}
	if pr.scale > 1 {
		ts := b.i64[fTime]
		for i := range ts {
			ts[i] = floorDiv(ts[i], pr.scale)
		}
	}
	return nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

func (pr *partReader) readColumn(b *block, fld int, chunk pq.ColumnChunk) error {
	kind := fieldKinds[fld]
	b.i64[fld] = b.i64[fld][:0]
	b.f64[fld] = b.f64[fld][:0]
	b.i32[fld] = b.i32[fld][:0]
	pages := chunk.Pages()
	defer pages.Close()
	for {
		p, err := pages.ReadPage()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: field %s: %w: %v", pr.name, pr.names[fld], ErrCorrupt, err)
		}
		if p.NumNulls() > 0 {
			pq.Release(p)
			return fmt.Errorf("%s: field %s: %w", pr.name, pr.names[fld], ErrNull)
		}
		if p.Dictionary() != nil {
			err = pr.readSlow(b, fld, p)
		} else {
			vals := p.Data()
			switch kind {
			case pq.Int64:
				b.i64[fld] = append(b.i64[fld], vals.Int64()...)
			case pq.Double:
				b.f64[fld] = append(b.f64[fld], vals.Double()...)
			case pq.Int32:
				if fld == fIntervalHours && p.Type().Kind() == pq.Int64 {
					for _, v := range vals.Int64() {
						b.i32[fld] = append(b.i32[fld], int32(max(min(v, math.MaxInt32), math.MinInt32)))
					}
				} else {
					b.i32[fld] = append(b.i32[fld], vals.Int32()...)
				}
			}
		}
		pq.Release(p)
		if err != nil {
			return err
		}
	}
}

// readSlow decodes a dictionary-encoded page value by value (files bt writes never use it).
func (pr *partReader) readSlow(b *block, fld int, p pq.Page) error {
	if cap(b.val) < 1024 {
		b.val = make([]pq.Value, 1024)
	}
	r := p.Values()
	for {
		n, err := r.ReadValues(b.val[:cap(b.val)])
		for _, v := range b.val[:n] {
			switch fieldKinds[fld] {
			case pq.Int64:
				b.i64[fld] = append(b.i64[fld], v.Int64())
			case pq.Double:
				b.f64[fld] = append(b.f64[fld], v.Double())
			case pq.Int32:
				if v.Kind() == pq.Int64 {
					b.i32[fld] = append(b.i32[fld], int32(v.Int64()))
				} else {
					b.i32[fld] = append(b.i32[fld], v.Int32())
				}
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: field %s: %w: %v", pr.name, pr.names[fld], ErrCorrupt, err)
		}
	}
}

var (
	klineNeed  = []int{fTime, fOpen, fHigh, fLow, fClose, fVolume}
	klineExtra = []int{fQuoteVolume, fTrades, fTakerBuyVolume, fTakerBuyQuoteVolume}
	markNeed   = []int{fTime, fOpen, fHigh, fLow, fClose}
	fundNeed   = []int{fTime, fRate}
	fundOpt    = []int{fIntervalHours}
)

// checkKlines validates rows [0, b.n) of a kline block: times strictly after prev and
// multiples of interval (when > 0), prices and volumes per data.CheckKline. It returns the
// index of the first bad row (b.n if none) and its error.
func checkKlines(b *block, prev, interval int64, mark bool) (int, string, error) {
	ts := b.i64[fTime][:b.n]
	o, h, l, c := b.f64[fOpen][:b.n], b.f64[fHigh][:b.n], b.f64[fLow][:b.n], b.f64[fClose][:b.n]
	var v []float64
	if !mark {
		v = b.f64[fVolume][:b.n]
	}
	for i, t := range ts {
		if t <= prev {
			return i, "open_time", data.CheckOrder(prev, t)
		}
		if interval > 0 && t%interval != 0 {
			return i, "open_time", data.ErrMisaligned
		}
		lo, hi := l[i], h[i]
		if !(lo > 0 && hi <= math.MaxFloat64 && lo <= hi && o[i] >= lo && o[i] <= hi && c[i] >= lo && c[i] <= hi) ||
			(!mark && !(v[i] >= 0 && v[i] <= math.MaxFloat64)) || t > maxTime {
			k := rowKline(b, i, mark)
			f, err := data.CheckKline(&k)
			if err != nil {
				return i, f, err
			}
		}
		prev = t
	}
	return b.n, "", nil
}

const maxTime = 253402300799999

func rowKline(b *block, i int, mark bool) data.Kline {
	k := data.Kline{
		OpenTime: b.i64[fTime][i],
		Open:     b.f64[fOpen][i], High: b.f64[fHigh][i], Low: b.f64[fLow][i], Close: b.f64[fClose][i],
	}
	if !mark {
		k.Volume = b.f64[fVolume][i]
		if b.has[fQuoteVolume] {
			k.QuoteVolume = b.f64[fQuoteVolume][i]
		}
		if b.has[fTrades] {
			k.Trades = b.i64[fTrades][i]
		}
		if b.has[fTakerBuyVolume] {
			k.TakerBuyVolume = b.f64[fTakerBuyVolume][i]
		}
		if b.has[fTakerBuyQuoteVolume] {
			k.TakerBuyQuoteVolume = b.f64[fTakerBuyQuoteVolume][i]
		}
	}
	return k
}

func rowFunding(b *block, i int) data.FundingRate {
	f := data.FundingRate{Time: b.i64[fTime][i], Rate: b.f64[fRate][i], IntervalHours: data.DefaultFundingIntervalHours}
	if b.has[fIntervalHours] {
		f.IntervalHours = b.i32[fIntervalHours][i]
	}
	return f
}

// checkFunding validates a funding block like checkKlines.
func checkFunding(b *block, prev int64) (int, string, error) {
	for i := 0; i < b.n; i++ {
		f := rowFunding(b, i)
		if err := data.CheckOrder(prev, f.Time); err != nil {
			return i, "time", err
		}
		if fld, err := data.CheckFunding(&f); err != nil {
			return i, fld, err
		}
		prev = f.Time
	}
	return b.n, "", nil
}

// ReadKlines reads the klines (or mark klines, per s.Kind) of series s with open time in
// [start, end) (end 0: no bound), validating them as a Stream does.
func (s *Store) ReadKlines(sr data.Series, start, end int64) ([]data.Kline, error) {
	if sr.Kind != data.KindKlines && sr.Kind != data.KindMark {
		return nil, fmt.Errorf("parquet: ReadKlines of %v: not a kline series", sr)
	}
	var out []data.Kline
	err := s.scan(sr, start, end, func(b *block, i int) {
		out = append(out, rowKline(b, i, sr.Kind == data.KindMark))
	})
	return out, err
}

// ReadFunding reads the funding rates of series s with time in [start, end) (end 0: no bound).
func (s *Store) ReadFunding(sr data.Series, start, end int64) ([]data.FundingRate, error) {
	if sr.Kind != data.KindFunding {
		return nil, fmt.Errorf("parquet: ReadFunding of %v: not a funding series", sr)
	}
	var out []data.FundingRate
	err := s.scan(sr, start, end, func(b *block, i int) { out = append(out, rowFunding(b, i)) })
	return out, err
}

// scan calls fn for each valid row of series sr in [start, end), in time order.
func (s *Store) scan(sr data.Series, start, end int64, fn func(b *block, i int)) error {
	if err := sr.Validate(); err != nil {
		return err
	}
	c, err := newCursor(s.fsys, sr, start, end, s.display())
	if err != nil {
		return err
	}
	c.ld.extra = sr.Kind == data.KindKlines
	c.fill()
	defer c.close()
	for c.head != noTime {
		fn(c.b, c.i)
		c.advance()
	}
	return c.err
}
