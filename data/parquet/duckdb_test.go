package parquet

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// TestDuckDBReadsStore checks that DuckDB reads a store as it is, with the documented column
// names, types and hive partitions. It needs node and the DuckDB package installed with
//
//	npm install --prefix data/parquet/testdata/duckdb
//
// and skips without them (fails when CI=true).
func TestDuckDBReadsStore(t *testing.T) {
	dir, _ := filepath.Abs(filepath.Join("testdata", "duckdb"))
	node, err := exec.LookPath("node")
	if _, statErr := os.Stat(filepath.Join(dir, "node_modules", "@duckdb", "node-api")); err != nil || statErr != nil {
		msg := "node or DuckDB missing: run npm install --prefix data/parquet/testdata/duckdb"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
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
