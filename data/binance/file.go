package binance

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/bt-backtest/bt/data"
)

// Options override what ParseFileName infers. The zero value infers everything.
type Options struct {
	Market   Market // "": from the path, default MarketUM
	Kind     Kind   // "": from the path, default Klines
	Symbol   string // "": from the file name
	Interval string // "": from the file name (ignored for FundingRate)
	// NoChecksum skips the .CHECKSUM check even when the file exists.
	NoChecksum bool
}

// File is the content of one data.binance.vision archive.
type File struct {
	Path    string
	Info    FileInfo // after Options were applied
	Klines  []data.Kline
	Funding []data.FundingRate
	// Checksum reports whether a .CHECKSUM file was found and matched.
	Checksum bool
}

// Series returns the series the file's rows belong to.
func (f *File) Series() data.Series { return f.Info.Series() }

// ReadFile reads and validates one archive: a .zip holding one CSV, a .csv or a
// .csv.gz. If path+".CHECKSUM" exists (and opt.NoChecksum is false) the file's SHA-256
// must match it. Errors name the file and, for content faults, the row and field (see
// ParseError).
func ReadFile(path string, opt Options) (*File, error) {
	info, err := fileInfo(path, opt)
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f := &File{Path: path, Info: info}
	if !opt.NoChecksum {
		if f.Checksum, err = verifyChecksum(path, raw); err != nil {
			return nil, err
		}
	}
	name := filepath.Base(path)
	r, inner, err := open(name, raw)
	if err != nil {
		return nil, err
	}
	if inner != "" {
		name += "/" + inner
	}
	if info.Kind == FundingRate {
		f.Funding, err = ParseFunding(r, name)
	} else {
		f.Klines, err = ParseKlines(r, name, info.Interval, info.Kind == MarkPriceKlines)
	}
	if err != nil {
		return nil, err
	}
	return f, nil
}

func fileInfo(path string, opt Options) (FileInfo, error) {
	info, err := ParseFileName(path)
	if err != nil {
		if opt.Symbol == "" || opt.Kind == "" || (opt.Kind != FundingRate && opt.Interval == "") {
			return FileInfo{}, fmt.Errorf("%s: %w (give symbol, kind and interval)", path, err)
		}
		info = FileInfo{Market: MarketUM}
	}
	if opt.Market != "" {
		info.Market = opt.Market
	}
	if opt.Kind != "" {
		info.Kind = opt.Kind
	}
	if opt.Symbol != "" {
		info.Symbol = opt.Symbol
	}
	if opt.Interval != "" && info.Kind != FundingRate {
		info.Interval = opt.Interval
	}
	switch {
	case info.Market != MarketUM && info.Market != MarketSpot:
		return FileInfo{}, fmt.Errorf("%s: %w: unknown market %q", path, ErrFileName, info.Market)
	case info.Kind != Klines && info.Kind != MarkPriceKlines && info.Kind != FundingRate:
		return FileInfo{}, fmt.Errorf("%s: %w: unknown kind %q", path, ErrFileName, info.Kind)
	case info.Market == MarketSpot && info.Kind != Klines:
		return FileInfo{}, fmt.Errorf("%s: %w: spot has no %s", path, ErrFileName, info.Kind)
	case info.Kind == FundingRate:
		info.Interval = ""
	case info.Interval == "":
		return FileInfo{}, fmt.Errorf("%s: %w: no interval", path, ErrFileName)
	}
	return info, nil
}

// open returns a reader over the CSV in raw, and the name of the zip entry if any.
func open(name string, raw []byte) (io.Reader, string, error) {
	switch {
	case bytes.HasPrefix(raw, []byte("PK\x03\x04")) || strings.HasSuffix(name, ".zip"):
		zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w: %v", name, ErrArchive, err)
		}
		var csv *zip.File
		for _, zf := range zr.File {
			if zf.FileInfo().IsDir() {
				continue
			}
			if csv != nil {
				return nil, "", fmt.Errorf("%s: %w: more than one file (%s, %s)", name, ErrArchive, csv.Name, zf.Name)
			}
			csv = zf
		}
		if csv == nil {
			return nil, "", fmt.Errorf("%s: %w: empty", name, ErrArchive)
		}
		rc, err := csv.Open()
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w: %v", name, ErrArchive, err)
		}
		// Reading fully here surfaces truncation and CRC errors as archive errors.
		b, err := io.ReadAll(io.LimitReader(rc, 1<<31))
		rc.Close()
		if err != nil {
			return nil, "", fmt.Errorf("%s/%s: %w: %v", name, csv.Name, ErrArchive, err)
		}
		return bytes.NewReader(b), csv.Name, nil
	case bytes.HasPrefix(raw, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w: %v", name, ErrArchive, err)
		}
		b, err := io.ReadAll(zr)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w: %v", name, ErrArchive, err)
		}
		return bytes.NewReader(b), "", nil
	}
	return bytes.NewReader(raw), "", nil
}

// verifyChecksum compares raw with path+".CHECKSUM" if that exists. It reports whether a
// checksum file was found.
func verifyChecksum(path string, raw []byte) (bool, error) {
	want, err := readChecksum(path + ".CHECKSUM")
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	sum := sha256.Sum256(raw)
	if got := hex.EncodeToString(sum[:]); got != want {
		return true, fmt.Errorf("%s: %w: sha256 %s, %s.CHECKSUM says %s", path, ErrChecksum, got, filepath.Base(path), want)
	}
	return true, nil
}

// readChecksum reads a "<sha256 hex>  <file name>" file and returns the lower-case hex.
func readChecksum(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return parseChecksum(path, b)
}

func parseChecksum(name string, b []byte) (string, error) {
	fields := strings.Fields(string(b))
	if len(fields) == 0 || len(fields[0]) != 64 {
		return "", fmt.Errorf("%s: %w: want \"<sha256 hex>  <file name>\"", name, ErrChecksum)
	}
	want := strings.ToLower(fields[0])
	if _, err := hex.DecodeString(want); err != nil {
		return "", fmt.Errorf("%s: %w: %q is not hex", name, ErrChecksum, fields[0])
	}
	return want, nil
}
