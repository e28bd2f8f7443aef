package notebooks

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/bt-backtest/bt/internal/testenv"
)

// notebook is the part of the .ipynb format the tests look at.
type notebook struct {
	Cells []struct {
		CellType       string            `json:"cell_type"`
		ExecutionCount *int              `json:"execution_count"`
		Outputs        []json.RawMessage `json:"outputs"`
	} `json:"cells"`
	Metadata struct {
		Kernelspec struct {
			Name string `json:"name"`
		} `json:"kernelspec"`
	} `json:"metadata"`
}

func notebooks(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no notebooks in notebooks/")
	}
	return files
}

func readNotebook(t *testing.T, path string) notebook {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var nb notebook
	if err := json.Unmarshal(b, &nb); err != nil {
		t.Fatalf("%s: not a notebook: %v", path, err)
	}
	return nb
}

// TestNotebooksStoredClean: committed notebooks have their outputs cleared, so diffs show code.
func TestNotebooksStoredClean(t *testing.T) {
	for _, f := range notebooks(t) {
		nb := readNotebook(t, f)
		if nb.Metadata.Kernelspec.Name != "python3" {
			t.Errorf("%s: kernel %q, want python3", f, nb.Metadata.Kernelspec.Name)
		}
		for i, c := range nb.Cells {
			if c.CellType != "code" {
				continue
			}
			if len(c.Outputs) > 0 || c.ExecutionCount != nil {
				t.Errorf("%s: cell %d has outputs or an execution count: clear them before committing (jupyter nbconvert --clear-output --inplace %s)", f, i, f)
			}
		}
	}
}

// external returns the path of an external program, skipping the test when it is missing
// (failing instead when CI=true).
func external(t *testing.T, candidates ...string) string {
	t.Helper()
	return testenv.Program(t, "install jupyter-nbconvert python3-pandas python3-matplotlib python3-ipykernel", candidates...)
}

// makeRun writes a run directory of the replay experiment (short, with liquidations) into dir.
func makeRun(t *testing.T, dir string) {
	t.Helper()
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if p, err := exec.LookPath("go"); err == nil {
		goTool = p
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goTool, "run", "../cmd/bt", "run", "-c", "../experiments/replay.yaml", "--out", dir, "--no-report")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bt run: %v\n%s", err, out)
	}
}

// makeSweep writes a sweep directory (the Slurm test's small sweep) into dir, for
// sweep_heatmap.ipynb.
func makeSweep(t *testing.T, dir string) {
	t.Helper()
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if p, err := exec.LookPath("go"); err == nil {
		goTool = p
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goTool, "run", "../cmd/bt", "sweep", "-c", "../sweep/testdata/slurm.yaml", "--out", dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bt sweep: %v\n%s", err, out)
	}
}

// TestNotebooksExecute runs every notebook headless against a fresh run (and a fresh sweep).
func TestNotebooksExecute(t *testing.T) {
	jupyter := external(t, "/usr/bin/jupyter", "jupyter")
	// The Debian kernel runs /usr/bin/python3, which must have pandas and matplotlib.
	python := external(t, "/usr/bin/python3", "python3")
	if out, err := exec.Command(python, "-c", "import pandas, matplotlib, ipykernel").CombinedOutput(); err != nil {
		testenv.Missing(t, python+" lacks pandas, matplotlib or ipykernel: "+strings.TrimSpace(string(out)))
	}
	tmp := t.TempDir()
	run := filepath.Join(tmp, "run")
	makeRun(t, run)
	sweepDir := filepath.Join(tmp, "sweep")
	makeSweep(t, sweepDir)
	for _, f := range notebooks(t) {
		t.Run(f, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			outDir := filepath.Join(tmp, "executed")
			cmd := exec.CommandContext(ctx, jupyter, "nbconvert", "--to", "notebook", "--execute",
				"--ExecutePreprocessor.timeout=300", "--output-dir", outDir, f)
			cmd.Env = append(os.Environ(),
				"BT_RUN_DIR="+run,
				"BT_SWEEP_DIR="+sweepDir,
				"PATH=/usr/bin:"+os.Getenv("PATH"), // Debian's python3 and its kernel first
				"PYDEVD_DISABLE_FILE_VALIDATION=1",
			)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s failed to execute: %v\n%s", f, err, out)
			}
			nb := readNotebook(t, filepath.Join(outDir, f))
			ran := 0
			for _, c := range nb.Cells {
				if c.CellType == "code" && c.ExecutionCount != nil {
					ran++
				}
				for _, o := range c.Outputs {
					var head struct {
						OutputType string `json:"output_type"`
						Name       string `json:"name"`
						Text       any    `json:"text"`
					}
					json.Unmarshal(o, &head)
					if head.OutputType == "error" || head.Name == "stderr" {
						t.Errorf("%s: a cell wrote an error or to stderr: %s", f, o)
					}
				}
			}
			if ran == 0 {
				t.Errorf("%s: no cell ran", f)
			}
		})
	}
}
