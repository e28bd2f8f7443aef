package parquet

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/bt-backtest/bt/data"
)

// Names of the store's bookkeeping files, in its root. They start with a dot so that the
// hive-partitioned globs of DuckDB, Polars and pandas (kind=*/...) never see them.
const (
	lockName      = ".bt-write.lock" // flock'ed by the one writer
	stagingPrefix = ".bt-staging-"   // one directory per open transaction
	committedName = "COMMITTED"      // the journal mark: the staged files are to be moved in
)

// ErrInterrupted: a transaction's context was cancelled (a signal) before it committed; the
// store is as it was before the transaction.
var ErrInterrupted = errors.New("interrupted before it was committed: the store is as it was before")

// Writer is what importers write to: a *Store (each call is its own transaction) or a *Tx
// (every call lands together at Commit).
type Writer interface {
	WriteKlines(sr data.Series, rows []data.Kline) (WriteStats, error)
	WriteFunding(sr data.Series, rows []data.FundingRate) (WriteStats, error)
}

var (
	_ Writer = (*Store)(nil)
	_ Writer = (*Tx)(nil)
)

// Tx is one all-or-nothing write into a store: every partition it writes is staged in a
// hidden directory of the store and moved into place by Commit. Until then the store is
// unchanged for readers; Rollback (or a crash) discards the staged files.
//
// A Tx holds the store's write lock from Begin to Commit or Rollback, so writers (in this
// process or others) run one after the other and never lose each other's rows. Reads inside
// the transaction (the merge of new rows with stored months) see the staged partitions.
//
// Guarantee: Commit first writes a COMMITTED mark into the staging directory, then renames
// the staged files into place one by one (each rename is atomic). A process killed before
// the mark leaves the store as it was; one killed after it (a window of a few renames) leaves
// a staging directory with the mark, which the next Begin on the store finishes before
// anything else, and which Store.Pending reports to readers in the meantime. A machine crash
// (power loss) is protected only as far as the file system orders renames after the fsync'ed
// file contents.
type Tx struct {
	store  *Store
	stage  *Store // writes go to its root (the staging directory), reads see staging over store
	ctx    context.Context
	lock   *os.File
	closed bool
}

// Begin locks the store for writing and opens a transaction. When another writer holds the
// lock, Begin calls notify once with a message saying so and waits for it, until ctx is done.
// Before it returns it finishes or discards what an interrupted writer left (see Tx), telling
// notify. notify may be nil. The returned Tx must be ended with Commit or Rollback.
func (s *Store) Begin(ctx context.Context, notify func(msg string)) (*Tx, error) {
	if s.root == "" {
		return nil, ErrReadOnly
	}
	if notify == nil {
		notify = func(string) {}
	}
	lock, err := lockStore(ctx, s.root, notify)
	if err != nil {
		return nil, err
	}
	if err := recoverStore(s.root, notify); err != nil {
		unlockStore(lock)
		return nil, err
	}
	dir, err := os.MkdirTemp(s.root, stagingPrefix+"*")
	if err != nil {
		unlockStore(lock)
		return nil, fmt.Errorf("store %s: %w", s.root, err)
	}
	upper := os.DirFS(dir)
	stage := &Store{root: dir, fsys: overlayFS{upper: upper, lower: s.fsys}, opt: s.opt,
		shown: func(p string) string {
			if _, err := fs.Stat(upper, p); err == nil {
				return joinOS(dir, p) + " (staged)"
			}
			return s.osPath(p)
		}}
	return &Tx{store: s, stage: stage, ctx: ctx, lock: lock}, nil
}

// WriteKlines is Store.WriteKlines inside the transaction.
func (tx *Tx) WriteKlines(sr data.Series, rows []data.Kline) (WriteStats, error) {
	if err := tx.usable(); err != nil {
		return WriteStats{}, err
	}
	return tx.stage.writeKlines(sr, rows)
}

// WriteFunding is Store.WriteFunding inside the transaction.
func (tx *Tx) WriteFunding(sr data.Series, rows []data.FundingRate) (WriteStats, error) {
	if err := tx.usable(); err != nil {
		return WriteStats{}, err
	}
	return tx.stage.writeFunding(sr, rows)
}

func (tx *Tx) usable() error {
	if tx.closed {
		return errors.New("parquet: transaction already ended")
	}
	if tx.ctx.Err() != nil {
		return ErrInterrupted
	}
	return nil
}

// Commit moves every staged partition into the store and releases the lock. If the
// transaction's context is done before the COMMITTED mark is written, Commit rolls back
// and returns ErrInterrupted; after the mark it completes regardless.
func (tx *Tx) Commit() error {
	if err := tx.usable(); err != nil {
		if !tx.closed {
			tx.Rollback()
		}
		return err
	}
	dir := tx.stage.root
	files, err := stagedFiles(dir)
	if err == nil && len(files) > 0 {
		err = writeMark(dir)
		if err == nil {
			err = finish(tx.store.root, dir, files)
		}
	}
	if err != nil {
		// Before the mark: nothing moved, roll back. After it: leave the journal for the
		// next writer (recoverStore) and say so.
		if _, serr := os.Stat(filepath.Join(dir, committedName)); serr == nil {
			tx.closed = true
			unlockStore(tx.lock)
			return fmt.Errorf("store %s: commit interrupted (%w): the next import into this store finishes it", tx.store.root, err)
		}
		tx.Rollback()
		return fmt.Errorf("store %s: %w", tx.store.root, err)
	}
	tx.closed = true
	rmErr := os.RemoveAll(dir)
	unlockStore(tx.lock)
	return rmErr
}

// Rollback discards the staged partitions and releases the lock. It is a no-op after Commit
// or a previous Rollback, so it can be deferred.
func (tx *Tx) Rollback() error {
	if tx.closed {
		return nil
	}
	tx.closed = true
	err := os.RemoveAll(tx.stage.root)
	unlockStore(tx.lock)
	return err
}

// Pending reports whether the store holds an import that was interrupted while it committed
// (see Tx): until the next writer finishes it, some of that import's months are in place and
// others are not. Stream refuses such a store.
func (s *Store) Pending() bool {
	ents, _ := fs.ReadDir(s.fsys, ".")
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), stagingPrefix) && e.IsDir() {
			if _, err := fs.Stat(s.fsys, e.Name()+"/"+committedName); err == nil {
				return true
			}
		}
	}
	return false
}

// ErrPending: the store holds an import interrupted while committing (see Store.Pending).
var ErrPending = errors.New("an import into this store was interrupted while committing; " +
	"the next write finishes it (bt data recover --store DIR does only that)")

// stagedFiles lists the partition files under a staging directory, slash paths relative to
// it, sorted.
func stagedFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && d.Name() == partName {
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	slices.Sort(out)
	return out, err
}

// writeMark writes the COMMITTED mark durably.
func writeMark(dir string) error {
	f, err := os.Create(filepath.Join(dir, committedName))
	if err != nil {
		return err
	}
	_, err = f.WriteString("staged partitions of one bt import: move each into the store root\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = syncDir(dir)
	}
	return err
}

// finish renames the staged files (slash paths relative to dir) into root.
func finish(root, dir string, files []string) error {
	for _, rel := range files {
		final := joinOS(root, rel)
		if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
			return err
		}
		if err := os.Rename(joinOS(dir, rel), final); err != nil {
			return err
		}
	}
	return nil
}

// recoverStore finishes (with a COMMITTED mark) or discards (without) every staging
// directory left in root by an interrupted writer. The caller holds the lock, so none of them
// belongs to a live writer.
func recoverStore(root string, notify func(string)) error {
	ents, err := os.ReadDir(root)
	if err != nil {
		return fmt.Errorf("store %s: %w", root, err)
	}
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), stagingPrefix) {
			continue
		}
		dir := filepath.Join(root, e.Name())
		if _, err := os.Stat(filepath.Join(dir, committedName)); err == nil {
			files, err := stagedFiles(dir)
			if err == nil {
				err = finish(root, dir, files)
			}
			if err != nil {
				return fmt.Errorf("store %s: finishing an interrupted import: %w", root, err)
			}
			notify(fmt.Sprintf("store %s: finished an import that was interrupted while committing (%d partition files moved in)", root, len(files)))
		} else {
			notify(fmt.Sprintf("store %s: discarded the staged files of an import that was interrupted before it committed", root))
		}
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("store %s: %w", root, err)
		}
	}
	return nil
}

// lockStore takes the store's write lock, waiting (polling, so that ctx can stop the wait)
// while another writer holds it.
func lockStore(ctx context.Context, root string, notify func(string)) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(root, lockName), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("store %s: cannot create its lock file: %w", root, err)
	}
	told := false
	for {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("store %s: cannot lock it for writing: %w", root, err)
		}
		if ok {
			break
		}
		if !told {
			holder := "another process"
			if b, err := os.ReadFile(f.Name()); err == nil && len(strings.TrimSpace(string(b))) > 0 {
				holder = strings.TrimSpace(string(b))
			}
			notify(fmt.Sprintf("store %s: waiting for another writer to finish (%s)", root, holder))
			told = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("store %s: stopped waiting for the other writer: %w", root, ErrInterrupted)
		case <-time.After(50 * time.Millisecond):
		}
	}
	// Say who holds the lock, for the message of a writer that waits.
	if err := f.Truncate(0); err == nil {
		fmt.Fprintf(f, "pid %d, since %s", os.Getpid(), time.Now().UTC().Format(time.RFC3339))
	}
	return f, nil
}

func unlockStore(f *os.File) {
	if f == nil {
		return
	}
	f.Truncate(0)
	unlock(f)
	f.Close()
}

// overlayFS reads upper where it has a name, else lower; directories list both.
type overlayFS struct{ upper, lower fs.FS }

func (o overlayFS) Open(name string) (fs.File, error) {
	f, err := o.upper.Open(name)
	if err == nil {
		if st, serr := f.Stat(); serr == nil && !st.IsDir() {
			return f, nil
		}
		f.Close()
	}
	return o.lower.Open(name)
}

func (o overlayFS) Stat(name string) (fs.FileInfo, error) {
	if st, err := fs.Stat(o.upper, name); err == nil {
		return st, nil
	}
	return fs.Stat(o.lower, name)
}

func (o overlayFS) ReadDir(name string) ([]fs.DirEntry, error) {
	up, uerr := fs.ReadDir(o.upper, name)
	lo, lerr := fs.ReadDir(o.lower, name)
	if uerr != nil && lerr != nil {
		return nil, lerr
	}
	out := slices.Clone(up)
	for _, e := range lo {
		if !slices.ContainsFunc(up, func(u fs.DirEntry) bool { return u.Name() == e.Name() }) {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}
