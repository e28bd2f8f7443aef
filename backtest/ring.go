package backtest

// ring keeps the last n bars of one symbol. Every bar is stored twice, at p and p+n, so the
// most recent m bars are always one contiguous slice: reading them allocates nothing.
type ring struct {
	buf  []Bar
	n    int // capacity
	p    int // next write position in [0, n)
	size int // bars held
}

func newRing(n int) ring { return ring{buf: make([]Bar, 2*n), n: n} }

func (r *ring) push(b *Bar) {
	r.buf[r.p] = *b
	r.buf[r.p+r.n] = *b
	r.p++
	if r.p == r.n {
		r.p = 0
	}
	if r.size < r.n {
		r.size++
	}
}

// last returns up to m most recent bars, oldest first.
func (r *ring) last(m int) []Bar {
	if m > r.size {
		m = r.size
	}
	if m <= 0 {
		return nil
	}
	st := r.p - m
	if st < 0 {
		st += r.n
	}
	return r.buf[st : st+m : st+m]
}
