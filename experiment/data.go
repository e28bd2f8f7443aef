package experiment

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bt-backtest/bt/data/parquet"
	"github.com/bt-backtest/bt/data/sample"
	"github.com/bt-backtest/bt/reports/artifact"
)

// OpenStore opens the market data an experiment's data.source names: "sample" (the embedded
// sample dataset) or a store directory written by bt data import or synth. Its errors name the
// source and say what a store is.
func OpenStore(source string) (*parquet.Store, error) {
	ds, err := openData(source)
	if err != nil {
		return nil, err
	}
	return ds.store, nil
}

// hashResult is the outcome of dataSource.hashFiles.
type hashResult struct {
	files []artifact.DataFile
	err   error
}

// dataSource is opened market data.
type dataSource struct {
	name  string
	store *parquet.Store
	fsys  fs.FS
}

// openData opens "sample" (the embedded dataset) or a store directory.
func openData(source string) (*dataSource, error) {
	if source == "sample" {
		st, err := sample.Open()
		if err != nil {
			return nil, fmt.Errorf("embedded sample: %w", err)
		}
		return &dataSource{name: "sample", store: st, fsys: sample.FS()}, nil
	}
	fi, err := os.Stat(source)
	if err != nil {
		return nil, fmt.Errorf("data %s: %s (give a store directory written by bt data import/synth, or \"sample\")", source, unwrapPathErr(err))
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("data %s: not a directory (a store is a directory written by bt data import/synth)", source)
	}
	fsys := os.DirFS(source)
	st, err := parquet.OpenFS(fsys)
	if err != nil {
		return nil, fmt.Errorf("data %s: %w", source, err)
	}
	return &dataSource{name: source, store: st, fsys: fsys}, nil
}

// hashFiles returns the sha256 of every data file the run read.
func (d *dataSource) hashFiles(paths []string) ([]artifact.DataFile, error) {
	return d.hashFilesCached(paths, hashCachePath())
}

// hashFilesCached is hashFiles with the digest cache at cachePath ("" for none): a store
// file whose absolute path, size and modification time are in the cache is not read again.
func (d *dataSource) hashFilesCached(paths []string, cachePath string) ([]artifact.DataFile, error) {
	var cache *hashCache
	if d.name != "sample" { // the embedded sample is small and has no file on disk
		cache = loadHashCache(cachePath)
		defer cache.save()
	}
	now := time.Now()
	out := make([]artifact.DataFile, 0, len(paths))
	for _, p := range paths {
		rel := strings.TrimPrefix(filepath.ToSlash(p), "./")
		var abs string
		var fi os.FileInfo
		if cache != nil {
			var err error
			if abs, err = filepath.Abs(filepath.Join(d.name, filepath.FromSlash(rel))); err == nil {
				fi, err = os.Stat(abs)
			}
			if err != nil {
				fi = nil
			}
		}
		sum, ok := "", false
		if fi != nil {
			sum, ok = cache.lookup(abs, fi)
		}
		if !ok {
			f, err := d.fsys.Open(rel)
			if err != nil {
				return nil, fmt.Errorf("data %s: hashing %s: %w", d.name, p, err)
			}
			sum, err = sha256Hex(f)
			f.Close()
			if err != nil {
				return nil, fmt.Errorf("data %s: hashing %s: %w", d.name, p, err)
			}
			// Cache only when the file did not change while it was read.
			if fi2, err := os.Stat(abs); fi != nil && err == nil && fi2.Size() == fi.Size() && fi2.ModTime().Equal(fi.ModTime()) {
				cache.put(abs, fi, sum, now)
			}
		}
		name := rel
		if d.name == "sample" {
			name = "sample:" + rel
		}
		out = append(out, artifact.DataFile{Path: name, SHA256: sum})
	}
	return out, nil
}

// klineSource returns the source=... partition of the first klines file, or "".
func klineSource(files []string) string {
	for _, f := range files {
		if !strings.Contains(f, "kind=klines/") {
			continue
		}
		for _, seg := range strings.Split(filepath.ToSlash(f), "/") {
			if v, ok := strings.CutPrefix(seg, "source="); ok {
				return v
			}
		}
	}
	return ""
}

// hashFile returns the hex sha256 of the file at path.
func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sum, err := sha256Hex(f)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return sum, nil
}

// sha256Hex returns the hex sha256 of what r holds.
func sha256Hex(r io.Reader) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
