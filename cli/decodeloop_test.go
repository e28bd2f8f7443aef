package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// bt data decode-loop reads every bar of the store once (48 hourly klines and mark klines of
// two symbols) and says how long it took; a missing store is a usage error.
func TestDecodeLoop(t *testing.T) {
	store := filepath.Join(t.TempDir(), "store")
	makeStore(t, store, 48)
	out, _ := mustBT(t, 0, "data", "decode-loop", "--store", store)
	if !strings.HasPrefix(out, "decode-loop: 192 bars (96 klines, 96 mark), ") || !strings.Contains(out, " s, cpu ") {
		t.Errorf("output: %q", out)
	}
	mustBT(t, 2, "data", "decode-loop", "--store", filepath.Join(store, "missing"))
}
