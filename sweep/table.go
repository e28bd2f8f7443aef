package sweep

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"time"

	"github.com/bt-backtest/bt/reports/metrics"
	"github.com/parquet-go/parquet-go"
)

// Column types of the results table.
const (
	TypeString = "string"
	TypeInt    = "int64"
	TypeDouble = "double"
	TypeBool   = "bool"
	TypeTime   = "timestamp" // Unix milliseconds (int64 cells), TIMESTAMP(MILLIS, UTC) in Parquet
)

// Column is one column of a table: its name (a swept key's path, a summary.json metric name,
// delta.<metric>, ...), its type and whether it may be null.
type Column struct {
	Name     string `json:"name"`
	Type     string `json:"type"` // string, int64, double, bool, timestamp
	Optional bool   `json:"optional,omitempty"`
}

// Table files of a sweep's output directory.
const (
	ResultsParquet = "results.parquet"
	ResultsCSV     = "results.csv"
	EquityParquet  = "equity.parquet"
	EquityCSV      = "equity.csv"
	ManifestFile   = "sweep.json"
)

// Column names shared by every results table.
const (
	ColConfig      = "config"
	ColAccount     = "account"
	ColFingerprint = "fingerprint"
	DeltaPrefix    = "delta."
)

// KeyColumns returns the swept keys' columns, typed from their values: all whole numbers
// int64, all numbers double, all booleans bool, anything else string.
func (s *Spec) KeyColumns() []Column {
	var cols []Column
	for _, d := range s.Grid {
		cols = append(cols, Column{Name: d.Key, Type: typeOf(d.Values)})
	}
	if s.Random != nil {
		for _, r := range s.Random.Space {
			t := TypeDouble
			switch r.Kind {
			case "int":
				t = TypeInt
			case "choice":
				t = typeOf(r.Choices)
			}
			cols = append(cols, Column{Name: r.Key, Type: t})
		}
	}
	return cols
}

func typeOf(vals []Value) string {
	all := func(tags ...string) bool {
		for _, v := range vals {
			ok := false
			for _, t := range tags {
				ok = ok || v.Tag == t
			}
			if !ok {
				return false
			}
		}
		return true
	}
	switch {
	case all("!!int"):
		for _, v := range vals {
			if _, err := strconv.ParseInt(v.Text, 0, 64); err != nil {
				return TypeString
			}
		}
		return TypeInt
	case all("!!int", "!!float"):
		for _, v := range vals {
			if _, err := parseNumber(v.Text); err != nil {
				return TypeString
			}
		}
		return TypeDouble
	case all("!!bool"):
		return TypeBool
	}
	return TypeString
}

func parseNumber(s string) (float64, error) {
	if i, err := strconv.ParseInt(s, 0, 64); err == nil {
		return float64(i), nil
	}
	switch s {
	case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF":
		return math.Inf(1), nil
	case "-.inf", "-.Inf", "-.INF":
		return math.Inf(-1), nil
	case ".nan", ".NaN", ".NAN":
		return math.NaN(), nil
	}
	return strconv.ParseFloat(s, 64)
}

// ResultColumns returns the results table's columns for the given swept-key columns: config,
// the keys, account, every summary metric (reports/metrics.AccountSummary.Metrics, counts as
// int64, flags as bool, the rest double, all nullable), fingerprint, then delta.<metric>
// (cross − isolated, double, null without both accounts).
func ResultColumns(keys []Column) []Column {
	cols := []Column{{Name: ColConfig, Type: TypeString}}
	cols = append(cols, keys...)
	cols = append(cols, Column{Name: ColAccount, Type: TypeString})
	ms := metrics.AccountSummary{}.Metrics()
	for _, m := range ms {
		t := TypeDouble
		switch m.Kind {
		case "count":
			t = TypeInt
		case "bool":
			t = TypeBool
		}
		cols = append(cols, Column{Name: m.Key, Type: t, Optional: true})
	}
	cols = append(cols, Column{Name: ColFingerprint, Type: TypeString})
	for _, m := range ms {
		cols = append(cols, Column{Name: DeltaPrefix + m.Key, Type: TypeDouble, Optional: true})
	}
	return cols
}

// ResultRow builds one results row (cells in ResultColumns(keys) order) for an account of a
// configuration; delta is the configuration's cross − isolated (summary.json's delta), nil
// without both accounts.
func ResultRow(keys []Column, c Config, account string, s metrics.AccountSummary, delta map[string]float64) ([]any, error) {
	if len(c.Set) != len(keys) {
		return nil, fmt.Errorf("configuration %s sets %d keys, the table has %d key columns", c.ID, len(c.Set), len(keys))
	}
	row := []any{c.ID}
	for i, a := range c.Set {
		if a.Key != keys[i].Name {
			return nil, fmt.Errorf("configuration %s: key %d is %s, the table's column is %s", c.ID, i+1, a.Key, keys[i].Name)
		}
		v, err := cellOf(keys[i].Type, a.Text)
		if err != nil {
			return nil, fmt.Errorf("configuration %s: %s: %w", c.ID, a.Key, err)
		}
		row = append(row, v)
	}
	row = append(row, account)
	ms := s.Metrics()
	for _, m := range ms {
		if !m.OK {
			row = append(row, nil)
			continue
		}
		switch m.Kind {
		case "count":
			row = append(row, int64(m.Value))
		case "bool":
			row = append(row, m.Value != 0)
		default:
			row = append(row, m.Value)
		}
	}
	row = append(row, s.Fingerprint)
	for _, m := range ms {
		if d, ok := delta[m.Key]; ok {
			row = append(row, d)
		} else {
			row = append(row, nil)
		}
	}
	return row, nil
}

// cellOf converts a key's text to its column's type.
func cellOf(typ, text string) (any, error) {
	switch typ {
	case TypeInt:
		return strconv.ParseInt(text, 0, 64)
	case TypeDouble:
		return parseNumber(text)
	case TypeBool:
		switch text {
		case "true", "True", "TRUE":
			return true, nil
		case "false", "False", "FALSE":
			return false, nil
		}
		return nil, fmt.Errorf("%q is not true or false", text)
	}
	return text, nil
}

// rowType is the Go struct one row of cols decodes into: parquet-go writes and reads it by
// its tags, and the CSV is written from the same cells, so the two files agree.
func rowType(cols []Column) (reflect.Type, error) {
	fields := make([]reflect.StructField, len(cols))
	for i, c := range cols {
		var t reflect.Type
		switch c.Type {
		case TypeString:
			t = reflect.TypeFor[string]()
		case TypeInt, TypeTime:
			t = reflect.TypeFor[int64]()
		case TypeDouble:
			t = reflect.TypeFor[float64]()
		case TypeBool:
			t = reflect.TypeFor[bool]()
		default:
			return nil, fmt.Errorf("column %s: unknown type %q", c.Name, c.Type)
		}
		tag := c.Name
		if c.Type == TypeTime {
			tag += ",timestamp(millisecond:utc)"
		}
		if c.Optional {
			t = reflect.PointerTo(t)
			tag += ",optional"
		} else if c.Type == TypeString {
			tag += ",dict"
		}
		fields[i] = reflect.StructField{Name: fmt.Sprintf("C%d", i), Type: t, Tag: reflect.StructTag(`parquet:"` + tag + `"`)}
	}
	return reflect.StructOf(fields), nil
}

// Table is a table's columns and rows (cells: string, int64, float64, bool, or nil for null).
type Table struct {
	Columns []Column
	Rows    [][]any
}

// check reports a row that does not fit the columns.
func (t *Table) check() error {
	for r, row := range t.Rows {
		if len(row) != len(t.Columns) {
			return fmt.Errorf("row %d has %d cells, the table %d columns", r+1, len(row), len(t.Columns))
		}
		for i, v := range row {
			c := t.Columns[i]
			ok := false
			switch v.(type) {
			case nil:
				ok = c.Optional
			case string:
				ok = c.Type == TypeString
			case int64:
				ok = c.Type == TypeInt || c.Type == TypeTime
			case float64:
				ok = c.Type == TypeDouble
			case bool:
				ok = c.Type == TypeBool
			}
			if !ok {
				return fmt.Errorf("row %d, column %s: %T does not fit a %s column", r+1, c.Name, v, c.Type)
			}
		}
	}
	return nil
}

// EncodeParquet returns the table as Parquet bytes. The same table gives the same bytes.
func (t *Table) EncodeParquet() ([]byte, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	rt, err := rowType(t.Columns)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	schema := parquet.SchemaOf(reflect.New(rt).Interface())
	w := parquet.NewWriter(&b, schema, parquet.MaxRowsPerRowGroup(1<<16))
	rv := reflect.New(rt).Elem()
	for _, row := range t.Rows {
		rv.SetZero()
		for i, v := range row {
			if v == nil {
				continue
			}
			f := rv.Field(i)
			if f.Kind() == reflect.Pointer {
				p := reflect.New(f.Type().Elem())
				p.Elem().Set(reflect.ValueOf(v))
				f.Set(p)
			} else {
				f.Set(reflect.ValueOf(v))
			}
		}
		if err := w.Write(rv.Addr().Interface()); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// DecodeParquet reads a table written by EncodeParquet with the given columns; a file whose
// columns differ is refused.
func DecodeParquet(name string, data []byte, cols []Column) (*Table, error) {
	rt, err := rowType(cols)
	if err != nil {
		return nil, err
	}
	want := parquet.SchemaOf(reflect.New(rt).Interface())
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable Parquet file: %w", name, err)
	}
	if got := f.Schema(); got.String() != want.String() {
		return nil, fmt.Errorf("%s: its columns differ from the sweep's (written by another bt version?)", name)
	}
	r := parquet.NewReader(f, want)
	defer r.Close()
	t := &Table{Columns: cols}
	for {
		rv := reflect.New(rt)
		if err := r.Read(rv.Interface()); err != nil {
			if err == io.EOF {
				break
			}
			return nil, fmt.Errorf("%s: row %d: %w", name, len(t.Rows)+1, err)
		}
		e := rv.Elem()
		row := make([]any, len(cols))
		for i := range cols {
			fv := e.Field(i)
			if fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					continue
				}
				fv = fv.Elem()
			}
			row[i] = fv.Interface()
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

// EncodeCSV returns the table as CSV: a header of the column names, numbers in Go's shortest
// round-trip form, times in RFC 3339 (UTC), null as an empty cell.
func (t *Table) EncodeCSV() ([]byte, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	rec := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		rec[i] = c.Name
	}
	if err := w.Write(rec); err != nil {
		return nil, err
	}
	for _, row := range t.Rows {
		for i, v := range row {
			switch v := v.(type) {
			case nil:
				rec[i] = ""
			case string:
				rec[i] = v
			case int64:
				rec[i] = strconv.FormatInt(v, 10)
				if t.Columns[i].Type == TypeTime {
					rec[i] = time.UnixMilli(v).UTC().Format(time.RFC3339)
				}
			case float64:
				rec[i] = strconv.FormatFloat(v, 'g', -1, 64)
			case bool:
				rec[i] = strconv.FormatBool(v)
			}
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}
