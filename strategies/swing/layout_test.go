package swing

import (
	"testing"
	"unsafe"
)

// TestSymStateFitsALine: OnBars reads and writes one symState per bar; at 64 bytes (a
// 48-byte EMAPair, the last close and three flags) a bar touches one cache line of the strategy.
func TestSymStateFitsALine(t *testing.T) {
	if n := unsafe.Sizeof(symState{}); n > 64 {
		t.Errorf("symState is %d bytes, want at most 64", n)
	}
}
