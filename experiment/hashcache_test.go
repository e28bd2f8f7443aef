package experiment

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// hashStore makes a store directory with one file of the given content, modified an hour ago.
func hashStore(t *testing.T, content string) (*dataSource, string, time.Time) {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "a.parquet")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	mt := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes(p, mt, mt); err != nil {
		t.Fatal(err)
	}
	return &dataSource{name: dir, fsys: os.DirFS(dir)}, p, mt
}

func sumOf(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }

func hashOne(t *testing.T, d *dataSource, cache string) string {
	t.Helper()
	files, err := d.hashFilesCached([]string{"a.parquet"}, cache)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Path != "a.parquet" {
		t.Fatalf("files = %+v", files)
	}
	return files[0].SHA256
}

// plant rewrites the cache so that its one entry holds a false digest: a run that returns it
// read the cache instead of the file.
func plant(t *testing.T, cache, abs string) {
	t.Helper()
	b, err := os.ReadFile(cache)
	if err != nil {
		t.Fatalf("cache not written: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 || lines[0] != hashCacheHeader || !strings.HasSuffix(lines[1], " "+abs) {
		t.Fatalf("cache file = %q", b)
	}
	fake := strings.Repeat("ab", 32) + lines[1][64:]
	if err := os.WriteFile(cache, []byte(lines[0]+"\n"+fake+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestHashCache(t *testing.T) {
	fake := strings.Repeat("ab", 32)
	t.Run("hit", func(t *testing.T) {
		d, p, _ := hashStore(t, "hello")
		cache := filepath.Join(t.TempDir(), "bt", "hashes")
		if got := hashOne(t, d, cache); got != sumOf("hello") {
			t.Fatalf("first run = %s", got)
		}
		plant(t, cache, p)
		if got := hashOne(t, d, cache); got != fake {
			t.Fatalf("unchanged file: got %s, want the cached %s", got, fake)
		}
	})
	t.Run("mtime changed", func(t *testing.T) {
		d, p, mt := hashStore(t, "hello")
		cache := filepath.Join(t.TempDir(), "hashes")
		hashOne(t, d, cache)
		plant(t, cache, p)
		mt = mt.Add(time.Second)
		if err := os.Chtimes(p, mt, mt); err != nil {
			t.Fatal(err)
		}
		if got := hashOne(t, d, cache); got != sumOf("hello") {
			t.Fatalf("touched file: got %s, want it rehashed", got)
		}
	})
	t.Run("size changed", func(t *testing.T) {
		d, p, mt := hashStore(t, "hello")
		cache := filepath.Join(t.TempDir(), "hashes")
		hashOne(t, d, cache)
		plant(t, cache, p)
		if err := os.WriteFile(p, []byte("hello, world"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mt, mt); err != nil { // same time, other size
			t.Fatal(err)
		}
		if got := hashOne(t, d, cache); got != sumOf("hello, world") {
			t.Fatalf("rewritten file: got %s, want it rehashed", got)
		}
	})
	t.Run("recent file not cached", func(t *testing.T) {
		d, p, _ := hashStore(t, "hello")
		now := time.Now()
		if err := os.Chtimes(p, now, now); err != nil {
			t.Fatal(err)
		}
		cache := filepath.Join(t.TempDir(), "hashes")
		hashOne(t, d, cache)
		if _, err := os.Stat(cache); !os.IsNotExist(err) {
			t.Fatalf("a file modified just now was cached (stat: %v)", err)
		}
	})
	for name, corrupt := range map[string]string{
		"garbage":    "\x00\x01 not a cache",
		"no header":  fake + " 5 1 /x\n",
		"bad digest": hashCacheHeader + "\nzz" + fake[2:] + " 5 1 /x\n",
		"bad size":   hashCacheHeader + "\n" + fake + " five 1 /x\n",
		"short line": hashCacheHeader + "\n" + fake + " 5\n",
		"empty":      "",
	} {
		t.Run("corrupt "+name, func(t *testing.T) {
			d, _, _ := hashStore(t, "hello")
			cache := filepath.Join(t.TempDir(), "hashes")
			if err := os.WriteFile(cache, []byte(corrupt), 0o644); err != nil {
				t.Fatal(err)
			}
			if got := hashOne(t, d, cache); got != sumOf("hello") {
				t.Fatalf("got %s", got)
			}
			b, _ := os.ReadFile(cache)
			if _, ok := parseHashCache(b); !ok {
				t.Fatalf("corrupt cache not replaced by a valid one: %q", b)
			}
		})
	}
	t.Run("corrupt entry ignored as a whole", func(t *testing.T) {
		d, p, _ := hashStore(t, "hello")
		cache := filepath.Join(t.TempDir(), "hashes")
		hashOne(t, d, cache)
		plant(t, cache, p)
		f, err := os.OpenFile(cache, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString("truncated li")
		f.Close()
		if got := hashOne(t, d, cache); got != sumOf("hello") {
			t.Fatalf("got %s: a cache with a malformed line was trusted", got)
		}
	})
}
