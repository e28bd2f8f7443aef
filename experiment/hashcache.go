package experiment

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// hashCache remembers the sha256 of input files between runs, keyed by the file's absolute
// path, size and modification time, so that repeated runs and sweeps over the same store do
// not rehash it (the manifest's digests stay the same: a file whose size or modification time
// changed is rehashed). It lives in one small text file, os.UserCacheDir()/bt/hashes, one
// entry a line: "<sha256 hex> <size> <mtime ns> <absolute path>". The file is only a cache:
// when it is absent, unreadable or malformed in any line it is ignored as a whole and the
// files are hashed again; it is replaced atomically (a temporary file renamed over it).
type hashCache struct {
	path    string // the cache file; "" when there is no user cache directory
	entries map[string]hashEntry
	dirty   bool
}

// hashEntry is one cached digest.
type hashEntry struct {
	size  int64
	mtime int64 // Unix ns
	sum   string
}

// hashCacheHeader is the cache file's first line (its format version).
const hashCacheHeader = "bt input hashes v1"

// hashCacheMax bounds the entries kept: beyond it the cache starts afresh with this run's.
const hashCacheMax = 1 << 16

// hashCacheRacy is how recent a modification time may be for the digest not to be cached: a
// file written within it could change again without its size or time changing visibly.
const hashCacheRacy = 2 * time.Second

// hashCachePath returns the cache file's path, or "" without a user cache directory.
func hashCachePath() string {
	dir, err := os.UserCacheDir()
	if err != nil || dir == "" {
		return ""
	}
	return filepath.Join(dir, "bt", "hashes")
}

// loadHashCache reads the cache file at path; any problem gives an empty cache.
func loadHashCache(path string) *hashCache {
	c := &hashCache{path: path, entries: map[string]hashEntry{}}
	if path == "" {
		return c
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return c
	}
	m, ok := parseHashCache(b)
	if ok {
		c.entries = m
	}
	return c
}

// parseHashCache parses a cache file; ok is false when any line is malformed.
func parseHashCache(b []byte) (map[string]hashEntry, bool) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	if !sc.Scan() || sc.Text() != hashCacheHeader {
		return nil, false
	}
	m := map[string]hashEntry{}
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), " ", 4)
		if len(f) != 4 || len(f[0]) != 64 || f[3] == "" {
			return nil, false
		}
		if _, err := hex.DecodeString(f[0]); err != nil {
			return nil, false
		}
		size, err1 := strconv.ParseInt(f[1], 10, 64)
		mtime, err2 := strconv.ParseInt(f[2], 10, 64)
		if err1 != nil || err2 != nil || size < 0 {
			return nil, false
		}
		m[f[3]] = hashEntry{size: size, mtime: mtime, sum: f[0]}
	}
	if sc.Err() != nil {
		return nil, false
	}
	return m, true
}

// lookup returns the cached digest of the file abs with the given size and modification time.
func (c *hashCache) lookup(abs string, fi os.FileInfo) (string, bool) {
	e, ok := c.entries[abs]
	if !ok || e.size != fi.Size() || e.mtime != fi.ModTime().UnixNano() {
		return "", false
	}
	return e.sum, true
}

// put records the digest of the file abs, unless its modification time is too recent to trust.
func (c *hashCache) put(abs string, fi os.FileInfo, sum string, now time.Time) {
	if c.path == "" || strings.ContainsAny(abs, "\n\r") || now.Sub(fi.ModTime()) < hashCacheRacy {
		return
	}
	if len(c.entries) >= hashCacheMax {
		c.entries = map[string]hashEntry{}
	}
	c.entries[abs] = hashEntry{size: fi.Size(), mtime: fi.ModTime().UnixNano(), sum: sum}
	c.dirty = true
}

// save writes the cache back when it changed. Errors are ignored: the cache is an optimization.
func (c *hashCache) save() {
	if !c.dirty || c.path == "" {
		return
	}
	if err := os.MkdirAll(filepath.Dir(c.path), 0o755); err != nil {
		return
	}
	var b bytes.Buffer
	b.WriteString(hashCacheHeader + "\n")
	for p, e := range c.entries {
		b.WriteString(e.sum)
		b.WriteByte(' ')
		b.WriteString(strconv.FormatInt(e.size, 10))
		b.WriteByte(' ')
		b.WriteString(strconv.FormatInt(e.mtime, 10))
		b.WriteByte(' ')
		b.WriteString(p)
		b.WriteByte('\n')
	}
	f, err := os.CreateTemp(filepath.Dir(c.path), ".hashes.tmp-*")
	if err != nil {
		return
	}
	_, err = f.Write(b.Bytes())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), c.path)
	}
	if err != nil {
		os.Remove(f.Name())
		return
	}
	c.dirty = false
}
