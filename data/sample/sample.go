package sample

import (
	"embed"
	"encoding/json"
	"io/fs"
	"time"

	"github.com/bt-backtest/bt/data"
	"github.com/bt-backtest/bt/data/parquet"
)

//go:embed store manifest.json
var files embed.FS

// Source is the Series.Source of every sample series.
const Source = "binance-um"

// The sample window, Unix ms UTC: [Start, End).
var (
	Start = time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	End   = time.Date(2026, 2, 19, 0, 0, 0, 0, time.UTC).UnixMilli()
)

// Symbols are the sample's perpetuals, sorted.
var Symbols = []string{"ADAUSDT", "AVAXUSDT", "BNBUSDT", "BTCUSDT", "DOGEUSDT", "DOTUSDT", "ETHUSDT", "LINKUSDT", "SOLUSDT", "XRPUSDT"}

// Manifest describes the embedded store as the generator wrote it.
type Manifest struct {
	Start  int64   `json:"start"` // Unix ms, inclusive
	End    int64   `json:"end"`   // Unix ms, exclusive
	Series []Entry `json:"series"`
}

// Entry is one generated series.
type Entry struct {
	Series data.Series `json:"series"`
	File   string      `json:"file"`  // source CSV file name
	Rows   int         `json:"rows"`  // rows stored
	First  int64       `json:"first"` // first time, Unix ms
	Last   int64       `json:"last"`  // last time, Unix ms
}

// FS returns the embedded store's file system (the store root).
func FS() fs.FS {
	sub, err := fs.Sub(files, "store")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	return sub
}

// Open opens the embedded store, read-only.
func Open() (*parquet.Store, error) { return parquet.OpenFS(FS()) }

// ReadManifest returns the generator's manifest.
func ReadManifest() (Manifest, error) {
	var m Manifest
	b, err := files.ReadFile("manifest.json")
	if err != nil {
		return m, err
	}
	err = json.Unmarshal(b, &m)
	return m, err
}
