package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/internal/testenv"
	"github.com/bt-backtest/bt/strategies"
)

// bt runs the command line in-process and returns the exit code, stdout and stderr.
func bt(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// mustBT runs the command line and fails the test unless it exits with want.
func mustBT(t *testing.T, want int, args ...string) (string, string) {
	t.Helper()
	code, out, errs := bt(t, args...)
	if code != want {
		t.Fatalf("bt %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, out, errs)
	}
	return out, errs
}

// repoRoot returns the repository root (the directory holding go.mod).
func repoRoot(t *testing.T) string { return testenv.RepoRoot(t) }

// sharedDir returns ../shared/sub, skipping the test when it is absent.
func sharedDir(t *testing.T, sub string) string { return testenv.Shared(t, sub) }

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
		msg  string
	}{
		{"help", []string{"--help"}, 0, ""},
		{"version", []string{"version"}, 0, ""},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
		{"unknown flag", []string{"run", "--frobnicate"}, 2, "unknown flag"},
		{"extra argument", []string{"run", "extra"}, 2, "want 0 argument"},
		{"report without dir", []string{"report"}, 2, "want 1 to 8 arguments"},
		{"check without baseline", []string{"check", "x"}, 2, "--baseline is required"},
		{"missing required flag", []string{"calc", "liq", "--symbol", "BTCUSDT"}, 2, "is required"},
		{"missing experiment", []string{"run", "-c", "does-not-exist.yaml"}, 2, "does-not-exist.yaml: cannot read experiment"},
		{"missing data", []string{"run", "--data", "no/such/store"}, 2, "no/such/store"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := bt(t, tt.args...)
			if code != tt.want {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.want, errs)
			}
			if !strings.Contains(errs, tt.msg) {
				t.Errorf("stderr %q does not mention %q", errs, tt.msg)
			}
		})
	}
}

func TestVersionJSON(t *testing.T) {
	out, _ := mustBT(t, 0, "version", "--json")
	if !strings.HasPrefix(out, "{") || !strings.Contains(out, `"version"`) {
		t.Errorf("version --json printed %q", out)
	}
}

func TestCompletion(t *testing.T) {
	out, _ := mustBT(t, 0, "completion", "bash")
	if !strings.Contains(out, "bash completion") {
		t.Errorf("completion bash printed no script: %.200q", out)
	}
}

func TestStrategiesList(t *testing.T) {
	out, _ := mustBT(t, 0, "strategies")
	if !strings.Contains(out, strategies.Default+" (default)") {
		t.Errorf("bt strategies does not mark the default:\n%s", out)
	}
	out, _ = mustBT(t, 0, "strategies", "--json")
	if !strings.Contains(out, `"params"`) {
		t.Errorf("bt strategies --json: %s", out)
	}
}

func TestFlagCompletion(t *testing.T) {
	out, _ := mustBT(t, 0, "__complete", "run", "--strategy", "")
	for _, s := range []string{"swing", "hodl", "replay"} {
		if !strings.Contains(out, s) {
			t.Errorf("completion of --strategy lacks %s:\n%s", s, out)
		}
	}
}

func TestJSONError(t *testing.T) {
	code, out, _ := bt(t, "calc", "liq", "--symbol", "BTCUSDT", "--side", "long", "--qty", "-1", "--entry", "1", "--wallet", "1",
		"--mode", "isolated", "--mmr", "0.005", "--cum", "0", "--json")
	var doc struct {
		Error    string `json:"error"`
		ExitCode int    `json:"exit_code"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 2 || doc.ExitCode != 2 || !strings.Contains(doc.Error, "--qty") {
		t.Errorf("exit %d, stdout %q (%v)", code, out, err)
	}
}
