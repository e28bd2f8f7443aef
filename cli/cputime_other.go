//go:build !unix

package cli

import "time"

// cpuNow is unknown (-1) where getrusage is missing.
func cpuNow() time.Duration { return -1 }
