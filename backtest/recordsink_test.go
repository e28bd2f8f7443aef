package backtest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/bt-backtest/bt/backtest/margin"
)

// collect is a RecordSink keeping copies of what it is handed.
type collect struct {
	fills   []FillRecord
	trades  []Trade
	liqs    []margin.Liquidation
	funding []FundingPayment
	rejects []Reject
}

func (c *collect) Fill(f *FillRecord)                { c.fills = append(c.fills, *f) }
func (c *collect) Trade(t *Trade)                    { c.trades = append(c.trades, *t) }
func (c *collect) Liquidation(l *margin.Liquidation) { c.liqs = append(c.liqs, *l) }
func (c *collect) Funding(p *FundingPayment)         { c.funding = append(c.funding, *p) }
func (c *collect) Reject(r *Reject)                  { c.rejects = append(c.rejects, *r) }

// An account whose records stream to a RecordSink (Config.Records, a sweep's) hands the sink
// every record the held run keeps, each kind in the same order, and its fingerprint, hashed
// while they streamed under the log name the sink gave, is the held run's: on the chaos
// scenario (one-way isolated, cross and a mix, sequential and parallel: fills, liquidations,
// funding and rejections at shared timestamps) and on the hedge chaos scenario.
func TestRecordsStreamedEqualHeld(t *testing.T) {
	symbols := []string{"AAA", "BBB", "CCC"}
	type scenario struct {
		name  string
		cfg   func(parallel bool) Config
		strat func() Strategy
		seed  uint64
	}
	var switches atomic.Int64
	var scs []scenario
	for seed := uint64(1); seed <= 3; seed++ {
		scs = append(scs, scenario{fmt.Sprintf("chaos seed %d", seed), func(p bool) Config { return chaosConfig(symbols, p) }, newChaos, seed})
		scs = append(scs, scenario{fmt.Sprintf("hedge seed %d", seed), func(p bool) Config {
			cfg := chaosConfig(symbols, p)
			cfg.PositionMode = margin.Hedge
			return cfg
		}, func() Strategy { return &hedgeChaos{n: map[string]int{}, switches: &switches} }, seed})
	}
	var n [5]int
	for _, sc := range scs {
		k, m, f := market(sc.seed, symbols, 400)
		held, err := Run(context.Background(), sc.cfg(false), sc.strat, NewSliceSource(symbols, Batches(k, m, f)))
		if err != nil {
			t.Fatal(err)
		}
		for _, parallel := range []bool{false, true} {
			sinks := map[string]*collect{}
			cfg := sc.cfg(parallel)
			for i := range cfg.Setups { // renamed as a sweep names them; the log keeps the name
				cfg.Setups[i].Name = "cfg-1/" + cfg.Setups[i].Name
			}
			cfg.Records = func(account string) (RecordSink, string) {
				c := &collect{}
				sinks[account] = c
				return c, account[len("cfg-1/"):]
			}
			got, err := Run(context.Background(), cfg, sc.strat, NewSliceSource(symbols, Batches(k, m, f)))
			if err != nil {
				t.Fatal(err)
			}
			for i, h := range held.Accounts {
				a := got.Accounts[i]
				label := fmt.Sprintf("%s parallel=%v %s", sc.name, parallel, h.Name)
				if g, w := a.Fingerprint(), h.Fingerprint(); g != w {
					t.Errorf("%s: streamed fingerprint %s, held %s", label, g, w)
				}
				c := sinks[a.Name]
				for _, x := range []struct {
					what      string
					got, want any
				}{{"fills", c.fills, h.Fills}, {"trades", c.trades, h.Trades}, {"liquidations", c.liqs, h.Liquidations},
					{"funding", c.funding, h.Funding}, {"rejects", c.rejects, h.Rejects}} {
					if !reflect.DeepEqual(x.got, x.want) {
						t.Errorf("%s: the sink's %s differ from the held ones", label, x.what)
					}
				}
				if a.Fills != nil || a.Trades != nil || a.Liquidations != nil || a.Funding != nil || a.Rejects != nil {
					t.Errorf("%s: a streamed result holds records", label)
				}
				if err := a.CanonicalLog(new(discard)); !errors.Is(err, ErrRecordsStreamed) {
					t.Errorf("%s: CanonicalLog of a streamed result: %v, want ErrRecordsStreamed", label, err)
				}
				if !reflect.DeepEqual(a.Final, h.Final) || a.Ruined != h.Ruined || a.RuinTime != h.RuinTime {
					t.Errorf("%s: final state differs", label)
				}
				if !parallel {
					n[0] += len(h.Fills)
					n[1] += len(h.Trades)
					n[2] += len(h.Liquidations)
					n[3] += len(h.Funding)
					n[4] += len(h.Rejects)
				}
			}
		}
	}
	t.Logf("fills %d, trades %d, liquidations %d, funding %d, rejects %d", n[0], n[1], n[2], n[3], n[4])
	for i, v := range n {
		if v == 0 {
			t.Errorf("record kind %d never occurs: the comparison is void", i)
		}
	}

	// NoFingerprint: no hash, the sink still gets everything
	k, m, f := market(1, symbols, 400)
	cfg := chaosConfig(symbols, false)
	c := &collect{}
	cfg.Records = func(string) (RecordSink, string) { return c, "" }
	cfg.NoFingerprint = true
	got, err := Run(context.Background(), cfg, newChaos, NewSliceSource(symbols, Batches(k, m, f)))
	if err != nil {
		t.Fatal(err)
	}
	if fp := got.Accounts[0].Fingerprint(); fp != "" || len(c.fills) == 0 {
		t.Errorf("NoFingerprint: fingerprint %q, %d fills streamed (want none, some)", fp, len(c.fills))
	}
}

// The streamed fingerprint checks its premise: a record booked with a time before the step
// that drained it would be out of CanonicalLog's order, and the run fails instead of
// returning another hash.
func TestRecordsStreamedRefusesLateRecord(t *testing.T) {
	a := &account{setup: Setup{Name: "x"}}
	a.recs = newRecordStream(&Config{Records: func(string) (RecordSink, string) { return nil, "" }}, "x")
	a.drainRecords(2000, false)
	a.res.Fills = append(a.res.Fills, FillRecord{Time: 1000})
	a.drainRecords(3000, false)
	if err := a.recs.err; err == nil {
		t.Fatal("a fill at 1000 drained after the step at 2000 was accepted")
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// benchChaosAccount is the chaos scenario's isolated account (its fills, liquidations, funding
// payments and rejections over 400 bars of 3 symbols).
func benchChaosAccount(b *testing.B) *AccountResult {
	b.Helper()
	symbols := []string{"AAA", "BBB", "CCC"}
	k, m, f := market(1, symbols, 400)
	res, err := Run(context.Background(), chaosConfig(symbols, false), newChaos, NewSliceSource(symbols, Batches(k, m, f)))
	if err != nil {
		b.Fatal(err)
	}
	a := &res.Accounts[0]
	return a
}

// BenchmarkFingerprint hashes the canonical log of the chaos scenario's isolated account
// (its fills, liquidations, funding payments and rejections over 400 bars of 3 symbols).
func BenchmarkFingerprint(b *testing.B) {
	a := benchChaosAccount(b)
	b.ReportAllocs()
	for b.Loop() {
		a.Fingerprint()
	}
}

// appendQuoted writes what strconv.AppendQuote writes, on the strings the log quotes (symbols,
// tags, names) and on every kind of byte that sends it to AppendQuote (control characters,
// quotes, backslashes, non-ASCII and invalid UTF-8).
func TestAppendQuotedIsAppendQuote(t *testing.T) {
	cases := []string{"", "BTCUSDT", "1000PEPEUSDT", "entry long", "tag with ~ and {}", "a\"b", `a\b`, "tab\there",
		"new\nline", "\x00", "\x7f", "é", "日本", "\xff", "\xe2\x82", "bell\a", "~", " ", "cfg-1/cross"}
	for b := 0; b < 256; b++ {
		cases = append(cases, string([]byte{byte(b)}), "x"+string([]byte{byte(b)})+"y")
	}
	fast := 0
	for _, s := range cases {
		got := string(appendQuoted([]byte("p="), s))
		want := string(strconv.AppendQuote([]byte("p="), s))
		if got != want {
			t.Errorf("appendQuoted(%q) = %s, want %s", s, got, want)
		}
		if want == `p="`+s+`"` {
			fast++
		}
	}
	if fast < 93*2 { // the printable ASCII bytes but " and \, alone and between x and y
		t.Errorf("only %d strings quoted as they are: the fast path is not exercised", fast)
	}
}

func FuzzAppendQuoted(f *testing.F) {
	f.Add("BTCUSDT")
	f.Add("a\"\\\n\xffé")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(appendQuoted(nil, s)), strconv.Quote(s); got != want {
			t.Errorf("appendQuoted(%q) = %s, want %s", s, got, want)
		}
	})
}

// BenchmarkCanonicalLog writes the canonical log of BenchmarkFingerprint's account without
// hashing it: the formatting of its lines alone.
func BenchmarkCanonicalLog(b *testing.B) {
	a := benchChaosAccount(b)
	b.ReportAllocs()
	for b.Loop() {
		a.CanonicalLog(discard{})
	}
}
