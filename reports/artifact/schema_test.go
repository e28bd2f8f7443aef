package artifact

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/bt-backtest/bt/reports/internal/fixture"
	"github.com/parquet-go/parquet-go"
	"github.com/shopspring/decimal"
)

// TestRecordTablesAgree: every table's CSV header and Parquet schema are its description's
// columns (backtest.RecordTables), in order, with the Parquet type of each column's kind. (The
// canonical log's keys are checked against the same descriptions in package backtest.)
func TestRecordTablesAgree(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, fixture.Result(), manifest()); err != nil {
		t.Fatal(err)
	}
	if err := WritePrices(dir, fixture.Prices()); err != nil {
		t.Fatal(err)
	}
	for _, d := range backtest.RecordTables() {
		d.Columns = slices.DeleteFunc(d.Columns, func(c backtest.ColumnDoc) bool { return c.LogOnly || c.FileOmit != "" }) // a one-way run: no position_side
		var names []string
		for _, c := range d.Columns {
			names = append(names, c.Name)
		}
		base := filepath.Join(dir, "cross", d.Name)
		if d.Name == backtest.BarTable().Name {
			base = filepath.Join(dir, "prices", "BTCUSDT")
		}
		if _, err := os.Stat(base + ".parquet"); err == nil == d.CSVOnly {
			t.Errorf("%s: a Parquet file: %v, want %v", d.Name, err == nil, !d.CSVOnly)
		}
		b, err := os.ReadFile(base + ".csv")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(b[:bytes.IndexByte(b, '\n')]), strings.Join(names, ","); got != want {
			t.Errorf("%s.csv header %s, want %s", d.Name, got, want)
		}
		if d.CSVOnly {
			continue
		}
		f, err := os.Open(base + ".parquet")
		if err != nil {
			t.Fatal(err)
		}
		st, _ := f.Stat()
		pf, err := parquet.OpenFile(f, st.Size())
		if err != nil {
			t.Fatal(err)
		}
		fields := pf.Schema().Fields()
		if len(fields) != len(d.Columns) {
			t.Errorf("%s.parquet: %d columns, want %d", d.Name, len(fields), len(d.Columns))
		}
		for i, fl := range fields[:min(len(fields), len(d.Columns))] {
			c := d.Columns[i]
			if got, want := pqTypeName(fl), kindPQType[c.Kind]; fl.Name() != c.Name || got != want {
				t.Errorf("%s.parquet column %d: %s %s, want %s %s", d.Name, i+1, fl.Name(), got, c.Name, want)
			}
			if dict := fl.Encoding() != nil && fl.Encoding().String() == "RLE_DICTIONARY"; dict != c.Dict {
				t.Errorf("%s.parquet column %s: dictionary %v, want %v", d.Name, c.Name, dict, c.Dict)
			}
		}
		f.Close()
	}
}

// kindPQType is the Parquet type of each column kind, as pqTypeName names it.
var kindPQType = map[backtest.ColumnKind]string{
	backtest.KindTime: "INT64 TIMESTAMP(isAdjustedToUTC=true,unit=MILLIS)", backtest.KindInt: "INT64 INT(64,true)", backtest.KindFloat: "DOUBLE",
	backtest.KindBool: "BOOLEAN", backtest.KindDecimal: "BYTE_ARRAY STRING", backtest.KindString: "BYTE_ARRAY STRING", backtest.KindEnum: "BYTE_ARRAY STRING",
}

func pqTypeName(n parquet.Node) string {
	s := n.Type().Kind().String()
	if lt := n.Type().LogicalType(); lt != nil {
		s += " " + lt.String()
	}
	return s
}

// fill sets every field of the struct v points to, recursively, to a random value in the
// range the tables can hold: a field added to a record is filled without changing this test.
func fill(r *rand.Rand, v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[decimal.Decimal]() {
			v.Set(reflect.ValueOf(decimal.New(r.Int64N(2e9)-1e9, -int32(r.IntN(10)))))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(r, v.Field(i))
			}
		}
	case reflect.Int64:
		v.SetInt(r.Int64N(4e12)) // times up to the year 2096
	case reflect.Int, reflect.Int32:
		v.SetInt(r.Int64N(1000))
	case reflect.Int8: // sides
		v.SetInt(int64(r.IntN(3) - 1))
	case reflect.Uint8: // modes, order types
		v.SetUint(uint64(r.IntN(2)))
	case reflect.Float64:
		v.SetFloat(r.NormFloat64() * 1e3)
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.String:
		v.SetString([]string{"order", "BTCUSDT", "a,b", `q"x`, ""}[r.IntN(5)])
	default:
		panic("fill: " + v.Type().String())
	}
}

func randomRecords[R any](seed uint64, n int) []R {
	r := rand.New(rand.NewPCG(seed, 1))
	recs := make([]R, n)
	for i := range recs {
		fill(r, reflect.ValueOf(&recs[i]).Elem())
	}
	return recs
}

// roundTrip writes recs as t's CSV table, reads it back with read and writes what it read: the
// two files are the same, so the reader reads back every column the writer writes.
func roundTrip[R any](t *testing.T, tab *backtest.Table[R], read func(*rowReader) R) {
	t.Helper()
	recs := randomRecords[R](uint64(len(tab.Columns)), 200)
	var first bytes.Buffer
	writeTable(newCSVWriter(&first), tab, recs)
	var back []R
	if err := readCSV(bytes.NewReader(first.Bytes()), tab.Name+".csv", tab.Names(), func(r *rowReader) { back = append(back, read(r)) }); err != nil {
		t.Fatal(err)
	}
	var second bytes.Buffer
	writeTable(newCSVWriter(&second), tab, back)
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		a, b := strings.Split(first.String(), "\n"), strings.Split(second.String(), "\n")
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Errorf("%s: read back differs at line %d:\nwritten %s\n  again %s", tab.Name, i+1, a[i], b[i])
				break
			}
		}
	}
}

// TestReadBackEveryColumn: every column a table writes is read back (artifact.Read parses the
// columns by hand; a column added to a description fails here until it reads it too).
func TestReadBackEveryColumn(t *testing.T) {
	roundTrip(t, backtest.EquityTable(), readEquity)
	roundTrip(t, backtest.TradeTable(), readTrade)
	roundTrip(t, backtest.FillTable(), readFill)
	roundTrip(t, backtest.LiquidationTable(), func(r *rowReader) margin.Liquidation { return readLiq(r) })
	roundTrip(t, backtest.FundingTable(), readFunding)
	roundTrip(t, backtest.RejectTable(), readReject)
	roundTrip(t, backtest.LiqPriceTable(), readLiqPrice)
	roundTrip(t, backtest.BarTable(), readBar)
}

// TestPQSchemaCache: a table's Parquet schema is built once per set of columns, not once per
// copy of the table (a hedge-mode run's tables are copies with one more column).
func TestPQSchemaCache(t *testing.T) {
	u := *backtest.FillTable()
	if pqSchema(&u) != pqSchema(backtest.FillTable()) {
		t.Error("a copy of the fills table got a schema of its own")
	}
	u.Columns = u.Columns[:3]
	if pqSchema(&u) == pqSchema(backtest.FillTable()) {
		t.Error("three columns of the fills table got the whole table's schema")
	}
}
