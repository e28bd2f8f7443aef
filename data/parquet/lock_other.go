//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package parquet

import "os"

// tryLock is a no-op where syscall.Flock does not exist (Windows, Solaris, AIX...): there the
// store has no write lock, and writers must not run concurrently (transactions still land all
// or nothing).
func tryLock(f *os.File) (bool, error) { return true, nil }

func unlock(f *os.File) {}

// syncDir is a no-op where directories cannot be fsync'ed.
func syncDir(dir string) error { return nil }
