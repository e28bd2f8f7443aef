package artifact

import (
	"fmt"
	"os"
	"reflect"
	"sync"

	"github.com/bt-backtest/bt/backtest"
	"github.com/parquet-go/parquet-go"
)

// Parquet tables: the CSV columns, from the same descriptions (backtest.Table), with times as
// TIMESTAMP(MILLIS, UTC), floats as DOUBLE, integers as INT64, booleans as BOOLEAN and
// decimals, strings and enums as STRING (decimals exact, as in CSV); enums and Dict columns
// dictionary-encoded.

// pqRowGroupRows is the most rows of a row group in the run's Parquet files.
const pqRowGroupRows = 1 << 16

// pqRootNames are the schema names of the tables' Parquet files (the root of the schema in the
// file's footer): the names of the Go row types that wrote them before the tables were
// described in package backtest, kept so that the files stay byte-identical.
var pqRootNames = map[string]string{
	"equity": "pqEquityRow", "trades": "pqTradeRow", "fills": "pqFillRow",
	"liquidations": "pqLiqRow", "funding": "pqFundingRow", "rejects": "pqRejectRow",
}

// pqSchemas caches the schemas by root name and column tags (a table's columns vary by run:
// a hedge-mode run's tables have one more, so the key is not the table).
var pqSchemas sync.Map // string → *parquet.Schema

// pqSchema returns the Parquet schema of t: one required column per file column of t, in
// order.
func pqSchema[R any](t *backtest.Table[R]) *parquet.Schema {
	// A struct type with one tagged field per column gives parquet-go's own nodes for each
	// kind, in column order (a parquet.Group would sort the columns by name).
	cols := t.FileColumns()
	fields := make([]reflect.StructField, len(cols))
	for i, c := range cols {
		var typ reflect.Type
		tag := c.Name
		switch c.Kind {
		case backtest.KindTime:
			typ, tag = reflect.TypeFor[int64](), tag+",timestamp(millisecond:utc)"
		case backtest.KindInt:
			typ = reflect.TypeFor[int64]()
		case backtest.KindFloat:
			typ = reflect.TypeFor[float64]()
		case backtest.KindBool:
			typ = reflect.TypeFor[bool]()
		case backtest.KindDecimal, backtest.KindString, backtest.KindEnum:
			typ = reflect.TypeFor[string]()
			if c.Dict || c.Kind == backtest.KindEnum {
				tag += ",dict"
			}
		default:
			panic("artifact: column " + c.Name + " of " + t.Name + " has no valid kind")
		}
		fields[i] = reflect.StructField{Name: fmt.Sprintf("C%d", i), Type: typ, Tag: reflect.StructTag(`parquet:"` + tag + `"`)}
	}
	name := pqRootNames[t.Name]
	if name == "" {
		name = t.Name
	}
	key := name
	for _, f := range fields {
		key += "\x00" + string(f.Tag)
	}
	if s, ok := pqSchemas.Load(key); ok {
		return s.(*parquet.Schema)
	}
	s := parquet.NewSchema(name, parquet.SchemaOf(reflect.New(reflect.StructOf(fields)).Elem().Interface()))
	actual, _ := pqSchemas.LoadOrStore(key, s)
	return actual.(*parquet.Schema)
}

// pqChunk is how many rows go to each column at once: parquet-go's own row writers hand rows
// to the columns 64 at a time and check after each handful whether a page is full, and the
// same steps give the same pages.
const pqChunk = 64

// pqWriter writes the records of one table to a Parquet file, column by column, a chunk of
// rows at a time, in row groups of at most pqRowGroupRows rows (the writer buffers one row
// group in memory, so a long equity curve is written in constant memory). The files are
// those parquet-go's GenericWriter writes from a struct with a field per column.
type pqWriter[R any] struct {
	w       *parquet.Writer
	cols    []backtest.Column[R]
	vals    []parquet.Value // one chunk of one column
	bytes   []byte          // the chunk's strings
	inGroup int             // rows in the current row group
}

func newPQWriter[R any](f *os.File, t *backtest.Table[R]) *pqWriter[R] {
	return &pqWriter[R]{
		w:     parquet.NewWriter(f, pqSchema(t), parquet.MaxRowsPerRowGroup(pqRowGroupRows)),
		cols:  t.FileColumns(),
		vals:  make([]parquet.Value, pqChunk),
		bytes: make([]byte, 0, 1<<12),
	}
}

// Write appends recs.
func (p *pqWriter[R]) Write(recs []R) error {
	for len(recs) > 0 {
		if p.inGroup == pqRowGroupRows {
			if err := p.w.Flush(); err != nil {
				return err
			}
			p.inGroup = 0
		}
		n := min(len(recs), pqChunk, pqRowGroupRows-p.inGroup)
		cws := p.w.ColumnWriters()
		for j := range p.cols {
			if _, err := cws[j].WriteRowValues(p.column(j, recs[:n])); err != nil {
				return err
			}
		}
		p.inGroup += n
		recs = recs[n:]
	}
	return nil
}

// Close writes what is buffered and the file's footer.
func (p *pqWriter[R]) Close() error { return p.w.Close() }

// column returns column j of recs as Parquet values, valid until the next call.
func (p *pqWriter[R]) column(j int, recs []R) []parquet.Value {
	c := &p.cols[j]
	vals := p.vals[:len(recs)]
	switch c.Kind {
	case backtest.KindTime:
		for i := range recs {
			vals[i] = parquet.Int64Value(c.Time(&recs[i]))
		}
	case backtest.KindInt:
		for i := range recs {
			vals[i] = parquet.Int64Value(c.Int(&recs[i]))
		}
	case backtest.KindFloat:
		for i := range recs {
			vals[i] = parquet.DoubleValue(c.Float(&recs[i]))
		}
	case backtest.KindBool:
		for i := range recs {
			vals[i] = parquet.BooleanValue(c.Bool(&recs[i]))
		}
	case backtest.KindDecimal:
		// Strings are appended to p.bytes; growing it leaves the earlier values pointing into
		// the old array, which stays valid.
		p.bytes = p.bytes[:0]
		for i := range recs {
			k := len(p.bytes)
			if d := c.Dec(&recs[i]); !(c.EmptyZero && d.IsZero()) {
				p.bytes = backtest.AppendDecimal(p.bytes, d)
			}
			vals[i] = parquet.ByteArrayValue(p.bytes[k:len(p.bytes):len(p.bytes)])
		}
	case backtest.KindString, backtest.KindEnum:
		p.bytes = p.bytes[:0]
		for i := range recs {
			k := len(p.bytes)
			p.bytes = append(p.bytes, c.Str(&recs[i])...)
			vals[i] = parquet.ByteArrayValue(p.bytes[k:len(p.bytes):len(p.bytes)])
		}
	default:
		panic("artifact: column " + c.Name + " has no valid kind")
	}
	for i := range vals {
		vals[i].SetColumnIndex(j)
	}
	return vals
}

// writeParquet writes recs as t's Parquet file to path, atomically.
func writeParquet[R any](path string, t *backtest.Table[R], recs []R) error {
	return atomically(path, func(f *os.File) error {
		w := newPQWriter(f, t)
		if err := w.Write(recs); err != nil {
			return err
		}
		return w.Close()
	})
}
