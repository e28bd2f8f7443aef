package parallel

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
)

// Every job runs once, and the error returned is the first in job order (job 3's), whichever
// of the failing jobs finished first.
func TestDo(t *testing.T) {
	var ran [10]atomic.Int32
	jobs := make([]func() error, len(ran))
	for k := range jobs {
		jobs[k] = func() error {
			ran[k].Add(1)
			if k == 3 || k == 7 {
				return fmt.Errorf("job %d", k)
			}
			return nil
		}
	}
	err := Do(jobs)
	if err == nil || err.Error() != "job 3" {
		t.Errorf("Do = %v, want job 3", err)
	}
	for k := range ran {
		if n := ran[k].Load(); n != 1 {
			t.Errorf("job %d ran %d times, want 1", k, n)
		}
	}
	if err := Do(nil); err != nil {
		t.Errorf("Do(nil) = %v", err)
	}
	if err := Do(jobs[:3]); err != nil {
		t.Errorf("Do(jobs 0-2) = %v, want nil", err)
	}
	if err := Do([]func() error{func() error { return errors.ErrUnsupported }}); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Do(one failing job) = %v", err)
	}
}
