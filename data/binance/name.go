package binance

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/bt-backtest/bt/data"
)

// Market is a data.binance.vision market.
type Market string

// The markets this package reads.
const (
	MarketUM   Market = "um"   // USDⓈ-M futures: /data/futures/um/...
	MarketSpot Market = "spot" // spot: /data/spot/...
)

// Kind is a data.binance.vision data type, named as in its URLs.
type Kind string

// The data types this package reads.
const (
	Klines          Kind = "klines"
	MarkPriceKlines Kind = "markPriceKlines"
	FundingRate     Kind = "fundingRate"
)

// FileInfo is what a data.binance.vision file name says about its content.
type FileInfo struct {
	Market   Market
	Kind     Kind
	Symbol   string // e.g. "BTCUSDT"
	Interval string // e.g. "1h"; "" for fundingRate
	Period   string // "2024-10" (monthly archive) or "2024-10-28" (daily)
}

// Series returns the data.Series the file's rows belong to. Source is "binance-um" or
// "binance-spot".
func (fi FileInfo) Series() data.Series {
	s := data.Series{Symbol: fi.Symbol, Interval: fi.Interval, Source: "binance-" + string(fi.Market)}
	switch fi.Kind {
	case MarkPriceKlines:
		s.Kind = data.KindMark
	case FundingRate:
		s.Kind = data.KindFunding
		s.Interval = ""
	default:
		s.Kind = data.KindKlines
	}
	return s
}

var (
	klineName   = regexp.MustCompile(`(?:^|[^A-Z0-9])([A-Z0-9]{2,30})-(\d+[smhdwM]|\d+mo)-(\d{4}-\d{2}(?:-\d{2})?)\.(?:zip|csv|csv\.gz)$`)
	fundingName = regexp.MustCompile(`(?:^|[^A-Z0-9])([A-Z0-9]{2,30})-fundingRate-(\d{4}-\d{2}(?:-\d{2})?)\.(?:zip|csv|csv\.gz)$`)
)

// ParseFileName infers a FileInfo from path. The base name gives symbol, interval and
// period; the kind markPriceKlines and the market come from the directories or from a
// prefix of the base name (see the package doc), defaulting to klines and MarketUM. It
// returns an error wrapping ErrFileName when the base name matches no known pattern.
func ParseFileName(path string) (FileInfo, error) {
	path = filepath.ToSlash(path)
	base := path[strings.LastIndex(path, "/")+1:]
	var fi FileInfo
	if m := fundingName.FindStringSubmatch(base); m != nil {
		fi = FileInfo{Kind: FundingRate, Symbol: m[1], Period: m[2]}
	} else if m := klineName.FindStringSubmatch(base); m != nil {
		fi = FileInfo{Kind: Klines, Symbol: m[1], Interval: m[2], Period: m[3]}
		if IntervalMillis(fi.Interval) == 0 && fi.Interval != "1mo" && fi.Interval != "1M" {
			return FileInfo{}, fmt.Errorf("%w: %s: %q is not a kline interval", ErrFileName, base, fi.Interval)
		}
	} else {
		return FileInfo{}, fmt.Errorf("%w: %s: want SYMBOL-INTERVAL-YYYY-MM[-DD].zip or SYMBOL-fundingRate-YYYY-MM.zip", ErrFileName, base)
	}
	lower := strings.ToLower(path)
	if fi.Kind == Klines && strings.Contains(lower, "markpriceklines") {
		fi.Kind = MarkPriceKlines
	}
	fi.Market = MarketUM
	// Look at directory names and at the base-name prefix, e.g. "spot-klines-BTCUSDT-…".
	for _, tok := range strings.FieldsFunc(lower, func(r rune) bool { return r == '/' || r == '-' || r == '_' || r == '.' }) {
		if tok == "spot" {
			fi.Market = MarketSpot
		}
	}
	return fi, nil
}
