package sweep

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"github.com/bt-backtest/bt/experiment"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ModeKey is the experiment key whose grid values are the accounts of every configuration
// rather than a dimension.
const ModeKey = "margin.mode"

// Error is a mistake in a sweep file or in a sweep command's input, located by file (the sweep
// file, a shard directory or a flag), line and key path (a dotted path in the sweep file, e.g.
// grid.leverage.default) where known. It is the experiment package's error type, so a caller
// tells bad input from a failed run the same way for experiments and sweeps.
type Error = experiment.ConfigError

// Spec is a parsed sweep file.
type Spec struct {
	File string // the sweep file's path ("" for text given directly)

	// BasePath is the base experiment file, absolute or relative to the working directory
	// (a relative base in the file is taken relative to the file); "" when the base is inline.
	BasePath string
	// Base is the base experiment's YAML text: the file's bytes, or the inline mapping
	// re-encoded. It enters the sweep's id.
	Base []byte

	Grid   []Dim   // in the file's order, without margin.mode
	Modes  []Value // grid margin.mode values (the accounts); nil: the base experiment's
	Random *Random // nil: grid only

	lines    map[string]int // sweep-file key path -> line
	baseNode *yaml.Node     // the inline base mapping; nil: a file or none
}

// Dim is one grid dimension: an experiment key path and its values, in the file's order.
type Dim struct {
	Key    string
	Values []Value
}

// Value is one value of a swept key.
type Value struct {
	// YAML is the value in canonical flow YAML (comments and layout dropped, strings quoted
	// when they would read as another type): what the experiment receives and what the
	// configuration id hashes.
	YAML string
	// Tag is the YAML type (!!int, !!float, !!bool, !!str, !!seq, !!map, !!null).
	Tag string
	// Text is the value as a table cell: the scalar's text, or YAML for a list or mapping.
	Text string
}

// Random is a random search: N draws from Space with a seeded generator.
type Random struct {
	N     int
	Seed  int64
	Space []Range // in the file's order
}

// Range is the distribution of one key in a random search.
type Range struct {
	Key     string
	Kind    string  // int (uniform, both ends included), float (uniform), log (log-uniform), choice
	Lo, Hi  float64 // int, float, log
	Choices []Value // choice
}

// Assignment sets one experiment key to a value.
type Assignment struct {
	Key   string `json:"key"`
	Value string `json:"value"` // canonical flow YAML
	Text  string `json:"text"`  // the table cell
}

// Config is one configuration of a sweep.
type Config struct {
	ID    string       `json:"id"`    // stable id: see ConfigID
	Index int          `json:"index"` // position in the sweep's ordered list
	Set   []Assignment `json:"set"`   // the swept keys, in column order
}

// ParseFile reads and parses a sweep file.
func ParseFile(path string) (*Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		msg := err.Error()
		if pe, ok := err.(*os.PathError); ok {
			msg = pe.Err.Error()
		}
		return nil, &Error{File: path, Msg: "cannot read sweep file: " + msg}
	}
	return Parse(path, b)
}

// Parse parses a sweep file's text; name locates errors and relative base paths.
func Parse(name string, src []byte) (*Spec, error) {
	s := &Spec{File: name, lines: map[string]int{}}
	bad := func(n *yaml.Node, key, format string, a ...any) error {
		e := &Error{File: name, Key: key, Msg: fmt.Sprintf(format, a...)}
		if n != nil {
			e.Line = n.Line
		}
		return e
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, &Error{File: name, Msg: "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	if len(doc.Content) == 0 {
		return nil, &Error{File: name, Msg: "empty sweep file: give base and grid or random"}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, bad(root, "", "a sweep file is a YAML mapping with base, grid and random")
	}
	var base, grid, random *yaml.Node
	for j := 0; j+1 < len(root.Content); j += 2 {
		k, v := root.Content[j], root.Content[j+1]
		switch k.Value {
		case "base":
			base = v
		case "grid":
			grid = v
		case "random":
			random = v
		default:
			return nil, bad(k, k.Value, "unknown key (a sweep file has base, grid and random)")
		}
		s.lines[k.Value] = k.Line
	}
	switch {
	case base == nil || isNull(base):
		// the default experiment
	case base.Kind == yaml.ScalarNode:
		p := base.Value
		if !filepath.IsAbs(p) && name != "" {
			p = filepath.Join(filepath.Dir(name), p)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			msg := err.Error()
			if pe, ok := err.(*os.PathError); ok {
				msg = pe.Err.Error()
			}
			return nil, bad(base, "base", "cannot read the base experiment %s: %s", p, msg)
		}
		s.BasePath, s.Base = p, b
	case base.Kind == yaml.MappingNode:
		if name != "" {
			experiment.AbsolutizePaths(base, filepath.Dir(name))
		}
		b, err := yaml.Marshal(base)
		if err != nil {
			return nil, bad(base, "base", "%v", err)
		}
		s.Base, s.baseNode = b, base
	default:
		return nil, bad(base, "base", "want an experiment file's path or the experiment's keys as a mapping")
	}
	if grid == nil && random == nil {
		return nil, &Error{File: name, Msg: "nothing to sweep: give grid (key path: [values]) or random"}
	}
	seen := map[string]bool{}
	if grid != nil {
		if grid.Kind != yaml.MappingNode || len(grid.Content) == 0 {
			return nil, bad(grid, "grid", "an empty grid: want key paths with lists of values, e.g. leverage.default: [3, 10, 20]")
		}
		for j := 0; j+1 < len(grid.Content); j += 2 {
			k, v := grid.Content[j], grid.Content[j+1]
			key := "grid." + k.Value
			s.lines[key] = k.Line
			if err := checkKeyPath(k.Value); err != nil {
				return nil, bad(k, key, "%v", err)
			}
			if seen[k.Value] {
				return nil, bad(k, key, "listed twice")
			}
			seen[k.Value] = true
			if v.Kind != yaml.SequenceNode {
				return nil, bad(v, key, "want a list of values, e.g. [3, 10, 20]")
			}
			if len(v.Content) == 0 {
				return nil, bad(v, key, "an empty list of values leaves nothing to run")
			}
			var vals []Value
			for i, n := range v.Content {
				val, err := valueOf(n)
				if err != nil {
					return nil, bad(n, key, "value %d: %v", i+1, err)
				}
				if slices.ContainsFunc(vals, func(w Value) bool { return w.YAML == val.YAML }) {
					return nil, bad(n, key, "value %s listed twice", val.YAML)
				}
				vals = append(vals, val)
			}
			if k.Value == ModeKey {
				for i, m := range vals {
					if m.Text != "isolated" && m.Text != "cross" {
						return nil, bad(v.Content[i], key, "%s: want isolated or cross (the accounts every configuration runs)", m.YAML)
					}
				}
				s.Modes = vals
				continue
			}
			s.Grid = append(s.Grid, Dim{Key: k.Value, Values: vals})
		}
	}
	if random != nil {
		r, err := parseRandom(name, random, seen, s.lines)
		if err != nil {
			return nil, err
		}
		s.Random = r
	}
	return s, nil
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// checkKeyPath checks the shape of a dotted key path (whether the experiment knows the key is
// the experiment's loader's call).
func checkKeyPath(p string) error {
	if p == "" {
		return fmt.Errorf("an empty key path")
	}
	for _, part := range strings.Split(p, ".") {
		if part == "" {
			return fmt.Errorf("%q: an empty key in the path", p)
		}
		if strings.ContainsAny(part, " \t=") {
			return fmt.Errorf("%q: a key path is dotted keys, e.g. strategy.params.fast", p)
		}
	}
	if p == "output" || strings.HasPrefix(p, "output.") {
		return fmt.Errorf("the output directory is the sweep's (--out), not a swept key")
	}
	return nil
}

// valueOf canonicalizes a YAML value node.
func valueOf(n *yaml.Node) (Value, error) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	c := canon(n)
	b, err := yaml.Marshal(c)
	if err != nil {
		return Value{}, err
	}
	y := strings.TrimSpace(string(b))
	if strings.Contains(y, "\n") {
		return Value{}, fmt.Errorf("write it on one line")
	}
	v := Value{YAML: y, Tag: c.ShortTag(), Text: y}
	if c.Kind == yaml.ScalarNode {
		v.Text = c.Value
	}
	return v, nil
}

// canon copies n without comments, positions and block layout: flow collections, scalars
// plain unless quoting keeps their type.
func canon(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	c := &yaml.Node{Kind: n.Kind, Tag: n.ShortTag(), Value: n.Value}
	switch n.Kind {
	case yaml.SequenceNode, yaml.MappingNode:
		c.Style = yaml.FlowStyle
		for _, k := range n.Content {
			c.Content = append(c.Content, canon(k))
		}
	case yaml.ScalarNode:
		if c.Tag == "!!str" {
			c.Style = 0 // the encoder quotes when the plain text would read as another type
		}
	}
	return c
}

func parseRandom(name string, n *yaml.Node, seen map[string]bool, lines map[string]int) (*Random, error) {
	bad := func(at *yaml.Node, key, format string, a ...any) error {
		return &Error{File: name, Line: at.Line, Key: key, Msg: fmt.Sprintf(format, a...)}
	}
	if n.Kind != yaml.MappingNode {
		return nil, bad(n, "random", "want a mapping {n: draws, seed: S, space: {key.path: {int: [lo, hi]}, ...}}")
	}
	r := &Random{}
	var seed, count, space *yaml.Node
	for j := 0; j+1 < len(n.Content); j += 2 {
		k, v := n.Content[j], n.Content[j+1]
		lines["random."+k.Value] = k.Line
		switch k.Value {
		case "n":
			count = v
		case "seed":
			seed = v
		case "space":
			space = v
		default:
			return nil, bad(k, "random."+k.Value, "unknown key (random has n, seed and space)")
		}
	}
	if count == nil {
		return nil, bad(n, "random.n", "missing: how many configurations to draw")
	}
	c, err := strconv.Atoi(count.Value)
	if err != nil || c < 1 || count.Kind != yaml.ScalarNode {
		return nil, bad(count, "random.n", "%q: want a whole number of draws ≥ 1", count.Value)
	}
	r.N = c
	if seed == nil {
		return nil, bad(n, "random.seed", "missing: a random search needs a seed, so that it draws the same configurations every time")
	}
	sd, err := strconv.ParseInt(seed.Value, 10, 64)
	if err != nil || seed.Kind != yaml.ScalarNode {
		return nil, bad(seed, "random.seed", "%q: want a whole number", seed.Value)
	}
	r.Seed = sd
	if space == nil || space.Kind != yaml.MappingNode || len(space.Content) == 0 {
		at := n
		if space != nil {
			at = space
		}
		return nil, bad(at, "random.space", "an empty space: want key paths with a distribution, e.g. strategy.params.fast: {int: [5, 100]}")
	}
	for j := 0; j+1 < len(space.Content); j += 2 {
		k, v := space.Content[j], space.Content[j+1]
		key := "random.space." + k.Value
		lines[key] = k.Line
		if err := checkKeyPath(k.Value); err != nil {
			return nil, bad(k, key, "%v", err)
		}
		if k.Value == ModeKey {
			return nil, bad(k, key, "the accounts are not drawn at random: put margin.mode in grid")
		}
		if seen[k.Value] {
			return nil, bad(k, key, "also in grid: a key is swept once")
		}
		seen[k.Value] = true
		const want = "want one of {int: [lo, hi]}, {float: [lo, hi]}, {log: [lo, hi]}, {choice: [values]}"
		if v.Kind != yaml.MappingNode || len(v.Content) != 2 || v.Content[1].Kind != yaml.SequenceNode {
			return nil, bad(v, key, want)
		}
		rg := Range{Key: k.Value, Kind: v.Content[0].Value}
		args := v.Content[1].Content
		switch rg.Kind {
		case "int", "float", "log":
			if len(args) != 2 {
				return nil, bad(v, key, "%s wants [lo, hi]", rg.Kind)
			}
			lo, err1 := strconv.ParseFloat(args[0].Value, 64)
			hi, err2 := strconv.ParseFloat(args[1].Value, 64)
			if err1 != nil || err2 != nil || math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
				return nil, bad(v, key, "%s: [%s, %s]: want two numbers", rg.Kind, args[0].Value, args[1].Value)
			}
			if hi < lo {
				return nil, bad(v, key, "%s: [%s, %s]: hi below lo", rg.Kind, args[0].Value, args[1].Value)
			}
			if rg.Kind == "int" && (lo != math.Trunc(lo) || hi != math.Trunc(hi) || math.Abs(lo) > 1<<52 || math.Abs(hi) > 1<<52) {
				return nil, bad(v, key, "int: [%s, %s]: want whole numbers", args[0].Value, args[1].Value)
			}
			if rg.Kind == "log" && lo <= 0 {
				return nil, bad(v, key, "log: [%s, %s]: a log-uniform range needs lo > 0", args[0].Value, args[1].Value)
			}
			rg.Lo, rg.Hi = lo, hi
		case "choice":
			if len(args) == 0 {
				return nil, bad(v, key, "choice: an empty list")
			}
			for i, a := range args {
				val, err := valueOf(a)
				if err != nil {
					return nil, bad(a, key, "choice %d: %v", i+1, err)
				}
				if slices.ContainsFunc(rg.Choices, func(w Value) bool { return w.YAML == val.YAML }) {
					return nil, bad(a, key, "choice %s listed twice", val.YAML)
				}
				rg.Choices = append(rg.Choices, val)
			}
		default:
			return nil, bad(v.Content[0], key, "%q: %s", rg.Kind, want)
		}
		r.Space = append(r.Space, rg)
	}
	return r, nil
}

// Line returns the line of a key path of the sweep file (grid.leverage.default,
// random.space.strategy.params.fast, base, ...), 0 when unknown.
func (s *Spec) Line(key string) int { return s.lines[key] }

// Keys returns the swept experiment key paths in column order: the grid's, then the random
// space's.
func (s *Spec) Keys() []string {
	var keys []string
	for _, d := range s.Grid {
		keys = append(keys, d.Key)
	}
	if s.Random != nil {
		for _, r := range s.Random.Space {
			keys = append(keys, r.Key)
		}
	}
	return keys
}

// SpecKey returns the sweep-file key path of a swept experiment key (grid.X or
// random.space.X), for error messages.
func (s *Spec) SpecKey(key string) string {
	if _, ok := s.lines["grid."+key]; ok {
		return "grid." + key
	}
	return "random.space." + key
}

// MaxConfigs is the most configurations a sweep may expand to.
const MaxConfigs = 1_000_000

// maxDraws bounds the redraws of a random search whose space holds fewer distinct points than
// it asks for.
const maxDrawFactor = 100

// Expand returns the configurations in their canonical order (see the package doc). It fails
// when the random search cannot find N distinct points or two configurations collide.
func (s *Spec) Expand() ([]Config, error) {
	total := 1
	for _, d := range s.Grid {
		total *= len(d.Values)
		if total > MaxConfigs {
			break
		}
	}
	if s.Random != nil && total <= MaxConfigs {
		total *= s.Random.N
	}
	if total > MaxConfigs {
		return nil, &Error{File: s.File, Msg: fmt.Sprintf("more than %d configurations: split the sweep into several files", MaxConfigs)}
	}
	points := [][]Assignment{nil}
	for _, d := range s.Grid {
		next := make([][]Assignment, 0, len(points)*len(d.Values))
		for _, p := range points {
			for _, v := range d.Values {
				next = append(next, append(slices.Clip(p), Assignment{Key: d.Key, Value: v.YAML, Text: v.Text}))
			}
		}
		points = next
	}
	if s.Random != nil {
		draws, err := s.Random.draw()
		if err != nil {
			return nil, &Error{File: s.File, Line: s.lines["random.n"], Key: "random.n", Msg: err.Error()}
		}
		next := make([][]Assignment, 0, len(points)*len(draws))
		for _, p := range points {
			for _, d := range draws {
				next = append(next, append(slices.Clip(p), d...))
			}
		}
		points = next
	}
	out := make([]Config, len(points))
	seen := make(map[string]int, len(points))
	for i, p := range points {
		id := ConfigID(p)
		if j, dup := seen[id]; dup {
			return nil, &Error{File: s.File, Msg: fmt.Sprintf("configurations %d and %d are the same (%s)", j+1, i+1, describe(p))}
		}
		seen[id] = i
		out[i] = Config{ID: id, Index: i, Set: p}
	}
	return out, nil
}

func describe(set []Assignment) string {
	parts := make([]string, len(set))
	for i, a := range set {
		parts[i] = a.Key + "=" + a.Value
	}
	return strings.Join(parts, " ")
}

// draw returns N distinct points of the space.
func (r *Random) draw() ([][]Assignment, error) {
	rng := rand.New(rand.NewPCG(uint64(r.Seed), 0x9e3779b97f4a7c15))
	var out [][]Assignment
	seen := map[string]bool{}
	for tries := 0; len(out) < r.N; tries++ {
		if tries >= maxDrawFactor*r.N {
			return nil, fmt.Errorf("%d draws wanted, only %d distinct points found in %d tries: the space is too small", r.N, len(out), tries)
		}
		p := make([]Assignment, len(r.Space))
		for i, rg := range r.Space {
			p[i] = rg.draw(rng)
		}
		id := ConfigID(p)
		if seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, p)
	}
	return out, nil
}

func (rg Range) draw(rng *rand.Rand) Assignment {
	var text string
	switch rg.Kind {
	case "int":
		lo, hi := int64(rg.Lo), int64(rg.Hi)
		text = strconv.FormatInt(lo+rng.Int64N(hi-lo+1), 10)
	case "float":
		text = fmtFloat(rg.Lo + (rg.Hi-rg.Lo)*rng.Float64())
	case "log":
		l, h := math.Log(rg.Lo), math.Log(rg.Hi)
		text = fmtFloat(math.Exp(l + (h-l)*rng.Float64()))
	case "choice":
		c := rg.Choices[rng.IntN(len(rg.Choices))]
		return Assignment{Key: rg.Key, Value: c.YAML, Text: c.Text}
	}
	return Assignment{Key: rg.Key, Value: text, Text: text}
}

// fmtFloat writes a drawn float as a YAML float (always with a point or exponent, so it stays
// a float) rounded to 6 significant digits, which keeps table cells and ids readable.
func fmtFloat(f float64) string {
	s := strconv.FormatFloat(f, 'g', 6, 64)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0"
	}
	return s
}

// ConfigID is a configuration's stable id: the first 12 hex digits of the sha256 of its
// assignments as sorted key=value lines.
func ConfigID(set []Assignment) string {
	lines := make([]string, len(set))
	for i, a := range set {
		lines[i] = a.Key + "=" + a.Value + "\n"
	}
	slices.Sort(lines)
	h := sha256.New()
	for _, l := range lines {
		h.Write([]byte(l))
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// SweepID is the id of a sweep: the sha256 of the base experiment's text, the accounts and the
// ordered configuration list. Shards of one sweep share it; Merge refuses different ids.
func SweepID(base []byte, modes []string, cfgs []Config) string {
	h := sha256.New()
	fmt.Fprintf(h, "base %d\n", len(base))
	h.Write(base)
	fmt.Fprintf(h, "\nmodes %s\n", strings.Join(modes, ","))
	var b bytes.Buffer
	for _, c := range cfgs {
		b.Reset()
		fmt.Fprintf(&b, "%d %s %s\n", c.Index, c.ID, describe(c.Set))
		h.Write(b.Bytes())
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ModeNames returns the grid's margin.mode values as account names (nil: the base's).
func (s *Spec) ModeNames() []string {
	var out []string
	for _, m := range s.Modes {
		out = append(out, m.Text)
	}
	return out
}
