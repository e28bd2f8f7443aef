package artifact

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/backtest"
)

var update = flag.Bool("update", false, "rewrite docs/records.md from the record descriptions")

const recordsDocPath = "../../docs/records.md"

// TestRecordsDoc: docs/records.md is the table of columns generated from the record
// descriptions (backtest.RecordTables); go test ./reports/artifact -run TestRecordsDoc -update
// rewrites it.
func TestRecordsDoc(t *testing.T) {
	want := recordsDoc()
	if *update {
		if err := os.WriteFile(recordsDocPath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(recordsDocPath)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("docs/records.md is not the description of the record tables; run go test ./reports/artifact -run TestRecordsDoc -update")
	}
}

// kindForms is how each output writes a column kind.
var kindForms = []struct {
	kind                backtest.ColumnKind
	csv, parquet, canon string
}{
	{backtest.KindTime, "RFC 3339 UTC with milliseconds (`2025-10-10T21:15:00.000Z`)", "INT64 TIMESTAMP(MILLIS, UTC)", "Unix ms"},
	{backtest.KindDecimal, "exact decimal, trailing zeros trimmed (`0.015`)", "STRING (the same text)", "the same text"},
	{backtest.KindFloat, "shortest round-trip form (`0.0125`, `1e-05`, `NaN`)", "DOUBLE", "the same text"},
	{backtest.KindInt, "integer", "INT64", "integer"},
	{backtest.KindString, "text, quoted when it holds a comma, quote or line break", "STRING", "Go-quoted (`\"BTCUSDT\"`)"},
	{backtest.KindEnum, "one of a few labels (`buy`, `cross`)", "STRING, dictionary-encoded", "the label, or its code where the table says"},
	{backtest.KindBool, "`true` / `false`", "BOOLEAN", "`1` / `0`"},
}

func recordsDoc() string {
	var b strings.Builder
	b.WriteString(`# Run records: the columns of every table

<!-- Generated from backtest/records_schema.go by
     go test ./reports/artifact -run TestRecordsDoc -update
     Do not edit: the test fails when this file and the descriptions differ. -->

A run directory holds per account the tables below, each as ` + "`NAME.csv`" + ` and ` + "`NAME.parquet`" + `
(package ` + "`reports/artifact`" + `, which also describes the directory's other files), and
` + "`bt`" + ` fingerprints each account by hashing its canonical log (` + "`AccountResult.CanonicalLog`" + `): one line per
fill, liquidation, funding payment and rejection. All three are written from one description per
table in ` + "`backtest/records_schema.go`" + `: the CSV header, the Parquet schema (the same column names, in the
same order) and the log's fields follow from it.

## Adding a column

Add one line to the table's ` + "`Columns`" + ` in ` + "`backtest/records_schema.go`" + `, e.g. for fills:

` + "```go" + `
{Name: "reduce_only", Kind: KindBool, Doc: "the order was reduce-only", Bool: func(f *FillRecord) bool { return f.ReduceOnly }},
` + "```" + `

The CSV and Parquet files get the column, in that place; this page gets it after
` + "`go test ./reports/artifact -run TestRecordsDoc -update`" + `. Leave ` + "`Log`" + ` empty unless the
fingerprint must cover the new field: a ` + "`Log`" + ` key changes every account's fingerprint and
every golden file holding one (say so in the commit). Then teach ` + "`artifact.Read`" + ` the column
(` + "`reports/artifact/csv.go`" + `, ` + "`readFill`" + ` and its siblings): ` + "`TestReadBackEveryColumn`" + ` fails until it
reads back every column written, and a run directory written before the column existed needs a
rule for its missing column (as ` + "`rejects.csv`" + ` has for its first layout). A column that only some
runs have can keep the other runs' files as they were: ` + "`FileOmit`" + ` leaves it out of files where
every record has that label, and puts it last otherwise (` + "`position_side`" + `, present only in a
hedge-mode run's files; ` + "`LogOmit`" + ` does the same for a log line).

## How each kind is written

| kind | CSV | Parquet | canonical log |
|---|---|---|---|
`)
	for _, k := range kindForms {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", k.kind, k.csv, k.parquet, k.canon)
	}
	for _, d := range backtest.RecordTables() {
		files := "`" + d.Name + ".csv`, `" + d.Name + ".parquet`"
		if d.CSVOnly {
			files = "`" + d.Name + ".csv`"
		}
		fmt.Fprintf(&b, "\n## %s\n\n%s Files: %s.", d.Name, d.Doc, files)
		if d.Log != "" {
			fmt.Fprintf(&b, " Canonical log: `%s` lines.", d.Log)
		} else {
			b.WriteString(" Not in the canonical log.")
		}
		b.WriteString("\n\n| column | kind | unit | log key | meaning |\n|---|---|---|---|---|\n")
		for _, c := range d.Columns {
			log := "—"
			if c.Log != "" {
				log = "`" + c.Log + "`"
			}
			doc := c.Doc
			if c.EmptyZero {
				doc += "; empty when zero"
			}
			if c.LogOmit != "" {
				doc += "; the log leaves it out when " + c.LogOmit
			}
			if c.LogOnly {
				doc += " (**canonical log only**, not in the files yet)"
			}
			if c.FileOmit != "" {
				doc += "; in the files only when some record is not " + c.FileOmit + " (a hedge-mode run), as their last column"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", c.Name, c.Kind, c.Unit, log, strings.ReplaceAll(doc, "|", "\\|"))
		}
	}
	return b.String()
}
