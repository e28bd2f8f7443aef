package sweep

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/bt-backtest/bt/internal/testenv"
)

// TestSlurm runs scripts/slurm-test.sh: a real one-node Slurm (munged, slurmctld, slurmd
// started by the script and stopped by PID) runs examples/slurm/sweep.sbatch on
// testdata/slurm.yaml as a 3-task job array plus an afterok merge job; the merged tables must
// be byte-identical to the unsharded bt sweep, and a failing shard must cancel the merge.
// It skips without the Debian packages slurm-wlm and munge or without root, except under
// CI=true.
func TestSlurm(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Slurm cluster")
	}
	const install = "apt-get install -y --no-install-recommends slurm-wlm munge"
	for _, p := range []string{"munged", "mungekey", "slurmctld", "slurmd", "sbatch", "squeue", "scancel", "sinfo", "scontrol", "setpriv"} {
		testenv.Program(t, install, p)
	}
	if os.Geteuid() != 0 {
		testenv.Missing(t, "the Slurm test starts munged and slurmd itself: it needs root")
	}
	root := testenv.RepoRoot(t)
	bin := filepath.Join(t.TempDir(), "bt")
	build := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, "./cmd/bt")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/bt: %v\n%s", err, out)
	}
	sweepFile, err := filepath.Abs(filepath.Join("testdata", "slurm.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", filepath.Join(root, "scripts", "slurm-test.sh"), bin, sweepFile, "3")
	cmd.Dir = t.TempDir()
	out, err := cmd.CombinedOutput()
	t.Logf("scripts/slurm-test.sh:\n%s", out)
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 3 {
		testenv.Missing(t, "scripts/slurm-test.sh cannot run here (see its output)")
	}
	if err != nil {
		t.Fatalf("scripts/slurm-test.sh: %v", err)
	}
}
