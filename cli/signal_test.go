package cli

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bt-backtest/bt/internal/testenv"
	"github.com/bt-backtest/bt/reports/artifact"
)

// buildBT builds the real bt binary into a temporary directory and returns its path.
func buildBT(t *testing.T) string {
	t.Helper()
	goTool := testenv.Program(t, "install Go (https://go.dev/dl/)", "go")
	bin := filepath.Join(t.TempDir(), "bt")
	cmd := exec.Command(goTool, "build", "-o", bin, "../cmd/bt")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// SIGTERM during bt run (the real binary, on the embedded sample with its report) stops the
// run: exit 1 saying it was interrupted, no run directory, no staging directory and no
// temporary file left anywhere. (Before, SIGTERM killed the process and left *.tmp files of
// about 80 MB per account beside a half-written run directory that bt check accepted.)
func TestRunSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds bt and runs the sample in -short mode")
	}
	bin := buildBT(t)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			tmp := t.TempDir()
			dir := filepath.Join(tmp, "run")
			cmd := exec.Command(bin, "run", "--out", dir)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// The staging directory appears just before the backtest starts: signal then.
			stage := filepath.Join(tmp, ".run.partial")
			deadline := time.Now().Add(60 * time.Second)
			for {
				if _, err := os.Stat(stage); err == nil {
					break
				}
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatalf("no staging directory %s after 60s", stage)
				}
				time.Sleep(2 * time.Millisecond)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 1 {
				t.Fatalf("bt run after %v: %v (want exit 1)\nstderr: %s", sig, err, stderr.String())
			}
			if !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("stderr does not say the run was interrupted: %s", stderr.String())
			}
			ents, _ := os.ReadDir(tmp)
			for _, e := range ents {
				t.Errorf("left behind after %v: %s", sig, e.Name())
			}
		})
	}
}

// A run directory left incomplete (a staging directory of a killed run, holding the marker)
// is refused by bt check and bt report with a clear message; the next bt run to the same
// place removes the stale staging directory and replaces the earlier run.
func TestIncompleteRunDirRefused(t *testing.T) {
	_, dir := fixtureRun(t, "--no-report")
	half := filepath.Join(filepath.Dir(dir), ".half.partial")
	if err := os.CopyFS(half, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(half, artifact.IncompleteMarker), "")
	for _, args := range [][]string{
		{"check", half, "--baseline", dir},
		{"check", dir, "--baseline", half},
		{"report", half},
	} {
		code, _, errs := bt(t, args...)
		if code != 2 || !strings.Contains(errs, "incomplete run directory") {
			t.Errorf("bt %v: exit %d, stderr %q; want 2 and \"incomplete run directory\"", args, code, errs)
		}
	}
	// A stale staging directory of dir is replaced, and so is the earlier run.
	stale := filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+".partial")
	writeFile(t, filepath.Join(stale, artifact.IncompleteMarker), "")
	writeFile(t, filepath.Join(stale, ".equity.csv.tmp-1"), "half")
	mustBT(t, 0, "run", "-c", filepath.Join(dir, "config.resolved.yaml"), "--out", dir, "--no-report", "--mode", "cross")
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale staging directory survives: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "isolated")); !os.IsNotExist(err) {
		t.Errorf("a file of the earlier run survives in the replaced run directory: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, artifact.IncompleteMarker)); !os.IsNotExist(err) {
		t.Errorf("the complete run directory holds the incomplete marker: %v", err)
	}
}
