package parquet

// DecodeLoopStats is what DecodeLoop read.
type DecodeLoopStats struct {
	Klines, Marks, Funding int     // rows read, per kind
	Sum                    float64 // the sum of every close (klines and mark klines) and funding rate
}

// Bars is the number of kline and mark-kline rows read.
func (d DecodeLoopStats) Bars() int { return d.Klines + d.Marks }

// DecodeLoop reads every row that Stream(opt) would replay (klines, mark klines and funding of
// the same symbols and time range), decoded column by column and validated as the Stream does,
// one series after the other on the calling goroutine, and touches each row once (it adds up
// the closes and the funding rates). It is the bare decode-and-loop that BENCHMARKS.md compares
// a whole run with: what reading the data costs without merging it by time, building bars or
// stepping accounts. It decodes nothing ahead on other goroutines (a Stream does, with more
// than one processor: it has the accounts' stepping to overlap), so it stays the one-core
// floor. Memory is bounded as the Stream's is (one decoded row group per series).
func (s *Store) DecodeLoop(opt StreamOptions) (DecodeLoopStats, error) {
	var d DecodeLoopStats
	st, err := s.stream(opt, false)
	if err != nil {
		return d, err
	}
	defer st.Close()
	for _, c := range st.all {
		rows, col := &d.Klines, fClose
		switch {
		case c.mark:
			rows = &d.Marks
		case c.fund:
			rows, col = &d.Funding, fRate
		}
		for c.head != noTime {
			// Every usable row of the decoded row group at once: [c.i, c.n).
			for _, v := range c.b.f64[col][c.i:c.n] {
				d.Sum += v
			}
			*rows += c.n - c.i
			c.i = c.n - 1
			c.advance()
		}
		if c.err != nil {
			return d, c.err
		}
	}
	return d, nil
}
