package parquet

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/internal/testenv"
)

// TestDuckDBReadsStore checks that DuckDB reads a store as it is, with the documented column
// names, types and hive partitions. It needs node and the DuckDB package installed with
//
//	npm install --prefix data/parquet/testdata/duckdb
//
// and skips without them (fails when CI=true).
func TestDuckDBReadsStore(t *testing.T) {
	node, dir := duckdb(t)
	s := mustCreate(t)
	mustWrite(t, s, kl("BTCUSDT"), genKlines(t0, 30, 1, true))
	mustWrite(t, s, kl("ETHUSDT"), genKlines(t0, 20, 2, false))
	mustWrite(t, s, mk("BTCUSDT"), genKlines(t0, 10, 3, false))
	if _, err := s.WriteFunding(fd("BTCUSDT"), genFunding(t0, 5, 8*hour)); err != nil {
		t.Fatal(err)
	}
	root := s.Root()
	cmd := exec.Command(node, filepath.Join(dir, "query.mjs"),
		`SELECT symbol, count(*) AS n, epoch_ms(min(open_time)) AS first, epoch_ms(max(open_time)) AS last,
		        sum(trades) AS trades
		 FROM read_parquet('`+root+`/kind=klines/**/*.parquet', hive_partitioning=true, union_by_name=true)
		 WHERE interval = '1h' GROUP BY symbol ORDER BY symbol`,
		`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('`+root+`/kind=funding/*/*/*/*.parquet'))`,
		`SELECT count(*) AS n FROM read_parquet('`+root+`/kind=mark/**/*.parquet', hive_partitioning=true) WHERE low <= high`,
		`SELECT value FROM parquet_kv_metadata('`+root+`/kind=klines/source=test/interval=1h/symbol=ETHUSDT/month=2025-05/data.parquet') WHERE key = 'symbol'`,
	)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("duckdb: %v\n%s", err, out)
	}
	var got [4]any
	dec := json.NewDecoder(bytes.NewReader(out))
	for i := range got {
		if err := dec.Decode(&got[i]); err != nil {
			t.Fatalf("output %d: %v\n%s", i, err, out)
		}
	}
	want := [4]string{
		// 30 BTC rows with trades 0..29 (sum 435); ETH has no trades column: NULL.
		`[{"first":"` + itoa(t0) + `","last":"` + itoa(t0+29*hour) + `","n":"30","symbol":"BTCUSDT","trades":"435"},{"first":"` + itoa(t0) + `","last":"` + itoa(t0+19*hour) + `","n":"20","symbol":"ETHUSDT","trades":null}]`,
		`[{"column_name":"time","column_type":"TIMESTAMP WITH TIME ZONE"},{"column_name":"rate","column_type":"DOUBLE"},{"column_name":"interval_hours","column_type":"INTEGER"},` +
			// DuckDB detects the hive partitions on its own.
			`{"column_name":"kind","column_type":"VARCHAR"},{"column_name":"month","column_type":"VARCHAR"},{"column_name":"source","column_type":"VARCHAR"},{"column_name":"symbol","column_type":"VARCHAR"}]`,
		`[{"n":"10"}]`,
		`[{"value":"ETHUSDT"}]`,
	}
	for i := range got {
		b, _ := json.Marshal(got[i])
		if string(b) != want[i] {
			t.Errorf("query %d:\ngot  %s\nwant %s", i, b, want[i])
		}
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// duckdb returns the node binary and the directory holding query.mjs, or skips (fails when
// CI=true) if they are missing.
func duckdb(t *testing.T) (node, dir string) {
	t.Helper()
	dir, _ = filepath.Abs(filepath.Join("testdata", "duckdb"))
	node, err := exec.LookPath("node")
	if _, statErr := os.Stat(filepath.Join(dir, "node_modules", "@duckdb", "node-api")); err != nil || statErr != nil {
		testenv.Missing(t, "node or DuckDB missing: run npm install --prefix data/parquet/testdata/duckdb")
	}
	return node, dir
}

// TestDuckDBWrittenFile streams a partition written by DuckDB (OPTIONAL columns without nulls,
// TIMESTAMP in microseconds, PLAIN and dictionary encodings), as a user's own tool might
// write one, and checks that a DECIMAL volume is refused with the column named.
func TestDuckDBWrittenFile(t *testing.T) {
	node, dir := duckdb(t)
	s := mustCreate(t)
	p := s.osPath(partPath(kl("BTCUSDT"), "2025-06"))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	// 48 hourly bars from 2025-06-01 with close = 100 + i, constant volume 1.5.
	q := `COPY (SELECT TIMESTAMPTZ '2025-06-01 00:00:00+00' + INTERVAL (i) HOUR AS open_time,
	              (100 + i)::DOUBLE AS open, (101 + i)::DOUBLE AS high, (99 + i)::DOUBLE AS low, (100 + i)::DOUBLE AS close, 1.5::DOUBLE AS volume
	       FROM range(48) t(i)) TO '` + p + `' (FORMAT parquet)`
	if out, err := exec.Command(node, filepath.Join(dir, "query.mjs"), q).CombinedOutput(); err != nil {
		t.Fatalf("duckdb: %v\n%s", err, out)
	}
	got, err := s.ReadKlines(kl("BTCUSDT"), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	june := t0 + 4*hour
	if len(got) != 48 || got[0].OpenTime != june || got[47].OpenTime != june+47*hour || got[47].Close != 147 || got[3].Volume != 1.5 {
		t.Fatalf("read %d rows: %+v ... %+v", len(got), got[0], got[len(got)-1])
	}
	if n, err := drain(t, s, StreamOptions{}); n != 48 || err != nil {
		t.Fatalf("stream: %d bars, %v", n, err)
	}
	q = `COPY (SELECT TIMESTAMPTZ '2025-06-01 00:00:00+00' AS open_time, 1.0 AS open, 1.0 AS high, 1.0 AS low, 1.0 AS close, 1.5 AS volume) TO '` + p + `' (FORMAT parquet)`
	if out, err := exec.Command(node, filepath.Join(dir, "query.mjs"), q).CombinedOutput(); err != nil {
		t.Fatalf("duckdb: %v\n%s", err, out)
	}
	if _, err := drain(t, s, StreamOptions{}); !errors.Is(err, ErrColumnType) || !strings.Contains(err.Error(), "field open") && !strings.Contains(err.Error(), "field volume") {
		t.Fatalf("decimal columns: %v", err)
	}
}
