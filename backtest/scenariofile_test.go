package backtest

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/shopspring/decimal"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expect sections of testdata/scenarios/*.txtar from the engine's output")

// TestScenarioFiles runs every testdata/scenarios/*.txtar file through the engine and compares
// what it booked with the file's expect section. The grammar is in
// testdata/scenarios/README.md. With -rewrite it writes the engine's output into the files
// instead (review the diff: the arithmetic in the comments must still agree).
func TestScenarioFiles(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "scenarios", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no scenario files in testdata/scenarios")
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			ar := parseTxtar(src)
			sc, err := parseScenario(ar)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			got, err := sc.run()
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			i := ar.index("expect")
			if *rewrite {
				if i < 0 {
					ar.Files = append(ar.Files, txtarFile{Name: "expect"})
					i = len(ar.Files) - 1
				}
				ar.Files[i].Data = []byte(got)
				if err := os.WriteFile(path, ar.format(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if i < 0 {
				t.Fatalf("%s: no -- expect -- section (run go test -run TestScenarioFiles -rewrite to write it)", path)
			}
			if want := string(ar.Files[i].Data); got != want {
				t.Errorf("%s: the engine's ledger differs from the expect section (-want +got):\n%s",
					path, lineDiff(want, got))
			}
		})
	}
}

// TestScenarioGrammarErrors: malformed scenario files are refused with the section and line.
func TestScenarioGrammarErrors(t *testing.T) {
	const ok = "-- rules --\nwallet 1000\nfees maker 0 taker 0\nfunding none\nleverage 10\naccount cross cross\n" +
		"instrument AAA tick 0.1 step 0.001 min_qty 0.001 min_notional 5 liquidation_fee 0.01\n" +
		"bracket AAA 1 floor 0 cap 1000000000 max_leverage 100 mmr 0.01 cum 0\n" +
		"-- bars --\nAAA 100 100\n-- script --\n0 buy AAA 1\n"
	if _, err := parseScenario(parseTxtar([]byte(ok))); err != nil {
		t.Fatalf("valid scenario refused: %v", err)
	}
	for _, tc := range []struct{ from, to, want string }{
		{"wallet 1000\n", "", "rules: no wallet"},
		{"fees maker 0 taker 0\n", "", "rules: no fees"},
		{"funding none\n", "", "rules: no funding"},
		{"leverage 10\n", "", "rules: no leverage"},
		{"account cross cross\n", "", "rules: no account"},
		{"bracket AAA 1 floor 0 cap 1000000000 max_leverage 100 mmr 0.01 cum 0\n", "", "no bracket"},
		{"wallet 1000", "wallet ten", `rules line 1: wallet: "ten"`},
		{"0 buy AAA 1", "0 buy AAA 1 limt 95", `script line 1: unknown word "limt"`},
		{"0 buy AAA 1", "x buy AAA 1", "script line 1: bar"},
		{"AAA 100 100", "BBB 100 100", "bars: BBB has no instrument"},
		{"-- bars --", "-- barz --", "no -- bars -- section"},
	} {
		src := strings.Replace(ok, tc.from, tc.to, 1)
		_, err := parseScenario(parseTxtar([]byte(src)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q → %q: error %v, want %q", tc.from, tc.to, err, tc.want)
		}
	}
}

// TestTxtarRoundTrip: writing a parsed scenario file gives back its bytes, so -rewrite
// changes nothing but the expect section.
func TestTxtarRoundTrip(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "scenarios", "*.txtar"))
	files = append(files, "") // and an edge case below
	for _, path := range files {
		src := []byte("comment\n-- a --\nx\n-- b --\n-- c --\ny\nz\n")
		if path != "" {
			var err error
			if src, err = os.ReadFile(path); err != nil {
				t.Fatal(err)
			}
		}
		if got := parseTxtar(src).format(); !bytes.Equal(got, src) {
			t.Errorf("%s: parse and format changed the file:\n%s", path, lineDiff(string(src), string(got)))
		}
	}
	ar := parseTxtar([]byte("-- rules --\nwallet 1\n-- expect --\nold\n"))
	if len(ar.Comment) != 0 || len(ar.Files) != 2 || ar.Files[1].Name != "expect" || string(ar.Files[1].Data) != "old\n" {
		t.Errorf("parsed %+v", ar)
	}
}

// --- txtar (the format of golang.org/x/tools/txtar, without the dependency) ---

// txtarFile is one section of a txtar archive.
type txtarFile struct {
	Name string
	Data []byte
}

// txtarArchive is a comment followed by sections, each introduced by a "-- name --" line.
type txtarArchive struct {
	Comment []byte
	Files   []txtarFile
}

func parseTxtar(data []byte) *txtarArchive {
	a := &txtarArchive{}
	cur := &a.Comment
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i+1], data[i+1:]
		} else {
			data = nil
		}
		s := strings.TrimRight(string(line), "\r\n")
		if strings.HasPrefix(s, "-- ") && strings.HasSuffix(s, " --") && len(s) > 6 {
			a.Files = append(a.Files, txtarFile{Name: strings.TrimSpace(s[3 : len(s)-3])})
			cur = &a.Files[len(a.Files)-1].Data
			continue
		}
		*cur = append(*cur, line...)
	}
	return a
}

func (a *txtarArchive) format() []byte {
	var b bytes.Buffer
	b.Write(a.Comment)
	for _, f := range a.Files {
		fmt.Fprintf(&b, "-- %s --\n", f.Name)
		b.Write(f.Data)
		if len(f.Data) > 0 && f.Data[len(f.Data)-1] != '\n' {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

func (a *txtarArchive) index(name string) int {
	for i, f := range a.Files {
		if f.Name == name {
			return i
		}
	}
	return -1
}

// --- the scenario ---

// scenario is one parsed file: the rules in force, the market, and the script.
type scenario struct {
	cfg      Config
	start    int64
	interval int64
	symbols  []string
	bars     []Bar
	marks    []Bar
	funding  []Funding
	script   map[int][]scriptCmd
}

// scriptCmd is one script line: an order (submitted at the close of its bar) or "show".
type scriptCmd struct {
	line    int
	text    string
	show    bool
	posMode string // "one-way" or "hedge": switch the position mode ("" : none)
	cancel  bool   // cancel every open order
	order   Order
}

// sectionLines returns the non-blank, comment-stripped lines of a section with their numbers.
func sectionLines(data []byte) (lines []string, nums []int) {
	for n, l := range strings.Split(string(data), "\n") {
		if i := strings.IndexByte(l, '#'); i >= 0 {
			l = l[:i]
		}
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
			nums = append(nums, n+1)
		}
	}
	return lines, nums
}

// kv parses "key value key value ..." into a map, refusing unknown and repeated keys.
func kv(words []string, allowed ...string) (map[string]string, error) {
	if len(words)%2 != 0 {
		return nil, fmt.Errorf("want key value pairs, got %q", strings.Join(words, " "))
	}
	m := map[string]string{}
	for i := 0; i < len(words); i += 2 {
		k := words[i]
		if !slices.Contains(allowed, k) {
			return nil, fmt.Errorf("unknown key %q (want one of %s)", k, strings.Join(allowed, ", "))
		}
		if _, dup := m[k]; dup {
			return nil, fmt.Errorf("%s given twice", k)
		}
		m[k] = words[i+1]
	}
	for _, k := range allowed {
		if _, ok := m[k]; !ok {
			return nil, fmt.Errorf("missing %s", k)
		}
	}
	return m, nil
}

func decimalArg(what, s string) (decimal.Decimal, error) {
	v, err := decimal.NewFromString(s)
	if err != nil {
		return v, fmt.Errorf("%s: %q is not a decimal number", what, s)
	}
	return v, nil
}

func parseScenario(ar *txtarArchive) (*scenario, error) {
	sc := &scenario{start: t0, interval: hr, script: map[int][]scriptCmd{}}
	section := func(name string, required bool) ([]string, []int, error) {
		i := ar.index(name)
		if i < 0 {
			if required {
				return nil, nil, fmt.Errorf("no -- %s -- section", name)
			}
			return nil, nil, nil
		}
		l, n := sectionLines(ar.Files[i].Data)
		return l, n, nil
	}
	for _, name := range []string{"rules", "bars", "script"} {
		if ar.index(name) < 0 {
			return nil, fmt.Errorf("no -- %s -- section", name)
		}
	}
	for _, f := range ar.Files {
		if !slices.Contains([]string{"rules", "bars", "marks", "funding", "script", "expect"}, f.Name) {
			return nil, fmt.Errorf("unknown section -- %s -- (want rules, bars, marks, funding, script, expect)", f.Name)
		}
	}
	lines, nums, _ := section("rules", true)
	if err := sc.parseRules(lines, nums); err != nil {
		return nil, err
	}
	lines, nums, _ = section("bars", true)
	bars, err := sc.parseSeries("bars", lines, nums, true)
	if err != nil {
		return nil, err
	}
	sc.bars = bars
	lines, nums, _ = section("marks", false)
	if sc.marks, err = sc.parseSeries("marks", lines, nums, false); err != nil {
		return nil, err
	}
	lines, nums, _ = section("funding", false)
	for k, l := range lines {
		f := strings.Fields(l)
		bad := func(format string, a ...any) error {
			return fmt.Errorf("funding line %d: %s", nums[k], fmt.Sprintf(format, a...))
		}
		if len(f) != 3 && len(f) != 4 {
			return nil, bad("want SYMBOL BAR RATE [INTERVAL_HOURS], got %q", l)
		}
		if !slices.Contains(sc.symbols, f[0]) {
			return nil, bad("%s has no instrument in the rules", f[0])
		}
		bar, err := strconv.Atoi(f[1])
		if err != nil || bar < 0 {
			return nil, bad("bar %q is not a bar number", f[1])
		}
		rate, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			return nil, bad("rate %q is not a number", f[2])
		}
		ev := Funding{Symbol: f[0], Time: sc.start + int64(bar)*sc.interval, Rate: rate}
		if len(f) == 4 {
			if ev.IntervalHours, err = strconv.Atoi(f[3]); err != nil {
				return nil, bad("interval hours %q is not an integer", f[3])
			}
		}
		sc.funding = append(sc.funding, ev)
	}
	lines, nums, _ = section("script", true)
	for k, l := range lines {
		cmd, bar, err := sc.parseCmd(l)
		if err != nil {
			return nil, fmt.Errorf("script line %d: %v", nums[k], err)
		}
		cmd.line = nums[k]
		sc.script[bar] = append(sc.script[bar], cmd)
	}
	return sc, nil
}

func (sc *scenario) parseRules(lines []string, nums []int) error {
	cfg := &sc.cfg
	seen := map[string]bool{}
	brackets := map[string]bool{}
	for k, l := range lines {
		f := strings.Fields(l)
		bad := func(err error) error { return fmt.Errorf("rules line %d: %s: %v", nums[k], f[0], err) }
		if seen[f[0]] && f[0] != "instrument" && f[0] != "bracket" && f[0] != "account" && f[0] != "leverage" {
			return fmt.Errorf("rules line %d: %s given twice", nums[k], f[0])
		}
		seen[f[0]] = true
		switch f[0] {
		case "wallet":
			if len(f) != 2 {
				return bad(fmt.Errorf("want wallet AMOUNT"))
			}
			w, err := decimal.NewFromString(f[1])
			if err != nil || w.Sign() <= 0 {
				return bad(fmt.Errorf("%q is not a positive amount", f[1]))
			}
			cfg.Wallet = w
		case "fees":
			m, err := kv(f[1:], "maker", "taker")
			if err != nil {
				return bad(err)
			}
			mk, err := decimalArg("maker", m["maker"])
			if err != nil {
				return bad(err)
			}
			tk, err := decimalArg("taker", m["taker"])
			if err != nil {
				return bad(err)
			}
			cfg.MakerFee, cfg.TakerFee = &mk, &tk
		case "slippage_bps":
			v, err := strconv.ParseFloat(f[len(f)-1], 64)
			if err != nil || len(f) != 2 {
				return bad(fmt.Errorf("want slippage_bps NUMBER"))
			}
			cfg.SlippageBps = v
		case "funding":
			switch {
			case len(f) == 2 && f[1] == "none":
				cfg.NoFundingFallback = true
			case len(f) == 3 && f[1] == "fallback":
				r, err := strconv.ParseFloat(f[2], 64)
				if err != nil {
					return bad(fmt.Errorf("fallback rate %q is not a number", f[2]))
				}
				cfg.FundingFallbackRate = &r
			default:
				return bad(fmt.Errorf(`want "funding none" or "funding fallback RATE"`))
			}
		case "leverage":
			switch len(f) {
			case 2:
				v, err := strconv.Atoi(f[1])
				if err != nil || v < 1 {
					return bad(fmt.Errorf("%q is not a leverage", f[1]))
				}
				cfg.DefaultLeverage = v
			case 3:
				v, err := strconv.Atoi(f[2])
				if err != nil || v < 1 {
					return bad(fmt.Errorf("%q is not a leverage", f[2]))
				}
				if cfg.Leverage == nil {
					cfg.Leverage = map[string]int{}
				}
				cfg.Leverage[f[1]] = v
			default:
				return bad(fmt.Errorf("want leverage N or leverage SYMBOL N"))
			}
		case "position_mode":
			switch {
			case len(f) == 2 && f[1] == "hedge":
				cfg.PositionMode = margin.Hedge
			case len(f) == 2 && f[1] == "one-way":
				cfg.PositionMode = margin.OneWay
			default:
				return bad(fmt.Errorf("want position_mode one-way|hedge"))
			}
		case "stop_on_liquidation":
			cfg.StopOnLiquidation = true
		case "limit_touch":
			cfg.LimitTouch = true
		case "account":
			if len(f) < 3 {
				return bad(fmt.Errorf("want account NAME MODE [SYMBOL=MODE ...]"))
			}
			mode, err := parseMode(f[2])
			if err != nil {
				return bad(err)
			}
			s := Setup{Name: f[1], Mode: mode}
			for _, o := range f[3:] {
				sym, m, ok := strings.Cut(o, "=")
				mo, err := parseMode(m)
				if !ok || err != nil {
					return bad(fmt.Errorf("override %q: want SYMBOL=isolated|cross", o))
				}
				if s.Overrides == nil {
					s.Overrides = map[string]margin.Mode{}
				}
				s.Overrides[sym] = mo
			}
			cfg.Setups = append(cfg.Setups, s)
		case "instrument":
			if len(f) < 2 {
				return bad(fmt.Errorf("want instrument SYMBOL key value ..."))
			}
			m, err := kv(f[2:], "tick", "step", "min_qty", "min_notional", "liquidation_fee")
			if err != nil {
				return bad(err)
			}
			in := margin.Instrument{Symbol: f[1]}
			for key, dst := range map[string]*decimal.Decimal{"tick": &in.TickSize, "step": &in.StepSize,
				"min_qty": &in.MinQty, "min_notional": &in.MinNotional, "liquidation_fee": &in.LiquidationFee} {
				if *dst, err = decimalArg(key, m[key]); err != nil {
					return bad(err)
				}
			}
			if slices.Contains(sc.symbols, in.Symbol) {
				return bad(fmt.Errorf("%s given twice", in.Symbol))
			}
			sc.symbols = append(sc.symbols, in.Symbol)
			cfg.Instruments = append(cfg.Instruments, in)
		case "bracket":
			if len(f) < 3 {
				return bad(fmt.Errorf("want bracket SYMBOL N floor F cap C max_leverage L mmr M cum C"))
			}
			i := slices.Index(sc.symbols, f[1])
			if i < 0 {
				return bad(fmt.Errorf("%s: no instrument line before it", f[1]))
			}
			n, err := strconv.Atoi(f[2])
			if err != nil {
				return bad(fmt.Errorf("bracket number %q", f[2]))
			}
			m, err := kv(f[3:], "floor", "cap", "max_leverage", "mmr", "cum")
			if err != nil {
				return bad(err)
			}
			b := margin.Bracket{Bracket: n}
			for key, dst := range map[string]*decimal.Decimal{"floor": &b.Floor, "cap": &b.Cap, "mmr": &b.MMR, "cum": &b.Cum} {
				if *dst, err = decimalArg(key, m[key]); err != nil {
					return bad(err)
				}
			}
			if b.MaxLeverage, err = strconv.Atoi(m["max_leverage"]); err != nil {
				return bad(fmt.Errorf("max_leverage %q", m["max_leverage"]))
			}
			cfg.Instruments[i].Brackets = append(cfg.Instruments[i].Brackets, b)
			brackets[f[1]] = true
		default:
			return fmt.Errorf("rules line %d: unknown rule %q", nums[k], f[0])
		}
	}
	// Every rule a default would otherwise decide is pinned in the file, so that a change of
	// the engine's defaults (fees, brackets by date) does not move a scenario.
	for _, r := range []string{"wallet", "fees", "funding", "leverage", "account"} {
		if !seen[r] {
			return fmt.Errorf("rules: no %s line (every scenario pins its wallet, fees, funding, leverage and accounts)", r)
		}
	}
	if len(sc.symbols) == 0 {
		return fmt.Errorf("rules: no instrument line")
	}
	for _, s := range sc.symbols {
		if !brackets[s] {
			return fmt.Errorf("rules: %s has no bracket line", s)
		}
	}
	return nil
}

func parseMode(s string) (margin.Mode, error) {
	switch s {
	case "isolated":
		return margin.Isolated, nil
	case "cross":
		return margin.Cross, nil
	}
	return 0, fmt.Errorf("margin mode %q: want isolated or cross", s)
}

// parseSeries reads SYMBOL SERIES lines (the series in ParseSeries notation; lines of one
// symbol continue each other) and, for the bars section, "start" and "interval" lines.
func (sc *scenario) parseSeries(section string, lines []string, nums []int, header bool) ([]Bar, error) {
	specs := map[string]string{}
	var order []string
	for k, l := range lines {
		f := strings.Fields(l)
		bad := func(format string, a ...any) error {
			return fmt.Errorf("%s line %d: %s", section, nums[k], fmt.Sprintf(format, a...))
		}
		switch {
		case header && f[0] == "start" && len(f) == 2:
			t, err := time.Parse(time.RFC3339, f[1])
			if err != nil {
				return nil, bad("start %q is not an RFC 3339 time", f[1])
			}
			sc.start = t.UnixMilli()
		case header && f[0] == "interval" && len(f) == 2:
			d, err := time.ParseDuration(f[1])
			if err != nil || d <= 0 {
				return nil, bad("interval %q is not a duration", f[1])
			}
			sc.interval = d.Milliseconds()
		default:
			if !slices.Contains(sc.symbols, f[0]) {
				return nil, fmt.Errorf("%s: %s has no instrument in the rules", section, f[0])
			}
			if _, ok := specs[f[0]]; !ok {
				order = append(order, f[0])
			}
			specs[f[0]] += " " + strings.Join(f[1:], " ")
		}
	}
	var out []Bar
	for _, s := range order {
		b, err := ParseSeries(s, sc.start, sc.interval, specs[s])
		if err != nil {
			return nil, fmt.Errorf("%s: %v", section, err)
		}
		out = append(out, b...)
	}
	return out, nil
}

// parseCmd parses "BAR show" or "BAR buy|sell SYMBOL QTY [options]".
func (sc *scenario) parseCmd(l string) (scriptCmd, int, error) {
	f := strings.Fields(l)
	bar, err := strconv.Atoi(f[0])
	if err != nil || bar < 0 {
		return scriptCmd{}, 0, fmt.Errorf("bar %q is not a bar number", f[0])
	}
	cmd := scriptCmd{text: strings.Join(f[1:], " ")}
	if len(f) == 2 && f[1] == "show" {
		cmd.show = true
		return cmd, bar, nil
	}
	if len(f) == 2 && f[1] == "cancel-all" {
		cmd.cancel = true
		return cmd, bar, nil
	}
	if len(f) == 3 && f[1] == "position_mode" && (f[2] == "hedge" || f[2] == "one-way") {
		cmd.posMode = f[2]
		return cmd, bar, nil
	}
	if len(f) < 4 || (f[1] != "buy" && f[1] != "sell") {
		return cmd, 0, fmt.Errorf(`want "BAR show", "BAR cancel-all", "BAR position_mode one-way|hedge" or "BAR buy|sell SYMBOL QTY [options]", got %q`, l)
	}
	o := Order{Symbol: f[2], Side: Buy, Type: Market}
	if f[1] == "sell" {
		o.Side = Sell
	}
	if !slices.Contains(sc.symbols, o.Symbol) {
		return cmd, 0, fmt.Errorf("%s has no instrument in the rules", o.Symbol)
	}
	if o.Qty, err = decimalArg("quantity", f[3]); err != nil {
		return cmd, 0, err
	}
	rest := f[4:]
	for len(rest) > 0 {
		w := rest[0]
		rest = rest[1:]
		switch w {
		case "reduce-only":
			o.ReduceOnly = true
			continue
		case "post-only":
			o.PostOnly = true
			continue
		case "close-position":
			o.ClosePosition = true
			continue
		case "long":
			o.PositionSide = margin.Long
			continue
		case "short":
			o.PositionSide = margin.Short
			continue
		case "limit", "stop", "take", "sl", "tp", "tag":
		default:
			return cmd, 0, fmt.Errorf("unknown word %q (want limit, stop, take, sl, tp, tag, reduce-only, post-only, close-position, long, short)", w)
		}
		if len(rest) == 0 {
			return cmd, 0, fmt.Errorf("%s needs a value", w)
		}
		v := rest[0]
		rest = rest[1:]
		if w == "tag" {
			o.Tag = v
			continue
		}
		p, err := decimalArg(w, v)
		if err != nil {
			return cmd, 0, err
		}
		switch w {
		case "limit":
			o.Type, o.Price = Limit, p
		case "stop":
			o.Type, o.Trigger = StopMarket, p
		case "take":
			o.Type, o.Trigger = TakeProfitMarket, p
		case "sl":
			o.StopLoss = p
		case "tp":
			o.TakeProfit = p
		}
	}
	cmd.order = o
	return cmd, bar, nil
}

// --- running and printing ---

// scenarioStrategy runs the script: at the close of bar k (its OnStep) it submits bar k's
// orders and prints bar k's "show" lines.
type scenarioStrategy struct {
	sc    *scenario
	out   *[]event
	calls map[string]int
	steps *int
	name  *string          // the account, as the broker names it
	acct  **margin.Account // its ledger, for the totals and the invariants
}

// event is one output line of an account, with its place in the output: bar, then kind.
type event struct {
	bar, kind int
	text      string
}

func (s *scenarioStrategy) OnBar(br *Broker, b Bar) error {
	*s.name, *s.acct = br.Account(), br.a.acct
	s.calls[b.Symbol]++
	return nil
}

func (s *scenarioStrategy) OnStep(br *Broker, t int64) error {
	*s.steps++
	bar := int((t-s.sc.start)/s.sc.interval) - 1
	if err := br.a.acct.Check(); err != nil {
		return fmt.Errorf("account %s at bar %d's close: %w", br.Account(), bar, err)
	}
	for _, c := range s.sc.script[bar] {
		if c.show {
			s.show(br, bar)
			continue
		}
		if c.cancel {
			_ = br.CancelAll("")
			continue
		}
		if c.posMode != "" {
			m := margin.OneWay
			if c.posMode == "hedge" {
				m = margin.Hedge
			}
			if err := br.SetPositionMode(m); err != nil {
				*s.out = append(*s.out, event{bar, 8, fmt.Sprintf("bar %d close  refused: %s\n    error: %v", bar, c.text, err)})
			}
			continue
		}
		if _, err := br.Submit(c.order); err != nil {
			*s.out = append(*s.out, event{bar, 8, fmt.Sprintf("bar %d close  refused: %s\n    error: %v", bar, c.text, err)})
		}
	}
	return nil
}

func (s *scenarioStrategy) show(br *Broker, bar int) {
	sn := br.a.acct.Snapshot()
	text := fmt.Sprintf("bar %d close  wallet=%s isolated=%s upnl=%s equity=%s mm=%s available=%s",
		bar, sn.Wallet, sn.IsolatedWallets, sn.UnrealizedPnL, sn.MarginBalance, sn.MaintenanceMargin, sn.Available)
	sides := []margin.PositionSide{margin.Both}
	if br.PositionMode() == margin.Hedge {
		sides = []margin.PositionSide{margin.Long, margin.Short}
	}
	for _, sym := range br.Symbols() {
		for _, ps := range sides {
			p := br.PositionOf(sym, ps)
			if p.Qty.IsZero() {
				continue
			}
			text += fmt.Sprintf("\n    position %s %s qty=%s entry=%s lev=%d", legLabel(sym, ps), p.Mode, p.Qty, p.Entry, p.Leverage)
			if p.Mode == margin.Isolated {
				text += " margin=" + p.IsolatedWallet.String()
			}
			if lp, ok := br.LegLiquidationPrice(sym, ps); ok {
				text += " liq=" + lp.String()
			}
		}
	}
	*s.out = append(*s.out, event{bar, 9, text})
}

// legLabel is a position's name in the expect section: the symbol in one-way mode, "SYMBOL
// LONG" or "SYMBOL SHORT" for a hedge-mode leg.
func legLabel(sym string, ps margin.PositionSide) string {
	if ps == margin.Both {
		return sym
	}
	return sym + " " + ps.String()
}

// run runs the scenario and prints what every account booked.
func (sc *scenario) run() (string, error) {
	// Accounts are created in Setup order, each calling newStrategy once; the strategy checks
	// the order by recording the name its broker gives.
	var strats []*scenarioStrategy
	newStrategy := func() Strategy {
		s := &scenarioStrategy{sc: sc, out: &[]event{}, calls: map[string]int{}, steps: new(int), name: new(string), acct: new(*margin.Account)}
		strats = append(strats, s)
		return s
	}
	res, err := Run(context.Background(), sc.cfg, newStrategy, NewSliceSource(sc.symbols, Batches(sc.bars, sc.marks, sc.funding)))
	if err != nil {
		return "", err
	}
	var b strings.Builder
	var fb []string
	for _, as := range res.Assumptions {
		if strings.HasSuffix(as.Key, "_fallback") {
			fb = append(fb, as.Key)
		}
	}
	if len(fb) > 0 {
		fmt.Fprintf(&b, "fallbacks: %s\n", strings.Join(fb, " "))
	}
	if len(strats) != len(res.Accounts) {
		return "", fmt.Errorf("%d strategies for %d accounts", len(strats), len(res.Accounts))
	}
	for k := range res.Accounts {
		a, s := &res.Accounts[k], strats[k]
		if *s.name != "" && *s.name != a.Name {
			return "", fmt.Errorf("strategy %d ran account %q, not %q", k, *s.name, a.Name)
		}
		if *s.acct != nil {
			if err := (*s.acct).Check(); err != nil {
				return "", fmt.Errorf("account %s at the end: %w", a.Name, err)
			}
		}
		sc.printAccount(&b, a, *s.out, s.calls, *s.steps)
		if *s.acct != nil {
			tt := (*s.acct).Totals()
			fmt.Fprintf(&b, "  totals realized=%s fees=%s funding=%s clearance=%s insurance=%s\n",
				tt.RealizedPnL, tt.Fees, tt.Funding, tt.ClearanceFees, tt.InsuranceDraws)
		}
	}
	return b.String(), nil
}

func (sc *scenario) barOf(t int64) int { return int((t - sc.start) / sc.interval) }

func (sc *scenario) printAccount(b *strings.Builder, a *AccountResult, ev []event, calls map[string]int, steps int) {
	var modes []string
	for _, s := range sc.symbols {
		if m, ok := a.Modes[s]; ok {
			modes = append(modes, s+"="+m.String())
		}
	}
	fmt.Fprintf(b, "\naccount %s (%s)\n", a.Name, strings.Join(modes, " "))
	side := func(s Side) string {
		if s == Buy {
			return "buy"
		}
		return "sell"
	}
	for _, p := range a.Funding {
		ev = append(ev, event{sc.barOf(p.Time), 1, fmt.Sprintf("bar %d  funding %s qty=%s mark=%s rate=%s amount=%s",
			sc.barOf(p.Time), legLabel(p.Symbol, p.PositionSide), p.Qty, p.Mark, strconv.FormatFloat(p.Rate, 'g', -1, 64), p.Amount)})
	}
	for _, f := range a.Fills {
		flags := "taker"
		if f.Maker {
			flags = "maker"
		}
		if f.Liquidation {
			flags = "liquidation"
		}
		if f.Tag != "" {
			flags += " tag=" + f.Tag
		}
		ev = append(ev, event{sc.barOf(f.Time), 2, fmt.Sprintf("bar %d  fill #%d %s %s %s @ %s fee=%s pnl=%s %s",
			sc.barOf(f.Time), f.OrderID, side(f.Side), f.Qty, legLabel(f.Symbol, f.PositionSide), f.Price, f.Fee, f.RealizedPnL, flags)})
	}
	for _, l := range a.Liquidations {
		gap := ""
		if l.Gap {
			gap = " gap"
		}
		ev = append(ev, event{sc.barOf(l.Time), 3, fmt.Sprintf("bar %d  liquidation %s %s qty=%s entry=%s trigger=%s price=%s"+
			"\n    bankruptcy=%s pnl=%s lost=%s fee=%s insurance=%s cascade=%d%s",
			sc.barOf(l.Time), legLabel(l.Symbol, l.Side), l.Mode, l.Qty, l.Entry, l.TriggerMark, l.Price,
			l.Bankruptcy, l.RealizedPnL, l.MarginLost, l.Fee, l.InsuranceDraw, l.Cascade, gap)})
	}
	for _, r := range a.Rejects {
		ev = append(ev, event{sc.barOf(r.Time), 4, fmt.Sprintf("bar %d  reject #%d %s %s: %s",
			sc.barOf(r.Time), r.OrderID, r.Symbol, r.Action, r.Reason)})
	}
	slices.SortStableFunc(ev, func(x, y event) int {
		if x.bar != y.bar {
			return x.bar - y.bar
		}
		return x.kind - y.kind
	})
	for _, e := range ev {
		fmt.Fprintf(b, "  %s\n", e.text)
	}
	for _, tr := range a.Trades {
		dir := "long"
		if tr.Side == Sell {
			dir = "short"
		}
		flags := ""
		if tr.Liquidated {
			flags += " liquidated"
		}
		if tr.LastWick {
			flags += " last-wick"
		}
		fmt.Fprintf(b, "  trade %s %s %s bars %d-%d entry=%s exit=%s pnl=%s fees=%s funding=%s%s\n",
			legLabel(tr.Symbol, tr.PositionSide), dir, tr.Qty, sc.barOf(tr.EntryTime), sc.barOf(tr.ExitTime), tr.EntryPrice, tr.ExitPrice,
			tr.PnL, tr.Fees, tr.Funding, flags)
	}
	for _, p := range a.Positions {
		fmt.Fprintf(b, "  open %s %s qty=%s entry=%s\n", legLabel(p.Symbol, p.Side), p.Mode, p.Qty, p.Entry)
	}
	f := a.Final
	fmt.Fprintf(b, "  final wallet=%s isolated=%s upnl=%s equity=%s\n", f.Wallet, f.IsolatedWallets, f.UnrealizedPnL, f.MarginBalance)
	if n := len(a.Equity); n > 0 {
		last := a.Equity[n-1]
		fmt.Fprintf(b, "  equity points=%d last=%.8g at bar %d close\n", n, last.Equity, sc.barOf(last.Time)-1)
	}
	var cs []string
	for _, s := range sc.symbols {
		cs = append(cs, fmt.Sprintf("%s=%d", s, calls[s]))
	}
	fmt.Fprintf(b, "  strategy calls %s steps=%d", strings.Join(cs, " "), steps)
	if a.Ruined {
		fmt.Fprintf(b, "; ruined at bar %d close", sc.barOf(a.RuinTime)-1)
	}
	if a.Stopped {
		fmt.Fprintf(b, "; stopped at bar %d close", sc.barOf(a.StopTime)-1)
	}
	b.WriteString("\n")
}

// lineDiff is a small line diff of want and got, "-" for want-only and "+" for got-only
// lines, enough to read a scenario failure.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	// longest common subsequence, quadratic: scenario outputs are short
	n, m := len(w), len(g)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if w[i] == g[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var b strings.Builder
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && w[i] == g[j]:
			fmt.Fprintf(&b, "  %s\n", w[i])
			i, j = i+1, j+1
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			fmt.Fprintf(&b, "+ %s\n", g[j])
			j++
		default:
			fmt.Fprintf(&b, "- %s\n", w[i])
			i++
		}
	}
	return b.String()
}
