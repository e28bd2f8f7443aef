package backtest

// history holds the recent bars of every symbol of a run, once for all its accounts: the bars
// of a timestamp are the same for every account, so the engine pushes them once (pushChunk)
// and each account reads them through its own count of the bars it has stepped past
// (symState.seen). An account reads at most its History bars ending at that count; the engine
// pushes at most chunkSize timestamps ahead of the slowest account, so the ring's capacity
// is the largest History plus chunkSize.
type history struct {
	syms []ring
}

func newHistory(nsym, maxHistory int) *history {
	h := &history{syms: make([]ring, nsym)}
	for i := range h.syms {
		h.syms[i] = newRing(maxHistory + chunkSize)
	}
	return h
}

// pushChunk appends the bars of bs to their symbols' rings. The accounts must not be
// stepping: they read the rings concurrently with each other, never with a push.
func (h *history) pushChunk(bs []Batch) {
	for j := range bs {
		h.push(&bs[j])
	}
}

// push appends the bars of b to their symbols' rings.
func (h *history) push(b *Batch) {
	for k := range b.Bars {
		x := &b.Bars[k]
		h.syms[x.ID].push(x)
	}
}

// ring keeps the last n bars of one symbol. Every bar is stored twice, at p and p+n, so any
// n consecutive bars still held are one contiguous slice: reading them allocates nothing.
type ring struct {
	buf   []Bar
	n     int // capacity
	p     int // next write position in [0, n)
	total int // bars pushed
}

func newRing(n int) ring { return ring{buf: make([]Bar, 2*n), n: n} }

func (r *ring) push(b *Bar) {
	r.buf[r.p] = *b
	r.buf[r.p+r.n] = *b
	r.p++
	if r.p == r.n {
		r.p = 0
	}
	r.total++
}

// upto returns up to m bars ending with the c-th bar pushed (the first c bars of the symbol,
// as an account that has stepped past c of them sees it), oldest first. The bars asked for must
// still be held: r.total-c+m <= r.n.
func (r *ring) upto(c, m int) []Bar {
	if m > c {
		m = c
	}
	if m <= 0 {
		return nil
	}
	st := (c - m) % r.n
	return r.buf[st : st+m : st+m]
}
