package synth

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// FuzzParseCrash checks that ParseCrash never panics, returns ErrCrash on failure, and
// that what it accepts prints and parses back to the same crash. The seed corpus lives
// in testdata/fuzz/FuzzParseCrash.
func FuzzParseCrash(f *testing.F) {
	f.Add("2025-10-10T21:00Z:-0.25")
	f.Add("2025-10-10T21:00:00Z:-25%:ZECUSDT")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCrash(s)
		if err != nil {
			if !errors.Is(err, ErrCrash) {
				t.Fatalf("error is not ErrCrash: %v", err)
			}
			return
		}
		if !(c.Size > -1) || math.IsInf(c.Size, 0) {
			t.Fatalf("accepted bad size %+v", c)
		}
		if y := c.Time.Year(); y >= 0 && y <= 9999 && !strings.Contains(c.Symbol, ":") {
			back, err := ParseCrash(c.String())
			if err != nil || !back.Time.Equal(c.Time.Truncate(time.Second)) || back.Size != c.Size || back.Symbol != c.Symbol {
				t.Fatalf("round trip %q -> %v -> %v, %v", s, c, back, err)
			}
		}
	})
}
