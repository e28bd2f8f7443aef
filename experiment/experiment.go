package experiment

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/bt-backtest/bt/reports/metrics"
	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"
)

// Experiment is a YAML experiment file: everything that defines a run. Every field has a
// default (see fillDefaults, the one place defaults are set), so an empty file runs the default
// strategy on the embedded sample. config.resolved.yaml in a run directory is this struct with
// every default filled in.
type Experiment struct {
	Strategy  StrategySpec  `yaml:"strategy"`
	Data      DataSpec      `yaml:"data"`
	Symbols   []string      `yaml:"symbols"`   // empty: every symbol of the data
	Timerange TimerangeSpec `yaml:"timerange"` // empty: the whole data
	Account   AccountSpec   `yaml:"account"`
	Leverage  LeverageSpec  `yaml:"leverage"`
	Margin    MarginSpec    `yaml:"margin"`
	// PositionMode is every account's position mode: one-way (the default, one position per
	// symbol) or hedge (Binance's dual-side mode: a LONG and a SHORT position per symbol, each
	// order naming the one it acts on; docs/margin.md §4.1).
	PositionMode string        `yaml:"position_mode"`
	Costs        CostsSpec     `yaml:"costs"`
	Execution    ExecutionSpec `yaml:"execution"`
	Brackets     BracketsSpec  `yaml:"brackets"`
	Seed         int64         `yaml:"seed"` // recorded in the manifest; strategies that draw random numbers use it
	Output       OutputSpec    `yaml:"output"`
	// Strict makes any fallback (mark from last price, constant funding, default brackets or
	// filters, a bracket date out of range) and, in a replay run, any rejected logged order or
	// leverage change a failure of the run (bt exits 1, "strict condition failed"); the run
	// directory is still written.
	Strict bool `yaml:"strict"`
	// Stats sets the liquidation statistics' near-miss rule (docs/statistics.md).
	Stats StatsSpec `yaml:"stats"`

	cat  *Catalog // the strategies it may name; nil: Builtin()
	file string   // the file it was loaded from; "": none
}

// StrategySpec names the strategy and its parameters (strings, validated by the strategy).
type StrategySpec struct {
	Name   string            `yaml:"name"`   // default: swing
	Params map[string]string `yaml:"params"` // by name; missing: the strategy's default
}

// DataSpec says where the market data comes from.
type DataSpec struct {
	Source   string `yaml:"source"`   // "sample" (the embedded sample, default) or a store directory
	Interval string `yaml:"interval"` // kline interval; empty: the only one in the store
	// Origin selects the series' source within the store (e.g. binance-um, binance-spot, csv,
	// synth); empty: the only one holding klines of the selected symbols.
	Origin string `yaml:"origin"`
}

// TimerangeSpec bounds the replay: start inclusive, end exclusive, RFC 3339 or YYYY-MM-DD (UTC).
type TimerangeSpec struct {
	Start string `yaml:"start"`
	End   string `yaml:"end"`
}

// AccountSpec sets up every account.
type AccountSpec struct {
	Wallet Dec `yaml:"wallet"` // initial USDT wallet of each account; default 10000
}

// LeverageSpec is the leverage of every account per symbol: whole numbers from 1 to the
// maximum of the symbol's bracket table in force at the run's start. Leverage belongs to the
// account, not to the strategy: the reference strategies trade at it (only replay changes it,
// to the leverage each logged trade records). config.resolved.yaml lists every symbol's.
type LeverageSpec struct {
	Default int            `yaml:"default"` // every symbol without its own; default backtest.DefaultLeverage (10)
	Symbols map[string]int `yaml:"symbols"` // per-symbol overrides
}

// MarginSpec lists the accounts of the run: one per margin setup.
type MarginSpec struct {
	// Mode is both (isolated and cross accounts, the default), isolated, cross, or none (only
	// the mixes).
	Mode string `yaml:"mode"`
	// Mixes are extra accounts with per-symbol margin modes, by name.
	Mixes map[string]MixSpec `yaml:"mixes"`
}

// MixSpec is one account with a default mode and per-symbol exceptions.
type MixSpec struct {
	Default  string   `yaml:"default"` // isolated or cross (default cross)
	Isolated []string `yaml:"isolated"`
	Cross    []string `yaml:"cross"`
}

// CostsSpec holds fees, slippage and the funding fallback.
type CostsSpec struct {
	// Maker and Taker, when given, are the fee rates of the whole run; absent, every fill pays
	// the rate in force on its date (the dated schedule of backtest/margin/fees.json, e.g.
	// taker 0.04% until 2023-11-14 and 0.05% from 2023-11-15).
	Maker *Dec `yaml:"maker,omitempty"`
	Taker *Dec `yaml:"taker,omitempty"`
	// ClearanceFee, when given, is the liquidation clearance fee rate of every symbol for the
	// whole run; absent, the rate in force on the liquidation's date (0.3% BTCUSDT / 0.5%
	// others, 1.25% from 2024).
	ClearanceFee *Dec    `yaml:"clearance_fee,omitempty"`
	SlippageBps  float64 `yaml:"slippage_bps"` // market and stop fills, basis points; default 0
	// FundingFallbackRate is the constant rate settled every 8h (00:00, 08:00, 16:00 UTC) for
	// symbols without a funding series; default 0.0001.
	FundingFallbackRate Dec `yaml:"funding_fallback_rate"`
	// NoFundingFallback charges no funding on symbols without a funding series.
	NoFundingFallback bool `yaml:"no_funding_fallback"`
}

// ExecutionSpec holds the execution switches.
type ExecutionSpec struct {
	TouchFills        bool `yaml:"touch_fills"`         // limit orders fill when the price touches them (default: trades through)
	StopOnLiquidation bool `yaml:"stop_on_liquidation"` // stop an account's trading after its first liquidation
	Parallel          bool `yaml:"parallel"`            // run accounts on separate goroutines (identical results)
	AutoAddMargin     bool `yaml:"auto_add_margin"`     // top isolated positions up from the wallet near liquidation, as Binance's Auto-Add Margin
}

// BracketsSpec selects the leverage-bracket tables.
type BracketsSpec struct {
	Snapshot string `yaml:"snapshot"` // YYYY-MM-DD: pin the snapshot in force then; empty: the one in force at the run's first timestamp
	File     string `yaml:"file"`     // a bracket file: its symbols' tables (any symbol) replace the embedded ones
}

// UnmarshalYAML reads the brackets section: a mapping (snapshot, file), or a date alone as
// shorthand for snapshot (brackets: 2024-10-24 pins the tables in force then; issue 10).
func (b *BracketsSpec) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		b.Snapshot = n.Value
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: brackets: want a date (YYYY-MM-DD) or snapshot/file keys", n.Line)
	}
	for k := 0; k+1 < len(n.Content); k += 2 {
		key := n.Content[k]
		if key.Value != "snapshot" && key.Value != "file" {
			return fmt.Errorf("line %d: brackets.%s: unknown key (want snapshot or file)", key.Line, key.Value)
		}
	}
	type plain BracketsSpec
	return n.Decode((*plain)(b))
}

// StatsSpec holds the settings of the run's statistics.
type StatsSpec struct {
	// NearMissRatio is the margin ratio whose crossing (by a bar's intrabar peak) starts a
	// near-miss episode; default 0.8, between 0 and 1 exclusive.
	NearMissRatio float64 `yaml:"near_miss_ratio"`
	// NearMissWindowH is how many hours after an episode a liquidation of one of its positions
	// still makes it no near miss; default 24.
	NearMissWindowH float64 `yaml:"near_miss_window_h"`
}

// Options returns the statistics' settings as reports/metrics takes them.
func (s StatsSpec) Options() metrics.Options {
	return metrics.Options{NearMissRatio: s.NearMissRatio, NearMissWindowH: s.NearMissWindowH}
}

// OutputSpec says where the run directory goes.
type OutputSpec struct {
	Dir string `yaml:"dir"` // default runs/<strategy>-<UTC time of the run>
}

// Dec is a decimal number in a config file, written as a YAML number or string and kept exact
// (never through float64).
type Dec struct {
	decimal.Decimal
	Set bool // the file gave a value
}

// UnmarshalYAML parses the scalar's text as a decimal.
func (d *Dec) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want a number", n.Line)
	}
	v, err := decimal.NewFromString(strings.TrimSpace(n.Value))
	if err != nil {
		return fmt.Errorf("line %d: %q is not a decimal number", n.Line, n.Value)
	}
	d.Decimal, d.Set = v, true
	return nil
}

// MarshalYAML writes the decimal as a plain YAML number.
func (d Dec) MarshalYAML() (any, error) {
	return &yaml.Node{Kind: yaml.ScalarNode, Value: d.Decimal.String()}, nil
}

// ptr returns the decimal of a config value given in the file, nil when absent.
func (d *Dec) ptr() *decimal.Decimal {
	if d == nil {
		return nil
	}
	v := d.Decimal
	return &v
}

// dec is an exact decimal given in the source.
func dec(s string) Dec { return Dec{decimal.RequireFromString(s), true} }

// ConfigError is a mistake in an experiment, located by file, line and key. Every error Load
// returns is a *ConfigError (or several joined with errors.Join); errors.As finds it.
type ConfigError struct {
	File string // experiment file, the flag or "--set key" that set the value, or "flags"
	Line int    // 0: unknown
	Key  string // dotted key path, e.g. costs.taker
	Msg  string // what is wrong, in the words of the experiment file
}

// Error formats the error as FILE:LINE: KEY: MSG, leaving out what is unknown.
func (e *ConfigError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Override is one key.path=value assignment, applied to the YAML tree of the experiment before
// it is decoded, so its value is type-checked like the file's and an unknown key is an error.
type Override struct {
	Path   string // dotted key path, e.g. costs.slippage_bps or strategy.params.fast
	Value  string // YAML text of the value, e.g. 2, cross, {default: 3}
	Origin string // what set it, for error messages: e.g. "--set costs.slippage_bps" or "--mode"
	List   bool   // Value is a comma-separated list (e.g. --symbols BTCUSDT,ETHUSDT)
}

// Load reads the experiment file at path (empty: no file, every setting from the overrides and
// the defaults), applies the overrides in order (later ones win: the file, then flags, then
// --set), decodes strictly, fills in the defaults and validates the result against the
// built-in strategies. Relative paths in the file are taken relative to the file's directory,
// others relative to the working directory. Every error is a *ConfigError (errors.As).
func Load(path string, overrides []Override) (*Experiment, error) {
	return Builtin().Load(path, overrides)
}

// load is Load against the catalog cat; it also returns the YAML tree (for tests).
func load(cat *Catalog, path string, overrides []Override) (*Experiment, *yaml.Node, error) {
	var src []byte
	name := path
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, &ConfigError{File: path, Msg: "cannot read experiment: " + unwrapPathErr(err)}
		}
		src = b
	}
	var doc yaml.Node
	if len(bytes.TrimSpace(src)) > 0 {
		if err := yaml.Unmarshal(src, &doc); err != nil {
			return nil, nil, yamlError(name, err)
		}
		if r := doc.Content[0]; r.Kind != yaml.MappingNode {
			return nil, nil, &ConfigError{File: name, Line: r.Line, Msg: "an experiment is a YAML mapping (key: value lines)"}
		}
		// Decode the file alone first, so that errors carry the file's own line numbers.
		if _, err := decodeStrict(name, src); err != nil {
			return nil, nil, err
		}
		if ce := checkLeverageNodes(doc.Content[0]); ce != nil {
			ce.File = name
			return nil, nil, ce
		}
	}
	if doc.Kind == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, nil, &ConfigError{File: name, Line: root.Line, Msg: "an experiment is a YAML mapping (key: value lines)"}
	}
	if path != "" {
		AbsolutizePaths(root, filepath.Dir(path))
	}
	for _, o := range overrides {
		if err := applyOverride(root, o); err != nil {
			return nil, nil, err
		}
	}
	if ce := checkLeverageNodes(root); ce != nil {
		blame(ce, overrides, name)
		return nil, nil, ce
	}
	b, err := yaml.Marshal(&doc)
	if err != nil {
		return nil, nil, &ConfigError{File: name, Msg: err.Error()}
	}
	origin := name
	if len(overrides) > 0 {
		origin = "overrides"
		if name != "" {
			origin = name + " with overrides"
		}
	}
	exp, err := decodeStrict(origin, b)
	if err != nil {
		return nil, nil, blameOverrides(err, b, overrides)
	}
	exp.cat, exp.file = cat, path
	err = exp.Resolve()
	if err != nil {
		var ce *ConfigError
		if errors.As(err, &ce) && setBy(ce.Key, overrides) {
			blame(ce, overrides, name) // a value a flag or --set gave is theirs, not the file's
		} else if errors.As(err, &ce) {
			ce.File = name
			if name == "" {
				ce.File = "flags"
			}
			ce.Line = lineOf(root, ce.Key)
			if len(overrides) > 0 && ce.Line > 0 && name == "" {
				ce.Line = 0
			}
		}
		return nil, nil, err
	}
	return exp, root, nil
}

// maxLeverage is the highest leverage Binance offers on any USDⓈ-M perpetual; each symbol's
// bracket table in force may allow less (checked when the data is open).
const maxLeverage = 125

// leverageRange says what a leverage may be.
const leverageRange = "want 1 to 125, a whole number (and at most the maximum of the symbol's bracket table)"

// checkLeverageNodes refuses what the strict decoding would let through for a leverage: a
// fraction (YAML truncates 1.5 to 1) and zero or less (0 would read as unset, the default).
// Its error carries the line in root's document.
func checkLeverageNodes(root *yaml.Node) *ConfigError {
	lev := child(root, "leverage")
	check := func(key string, n *yaml.Node) *ConfigError {
		if n == nil || n.Kind != yaml.ScalarNode {
			return nil
		}
		switch n.ShortTag() {
		case "!!float":
			return &ConfigError{Line: n.Line, Key: key, Msg: fmt.Sprintf("%s: %s", n.Value, leverageRange)}
		case "!!int":
			if v, err := strconv.ParseInt(n.Value, 0, 64); err == nil && v < 1 {
				return &ConfigError{Line: n.Line, Key: key, Msg: fmt.Sprintf("%s: %s", n.Value, leverageRange)}
			}
		}
		return nil
	}
	if ce := check("leverage.default", child(lev, "default")); ce != nil {
		return ce
	}
	if syms := child(lev, "symbols"); syms != nil && syms.Kind == yaml.MappingNode {
		for j := 0; j+1 < len(syms.Content); j += 2 {
			if ce := check("leverage.symbols."+syms.Content[j].Value, syms.Content[j+1]); ce != nil {
				return ce
			}
		}
	}
	return nil
}

// covers reports whether an override of path sets key: the same key, a key inside it, or a
// key it lies inside (an override of a whole section).
func covers(path, key string) bool {
	return key == path || strings.HasPrefix(key, path+".") || strings.HasPrefix(path, key+".")
}

// setBy reports whether one of overrides set key (or a path covering it).
func setBy(key string, overrides []Override) bool {
	for _, o := range overrides {
		if key != "" && covers(o.Path, key) {
			return true
		}
	}
	return false
}

// blame names the override that set ce's key (the last one whose path covers it) as the
// error's origin; without one the error is the file's (name).
func blame(ce *ConfigError, overrides []Override, name string) {
	key := ce.Key
	for i := len(overrides) - 1; i >= 0; i-- {
		o := overrides[i]
		if covers(o.Path, key) {
			ce.File, ce.Line = o.Origin, 0
			if strings.HasSuffix(o.Origin, " "+key) {
				ce.Key = "" // "--set a.b" already names it
			}
			return
		}
	}
	ce.File = name
}

// blameOverrides rewrites errors located in the re-serialized document (the file with the
// overrides applied) to name the Override that set the key, since its line numbers mean
// nothing to the user.
func blameOverrides(err error, doc []byte, overrides []Override) error {
	var root yaml.Node
	if yaml.Unmarshal(doc, &root) != nil || len(root.Content) == 0 {
		return err
	}
	fix := func(ce *ConfigError) {
		if ce.Line == 0 {
			return
		}
		key := ce.Key
		if key == "" {
			key = pathAtLine(root.Content[0], ce.Line, "")
		}
		for i := len(overrides) - 1; i >= 0; i-- {
			o := overrides[i]
			if covers(o.Path, key) {
				ce.File, ce.Line, ce.Key = o.Origin, 0, key
				if strings.HasSuffix(o.Origin, " "+key) {
					ce.Key = "" // "--set a.b" already names it
				}
				return
			}
		}
	}
	var ce *ConfigError
	if errors.As(err, &ce) {
		fix(ce)
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if errors.As(e, &ce) {
				fix(ce)
			}
		}
	}
	return err
}

// pathAtLine returns the dotted key path of the deepest key or value on line in mapping n.
func pathAtLine(n *yaml.Node, line int, prefix string) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for j := 0; j+1 < len(n.Content); j += 2 {
		k, v := n.Content[j], n.Content[j+1]
		p := k.Value
		if prefix != "" {
			p = prefix + "." + k.Value
		}
		if deeper := pathAtLine(v, line, p); deeper != "" {
			return deeper
		}
		if k.Line == line || (v.Kind == yaml.ScalarNode && v.Line == line) {
			return p
		}
	}
	return ""
}

// decodeStrict decodes an experiment, rejecting unknown keys.
func decodeStrict(name string, b []byte) (*Experiment, error) {
	var exp Experiment
	d := yaml.NewDecoder(bytes.NewReader(b))
	d.KnownFields(true)
	if err := d.Decode(&exp); err != nil && !errors.Is(err, io.EOF) {
		return nil, yamlError(name, err)
	}
	return &exp, nil
}

var (
	reUnknownField = regexp.MustCompile(`line (\d+): field (\S+) not found in type experiment\.(\w+)`)
	reLine         = regexp.MustCompile(`^line (\d+): (.*)$`)
	reYAMLLine     = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
)

// positionModes maps position_mode's values to the engine's.
var positionModes = map[string]margin.PositionMode{"one-way": margin.OneWay, "hedge": margin.Hedge}

// sectionOf maps the Go type of a config section to its key.
var sectionOf = map[string]string{
	"Experiment": "", "StrategySpec": "strategy", "DataSpec": "data", "TimerangeSpec": "timerange",
	"AccountSpec": "account", "LeverageSpec": "leverage", "MarginSpec": "margin", "MixSpec": "margin.mixes.<name>",
	"CostsSpec": "costs", "ExecutionSpec": "execution", "BracketsSpec": "brackets", "OutputSpec": "output",
	"StatsSpec": "stats",
}

// yamlError turns a yaml.v3 error into configErrors naming the file, line and key.
func yamlError(name string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		var errs []error
		for _, msg := range te.Errors {
			if m := reUnknownField.FindStringSubmatch(msg); m != nil {
				line, _ := strconv.Atoi(m[1])
				key := m[2]
				if s := sectionOf[m[3]]; s != "" {
					key = s + "." + key
				}
				errs = append(errs, &ConfigError{File: name, Line: line, Key: key, Msg: "unknown key" + didYouMean(m[3], m[2])})
				continue
			}
			if m := reLine.FindStringSubmatch(msg); m != nil {
				line, _ := strconv.Atoi(m[1])
				errs = append(errs, &ConfigError{File: name, Line: line, Msg: cleanYAMLMsg(m[2])})
				continue
			}
			errs = append(errs, &ConfigError{File: name, Msg: msg})
		}
		return errors.Join(errs...)
	}
	msg := err.Error()
	if m := reYAMLLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &ConfigError{File: name, Line: line, Msg: "invalid YAML: " + m[2]}
	}
	if m := reLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &ConfigError{File: name, Line: line, Msg: m[2]}
	}
	return &ConfigError{File: name, Msg: strings.TrimPrefix(msg, "yaml: ")}
}

// cleanYAMLMsg rewrites yaml.v3's Go-flavoured messages for people.
func cleanYAMLMsg(s string) string {
	s = strings.ReplaceAll(s, "cannot unmarshal !!", "cannot use a YAML ")
	s = strings.ReplaceAll(s, "experiment.", "")
	return s
}

// knownKeys lists the keys of each section, for suggestions.
var knownKeys = map[string][]string{
	"Experiment":    {"strategy", "data", "symbols", "timerange", "account", "leverage", "margin", "position_mode", "costs", "execution", "brackets", "seed", "output", "strict", "stats"},
	"StrategySpec":  {"name", "params"},
	"DataSpec":      {"source", "interval", "origin"},
	"TimerangeSpec": {"start", "end"},
	"AccountSpec":   {"wallet"},
	"LeverageSpec":  {"default", "symbols"},
	"MarginSpec":    {"mode", "mixes"},
	"MixSpec":       {"default", "isolated", "cross"},
	"CostsSpec":     {"maker", "taker", "clearance_fee", "slippage_bps", "funding_fallback_rate", "no_funding_fallback"},
	"ExecutionSpec": {"touch_fills", "stop_on_liquidation", "parallel", "auto_add_margin"},
	"BracketsSpec":  {"snapshot", "file"},
	"OutputSpec":    {"dir"},
	"StatsSpec":     {"near_miss_ratio", "near_miss_window_h"},
}

func didYouMean(typ, key string) string {
	keys := knownKeys[typ]
	best, bestD := "", 3
	for _, k := range keys {
		if d := editDistance(key, k); d < bestD {
			best, bestD = k, d
		}
	}
	if best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return " (known keys: " + strings.Join(keys, ", ") + ")"
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// applyOverride sets the key path of o in the mapping root, creating mappings on the way.
// The value is parsed as YAML, so its type is checked when the tree is decoded.
func applyOverride(root *yaml.Node, o Override) error {
	parts := strings.Split(o.Path, ".")
	for _, p := range parts {
		if p == "" {
			return &ConfigError{File: o.Origin, Key: o.Path, Msg: "empty key in the path"}
		}
	}
	var val *yaml.Node
	if o.List {
		val = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
		for _, s := range strings.Split(o.Value, ",") {
			if s = strings.TrimSpace(s); s != "" {
				val.Content = append(val.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: s})
			}
		}
	} else {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(o.Value), &doc); err != nil || len(doc.Content) == 0 {
			// Not valid YAML on its own (or empty): take it as a plain string.
			val = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: o.Value}
		} else {
			val = doc.Content[0]
		}
	}
	n := root
	for i, p := range parts {
		if n.Kind != yaml.MappingNode {
			return &ConfigError{File: o.Origin, Key: strings.Join(parts[:i], "."), Msg: "is not a mapping, cannot set " + o.Path}
		}
		var next *yaml.Node
		for j := 0; j+1 < len(n.Content); j += 2 {
			if n.Content[j].Value == p {
				next = n.Content[j+1]
				if i == len(parts)-1 {
					n.Content[j+1] = val
				}
				break
			}
		}
		if i == len(parts)-1 {
			if next == nil {
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: p}, val)
			}
			return nil
		}
		if next == nil || (next.Kind == yaml.ScalarNode && next.Tag == "!!null") {
			m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			if next == nil {
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: p}, m)
			} else {
				*next = *m
				m = next
			}
			next = m
		}
		n = next
	}
	return nil
}

// lineOf returns the line of the dotted key path in the mapping root, or of its deepest
// existing prefix; 0 when not even the first key exists.
func lineOf(root *yaml.Node, path string) int {
	if root == nil || path == "" {
		return 0
	}
	line := 0
	n := root
	for _, p := range strings.Split(path, ".") {
		if n.Kind != yaml.MappingNode {
			break
		}
		found := false
		for j := 0; j+1 < len(n.Content); j += 2 {
			if n.Content[j].Value == p {
				line = n.Content[j].Line
				n = n.Content[j+1]
				found = true
				break
			}
		}
		if !found {
			break
		}
	}
	return line
}

// isPathParam reports whether a strategy parameter names a file (file, or *_file).
func isPathParam(name string) bool { return name == "file" || strings.HasSuffix(name, "_file") }

// AbsolutizePaths rewrites the relative file paths of an experiment's YAML tree (data.source
// other than "sample", brackets.file, strategy file parameters) against base, the directory of
// the file that holds them, so an experiment runs the same from any working directory. A sweep
// file's inline base experiment uses it with the sweep file's directory.
func AbsolutizePaths(root *yaml.Node, base string) {
	fix := func(n *yaml.Node) {
		if n != nil && n.Kind == yaml.ScalarNode && n.Value != "" && n.Value != "sample" && !filepath.IsAbs(n.Value) {
			if abs, err := filepath.Abs(filepath.Join(base, n.Value)); err == nil {
				n.Value = abs
			}
		}
	}
	fix(child(child(root, "data"), "source"))
	fix(child(child(root, "brackets"), "file"))
	if params := child(child(root, "strategy"), "params"); params != nil && params.Kind == yaml.MappingNode {
		for j := 0; j+1 < len(params.Content); j += 2 {
			if isPathParam(params.Content[j].Value) {
				fix(params.Content[j+1])
			}
		}
	}
}

// child returns the value of key in mapping n, or nil.
func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for j := 0; j+1 < len(n.Content); j += 2 {
		if n.Content[j].Value == key {
			return n.Content[j+1]
		}
	}
	return nil
}

// absPaths makes the remaining relative paths (given by flags) absolute against the current
// directory, so config.resolved.yaml reproduces the run from anywhere.
func (x *Experiment) absPaths() {
	abs := func(p *string) {
		if *p != "" && *p != "sample" && !filepath.IsAbs(*p) {
			if a, err := filepath.Abs(*p); err == nil {
				*p = a
			}
		}
	}
	abs(&x.Data.Source)
	abs(&x.Brackets.File)
	for k, v := range x.Strategy.Params {
		if isPathParam(k) {
			abs(&v)
			x.Strategy.Params[k] = v
		}
	}
}

// Resolve fills in every default, validates the values and checks the strategy and its
// parameters against the catalog the experiment was loaded with (the built-in strategies for
// an Experiment made in Go), filling in the parameters' defaults, so that the experiment shows
// every value that will run. Relative paths become absolute against the working directory.
// Load calls it; call it after changing an experiment in Go. It is idempotent. Errors are
// *ConfigError naming the key.
func (x *Experiment) Resolve() error {
	x.fillDefaults()
	if err := x.validate(); err != nil {
		return err
	}
	if err := x.catalog().resolveParams(x); err != nil {
		return err
	}
	x.absPaths()
	return nil
}

// fillDefaults sets every field left unset to its documented default: the one place the
// defaults of an experiment are set.
func (x *Experiment) fillDefaults() {
	if x.Strategy.Name == "" {
		x.Strategy.Name = x.catalog().Default()
	}
	if x.Strategy.Params == nil {
		x.Strategy.Params = map[string]string{}
	}
	if x.Data.Source == "" {
		x.Data.Source = "sample"
	}
	for i, s := range x.Symbols {
		x.Symbols[i] = strings.ToUpper(strings.TrimSpace(s))
	}
	if !x.Account.Wallet.Set {
		x.Account.Wallet = dec("10000")
	}
	if x.Leverage.Default == 0 {
		x.Leverage.Default = backtest.DefaultLeverage
	}
	if x.Leverage.Symbols == nil {
		x.Leverage.Symbols = map[string]int{}
	}
	if x.Margin.Mode == "" {
		x.Margin.Mode = "both"
	}
	if x.PositionMode == "" {
		x.PositionMode = "one-way"
	}
	x.PositionMode = strings.ToLower(x.PositionMode)
	x.Margin.Mode = strings.ToLower(x.Margin.Mode)
	if x.Margin.Mixes == nil {
		x.Margin.Mixes = map[string]MixSpec{}
	}
	for name, m := range x.Margin.Mixes {
		if m.Default == "" {
			m.Default = "cross"
		}
		x.Margin.Mixes[name] = m
	}
	if !x.Costs.FundingFallbackRate.Set {
		x.Costs.FundingFallbackRate = dec("0.0001")
	}
	if x.Stats.NearMissRatio == 0 {
		x.Stats.NearMissRatio = metrics.DangerRatio
	}
	if x.Stats.NearMissWindowH == 0 {
		x.Stats.NearMissWindowH = metrics.NearMissWindowH
	}
}

var (
	reSymbol  = regexp.MustCompile(`^[A-Z0-9]{2,30}$`)
	reMixName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
)

// validate checks values and consistency (not the data: symbols are checked against it later).
func (x *Experiment) validate() error {
	bad := func(key, format string, args ...any) error {
		return &ConfigError{Key: key, Msg: fmt.Sprintf(format, args...)}
	}
	for i, s := range x.Symbols {
		if !reSymbol.MatchString(s) {
			return bad("symbols", "%q (item %d) is not a symbol like BTCUSDT", s, i+1)
		}
		if slices.Contains(x.Symbols[:i], s) {
			return bad("symbols", "%s is listed twice", s)
		}
	}
	if _, _, err := x.timerange(); err != nil {
		var ce *ConfigError
		if errors.As(err, &ce) {
			return err
		}
		return bad("timerange", "%v", err)
	}
	if !x.Account.Wallet.IsPositive() {
		return bad("account.wallet", "%s: the initial wallet must be > 0", x.Account.Wallet.String())
	}
	if x.Leverage.Default < 1 || x.Leverage.Default > maxLeverage {
		return bad("leverage.default", "%d: %s", x.Leverage.Default, leverageRange)
	}
	for _, s := range sortedKeys(x.Leverage.Symbols) {
		if l := x.Leverage.Symbols[s]; l < 1 || l > maxLeverage {
			return bad("leverage.symbols."+s, "%d: %s", l, leverageRange)
		}
		if !reSymbol.MatchString(s) {
			return bad("leverage.symbols."+s, "%q is not a symbol like BTCUSDT", s)
		}
	}
	if _, ok := positionModes[x.PositionMode]; !ok {
		return bad("position_mode", "%q: want one-way (one position per symbol) or hedge (a long and a short position per symbol, Binance's dual-side mode)", x.PositionMode)
	}
	switch x.Margin.Mode {
	case "both", "isolated", "cross":
	case "none":
		if len(x.Margin.Mixes) == 0 {
			return bad("margin.mode", "none with no margin.mixes leaves no account to run")
		}
	default:
		return bad("margin.mode", "%q: want both, isolated, cross or none", x.Margin.Mode)
	}
	for _, name := range sortedKeys(x.Margin.Mixes) {
		m := x.Margin.Mixes[name]
		key := "margin.mixes." + name
		if name == "isolated" || name == "cross" || name == "both" || name == "none" || !reMixName.MatchString(name) {
			return bad(key, "%q: a mix name is lower-case letters, digits, - and _, and not isolated, cross, both or none", name)
		}
		if _, err := parseMode(m.Default); err != nil {
			return bad(key+".default", "%v", err)
		}
		seen := map[string]bool{}
		for _, s := range append(slices.Clone(m.Isolated), m.Cross...) {
			s = strings.ToUpper(s)
			if seen[s] {
				return bad(key, "%s is listed twice", s)
			}
			seen[s] = true
		}
	}
	for _, f := range []struct {
		key string
		d   *Dec
	}{{"costs.maker", x.Costs.Maker}, {"costs.taker", x.Costs.Taker}} {
		if f.d != nil && (f.d.IsNegative() || f.d.GreaterThan(decimal.RequireFromString("0.01"))) {
			return bad(f.key, "%s: want a fee rate in [0, 0.01] (0.0005 is 0.05%%)", f.d.String())
		}
	}
	if c := x.Costs.ClearanceFee; c != nil && (c.IsNegative() || c.GreaterThan(decimal.RequireFromString("0.1"))) {
		return bad("costs.clearance_fee", "%s: want a rate in [0, 0.1] (0.0125 is 1.25%%)", c.String())
	}
	if x.Costs.SlippageBps < 0 || x.Costs.SlippageBps > 1000 {
		return bad("costs.slippage_bps", "%g: want 0 to 1000 basis points", x.Costs.SlippageBps)
	}
	if x.Costs.FundingFallbackRate.Abs().GreaterThan(decimal.RequireFromString("0.03")) {
		return bad("costs.funding_fallback_rate", "%s: want a rate per 8h in [-0.03, 0.03]", x.Costs.FundingFallbackRate.String())
	}
	if r := x.Stats.NearMissRatio; !(r > 0 && r < 1) {
		return bad("stats.near_miss_ratio", "%g: want a margin ratio between 0 and 1 (0.8 is 80%% of the way to liquidation)", r)
	}
	if h := x.Stats.NearMissWindowH; !(h > 0 && h <= 24*365) {
		return bad("stats.near_miss_window_h", "%g: want hours after an episode, more than 0 and at most 8760", h)
	}
	if x.Brackets.Snapshot != "" {
		if _, err := time.Parse(time.DateOnly, x.Brackets.Snapshot); err != nil {
			return bad("brackets.snapshot", "%q: want a date YYYY-MM-DD", x.Brackets.Snapshot)
		}
		if x.Brackets.File != "" {
			return bad("brackets", "give snapshot or file, not both")
		}
	}
	return nil
}

func parseMode(s string) (margin.Mode, error) {
	switch strings.ToLower(s) {
	case "isolated":
		return margin.Isolated, nil
	case "cross":
		return margin.Cross, nil
	}
	return 0, fmt.Errorf("%q: want isolated or cross", s)
}

// ParseTime parses a time as an experiment's timerange gives it, an RFC 3339 time or a
// YYYY-MM-DD date (UTC midnight), into Unix ms.
func ParseTime(s string) (int64, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02T15:04", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UnixMilli(), nil
		}
	}
	return 0, fmt.Errorf("%q: want an RFC 3339 time (2025-10-10T21:00:00Z) or a date (2025-10-10)", s)
}

// timerange returns the replay window in Unix ms (0: open).
func (x *Experiment) timerange() (start, end int64, err error) {
	if x.Timerange.Start != "" {
		if start, err = ParseTime(x.Timerange.Start); err != nil {
			return 0, 0, &ConfigError{Key: "timerange.start", Msg: err.Error()}
		}
	}
	if x.Timerange.End != "" {
		if end, err = ParseTime(x.Timerange.End); err != nil {
			return 0, 0, &ConfigError{Key: "timerange.end", Msg: err.Error()}
		}
	}
	if start != 0 && end != 0 && end <= start {
		return 0, 0, &ConfigError{Key: "timerange", Msg: fmt.Sprintf("end %s is not after start %s", x.Timerange.End, x.Timerange.Start)}
	}
	return start, end, nil
}

// setups returns the accounts of the run, in a fixed order: isolated, cross, then the mixes
// by name. symbols are the run's symbols (mix entries must be among them).
func (x *Experiment) setups(symbols []string) ([]backtest.Setup, error) {
	var out []backtest.Setup
	switch x.Margin.Mode {
	case "both":
		out = append(out, backtest.Setup{Name: "isolated", Mode: margin.Isolated}, backtest.Setup{Name: "cross", Mode: margin.Cross})
	case "isolated":
		out = append(out, backtest.Setup{Name: "isolated", Mode: margin.Isolated})
	case "cross":
		out = append(out, backtest.Setup{Name: "cross", Mode: margin.Cross})
	}
	for _, name := range sortedKeys(x.Margin.Mixes) {
		m := x.Margin.Mixes[name]
		def, _ := parseMode(m.Default)
		s := backtest.Setup{Name: name, Mode: def, Overrides: map[string]margin.Mode{}}
		for _, list := range []struct {
			syms []string
			mode margin.Mode
		}{{m.Isolated, margin.Isolated}, {m.Cross, margin.Cross}} {
			for _, sym := range list.syms {
				sym = strings.ToUpper(sym)
				if !slices.Contains(symbols, sym) {
					return nil, &ConfigError{Key: "margin.mixes." + name, Msg: fmt.Sprintf("%s is not a symbol of this run (%s)", sym, strings.Join(symbols, ", "))}
				}
				if list.mode != def {
					s.Overrides[sym] = list.mode
				}
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// leverage returns the leverage of every symbol of the run.
func (x *Experiment) leverage(symbols []string) (map[string]int, error) {
	lev := make(map[string]int, len(symbols))
	for _, s := range symbols {
		lev[s] = x.Leverage.Default
	}
	for _, s := range sortedKeys(x.Leverage.Symbols) {
		if !slices.Contains(symbols, s) {
			return nil, &ConfigError{Key: "leverage.symbols." + s, Msg: fmt.Sprintf("%s is not a symbol of this run (%s)", s, strings.Join(symbols, ", "))}
		}
		lev[s] = x.Leverage.Symbols[s]
	}
	return lev, nil
}

// backtestConfig maps the experiment to the engine's config for the given symbols.
func (x *Experiment) backtestConfig(symbols []string) (backtest.Config, error) {
	setups, err := x.setups(symbols)
	if err != nil {
		return backtest.Config{}, err
	}
	lev, err := x.leverage(symbols)
	if err != nil {
		return backtest.Config{}, err
	}
	cfg := backtest.Config{
		Wallet:            x.Account.Wallet.Decimal,
		Setups:            setups,
		Leverage:          lev,
		MakerFee:          x.Costs.Maker.ptr(),
		TakerFee:          x.Costs.Taker.ptr(),
		ClearanceFee:      x.Costs.ClearanceFee.ptr(),
		SlippageBps:       x.Costs.SlippageBps,
		Params:            x.Strategy.Params,
		Parallel:          x.Execution.Parallel,
		StopOnLiquidation: x.Execution.StopOnLiquidation,
	}
	if err := applyEngineExtras(&cfg, x); err != nil {
		return backtest.Config{}, err
	}
	return cfg, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// marshalResolved renders the experiment as config.resolved.yaml.
func (x *Experiment) marshalResolved(header string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(header)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(x); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func unwrapPathErr(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
