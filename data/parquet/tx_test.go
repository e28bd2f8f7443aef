package parquet

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// countStaging returns the staging directories left in the store root.
func countStaging(t *testing.T, s *Store) int {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(s.Root(), stagingPrefix+"*"))
	if err != nil {
		t.Fatal(err)
	}
	return len(m)
}

// TestTxAllOrNothing: two writes of one transaction into the same month both land at Commit
// (the second merges with the staged first), nothing is visible before, and a rolled-back
// transaction leaves the store byte for byte as it was.
func TestTxAllOrNothing(t *testing.T) {
	s := mustCreate(t)
	mustWrite(t, s, kl("BTCUSDT"), genKlines(t0, 2, 1, false)) // 2025-05-31 20:00, 21:00
	before := dirSnapshot(t, s.Root())

	tx, err := s.Begin(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	all := genKlines(t0, 10, 1, false) // to 2025-06-01 05:00: May and June
	if _, err := tx.WriteKlines(kl("BTCUSDT"), all[:6]); err != nil {
		t.Fatal(err)
	}
	st, err := tx.WriteKlines(kl("BTCUSDT"), all[4:])
	if err != nil {
		t.Fatal(err)
	}
	// all[4:6] were staged by the first write: the second sees them as duplicates.
	if st.Added != 4 || st.Duplicates != 2 {
		t.Errorf("second write in the transaction: %+v, want 4 added, 2 duplicates", st)
	}
	if got := dataSnap(t, s); !reflect.DeepEqual(got, dataOf(before)) || len(got) != 1 {
		t.Errorf("the store changed before Commit: %d files, want %d", len(got), len(dataOf(before)))
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if got := dirSnapshot(t, s.Root()); !reflect.DeepEqual(got, before) {
		t.Errorf("Rollback left the store changed: %d files, want %d", len(got), len(before))
	}

	tx, err = s.Begin(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.WriteKlines(kl("BTCUSDT"), all[:6]); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.WriteKlines(kl("BTCUSDT"), all[4:]); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	got, err := s.ReadKlines(kl("BTCUSDT"), 0, 0)
	if err != nil || !reflect.DeepEqual(got, all) {
		t.Fatalf("after Commit: %d rows (%v), want %d", len(got), err, len(all))
	}
	if n := countStaging(t, s); n != 0 {
		t.Errorf("%d staging directories left after Commit", n)
	}
	if err := tx.Rollback(); err != nil {
		t.Errorf("Rollback after Commit: %v", err)
	}
	if _, err := tx.WriteKlines(kl("BTCUSDT"), all); err == nil {
		t.Error("a write after Commit succeeded")
	}
}

// dataOf keeps the partition files of a snapshot (not the lock file, not staging).
func dataOf(snap map[string]string) map[string]string {
	out := map[string]string{}
	for p, b := range snap {
		if filepath.Base(p) == partName && !strings.Contains(p, stagingPrefix) {
			out[p] = b
		}
	}
	return out
}

func dataSnap(t *testing.T, s *Store) map[string]string { return dataOf(dirSnapshot(t, s.Root())) }

// TestTxInterrupted: a cancelled context stops the transaction's writes and its Commit with
// ErrInterrupted, and nothing lands.
func TestTxInterrupted(t *testing.T) {
	s := mustCreate(t)
	ctx, cancel := context.WithCancel(context.Background())
	tx, err := s.Begin(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.WriteKlines(kl("BTCUSDT"), genKlines(t0, 3, 1, false)); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := tx.WriteKlines(kl("ETHUSDT"), genKlines(t0, 3, 1, false)); !errors.Is(err, ErrInterrupted) {
		t.Errorf("write after cancel: %v", err)
	}
	if err := tx.Commit(); !errors.Is(err, ErrInterrupted) {
		t.Errorf("Commit after cancel: %v", err)
	}
	if l, _ := s.List(); len(l) != 0 || countStaging(t, s) != 0 {
		t.Errorf("after an interrupted transaction: series %v, %d staging directories", l, countStaging(t, s))
	}
}

// TestTxRecovery: what a killed writer leaves is finished (COMMITTED mark: the kill came
// during the renames) or discarded (no mark) by the next Begin, which says so; until then
// Stream refuses a store with a half-done commit.
func TestTxRecovery(t *testing.T) {
	s := mustCreate(t)
	rows := genKlines(t0, 10, 1, false)
	// Simulate a writer killed after its mark and its first rename (the May partition moved,
	// June still staged): stage both months, mark, move one.
	tx, err := s.Begin(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.WriteKlines(kl("BTCUSDT"), rows); err != nil {
		t.Fatal(err)
	}
	dir := tx.stage.root
	files, err := stagedFiles(dir)
	if err != nil || len(files) != 2 {
		t.Fatalf("staged %v (%v), want 2 months", files, err)
	}
	if err := writeMark(dir); err != nil {
		t.Fatal(err)
	}
	if err := finish(s.Root(), dir, files[:1]); err != nil {
		t.Fatal(err)
	}
	unlockStore(tx.lock) // the process died: the kernel released its lock
	// And an older writer killed before its mark.
	stale := filepath.Join(s.Root(), stagingPrefix+"stale")
	if err := os.MkdirAll(filepath.Join(stale, "kind=klines"), 0o755); err != nil {
		t.Fatal(err)
	}

	if !s.Pending() {
		t.Fatal("Pending is false with a marked staging directory")
	}
	ro, _ := OpenFS(os.DirFS(s.Root()))
	if _, err := ro.Stream(StreamOptions{}); !errors.Is(err, ErrPending) {
		t.Fatalf("Stream of a half-committed store: %v, want ErrPending", err)
	}
	var msgs []string
	tx2, err := s.Begin(context.Background(), func(m string) { msgs = append(msgs, m) })
	if err != nil {
		t.Fatal(err)
	}
	tx2.Rollback()
	joined := strings.Join(msgs, "\n")
	if !strings.Contains(joined, "finished an import") || !strings.Contains(joined, "discarded") {
		t.Errorf("recovery messages:\n%s", joined)
	}
	if s.Pending() || countStaging(t, s) != 0 {
		t.Errorf("after recovery: pending %v, %d staging directories", s.Pending(), countStaging(t, s))
	}
	got, err := s.ReadKlines(kl("BTCUSDT"), 0, 0)
	if err != nil || !reflect.DeepEqual(got, rows) {
		t.Fatalf("after recovery: %d rows (%v), want %d", len(got), err, len(rows))
	}
}

// TestTxLockWaits: a second Begin waits for the first transaction, telling notify once who
// holds the lock, and gives up with ErrInterrupted when its context ends.
func TestTxLockWaits(t *testing.T) {
	s := mustCreate(t)
	tx, err := s.Begin(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	var msgs []string
	if _, err := s.Begin(ctx, func(m string) { msgs = append(msgs, m) }); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("second Begin while the first holds the lock: %v", err)
	}
	if len(msgs) != 1 || !strings.Contains(msgs[0], "waiting for another writer") || !strings.Contains(msgs[0], "pid ") {
		t.Errorf("notify got %q", msgs)
	}
	// Store.WriteKlines is a transaction too: it waits until the first ends.
	done := make(chan error)
	go func() {
		_, err := s.WriteKlines(kl("BTCUSDT"), genKlines(t0, 3, 1, false))
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("WriteKlines did not wait for the lock: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	tx.Rollback()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
