package indicator

// window is a ring buffer of the last n observations with their running mean and sum of
// squared deviations (M2), updated by Welford's method and its sliding-window variant.
type window struct {
	buf   []float64
	head  int // position of the next write (and of the oldest value once full)
	count int
	mean  float64
	m2    float64
}

func newWindow(n int) window { return window{buf: make([]float64, n)} }

func (w *window) full() bool { return w.count == len(w.buf) }

func (w *window) push(x float64) {
	n := len(w.buf)
	if w.count < n {
		w.buf[w.head] = x
		w.count++
		d := x - w.mean
		w.mean += d / float64(w.count)
		w.m2 += d * (x - w.mean)
	} else {
		old := w.buf[w.head]
		w.buf[w.head] = x
		oldMean := w.mean
		d := x - old
		w.mean += d / float64(n)
		w.m2 += d * (x - w.mean + old - oldMean)
		if w.m2 < 0 {
			w.m2 = 0
		}
	}
	w.head++
	if w.head == n {
		w.head = 0
		if w.count == n {
			w.recompute()
		}
	}
}

// recompute sets mean and m2 exactly (two-pass) from the buffer.
func (w *window) recompute() {
	var s float64
	for _, v := range w.buf[:w.count] {
		s += v
	}
	m := s / float64(w.count)
	var q float64
	for _, v := range w.buf[:w.count] {
		d := v - m
		q += d * d
	}
	w.mean, w.m2 = m, q
}

func (w *window) reset() {
	clear(w.buf)
	w.head, w.count, w.mean, w.m2 = 0, 0, 0, 0
}
