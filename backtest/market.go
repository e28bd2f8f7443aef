package backtest

// Market data as the engine receives it. Prices are float64, as received from the data
// source; they enter the ledger only through their shortest decimal representation.

// Bar is one kline: the last-price (trade) bar or, in Batch.Marks, the mark-price bar of one
// symbol over [Time, End). Times are Unix milliseconds, UTC. A strategy sees a bar only once it
// is complete, at End.
type Bar struct {
	Symbol string // e.g. "BTCUSDT"
	ID     int    // index of Symbol in Source.Symbols()
	Time   int64  // open time, Unix ms UTC
	End    int64  // close time (exclusive), Unix ms UTC: Time + interval
	Open   float64
	High   float64
	Low    float64
	Close  float64
	Volume float64 // base units; 0 for mark-price bars
}

// Funding is one funding-rate settlement of a perpetual.
type Funding struct {
	Symbol        string
	ID            int   // index of Symbol in Source.Symbols()
	Time          int64 // settlement time, Unix ms UTC
	Rate          float64
	IntervalHours int // 8 unless the source says otherwise
}

// Batch holds every event of one timestamp: the klines and mark-price klines opening at Time
// and the funding settlements at Time. Each slice is ordered by ID (so by symbol name, since
// Source.Symbols is sorted), never by the order the user listed symbols in. A symbol with no
// bar at Time (a halt, a gap) is simply absent.
type Batch struct {
	Time    int64
	Bars    []Bar
	Marks   []Bar
	Funding []Funding
}

// Source is the merged market stream: single-use, pulled with Next, in strictly increasing
// Time order, with a sticky error like bufio.Scanner. The Batch returned by Batch is valid
// until the next call to Next; its slices are reused.
type Source interface {
	// Symbols returns the symbols of the stream, sorted ascending; Bar.ID indexes it.
	Symbols() []string
	// Next advances to the next timestamp. It returns false at the end or on error.
	Next() bool
	// Batch returns the current timestamp's events.
	Batch() *Batch
	// Err returns the first error met, nil at a clean end.
	Err() error
}
