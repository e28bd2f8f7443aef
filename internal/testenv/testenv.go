package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// RepoRoot returns the directory holding go.mod above the test's working directory. It skips
// the test when there is none.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("no go.mod above the test directory")
		}
		dir = parent
	}
}

// Shared returns the path of elem under ../shared (beside the repository root), skipping the
// test with a message naming the path when it is absent. Shared data is optional material, so
// its absence skips even under CI.
func Shared(t testing.TB, elem ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{RepoRoot(t), "..", "shared"}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared material %s not found (it lies beside the repository as ../shared): skipping", p)
	}
	return p
}

// CI reports whether the tests run under CI (CI=true), where missing programs fail tests.
func CI() bool { return os.Getenv("CI") == "true" }

// Missing ends a test that lacks an external program or package: it skips with msg, or fails
// with msg under CI.
func Missing(t testing.TB, msg string) {
	t.Helper()
	if CI() {
		t.Fatal(msg + " (CI=true: a missing program is a failure)")
	}
	t.Skip(msg)
}

// Program returns the path of the first of names found on PATH, or ends the test through
// Missing with install, a hint of how to install it.
func Program(t testing.TB, install string, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	Missing(t, names[0]+" not found: "+install)
	return ""
}
