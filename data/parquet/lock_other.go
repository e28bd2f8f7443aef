//go:build !unix

package parquet

import "os"

// tryLock is a no-op where flock does not exist: writers there must not run concurrently.
func tryLock(f *os.File) (bool, error) { return true, nil }

func unlock(f *os.File) {}

// syncDir is a no-op where directories cannot be fsync'ed.
func syncDir(dir string) error { return nil }
