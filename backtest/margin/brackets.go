package margin

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"
)

// Bracket is one row of a leverage-bracket table (GET /fapi/v1/leverageBracket).
type Bracket struct {
	Bracket     int
	Floor, Cap  decimal.Decimal // notional range, floor inclusive
	MaxLeverage int             // initialLeverage
	MMR, Cum    decimal.Decimal
}

// Table is one symbol's brackets, ascending by Floor.
type Table []Bracket

// For returns the bracket whose range holds notional: the highest bracket with
// notional >= Floor (the last one past the top cap, the first one for a negative notional).
// Because of the cum rule the maintenance margin is continuous across a floor, so the
// inclusive floor changes only the maximum leverage, never the maintenance margin.
// It panics if t is empty.
func (t Table) For(notional decimal.Decimal) Bracket {
	return t[t.index(notional)]
}

func (t Table) index(notional decimal.Decimal) int {
	if len(t) == 0 {
		panic("margin: Table.For on an empty table")
	}
	k := 0
	for j := 1; j < len(t); j++ {
		if notional.Cmp(t[j].Floor) >= 0 {
			k = j
		} else {
			break
		}
	}
	return k
}

// MaintenanceMargin returns notional × MMR − cum with the bracket that holds notional
// (Binance trading rules). notional is |qty| × mark. It panics if t is empty.
func (t Table) MaintenanceMargin(notional decimal.Decimal) decimal.Decimal {
	b := t.For(notional)
	return notional.Mul(b.MMR).Sub(b.Cum)
}

// FloatBracket is a Bracket in float64, for per-bar estimates (FloatTable).
type FloatBracket struct {
	Cap, MMR, Cum float64 // Cap is +Inf for the top bracket
}

// FloatTable is a Table in float64 (Table.Float): the float counterpart of For and
// MaintenanceMargin, for the engine's per-bar figures (an equity point's maintenance margin and
// margin ratio, a cross position's estimated liquidation price). It agrees with the Table to
// float64 rounding (TestFloatTableAgrees). Decisions never rest on it: liquidation is screened
// by Account.NextLiquidation, which defers to exact arithmetic near a threshold.
type FloatTable []FloatBracket

// Float returns t in float64. The top bracket's cap becomes +Inf, so a notional past the table
// stays in the top bracket, as For does.
func (t Table) Float() FloatTable {
	out := make(FloatTable, len(t))
	for i, b := range t {
		c := b.Cap.InexactFloat64()
		if i == len(t)-1 {
			c = math.Inf(1)
		}
		out[i] = FloatBracket{Cap: c, MMR: b.MMR.InexactFloat64(), Cum: b.Cum.InexactFloat64()}
	}
	return out
}

// For returns the bracket holding notional, the float counterpart of Table.For: the first
// bracket whose cap exceeds notional (brackets are contiguous, so notional < cap_k exactly when
// notional < floor_(k+1)), the top one past the top cap or for NaN. It panics if t is empty.
func (t FloatTable) For(notional float64) FloatBracket {
	for _, b := range t {
		if notional < b.Cap {
			return b
		}
	}
	return t[len(t)-1]
}

// MaintenanceMargin is the float counterpart of Table.MaintenanceMargin.
func (t FloatTable) MaintenanceMargin(notional float64) float64 {
	return t.For(notional).MaintenanceMargin(notional)
}

// MaintenanceMargin returns notional × MMR − cum for a notional in b.
func (b FloatBracket) MaintenanceMargin(notional float64) float64 {
	return maintenanceFloat(notional, b.MMR, b.Cum)
}

// maintenanceFloat is the one float64 maintenance-margin formula of the package (FloatBracket,
// Risk, the cross screening): notional × MMR − cum, the product not fused (see the float rule
// in screen.go).
func maintenanceFloat(notional, mmr, cum float64) float64 { return float64(notional*mmr) - cum }

// MaxLeverage returns the maximum leverage allowed for a position of the given notional
// (initialLeverage of the bracket that holds it). It panics if t is empty.
func (t Table) MaxLeverage(notional decimal.Decimal) int { return t.For(notional).MaxLeverage }

// Validate checks that t is a usable table: non-empty, first floor 0, each floor equal to the
// previous cap, MMR non-decreasing and in [0, 1), leverage >= 1, and the cum rule
// cum_n = cum_(n−1) + floor_n·(MMR_n − MMR_(n−1)) exactly (which makes the maintenance margin
// continuous; the float screening of Account relies on it). Errors wrap ErrBadBrackets.
func (t Table) Validate() error {
	if len(t) == 0 {
		return fmt.Errorf("%w: no brackets", ErrBadBrackets)
	}
	if !t[0].Floor.IsZero() || !t[0].Cum.IsZero() {
		return fmt.Errorf("%w: bracket 1 must start at notional 0 with cum 0", ErrBadBrackets)
	}
	one := decimal.NewFromInt(1)
	for j, b := range t {
		if b.MMR.IsNegative() || b.MMR.Cmp(one) >= 0 {
			return fmt.Errorf("%w: bracket %d: maintMarginRatio %s outside [0,1)", ErrBadBrackets, b.Bracket, b.MMR)
		}
		if b.MaxLeverage < 1 {
			return fmt.Errorf("%w: bracket %d: initialLeverage %d < 1", ErrBadBrackets, b.Bracket, b.MaxLeverage)
		}
		if b.Cap.Cmp(b.Floor) <= 0 {
			return fmt.Errorf("%w: bracket %d: notionalCap %s <= notionalFloor %s", ErrBadBrackets, b.Bracket, b.Cap, b.Floor)
		}
		if j == 0 {
			continue
		}
		p := t[j-1]
		if !b.Floor.Equal(p.Cap) {
			return fmt.Errorf("%w: bracket %d: notionalFloor %s != previous notionalCap %s", ErrBadBrackets, b.Bracket, b.Floor, p.Cap)
		}
		if b.MMR.Cmp(p.MMR) < 0 {
			return fmt.Errorf("%w: bracket %d: maintMarginRatio decreases", ErrBadBrackets, b.Bracket)
		}
		want := p.Cum.Add(b.Floor.Mul(b.MMR.Sub(p.MMR)))
		if !b.Cum.Equal(want) {
			return fmt.Errorf("%w: bracket %d: cum %s, the cum rule gives %s", ErrBadBrackets, b.Bracket, b.Cum, want)
		}
	}
	return nil
}

// Book holds dated bracket tables per symbol (the embedded reference snapshots, or a user file
// in the same JSON layout as brackets.json, docs/margin.md §3), plus a default
// table for symbols it does not know.
type Book struct {
	bySymbol    map[string][]snapshot // ascending by date
	def         Table
	defName     string
	defaultDate string
}

type snapshot struct {
	date  time.Time
	name  string // YYYY-MM-DD
	table Table
}

//go:embed brackets.json
var embeddedBrackets []byte

// DefaultTableSymbol and DefaultTableDate name the embedded snapshot used by DefaultBook for
// symbols without a table of their own: LINKUSDT as of 2024-10-24. Among the latest snapshots
// of the eight embedded symbols it is the most conservative for a small position (its MMR
// climbs to 2% already at 80k notional, and its first bracket allows at most 75x), so an
// unknown altcoin is not given BTC-like leverage. Replace it with Book.SetDefault.
const (
	DefaultTableSymbol = "LINKUSDT"
	DefaultTableDate   = "2024-10-24"
)

// DefaultBook returns the embedded book of real Binance snapshots (6 dates from 2022-02-12 to
// 2024-10-24 for BTC, ETH, BNB, SOL, XRP, DOGE, ADA and LINK USDT perpetuals) plus the default
// table named by DefaultTableSymbol and DefaultTableDate for other symbols.
//
// The embedded file is parsed once per process (sync.Once); every call returns a new Book
// value sharing the parsed snapshots, which are immutable: a Book is read-only apart from
// SetDefault, which changes only the Book it is called on. The Tables a Book returns are
// shared too and must not be modified. Safe for concurrent use.
func DefaultBook() *Book {
	b := *defaultBook()
	return &b
}

var defaultBook = sync.OnceValue(func() *Book {
	b, err := parseBook(embeddedBrackets, "brackets.json (embedded)")
	if err != nil {
		panic(err) // the embedded file is tested
	}
	for _, s := range b.bySymbol[DefaultTableSymbol] {
		if s.name == DefaultTableDate {
			b.SetDefault(s.table, DefaultTableSymbol, DefaultTableDate)
		}
	}
	return b
})

// LoadBook reads a bracket book in the layout of binance-um-brackets.json:
// {"snapshots":[{"symbol":..., "snapshot_date":"YYYY-MM-DD", "brackets":[{"bracket",
// "initialLeverage", "notionalFloor", "notionalCap", "maintMarginRatio", "cum"}, ...]}]}.
// Every table is validated (Table.Validate). The book's default table for unknown symbols is
// that of DefaultBook; change it with SetDefault.
func LoadBook(r io.Reader) (*Book, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("margin: reading bracket book: %w", err)
	}
	b, err := parseBook(data, "bracket book")
	if err != nil {
		return nil, err
	}
	d := DefaultBook()
	b.def, b.defName, b.defaultDate = d.def, d.defName, d.defaultDate
	return b, nil
}

// SetDefault sets the table used for symbols the book has no snapshot of, described in
// outputs by the symbol and snapshot date it was taken from (either may be empty). It panics
// if the table does not validate.
func (b *Book) SetDefault(t Table, symbol, date string) {
	if err := t.Validate(); err != nil {
		panic(err)
	}
	b.def, b.defName, b.defaultDate = t, strings.TrimSpace(symbol+" "+date), date
}

// With returns a book with b's snapshots and, for every symbol other has, other's snapshots
// instead (a user's tables for some symbols on top of the embedded ones). The default table
// is b's. Neither book is modified.
func (b *Book) With(other *Book) *Book {
	out := &Book{bySymbol: make(map[string][]snapshot, len(b.bySymbol)+len(other.bySymbol)),
		def: b.def, defName: b.defName, defaultDate: b.defaultDate}
	for s, snaps := range b.bySymbol {
		out.bySymbol[s] = snaps
	}
	for s, snaps := range other.bySymbol {
		out.bySymbol[s] = snaps
	}
	return out
}

// DefaultName describes the default table (e.g. "LINKUSDT 2024-10-24").
func (b *Book) DefaultName() string { return b.defName }

// Symbols returns the symbols with real tables, sorted.
func (b *Book) Symbols() []string {
	out := make([]string, 0, len(b.bySymbol))
	for s := range b.bySymbol {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Dates returns the snapshot dates of symbol, ascending.
func (b *Book) Dates(symbol string) []string {
	var out []string
	for _, s := range b.bySymbol[symbol] {
		out = append(out, s.name)
	}
	return out
}

// Table returns the table of symbol in force at t (the latest snapshot dated on or before t;
// the earliest one before the first snapshot), the snapshot date, and whether the symbol had a
// real table (false: the documented default table was used, and the date is its date).
// Snapshot dates are taken as 00:00 UTC.
func (b *Book) Table(symbol string, t time.Time) (Table, string, bool) {
	snaps := b.bySymbol[symbol]
	if len(snaps) == 0 {
		return b.def, b.defaultDate, false
	}
	k := sort.Search(len(snaps), func(j int) bool { return snaps[j].date.After(t) }) - 1
	if k < 0 {
		k = 0
	}
	return snaps[k].table, snaps[k].name, true
}

// Dated is a bracket table with the time from which it is in force.
type Dated struct {
	From  time.Time // 00:00 UTC of the snapshot date; for the first element, the time asked for
	Date  string    // the snapshot date, YYYY-MM-DD
	Table Table
}

// Schedule returns the tables of symbol in force from `from` on: the one in force at from
// (as Table returns it), then every later snapshot, ascending. Its last element stays in
// force for ever. ok is false when the book has no table of the symbol: the only element is
// then the default table.
func (b *Book) Schedule(symbol string, from time.Time) (out []Dated, ok bool) {
	t, date, ok := b.Table(symbol, from)
	out = append(out, Dated{From: from, Date: date, Table: t})
	for _, s := range b.bySymbol[symbol] {
		if s.date.After(from) {
			out = append(out, Dated{From: s.date, Date: s.name, Table: s.table})
		}
	}
	return out, ok
}

// TableAt returns the table of symbol from the snapshot dated exactly date (YYYY-MM-DD), for
// runs pinned to one snapshot.
func (b *Book) TableAt(symbol, date string) (Table, bool) {
	for _, s := range b.bySymbol[symbol] {
		if s.name == date {
			return s.table, true
		}
	}
	return nil, false
}

type jsonBook struct {
	Snapshots []struct {
		Symbol   string `json:"symbol"`
		Date     string `json:"snapshot_date"`
		Brackets []struct {
			Bracket         int             `json:"bracket"`
			InitialLeverage int             `json:"initialLeverage"`
			NotionalFloor   decimal.Decimal `json:"notionalFloor"`
			NotionalCap     decimal.Decimal `json:"notionalCap"`
			MMR             decimal.Decimal `json:"maintMarginRatio"`
			Cum             decimal.Decimal `json:"cum"`
		} `json:"brackets"`
	} `json:"snapshots"`
}

func parseBook(data []byte, name string) (*Book, error) {
	var jb jsonBook
	if err := json.Unmarshal(data, &jb); err != nil {
		return nil, fmt.Errorf("margin: %s: %w", name, err)
	}
	if len(jb.Snapshots) == 0 {
		return nil, fmt.Errorf("margin: %s: %w: no snapshots", name, ErrBadBrackets)
	}
	b := &Book{bySymbol: map[string][]snapshot{}}
	for k, s := range jb.Snapshots {
		where := fmt.Sprintf("margin: %s: snapshot %d (%s %s)", name, k, s.Symbol, s.Date)
		if s.Symbol == "" {
			return nil, fmt.Errorf("%s: %w: missing symbol", where, ErrBadBrackets)
		}
		d, err := time.Parse("2006-01-02", s.Date)
		if err != nil {
			return nil, fmt.Errorf("%s: snapshot_date: %w", where, err)
		}
		t := make(Table, len(s.Brackets))
		for j, r := range s.Brackets {
			t[j] = Bracket{Bracket: r.Bracket, Floor: r.NotionalFloor, Cap: r.NotionalCap,
				MaxLeverage: r.InitialLeverage, MMR: r.MMR, Cum: r.Cum}
		}
		if err := t.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		for _, o := range b.bySymbol[s.Symbol] {
			if o.name == s.Date {
				return nil, fmt.Errorf("%s: %w: duplicate snapshot date", where, ErrBadBrackets)
			}
		}
		b.bySymbol[s.Symbol] = append(b.bySymbol[s.Symbol], snapshot{date: d, name: s.Date, table: t})
	}
	for _, snaps := range b.bySymbol {
		sort.Slice(snaps, func(i, j int) bool { return snaps[i].date.Before(snaps[j].date) })
	}
	return b, nil
}
