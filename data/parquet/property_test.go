package parquet

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/data"
)

// TestRandomRoundTrip is a seeded property test: random symbols with random halts, written in
// random overlapping chunks in random order, stream back exactly as a reference merge says,
// whatever the order the symbols are listed in. Each seed is logged on failure.
func TestRandomRoundTrip(t *testing.T) {
	for seed := uint64(1); seed <= 12; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		s := mustCreate(t)
		nsym := 1 + r.IntN(4)
		var syms []string
		type event struct {
			t    int64
			kind int // 0 bar, 1 mark, 2 funding
			sym  string
			v    float64
		}
		var ref []event
		for i := range nsym {
			sym := fmt.Sprintf("S%dUSDT", i)
			syms = append(syms, sym)
			// Up to 1500 hourly bars from a random start, with random halts.
			start := t0 + int64(r.IntN(48))*hour
			all := genKlines(start, 200+r.IntN(1300), float64(seed)+float64(i), r.IntN(2) == 0)
			var rows []data.Kline
			for j := 0; j < len(all); j++ {
				if r.IntN(100) == 0 {
					j += r.IntN(30) // a halt
					continue
				}
				rows = append(rows, all[j])
			}
			// Write in overlapping chunks, shuffled.
			type chunk struct{ lo, hi int }
			var chunks []chunk
			for lo := 0; lo < len(rows); {
				hi := min(len(rows), lo+1+r.IntN(400))
				chunks = append(chunks, chunk{max(0, lo-r.IntN(20)), hi})
				lo = hi
			}
			r.Shuffle(len(chunks), func(a, b int) { chunks[a], chunks[b] = chunks[b], chunks[a] })
			for _, c := range chunks {
				part := slices.Clone(rows[c.lo:c.hi])
				r.Shuffle(len(part), func(a, b int) { part[a], part[b] = part[b], part[a] })
				mustWrite(t, s, kl(sym), part)
			}
			for _, k := range rows {
				ref = append(ref, event{k.OpenTime, 0, sym, k.Close})
			}
			if r.IntN(2) == 0 {
				marks := rows[:len(rows)/2]
				mustWrite(t, s, mk(sym), marks)
				for _, k := range marks {
					ref = append(ref, event{k.OpenTime, 1, sym, k.Close})
				}
			}
			if r.IntN(2) == 0 {
				f := genFunding(start+hour/2, 40, 8*hour)
				if _, err := s.WriteFunding(fd(sym), f); err != nil {
					t.Fatal(err)
				}
				for _, x := range f {
					ref = append(ref, event{x.Time, 2, sym, x.Rate})
				}
			}
		}
		slices.SortFunc(ref, func(a, b event) int {
			if c := cmp.Compare(a.t, b.t); c != 0 {
				return c
			}
			if a.kind != b.kind {
				return a.kind - b.kind
			}
			if a.sym < b.sym {
				return -1
			}
			return 1
		})
		perm := slices.Clone(syms)
		r.Shuffle(len(perm), func(a, b int) { perm[a], perm[b] = perm[b], perm[a] })
		st, err := s.Stream(StreamOptions{Symbols: perm})
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		var got []event
		for st.Next() {
			b := st.Batch()
			add := func(kind int, bars []backtest.Bar) {
				for _, x := range bars {
					got = append(got, event{x.Time, kind, x.Symbol, x.Close})
				}
			}
			add(0, b.Bars)
			add(1, b.Marks)
			for _, f := range b.Funding {
				got = append(got, event{f.Time, 2, f.Symbol, f.Rate})
			}
		}
		if err := st.Err(); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if !slices.Equal(got, ref) {
			t.Errorf("seed %d: stream (%d events) differs from the reference merge (%d events)", seed, len(got), len(ref))
		}
	}
}
