package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bt-backtest/bt/data"
	"github.com/bt-backtest/bt/data/parquet"
)

// The test binary doubles as bt: started with BT_TEST_AS_BT=1 it runs bt (Main) with its
// arguments, so the tests below start real bt processes (own signal handling, own file
// descriptors and locks) without building a binary.
func init() {
	if os.Getenv("BT_TEST_AS_BT") == "1" {
		Main()
	}
}

// btProcess returns a bt command line as a subprocess (not started).
func btProcess(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "BT_TEST_AS_BT=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	return cmd, &out, &errb
}

// exitCode returns the exit code of a finished process.
func exitCode(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	t.Fatal(err)
	return -1
}

// minuteCSV writes n 1-minute BTCUSDT klines from start (Unix ms) as a CSV file; with badRow
// >= 1 that data row has its low above its high.
func minuteCSV(t *testing.T, path string, start int64, n, badRow int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("open_time_ms,open,high,low,close,volume\n")
	for i := range n {
		ts := start + int64(i)*60_000
		p := 60000 + float64(i%500)
		if i+1 == badRow {
			fmt.Fprintf(&b, "%d,%g,%g,%g,%g,1.5\n", ts, p, p-5, p+5, p)
			continue
		}
		fmt.Fprintf(&b, "%d,%g,%g,%g,%g,1.5\n", ts, p, p+5, p-5, p+1)
	}
	return writeFile(t, path, b.String())
}

var btc1m = data.Series{Symbol: "BTCUSDT", Kind: data.KindKlines, Interval: "1m", Source: "csv"}

// storedRows counts the BTCUSDT 1m klines of the store at dir.
func storedRows(t *testing.T, dir string) int {
	t.Helper()
	st, err := parquet.OpenFS(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := st.ReadKlines(btc1m, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return len(rows)
}

// snapshot returns every file of the store at dir (but its lock file) with its sha256.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == ".bt-write.lock" {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameSnapshot(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	var diffs []string
	for p, h := range got {
		if want[p] != h {
			diffs = append(diffs, "changed or new: "+p)
		}
	}
	for p := range want {
		if _, ok := got[p]; !ok {
			diffs = append(diffs, "gone: "+p)
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 0 {
		t.Errorf("%s: the store changed:\n%s", what, strings.Join(diffs, "\n"))
	}
}

const oct2024 = 1727740800000 // 2024-10-01T00:00Z

// TestImportConcurrentWriters starts two bt data import processes at once into one store,
// both adding rows to the same month (the partition both must rewrite). Without the store's
// write lock each read the month before the other wrote it, and the last rename won: about
// half the rows were lost with exit 0 from both. With it, the second waits and the store
// holds the sum.
func TestImportConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	const n = 15 * 1440 // 15 days of minutes each
	for round := range 2 {
		a := minuteCSV(t, filepath.Join(dir, fmt.Sprintf("a%d.csv", round)), oct2024+int64(2*round)*n*60_000, n, 0)
		b := minuteCSV(t, filepath.Join(dir, fmt.Sprintf("b%d.csv", round)), oct2024+int64(2*round+1)*n*60_000, n, 0)
		var procs []*exec.Cmd
		var errs []*bytes.Buffer
		for _, f := range []string{a, b} {
			p, _, e := btProcess(t, "data", "import", "csv", "--store", store, "--symbol", "BTCUSDT", "--interval", "1m", f)
			procs, errs = append(procs, p), append(errs, e)
		}
		for _, p := range procs {
			if err := p.Start(); err != nil {
				t.Fatal(err)
			}
		}
		for i, p := range procs {
			if code := exitCode(t, p.Wait()); code != 0 {
				t.Fatalf("round %d import %d: exit %d\n%s", round, i, code, errs[i])
			}
		}
		if got, want := storedRows(t, store), 2*(round+1)*n; got != want {
			t.Fatalf("round %d: store holds %d rows, want %d (two imports of %d rows each per round)", round, got, want, n)
		}
	}
}

// TestImportWaitsForWriter holds the store's lock in this process and starts an import: it
// must say on stderr that it waits, then land once the lock is released.
func TestImportWaitsForWriter(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	st, err := parquet.Create(store)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := st.Begin(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	f := minuteCSV(t, filepath.Join(dir, "BTCUSDT_1m.csv"), oct2024, 100, 0)
	p, _, _ := btProcess(t, "data", "import", "csv", "--store", store, f)
	p.Stderr = nil
	stderr, err := p.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stderr).ReadString('\n')
	if err != nil || !strings.Contains(line, "waiting for another writer") || !strings.Contains(line, fmt.Sprintf("pid %d", os.Getpid())) {
		t.Fatalf("first stderr line %q (%v), want it to say it waits for the writer pid %d", line, err, os.Getpid())
	}
	// The lock is still ours: nothing landed yet.
	time.Sleep(100 * time.Millisecond)
	if got := storedRows(t, store); got != 0 {
		t.Fatalf("the waiting import wrote %d rows while the lock was held", got)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(stderr)
	if code := exitCode(t, p.Wait()); code != 0 {
		t.Fatalf("exit %d: %s%s", code, line, rest)
	}
	if got := storedRows(t, store); got != 100 {
		t.Fatalf("store holds %d rows, want 100", got)
	}
}

// TestImportAllOrNothing imports three files with a bad one in the middle into a store that
// already holds data: the command fails naming the bad row, and the store is exactly as it
// was (the first file's rows did not land), with no staging files left.
func TestImportAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	seed := minuteCSV(t, filepath.Join(dir, "seed.csv"), oct2024, 1440, 0)
	mustBT(t, 0, "data", "import", "csv", "--store", store, "--symbol", "BTCUSDT", "--interval", "1m", seed)
	before := snapshot(t, store)
	// Good file 1 adds to October (rewriting the stored month) and a new November; file 2 has a
	// bad row 7; file 3 is good.
	good1 := minuteCSV(t, filepath.Join(dir, "good1.csv"), oct2024+30*86_400_000, 2*1440, 0)
	bad := minuteCSV(t, filepath.Join(dir, "bad.csv"), oct2024+40*86_400_000, 100, 7)
	good3 := minuteCSV(t, filepath.Join(dir, "good3.csv"), oct2024+50*86_400_000, 100, 0)
	code, _, errs := bt(t, "data", "import", "csv", "--store", store, "--symbol", "BTCUSDT", "--interval", "1m", good1, bad, good3)
	if code != 2 || !strings.Contains(errs, "bad.csv") || !strings.Contains(errs, "row 8") || !strings.Contains(errs, "as it was before") {
		t.Fatalf("exit %d, stderr:\n%s", code, errs)
	}
	sameSnapshot(t, "after a failed import", snapshot(t, store), before)
	if got := storedRows(t, store); got != 1440 {
		t.Errorf("store holds %d rows, want the 1440 it held", got)
	}
	// Without the bad file, both land.
	mustBT(t, 0, "data", "import", "csv", "--store", store, "--symbol", "BTCUSDT", "--interval", "1m", good1, good3)
	if got := storedRows(t, store); got != 1440+2*1440+100 {
		t.Errorf("store holds %d rows, want %d", got, 1440+2*1440+100)
	}
}

// TestImportSIGTERM stops a running import of twelve months with SIGTERM once it has staged
// its first partition: the process exits 1 saying the store is unchanged, the store is
// exactly as it was before, and no staging or temporary file survives.
func TestImportSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 12 months of minute bars (-short)")
	}
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	seed := minuteCSV(t, filepath.Join(dir, "seed.csv"), oct2024-86_400_000, 1440, 0) // 2024-09-30
	mustBT(t, 0, "data", "import", "csv", "--store", store, "--symbol", "BTCUSDT", "--interval", "1m", seed)
	before := snapshot(t, store)
	args := []string{"data", "import", "csv", "--store", store, "--symbol", "BTCUSDT", "--interval", "1m"}
	start := time.UnixMilli(oct2024).UTC()
	for m := range 12 {
		from := start.AddDate(0, m, 0)
		n := int(from.AddDate(0, 1, 0).Sub(from) / time.Minute)
		args = append(args, minuteCSV(t, filepath.Join(dir, fmt.Sprintf("m%02d.csv", m)), from.UnixMilli(), n, 0))
	}
	p, out, errb := btProcess(t, args...)
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for !stagedSomething(store) {
		if time.Now().After(deadline) {
			p.Process.Kill()
			t.Fatal("the import staged nothing within a minute")
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := p.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v (the import finished before it? stdout %s)", err, out)
	}
	code := exitCode(t, p.Wait())
	if code != 1 || !strings.Contains(errb.String(), "interrupted") || !strings.Contains(errb.String(), "as it was before") {
		t.Fatalf("exit %d, want 1 with a message that the store is unchanged; stderr:\n%s", code, errb)
	}
	sameSnapshot(t, "after SIGTERM", snapshot(t, store), before)
	ents, _ := os.ReadDir(store)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".bt-staging-") {
			t.Errorf("staging directory %s survived", e.Name())
		}
	}
}

// stagedSomething reports whether an import into store has staged a partition file.
func stagedSomething(store string) bool {
	m, _ := filepath.Glob(filepath.Join(store, ".bt-staging-*", "kind=klines", "*", "*", "*", "*", "data.parquet"))
	return len(m) > 0
}

// TestRecoverHalfCommitted fakes a writer killed during its commit (a staged partition with
// the COMMITTED journal mark, not yet moved in): bt run refuses the store naming the cause,
// bt data recover moves the partition in, and the run then sees every row.
func TestRecoverHalfCommitted(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	mustBT(t, 0, "data", "import", "csv", "--store", store, "--symbol", "BTCUSDT", "--interval", "1m",
		minuteCSV(t, filepath.Join(dir, "oct.csv"), oct2024, 1440, 0),
		minuteCSV(t, filepath.Join(dir, "nov.csv"), oct2024+31*86_400_000, 1440, 0))
	rel := "kind=klines/source=csv/interval=1m/symbol=BTCUSDT/month=2024-11/data.parquet"
	staged := filepath.Join(store, ".bt-staging-killed", filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(staged), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(store, filepath.FromSlash(rel)), staged); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(store, ".bt-staging-killed", "COMMITTED"), "")
	code, _, errs := bt(t, "run", "--data", store, "--strategy", "hodl", "--set", "data.interval=1m", "--symbols", "BTCUSDT",
		"--out", filepath.Join(dir, "run"), "--no-report")
	if code != 2 || !strings.Contains(errs, "interrupted while committing") || !strings.Contains(errs, "bt data recover") {
		t.Fatalf("run on a half-committed store: exit %d, stderr:\n%s", code, errs)
	}
	if _, errs := mustBT(t, 0, "data", "inspect", "--store", store); !strings.Contains(errs, "interrupted while committing") {
		t.Errorf("inspect of a half-committed store does not warn: %s", errs)
	}
	out, errs := mustBT(t, 0, "data", "recover", "--store", store)
	if !strings.Contains(out, "recovered") || !strings.Contains(errs, "finished an import") {
		t.Errorf("recover: stdout %q stderr %q", out, errs)
	}
	if got := storedRows(t, store); got != 2*1440 {
		t.Errorf("after recover: %d rows, want %d", got, 2*1440)
	}
	out, _ = mustBT(t, 0, "data", "recover", "--store", store)
	if !strings.Contains(out, "nothing to recover") {
		t.Errorf("second recover: %q", out)
	}
}
