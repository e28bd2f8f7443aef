package binance

import (
	"errors"

	"github.com/bt-backtest/bt/data"
)

// Errors returned by this package, grouped by when they occur. Parse faults come wrapped
// in a *ParseError that names the file, row and field; use errors.Is to test for them.
var (
	// Reading a file.

	// ErrChecksum: the archive's SHA-256 differs from its .CHECKSUM file.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrArchive: a zip archive is corrupt or does not hold exactly one CSV file.
	ErrArchive = errors.New("bad archive")
	// ErrFileName: kind, symbol or interval cannot be inferred from the file name and
	// were not given.
	ErrFileName = errors.New("cannot infer from file name")

	// Parsing rows.

	// ErrHeader: the header row does not have the expected column names.
	ErrHeader = errors.New("unexpected header")
	// ErrColumns: a row has the wrong number of columns.
	ErrColumns = errors.New("wrong number of columns")
	// ErrNumber: a field is not a number of the expected type.
	ErrNumber = errors.New("not a number")
	// ErrValue: a number is out of range: NaN, Inf, a price <= 0, a volume < 0, low > high.
	// Kline faults found by data.CheckKline wrap both ErrValue and the data sentinel
	// (data.ErrBadPrice, data.ErrLowAboveHigh, ...).
	ErrValue = errors.New("bad value")
	// ErrTime: a timestamp is out of order, duplicated, misaligned or has an unknown unit.
	ErrTime = errors.New("bad time")
	// ErrNoRows: the file holds no data rows.
	ErrNoRows = errors.New("no rows")
	// ErrLineTooLong: a line exceeds 64 KiB (the file is not a Binance CSV).
	ErrLineTooLong = errors.New("line too long")

	// Downloading.

	// ErrHTTP: the server answered with a status other than 200 or 404.
	ErrHTTP = errors.New("http error")
	// ErrUnreachable: several archives in a row could not reach the server (see
	// Downloader.MaxNetworkFailures).
	ErrUnreachable = errors.New("cannot reach the download server (is the network up?)")
)

// ParseError says where a file is bad: it is data.RowError, the fault type every bt
// importer returns. Row is the 1-based line number in the CSV (a header counts as line 1),
// or 0 when the fault is the whole file; Field is the Binance column name, or "" when the
// fault is the whole row or file. Its Error method formats "FILE: row N: field F: cause"
// and its Unwrap returns the cause, one of the sentinels above.
type ParseError = data.RowError
