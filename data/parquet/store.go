package parquet

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/bt-backtest/bt/data"
)

// Store is a dataset: one directory tree of Parquet files, partitioned per series and month.
// See the package documentation for the layout. A Store is safe for concurrent reads, and
// for concurrent writers in this or other processes: each write is a transaction holding the
// store's write lock (see Tx), so writers take turns.
type Store struct {
	root string // "" when read-only over an fs.FS
	// shown, when set, is the root named in errors (a transaction's staging store reads the
	// store itself under another root).
	shown func(p string) string
	fsys  fs.FS
	opt   Options
}

// Options tunes how a writable store writes files. The zero value is the measured default.
type Options struct {
	// Compression is the codec of written files: "snappy", "zstd" or "none". "" means
	// "snappy": it decodes about twice as fast as zstd (BENCHMARKS.md), the hot path of every
	// run; zstd files are about 8% smaller (the embedded sample uses zstd).
	Compression string
	// RowGroupRows caps the rows of one row group, which bounds the memory a Stream holds
	// per series (about 48 bytes a kline row). 0 means 16384.
	RowGroupRows int
}

func (o Options) withDefaults() (Options, error) {
	if o.Compression == "" {
		o.Compression = "snappy"
	}
	switch o.Compression {
	case "zstd", "snappy", "none":
	default:
		return o, fmt.Errorf("parquet: unknown compression %q (want zstd, snappy or none)", o.Compression)
	}
	if o.RowGroupRows < 0 {
		return o, fmt.Errorf("parquet: negative RowGroupRows %d", o.RowGroupRows)
	}
	if o.RowGroupRows == 0 {
		o.RowGroupRows = 16384
	}
	return o, nil
}

// WriteStats says what a write did.
type WriteStats struct {
	Added      int // rows new to the store
	Duplicates int // rows already stored with identical values (skipped)
	Files      int // partition files written
}

// Create opens (creating if needed) a writable store rooted at dir.
func Create(dir string) (*Store, error) { return CreateWith(dir, Options{}) }

// CreateWith is Create with explicit write options.
func CreateWith(dir string, opt Options) (*Store, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("parquet: create store: %w", err)
	}
	return &Store{root: dir, fsys: os.DirFS(dir), opt: opt}, nil
}

// OpenFS opens a read-only store over fsys (e.g. the embedded sample, or os.DirFS(dir)).
func OpenFS(fsys fs.FS) (*Store, error) {
	if fsys == nil {
		return nil, errors.New("parquet: nil fs.FS")
	}
	opt, _ := Options{}.withDefaults()
	return &Store{fsys: fsys, opt: opt}, nil
}

// Root returns the directory of a writable store, "" for a read-only one.
func (s *Store) Root() string { return s.root }

// FS returns the file system the store reads from; paths in it are slash-separated and
// relative to the store root.
func (s *Store) FS() fs.FS { return s.fsys }

// Partition file name inside each month directory.
const partName = "data.parquet"

// seriesDir returns the slash path of a series' directory relative to the store root.
func seriesDir(s data.Series) string {
	if s.Kind == data.KindFunding {
		return "kind=" + string(s.Kind) + "/source=" + s.Source + "/symbol=" + s.Symbol
	}
	return "kind=" + string(s.Kind) + "/source=" + s.Source + "/interval=" + s.Interval + "/symbol=" + s.Symbol
}

// monthOf returns "YYYY-MM" of a Unix ms time (UTC).
func monthOf(ms int64) string { return time.UnixMilli(ms).UTC().Format("2006-01") }

// monthStart returns the Unix ms of the first instant of the UTC month "YYYY-MM", and of the
// next month.
func monthBounds(month string) (start, end int64, err error) {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return 0, 0, err
	}
	return t.UnixMilli(), t.AddDate(0, 1, 0).UnixMilli(), nil
}

// partPath returns the slash path of the partition holding month of series s.
func partPath(s data.Series, month string) string {
	return seriesDir(s) + "/month=" + month + "/" + partName
}

// partFile is one partition of a series.
type partFile struct {
	path       string // slash path relative to the store root
	month      string
	start, end int64 // the month's bounds, Unix ms
}

// parts lists the partition files of series s, in time order; none if s is not stored.
func (s *Store) parts(sr data.Series) ([]partFile, error) {
	dir := seriesDir(sr)
	ents, err := fs.ReadDir(s.fsys, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	var out []partFile
	for _, e := range ents {
		m, ok := strings.CutPrefix(e.Name(), "month=")
		if !ok || !e.IsDir() {
			continue
		}
		start, end, err := monthBounds(m)
		if err != nil {
			return nil, fmt.Errorf("parquet: %s/%s: bad month partition: %v", dir, e.Name(), err)
		}
		p := dir + "/" + e.Name() + "/" + partName
		if _, err := fs.Stat(s.fsys, p); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, fmt.Errorf("parquet: %w", err)
		}
		out = append(out, partFile{path: p, month: m, start: start, end: end})
	}
	slices.SortFunc(out, func(a, b partFile) int { return strings.Compare(a.month, b.month) })
	return out, nil
}

// List returns every series in the store, sorted by Source, Kind, Symbol, Interval.
func (s *Store) List() ([]data.Series, error) {
	var out []data.Series
	kinds, err := s.subdirs(".", "kind")
	if err != nil {
		return nil, err
	}
	for _, kind := range kinds {
		k := data.Kind(kind)
		kdir := "kind=" + kind
		sources, err := s.subdirs(kdir, "source")
		if err != nil {
			return nil, err
		}
		for _, src := range sources {
			sdir := kdir + "/source=" + src
			if k == data.KindFunding {
				syms, err := s.subdirs(sdir, "symbol")
				if err != nil {
					return nil, err
				}
				for _, sym := range syms {
					out = append(out, data.Series{Symbol: sym, Kind: k, Source: src})
				}
				continue
			}
			ivs, err := s.subdirs(sdir, "interval")
			if err != nil {
				return nil, err
			}
			for _, iv := range ivs {
				syms, err := s.subdirs(sdir+"/interval="+iv, "symbol")
				if err != nil {
					return nil, err
				}
				for _, sym := range syms {
					out = append(out, data.Series{Symbol: sym, Kind: k, Interval: iv, Source: src})
				}
			}
		}
	}
	// Keep only series that hold at least one partition.
	kept := out[:0]
	for _, sr := range out {
		ps, err := s.parts(sr)
		if err != nil {
			return nil, err
		}
		if len(ps) > 0 {
			kept = append(kept, sr)
		}
	}
	out = kept
	slices.SortFunc(out, compareSeries)
	return out, nil
}

func compareSeries(a, b data.Series) int {
	if c := strings.Compare(a.Source, b.Source); c != 0 {
		return c
	}
	if c := strings.Compare(string(a.Kind), string(b.Kind)); c != 0 {
		return c
	}
	if c := strings.Compare(a.Symbol, b.Symbol); c != 0 {
		return c
	}
	return strings.Compare(a.Interval, b.Interval)
}

// subdirs returns the values of the key=value directories under dir.
func (s *Store) subdirs(dir, key string) ([]string, error) {
	ents, err := fs.ReadDir(s.fsys, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	var out []string
	for _, e := range ents {
		if v, ok := strings.CutPrefix(e.Name(), key+"="); ok && e.IsDir() {
			out = append(out, v)
		}
	}
	return out, nil
}

// Files returns the partition files of series sr, slash paths relative to the store root, in
// time order.
func (s *Store) Files(sr data.Series) ([]string, error) {
	ps, err := s.parts(sr)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.path
	}
	return out, nil
}

// osPath turns a store-relative slash path into an OS path (writable stores only).
func (s *Store) osPath(p string) string { return joinOS(s.root, p) }

// display returns how the store names its files in errors (nil: the slash path).
func (s *Store) display() func(string) string {
	switch {
	case s.shown != nil:
		return s.shown
	case s.root != "":
		return s.osPath
	}
	return nil
}

func joinOS(root, p string) string { return filepath.Join(root, filepath.FromSlash(p)) }
