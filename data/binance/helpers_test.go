package binance

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/bt-backtest/bt/internal/testenv"
)

// sharedDir returns ../shared, skipping the test when it is absent.
func sharedDir(t testing.TB) string { return testenv.Shared(t) }

// fixture returns the path of a data.binance.vision fixture archive, or skips.
func fixture(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(sharedDir(t), "data", "binance-vision", name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("fixture %s missing: %v", p, err)
	}
	return p
}

// zipBytes returns a zip archive holding one file name with content body.
func zipBytes(t testing.TB, name, body string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(body)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// checksumLine returns the content of a .CHECKSUM file for b named name.
func checksumLine(b []byte, name string) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]) + "  " + name + "\n"
}

func writeFile(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
