package data

// Kind is the kind of a series.
type Kind string

// The three kinds of series bt stores.
const (
	KindKlines  Kind = "klines"  // last-price klines
	KindMark    Kind = "mark"    // mark-price klines
	KindFunding Kind = "funding" // funding rates
)

// Series names one stored series. Symbol, Interval, Kind and Source are written to each
// Parquet file's key/value metadata and to its path.
type Series struct {
	Symbol   string // e.g. "BTCUSDT"
	Kind     Kind
	Interval string // "1m", "5m", "1h", ...; empty for funding
	Source   string // e.g. "binance-um", "binance-spot", "csv", "synth"
}

// Kline is one kline row. Mark-price klines use OpenTime..Close only. The optional
// fields are zero when the source lacks them (HasExtra reports whether they were present).
type Kline struct {
	OpenTime            int64 // Unix ms UTC of the bar open
	Open                float64
	High                float64
	Low                 float64
	Close               float64
	Volume              float64 // base units
	QuoteVolume         float64
	Trades              int64
	TakerBuyVolume      float64
	TakerBuyQuoteVolume float64
}

// FundingRate is one funding settlement row.
type FundingRate struct {
	Time          int64   // Unix ms UTC of the settlement
	Rate          float64 // per funding interval; positive: longs pay shorts
	IntervalHours int32
}
