package binance

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/data"
)

// The two real archives in ../shared/data/binance-vision: BTCUSDT 1h on 2024-10-28,
// USDⓈ-M futures (header row, ms) and spot (no header, ms). First and last rows are
// copied from the CSVs by eye.
func TestFixtures(t *testing.T) {
	tests := []struct {
		file        string
		market      Market
		first, last data.Kline
	}{
		{
			file:   "futures-um-klines-BTCUSDT-1h-2024-10-28.zip",
			market: MarketUM,
			first: data.Kline{OpenTime: 1730073600000, Open: 67992.70, High: 68094.60, Low: 67804.70, Close: 67835.20,
				Volume: 5179.117, QuoteVolume: 351923638.03910, Trades: 85022, TakerBuyVolume: 2415.052, TakerBuyQuoteVolume: 164090858.68940},
			last: data.Kline{OpenTime: 1730156400000, Open: 69941.10, High: 70132.30, Low: 69700.00, Close: 69940.00,
				Volume: 7023.632, QuoteVolume: 491128109.82250, Trades: 118023, TakerBuyVolume: 3393.750, TakerBuyQuoteVolume: 237334959.73330},
		},
		{
			file:   "spot-klines-BTCUSDT-1h-2024-10-28.zip",
			market: MarketSpot,
			first: data.Kline{OpenTime: 1730073600000, Open: 68021.69, High: 68116.78, Low: 67839.90, Close: 67859.91,
				Volume: 555.35912, QuoteVolume: 37756129.81953250, Trades: 145225, TakerBuyVolume: 281.12098, TakerBuyQuoteVolume: 19113044.72922260},
			last: data.Kline{OpenTime: 1730156400000, Open: 69961.64, High: 70145.50, Low: 69733.30, Close: 69962.21,
				Volume: 928.30439, QuoteVolume: 64923621.82957740, Trades: 145948, TakerBuyVolume: 425.57449, TakerBuyQuoteVolume: 29774357.53997020},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := ReadFile(fixture(t, tt.file), Options{})
			if err != nil {
				t.Fatal(err)
			}
			want := FileInfo{Market: tt.market, Kind: Klines, Symbol: "BTCUSDT", Interval: "1h", Period: "2024-10-28"}
			if f.Info != want {
				t.Errorf("info = %+v, want %+v", f.Info, want)
			}
			if s := f.Series(); s.Source != "binance-"+string(tt.market) || s.Kind != data.KindKlines {
				t.Errorf("series = %+v", s)
			}
			if len(f.Klines) != 24 {
				t.Fatalf("%d rows, want 24", len(f.Klines))
			}
			if f.Klines[0] != tt.first {
				t.Errorf("first = %+v\nwant    %+v", f.Klines[0], tt.first)
			}
			if f.Klines[23] != tt.last {
				t.Errorf("last = %+v\nwant   %+v", f.Klines[23], tt.last)
			}
			for i := 1; i < len(f.Klines); i++ {
				if d := f.Klines[i].OpenTime - f.Klines[i-1].OpenTime; d != 3600_000 {
					t.Errorf("row %d: step %d ms", i, d)
				}
			}
			if f.Checksum {
				t.Error("Checksum = true with no CHECKSUM file")
			}
		})
	}
}

// A fixture read as markPriceKlines keeps OHLC and drops volumes.
func TestFixtureAsMark(t *testing.T) {
	f, err := ReadFile(fixture(t, "futures-um-klines-BTCUSDT-1h-2024-10-28.zip"), Options{Kind: MarkPriceKlines})
	if err != nil {
		t.Fatal(err)
	}
	want := data.Kline{OpenTime: 1730073600000, Open: 67992.70, High: 68094.60, Low: 67804.70, Close: 67835.20}
	if f.Klines[0] != want || f.Series().Kind != data.KindMark {
		t.Errorf("got %+v %+v", f.Klines[0], f.Series())
	}
}

func TestChecksum(t *testing.T) {
	src := fixture(t, "futures-um-klines-BTCUSDT-1h-2024-10-28.zip")
	raw, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "BTCUSDT-1h-2024-10-28.zip")
	writeFile(t, path, raw)

	writeFile(t, path+".CHECKSUM", []byte(checksumLine(raw, "BTCUSDT-1h-2024-10-28.zip")))
	f, err := ReadFile(path, Options{})
	if err != nil || !f.Checksum {
		t.Fatalf("good checksum: %v, Checksum=%v", err, f != nil && f.Checksum)
	}

	bad := checksumLine(append([]byte{0}, raw...), "BTCUSDT-1h-2024-10-28.zip")
	writeFile(t, path+".CHECKSUM", []byte(bad))
	if _, err := ReadFile(path, Options{}); !errors.Is(err, ErrChecksum) || !strings.Contains(err.Error(), path) {
		t.Errorf("bad checksum: err = %v, want ErrChecksum naming the file", err)
	}
	if _, err := ReadFile(path, Options{NoChecksum: true}); err != nil {
		t.Errorf("NoChecksum: %v", err)
	}
	writeFile(t, path+".CHECKSUM", []byte("not a checksum\n"))
	if _, err := ReadFile(path, Options{}); !errors.Is(err, ErrChecksum) {
		t.Errorf("malformed checksum: err = %v, want ErrChecksum", err)
	}
}

func TestParseFileName(t *testing.T) {
	tests := []struct {
		path string
		want FileInfo
	}{
		{"BTCUSDT-1h-2024-10-28.zip", FileInfo{MarketUM, Klines, "BTCUSDT", "1h", "2024-10-28"}},
		{"BTCUSDT-1h-2024-10.zip", FileInfo{MarketUM, Klines, "BTCUSDT", "1h", "2024-10"}},
		{"BTCUSDT-fundingRate-2024-10.zip", FileInfo{MarketUM, FundingRate, "BTCUSDT", "", "2024-10"}},
		{"/x/data/futures/um/monthly/markPriceKlines/ETHUSDT/15m/ETHUSDT-15m-2024-01.zip", FileInfo{MarketUM, MarkPriceKlines, "ETHUSDT", "15m", "2024-01"}},
		{"/x/data/spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2025-01-02.zip", FileInfo{MarketSpot, Klines, "BTCUSDT", "1m", "2025-01-02"}},
		{"spot-klines-BTCUSDT-1h-2024-10-28.zip", FileInfo{MarketSpot, Klines, "BTCUSDT", "1h", "2024-10-28"}},
		{"futures-um-klines-BTCUSDT-1h-2024-10-28.zip", FileInfo{MarketUM, Klines, "BTCUSDT", "1h", "2024-10-28"}},
		{"1000PEPEUSDT-1d-2024-10.csv", FileInfo{MarketUM, Klines, "1000PEPEUSDT", "1d", "2024-10"}},
		{"BTCUSDT-1mo-2024-10.csv.gz", FileInfo{MarketUM, Klines, "BTCUSDT", "1mo", "2024-10"}},
	}
	for _, tt := range tests {
		got, err := ParseFileName(tt.path)
		if err != nil || got != tt.want {
			t.Errorf("ParseFileName(%q) = %+v, %v; want %+v", tt.path, got, err, tt.want)
		}
	}
	for _, bad := range []string{"btc.zip", "BTCUSDT-1h.zip", "BTCUSDT-1h-2024.zip", "BTCUSDT-1h-2024-10-28.txt", ""} {
		if _, err := ParseFileName(bad); !errors.Is(err, ErrFileName) {
			t.Errorf("ParseFileName(%q): err = %v, want ErrFileName", bad, err)
		}
	}
}

const header = "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore\n"

// row builds a 1h kline CSV row at hour h of 2024-10-28 with the given OHLC.
func row(h int, o, hi, lo, c string) string {
	t := 1730073600000 + int64(h)*3600_000
	return itoa(t) + "," + o + "," + hi + "," + lo + "," + c + ",1.5," + itoa(t+3599_999) + ",100,7,0.5,50,0\n"
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func TestParseKlinesBad(t *testing.T) {
	ok := row(0, "10", "11", "9", "10")
	tests := []struct {
		name, csv string
		want      error
		row       int
		field     string
	}{
		{"empty", "", ErrNoRows, 0, ""},
		{"header only", header, ErrNoRows, 0, ""},
		{"bad header", strings.Replace(header, "high", "hi", 1) + ok, ErrHeader, 1, "high"},
		{"short header", "open_time,open\n" + ok, ErrHeader, 1, ""},
		{"columns", ok + "1730077200000,1,2,3\n", ErrColumns, 2, ""},
		{"nan", header + row(0, "NaN", "11", "9", "10"), ErrValue, 2, "open"},
		{"inf", row(0, "10", "+Inf", "9", "10"), ErrValue, 1, "high"},
		{"zero", row(0, "10", "11", "0", "10"), ErrValue, 1, "low"},
		{"negative", row(0, "10", "11", "9", "-10"), ErrValue, 1, "close"},
		{"low>high", row(0, "10", "9", "11", "10"), ErrValue, 1, "low"},
		{"open>high", row(0, "12", "11", "9", "10"), ErrValue, 1, "open"},
		{"close<low", row(0, "10", "11", "9", "8"), ErrValue, 1, "close"},
		{"text", row(0, "10", "11", "9", "abc"), ErrNumber, 1, "close"},
		{"duplicate", ok + ok, ErrTime, 2, "open_time"},
		{"unsorted", row(1, "10", "11", "9", "10") + ok, ErrTime, 2, "open_time"},
		{"misaligned", strings.Replace(ok, "1730073600000,", "1730073600001,", 1), ErrTime, 1, "open_time"},
		{"neg volume", strings.Replace(ok, ",1.5,", ",-1.5,", 1), ErrValue, 1, "volume"},
		{"bad count", strings.Replace(ok, ",7,", ",7.5,", 1), ErrNumber, 1, "count"},
		{"late header", ok + header, ErrNumber, 2, "open_time"},
		{"close_time", strings.Replace(ok, ",1730077199999,", ",1,", 1), ErrTime, 1, "close_time"},
		{"µs fraction", strings.Replace(ok, "1730073600000,", "1730073600000001,", 1), ErrTime, 1, "open_time"},
		{"long line", strings.Repeat("1", maxLine+10) + "\n", ErrLineTooLong, 1, ""},
	}
	_, err := ParseKlines(strings.NewReader(row(0, "10", "9", "11", "10")), "f.csv", "1h", false)
	if !errors.Is(err, data.ErrLowAboveHigh) {
		t.Errorf("low > high: err = %v, want data.ErrLowAboveHigh too", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseKlines(strings.NewReader(tt.csv), "f.csv", "1h", false)
			var pe *ParseError
			if !errors.Is(err, tt.want) || !errors.As(err, &pe) {
				t.Fatalf("err = %v, want %v in a *ParseError", err, tt.want)
			}
			if pe.File != "f.csv" || pe.Row != tt.row || pe.Field != tt.field {
				t.Errorf("at %s row %d field %q, want row %d field %q (%v)", pe.File, pe.Row, pe.Field, tt.row, tt.field, err)
			}
		})
	}
}

// Spot files since 2025-01-01 use microseconds; files may end in CRLF and blank lines.
func TestParseKlinesMicros(t *testing.T) {
	csv := "1735689600000000,93576.00,94509.42,93489.03,94401.14,1099.52,1735693199999999,103092511.3,165236,577.5,54167478.0,0\r\n" +
		"1735693200000000,94401.13,94670.00,94337.15,94427.23,695.45,1735696799999999,65703009.9,120374,343.7,32470836.5,0\r\n\r\n"
	rows, err := ParseKlines(strings.NewReader(csv), "s.csv", "1h", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].OpenTime != 1735689600000 || rows[1].OpenTime != 1735693200000 || rows[1].Close != 94427.23 {
		t.Errorf("rows = %+v", rows)
	}
}

func TestParseFunding(t *testing.T) {
	csv := "calc_time,funding_interval_hours,last_funding_rate\n" +
		"1727740800005,8,0.00010000\n" + // 5 ms of jitter, rounded away
		"1727769600000,8,-0.00002937\n" +
		"1727798399998,8,0.00005000\n"
	rows, err := ParseFunding(strings.NewReader(csv), "f.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []data.FundingRate{
		{Time: 1727740800000, Rate: 0.0001, IntervalHours: 8},
		{Time: 1727769600000, Rate: -0.00002937, IntervalHours: 8},
		{Time: 1727798400000, Rate: 0.00005, IntervalHours: 8},
	}
	if len(rows) != len(want) {
		t.Fatalf("rows = %+v", rows)
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, rows[i], want[i])
		}
	}
	bad := []struct {
		csv   string
		want  error
		row   int
		field string
	}{
		{"calc_time,interval,rate\n1727740800000,8,0.0001\n", ErrHeader, 1, "funding_interval_hours"},
		{"1727740800000,8,x\n", ErrNumber, 1, "last_funding_rate"},
		{"1727740800000,0,0.0001\n", ErrValue, 1, "funding_interval_hours"},
		{"1727740800000,8,NaN\n", ErrValue, 1, "last_funding_rate"},
		{"1727740800000,8,0.0001\n1727740800000,8,0.0001\n", ErrTime, 2, "calc_time"},
		{"1727740800000,8\n", ErrColumns, 1, ""},
	}
	for _, tt := range bad {
		_, err := ParseFunding(strings.NewReader(tt.csv), "f.csv")
		var pe *ParseError
		if !errors.Is(err, tt.want) || !errors.As(err, &pe) || pe.Row != tt.row || pe.Field != tt.field {
			t.Errorf("%q: err = %v, want %v at row %d field %q", tt.csv, err, tt.want, tt.row, tt.field)
		}
	}
}

// Plain CSV, gzipped CSV and zipped CSV read the same; corrupt archives are errors.
func TestReadFileFormats(t *testing.T) {
	body := header + row(0, "10", "11", "9", "10") + row(1, "10", "12", "10", "11")
	dir := t.TempDir()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(body))
	zw.Close()
	files := map[string][]byte{
		"BTCUSDT-1h-2024-10-28.csv":    []byte(body),
		"BTCUSDT-1h-2024-10-29.csv.gz": gz.Bytes(),
		"BTCUSDT-1h-2024-10-30.zip":    zipBytes(t, "BTCUSDT-1h-2024-10-30.csv", body),
	}
	for name, b := range files {
		p := filepath.Join(dir, name)
		writeFile(t, p, b)
		f, err := ReadFile(p, Options{})
		if err != nil || len(f.Klines) != 2 || f.Klines[1].High != 12 {
			t.Errorf("%s: %v", name, err)
		}
	}
	zipped := zipBytes(t, "x.csv", body)
	for name, b := range map[string][]byte{
		"BTCUSDT-1h-2024-11-01.zip": zipped[:len(zipped)/2], // truncated
		"BTCUSDT-1h-2024-11-02.zip": []byte("PK\x03\x04garbage"),
	} {
		p := filepath.Join(dir, name)
		writeFile(t, p, b)
		if _, err := ReadFile(p, Options{}); !errors.Is(err, ErrArchive) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: err = %v, want ErrArchive naming the file", name, err)
		}
	}
	// A corrupted byte inside the compressed data fails the CRC check.
	corrupt := append([]byte(nil), zipBytes(t, "x.csv", strings.Repeat(body, 50))...)
	corrupt[60] ^= 0xff
	p := filepath.Join(dir, "BTCUSDT-1h-2024-11-03.zip")
	writeFile(t, p, corrupt)
	if _, err := ReadFile(p, Options{}); err == nil {
		t.Error("corrupt zip: no error")
	}
	// Names that say nothing need options.
	p = filepath.Join(dir, "data.csv")
	writeFile(t, p, []byte(body))
	if _, err := ReadFile(p, Options{}); !errors.Is(err, ErrFileName) {
		t.Errorf("unnamed: err = %v, want ErrFileName", err)
	}
	f, err := ReadFile(p, Options{Symbol: "ETHUSDT", Kind: Klines, Interval: "1h"})
	if err != nil || f.Info.Symbol != "ETHUSDT" {
		t.Errorf("with options: %v %+v", err, f)
	}
	if _, err := ReadFile(p, Options{Symbol: "ETHUSDT", Kind: FundingRate, Market: MarketSpot}); !errors.Is(err, ErrFileName) {
		t.Errorf("spot funding: err = %v", err)
	}
}

func TestIntervalMillis(t *testing.T) {
	for in, want := range map[string]int64{"1s": 1000, "1m": 60_000, "15m": 900_000, "1h": 3600_000, "12h": 43200_000, "1d": 86400_000, "1w": 604800_000, "1mo": 0, "x": 0, "": 0, "0h": 0} {
		if got := IntervalMillis(in); got != want {
			t.Errorf("IntervalMillis(%q) = %d, want %d", in, got, want)
		}
	}
}
