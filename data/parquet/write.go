package parquet

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"

	"github.com/bt-backtest/bt/data"
)

// Errors of the package. Data faults in rows are *data.RowError values wrapping the data
// package's sentinels; conflicting writes are *ConflictError.
var (
	// ErrReadOnly: a write to a store opened with OpenFS.
	ErrReadOnly = errors.New("parquet: store is read-only")
	// ErrNoData: Stream found no klines for the selection.
	ErrNoData = errors.New("no market data to replay")
	// ErrCorrupt: a file is truncated or not valid Parquet.
	ErrCorrupt = errors.New("parquet: corrupt file")
	// ErrMissingColumn: a required column is absent from a file.
	ErrMissingColumn = errors.New("parquet: missing column")
	// ErrColumnType: a column has the wrong physical type or is repeated.
	ErrColumnType = errors.New("parquet: wrong column type")
	// ErrNull: a column holds nulls.
	ErrNull = errors.New("parquet: null value")
	// ErrMetadata: a file's key/value metadata names another series than its path.
	ErrMetadata = errors.New("parquet: metadata does not match path")
	// ErrConflict: a write holds a row whose time is stored with other values
	// (the error is a *ConflictError).
	ErrConflict = errors.New("parquet: conflicting duplicate")
)

// ConflictError reports a row whose time is already stored (or given twice) with different
// values. Nothing is written when a write meets one.
type ConflictError struct {
	Series data.Series
	Time   int64  // Unix ms
	Field  string // first differing column
	Stored float64
	New    float64
}

// Error names the series, the time (RFC 3339) and the first differing field.
func (e *ConflictError) Error() string {
	return fmt.Sprintf("parquet: %v at %s: field %s: stored %v, new %v: conflicting duplicate",
		e.Series, time.UnixMilli(e.Time).UTC().Format(time.RFC3339), e.Field, e.Stored, e.New)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// Row types, one per schema. Field order is column order.
type klineRow struct {
	OpenTime int64   `parquet:"open_time,timestamp(millisecond:utc),delta"`
	Open     float64 `parquet:"open,split"`
	High     float64 `parquet:"high,split"`
	Low      float64 `parquet:"low,split"`
	Close    float64 `parquet:"close,split"`
	Volume   float64 `parquet:"volume,split"`
}

type klineExtraRow struct {
	OpenTime            int64   `parquet:"open_time,timestamp(millisecond:utc),delta"`
	Open                float64 `parquet:"open,split"`
	High                float64 `parquet:"high,split"`
	Low                 float64 `parquet:"low,split"`
	Close               float64 `parquet:"close,split"`
	Volume              float64 `parquet:"volume,split"`
	QuoteVolume         float64 `parquet:"quote_volume,split"`
	Trades              int64   `parquet:"trades,delta"`
	TakerBuyVolume      float64 `parquet:"taker_buy_volume,split"`
	TakerBuyQuoteVolume float64 `parquet:"taker_buy_quote_volume,split"`
}

type markRow struct {
	OpenTime int64   `parquet:"open_time,timestamp(millisecond:utc),delta"`
	Open     float64 `parquet:"open,split"`
	High     float64 `parquet:"high,split"`
	Low      float64 `parquet:"low,split"`
	Close    float64 `parquet:"close,split"`
}

type fundingRow struct {
	Time          int64   `parquet:"time,timestamp(millisecond:utc),delta"`
	Rate          float64 `parquet:"rate,split"`
	IntervalHours int32   `parquet:"interval_hours,delta"`
}

func hasExtra(k *data.Kline) bool {
	return k.QuoteVolume != 0 || k.Trades != 0 || k.TakerBuyVolume != 0 || k.TakerBuyQuoteVolume != 0
}

// klineDiff returns the first field (by column name) in which a and b differ, with both values.
func klineDiff(a, b *data.Kline) (string, float64, float64, bool) {
	pairs := [...]struct {
		name string
		x, y float64
	}{
		{"open", a.Open, b.Open}, {"high", a.High, b.High}, {"low", a.Low, b.Low}, {"close", a.Close, b.Close},
		{"volume", a.Volume, b.Volume}, {"quote_volume", a.QuoteVolume, b.QuoteVolume},
		{"trades", float64(a.Trades), float64(b.Trades)}, {"taker_buy_volume", a.TakerBuyVolume, b.TakerBuyVolume},
		{"taker_buy_quote_volume", a.TakerBuyQuoteVolume, b.TakerBuyQuoteVolume},
	}
	for _, p := range pairs {
		if p.x != p.y && !(math.IsNaN(p.x) && math.IsNaN(p.y)) {
			return p.name, p.x, p.y, true
		}
	}
	if a.Trades != b.Trades {
		return "trades", float64(a.Trades), float64(b.Trades), true
	}
	return "", 0, 0, false
}

// WriteKlines merges rows (klines or mark klines, per s.Kind) into the store. Rows may be in
// any order and may overlap what is stored: identical duplicates are skipped; a row whose
// timestamp is stored with different values is a *ConflictError and nothing is written.
// Each partition file is written to a temporary name and renamed.
//
// Rows are validated first (data.CheckKline, and open times aligned to the interval); a bad
// row is a *data.RowError whose Row is its 1-based index in rows, and nothing is written.
// For mark klines the volume fields are ignored (stored mark files have no volume column).
//
// Each call is its own transaction (see Tx): it takes the store's write lock, waiting for
// another writer if needed. To land several writes together, use Begin.
func (s *Store) WriteKlines(sr data.Series, rows []data.Kline) (WriteStats, error) {
	if err := s.writable(sr); err != nil {
		return WriteStats{}, err
	}
	return inTx(s, func(tx *Tx) (WriteStats, error) { return tx.WriteKlines(sr, rows) })
}

// inTx runs one write in a transaction of its own.
func inTx(s *Store, write func(*Tx) (WriteStats, error)) (WriteStats, error) {
	tx, err := s.Begin(context.Background(), nil)
	if err != nil {
		return WriteStats{}, err
	}
	defer tx.Rollback()
	st, err := write(tx)
	if err != nil {
		return st, err
	}
	return st, tx.Commit()
}

// writeKlines is WriteKlines into s.root, without a transaction.
func (s *Store) writeKlines(sr data.Series, rows []data.Kline) (WriteStats, error) {
	if err := s.writable(sr); err != nil {
		return WriteStats{}, err
	}
	if sr.Kind != data.KindKlines && sr.Kind != data.KindMark {
		return WriteStats{}, fmt.Errorf("parquet: WriteKlines of %v: not a kline series", sr)
	}
	mark := sr.Kind == data.KindMark
	iv, _ := data.IntervalMillis(sr.Interval)
	return writeRows(sr, rows, rowOps[data.Kline]{
		check: func(k *data.Kline) (string, error) {
			if mark {
				k.Volume, k.QuoteVolume, k.Trades, k.TakerBuyVolume, k.TakerBuyQuoteVolume = 0, 0, 0, 0, 0
			}
			if f, err := data.CheckKline(k); err != nil {
				return f, err
			}
			if k.OpenTime%iv != 0 {
				return "open_time", data.ErrMisaligned
			}
			return "", nil
		},
		time:  func(k *data.Kline) int64 { return k.OpenTime },
		diff:  klineDiff,
		read:  func(start, end int64) ([]data.Kline, error) { return s.ReadKlines(sr, start, end) },
		write: func(month string, rows []data.Kline) error { return s.writeKlinePart(sr, month, rows) },
	})
}

// WriteFunding is WriteKlines for funding rates. Rows are checked with data.CheckFunding.
func (s *Store) WriteFunding(sr data.Series, rows []data.FundingRate) (WriteStats, error) {
	if err := s.writable(sr); err != nil {
		return WriteStats{}, err
	}
	return inTx(s, func(tx *Tx) (WriteStats, error) { return tx.WriteFunding(sr, rows) })
}

// writeFunding is WriteFunding into s.root, without a transaction.
func (s *Store) writeFunding(sr data.Series, rows []data.FundingRate) (WriteStats, error) {
	if err := s.writable(sr); err != nil {
		return WriteStats{}, err
	}
	if sr.Kind != data.KindFunding {
		return WriteStats{}, fmt.Errorf("parquet: WriteFunding of %v: not a funding series", sr)
	}
	return writeRows(sr, rows, rowOps[data.FundingRate]{
		check: data.CheckFunding,
		time:  func(f *data.FundingRate) int64 { return f.Time },
		diff:  fundingDiff,
		read:  func(start, end int64) ([]data.FundingRate, error) { return s.ReadFunding(sr, start, end) },
		write: func(month string, rows []data.FundingRate) error {
			rs := make([]fundingRow, len(rows))
			for i, f := range rows {
				rs[i] = fundingRow{Time: f.Time, Rate: f.Rate, IntervalHours: f.IntervalHours}
			}
			return writePart(s, sr, month, rs)
		},
	})
}

// writable reports why sr cannot be written to s, if it cannot.
func (s *Store) writable(sr data.Series) error {
	if s.root == "" {
		return ErrReadOnly
	}
	return sr.Validate()
}

// fundingDiff is klineDiff for funding rates.
func fundingDiff(a, b *data.FundingRate) (string, float64, float64, bool) {
	switch {
	case a.Rate != b.Rate:
		return "rate", a.Rate, b.Rate, true
	case a.IntervalHours != b.IntervalHours:
		return "interval_hours", float64(a.IntervalHours), float64(b.IntervalHours), true
	}
	return "", 0, 0, false
}

// rowOps is what writeRows needs to know about a row type R.
type rowOps[R any] struct {
	// check validates (and may normalize) a row; on error it names the bad field.
	check func(*R) (field string, err error)
	// time is the row's key, Unix ms.
	time func(*R) int64
	// diff returns the first field in which two rows differ, with both values.
	diff func(a, b *R) (field string, stored, new float64, differ bool)
	// read returns the stored rows with time in [start, end), sorted.
	read func(start, end int64) ([]R, error)
	// write replaces the partition file of month with rows.
	write func(month string, rows []R) error
}

// writeRows is the write algorithm shared by WriteKlines and WriteFunding: validate a copy of
// rows, sort it by time (stable: ties keep input order), drop identical duplicates, then per
// month merge with what is stored. Partitions are written only after every month merged, so
// a bad row or a conflict leaves the store as it was.
func writeRows[R any](sr data.Series, rows []R, op rowOps[R]) (WriteStats, error) {
	var st WriteStats
	name := "input " + sr.String()
	in := slices.Clone(rows)
	for i := range in {
		if f, err := op.check(&in[i]); err != nil {
			return st, &data.RowError{File: name, Row: i + 1, Field: f, Err: err}
		}
	}
	if !sortedBy(in, op.time) {
		// Sort indexes rather than rows: rows may be large.
		order := make([]int, len(in))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(op.time(&in[a]), op.time(&in[b])) })
		sorted := make([]R, len(in))
		for i, j := range order {
			sorted[i] = in[j]
		}
		in = sorted
	}
	sorted := in[:0]
	for i := range in {
		r := &in[i]
		if n := len(sorted); n > 0 && op.time(&sorted[n-1]) == op.time(r) {
			if f, x, y, diff := op.diff(&sorted[n-1], r); diff {
				return st, &ConflictError{Series: sr, Time: op.time(r), Field: f, Stored: x, New: y}
			}
			st.Duplicates++
			continue
		}
		sorted = append(sorted, *r)
	}
	type job struct {
		month string
		rows  []R
	}
	var jobs []job
	for lo := 0; lo < len(sorted); {
		m := monthOf(op.time(&sorted[lo]))
		hi := lo
		for hi < len(sorted) && monthOf(op.time(&sorted[hi])) == m {
			hi++
		}
		add := sorted[lo:hi]
		lo = hi
		mStart, mEnd, _ := monthBounds(m)
		old, err := op.read(mStart, mEnd)
		if err != nil {
			return WriteStats{}, err
		}
		merged, added, dups, err := mergeRows(sr, old, add, op)
		if err != nil {
			return WriteStats{}, err
		}
		st.Duplicates += dups
		if added == 0 {
			continue
		}
		st.Added += added
		jobs = append(jobs, job{m, merged})
	}
	for _, j := range jobs {
		if err := op.write(j.month, j.rows); err != nil {
			return st, err
		}
		st.Files++
	}
	return st, nil
}

// sortedBy reports whether rows are in non-decreasing order of time.
func sortedBy[R any](rows []R, time func(*R) int64) bool {
	for i := 1; i < len(rows); i++ {
		if time(&rows[i]) < time(&rows[i-1]) {
			return false
		}
	}
	return true
}

// mergeRows merges two time-sorted, duplicate-free slices; a time in both with other values
// is a *ConflictError.
func mergeRows[R any](sr data.Series, old, add []R, op rowOps[R]) (out []R, added, dups int, err error) {
	out = make([]R, 0, len(old)+len(add))
	i, j := 0, 0
	for i < len(old) || j < len(add) {
		switch {
		case j == len(add) || (i < len(old) && op.time(&old[i]) < op.time(&add[j])):
			out = append(out, old[i])
			i++
		case i == len(old) || op.time(&add[j]) < op.time(&old[i]):
			out = append(out, add[j])
			added++
			j++
		default:
			if f, x, y, diff := op.diff(&old[i], &add[j]); diff {
				return nil, 0, 0, &ConflictError{Series: sr, Time: op.time(&add[j]), Field: f, Stored: x, New: y}
			}
			out = append(out, old[i])
			dups++
			i++
			j++
		}
	}
	return out, added, dups, nil
}

func (s *Store) writeKlinePart(sr data.Series, month string, rows []data.Kline) error {
	switch {
	case sr.Kind == data.KindMark:
		rs := make([]markRow, len(rows))
		for i, k := range rows {
			rs[i] = markRow{k.OpenTime, k.Open, k.High, k.Low, k.Close}
		}
		return writePart(s, sr, month, rs)
	case slices.ContainsFunc(rows, func(k data.Kline) bool { return hasExtra(&k) }):
		rs := make([]klineExtraRow, len(rows))
		for i, k := range rows {
			rs[i] = klineExtraRow{k.OpenTime, k.Open, k.High, k.Low, k.Close, k.Volume,
				k.QuoteVolume, k.Trades, k.TakerBuyVolume, k.TakerBuyQuoteVolume}
		}
		return writePart(s, sr, month, rs)
	default:
		rs := make([]klineRow, len(rows))
		for i, k := range rows {
			rs[i] = klineRow{k.OpenTime, k.Open, k.High, k.Low, k.Close, k.Volume}
		}
		return writePart(s, sr, month, rs)
	}
}

func codec(name string) compress.Codec {
	switch name {
	case "zstd":
		return &pq.Zstd
	case "none":
		return &pq.Uncompressed
	}
	return &pq.Snappy
}

// writePart writes rows as the partition file of month, through a temporary file renamed
// into place.
func writePart[T any](s *Store, sr data.Series, month string, rows []T) (err error) {
	final := s.osPath(partPath(sr, month))
	dir := filepath.Dir(final)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	f, err := os.CreateTemp(dir, ".data-*.parquet.tmp")
	if err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := encodeRows(f, sr, s.opt, rows); err != nil {
		return fmt.Errorf("parquet: write %s: %w", final, err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	if err := os.Rename(f.Name(), final); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	return nil
}

// encodeRows writes rows as one Parquet file to w.
func encodeRows[T any](w io.Writer, sr data.Series, opt Options, rows []T) error {
	pw := pq.NewGenericWriter[T](w,
		pq.Compression(codec(opt.Compression)),
		pq.MaxRowsPerRowGroup(int64(opt.RowGroupRows)),
		pq.CreatedBy("bt", "1", ""),
		pq.KeyValueMetadata("symbol", sr.Symbol),
		pq.KeyValueMetadata("kind", string(sr.Kind)),
		pq.KeyValueMetadata("interval", sr.Interval),
		pq.KeyValueMetadata("source", sr.Source),
		pq.KeyValueMetadata("bt.layout", "1"),
	)
	for len(rows) > 0 {
		n := min(len(rows), opt.RowGroupRows)
		if _, err := pw.Write(rows[:n]); err != nil {
			return err
		}
		if err := pw.Flush(); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return pw.Close()
}
