package sample

import (
	"bufio"
	"compress/gzip"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/data"
	"github.com/bt-backtest/bt/data/parquet"
	"github.com/bt-backtest/bt/internal/testenv"
)

// TestStoreMatchesManifest checks every embedded series against the generator's manifest:
// the series list, row counts, first and last times.
func TestStoreMatchesManifest(t *testing.T) {
	man, err := ReadManifest()
	if err != nil {
		t.Fatal(err)
	}
	if man.Start != Start || man.End != End || len(man.Series) != 3*len(Symbols) {
		t.Fatalf("manifest window %d..%d with %d series", man.Start, man.End, len(man.Series))
	}
	st, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	list, err := st.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != len(man.Series) {
		t.Fatalf("store has %d series, manifest %d", len(list), len(man.Series))
	}
	for _, e := range man.Series {
		var times []int64
		if e.Series.Kind == data.KindFunding {
			rows, err := st.ReadFunding(e.Series, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				times = append(times, r.Time)
			}
		} else {
			rows, err := st.ReadKlines(e.Series, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				times = append(times, r.OpenTime)
			}
		}
		if len(times) != e.Rows || times[0] != e.First || times[len(times)-1] != e.Last {
			t.Errorf("%v: %d rows %d..%d, manifest %+v", e.Series, len(times), times[0], times[len(times)-1], e)
		}
		if e.First < Start || e.Last >= End {
			t.Errorf("%v outside the window", e.Series)
		}
	}
}

// TestStreams replays the whole sample and checks its shape: every batch's bars are in symbol
// order and every symbol has mark prices and funding.
func TestStreams(t *testing.T) {
	st, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	s, err := st.Stream(parquet.StreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !reflect.DeepEqual(s.Symbols(), Symbols) {
		t.Fatalf("Symbols = %v", s.Symbols())
	}
	for id := range Symbols {
		if !s.HasMark(id) || !s.HasFunding(id) {
			t.Errorf("%s: HasMark %v HasFunding %v", Symbols[id], s.HasMark(id), s.HasFunding(id))
		}
	}
	var bars, marks, funding, batches int
	prev := int64(-1)
	for s.Next() {
		b := s.Batch()
		if b.Time <= prev {
			t.Fatalf("time %d after %d", b.Time, prev)
		}
		prev = b.Time
		for i := 1; i < len(b.Bars); i++ {
			if b.Bars[i].ID <= b.Bars[i-1].ID {
				t.Fatal("bars not in ID order")
			}
		}
		bars += len(b.Bars)
		marks += len(b.Marks)
		funding += len(b.Funding)
		batches++
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	// 7056 hours (2025-05-01 to 2026-02-19) for 10 symbols; funding every 8h: 882 each.
	if bars != 70560 || marks != 70560 || funding != 8820 || batches != 7056 {
		t.Errorf("bars %d marks %d funding %d batches %d", bars, marks, funding, batches)
	}
}

// TestRegeneration recomputes the manifest's row counts from ../shared, when present.
func TestRegeneration(t *testing.T) {
	src := testenv.Shared(t, "data", "binance-um")
	man, err := ReadManifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range man.Series {
		dir := "1h"
		if e.Series.Kind == data.KindFunding {
			dir = "funding"
		}
		f, err := os.Open(filepath.Join(src, dir, e.File))
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(zr)
		sc.Scan() // header
		n := 0
		var first, last int64
		for sc.Scan() {
			ts, _, _ := strings.Cut(sc.Text(), ",")
			v, err := strconv.ParseInt(ts, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			if v >= Start && v < End {
				if n == 0 {
					first = v
				}
				last = v
				n++
			}
		}
		f.Close()
		if n != e.Rows || first != e.First || last != e.Last {
			t.Errorf("%s: CSV has %d rows %d..%d in the window, manifest %+v: regenerate with go run ./data/sample/gen", e.File, n, first, last, e)
		}
	}
}
