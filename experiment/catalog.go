package experiment

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/strategies"
	"github.com/bt-backtest/bt/strategies/param"
)

// Strategy is a strategy an experiment can name: its name, a one-line summary, its parameters
// (with defaults, in documentation order) and its constructor, which returns a fresh instance
// per call (one per account).
type Strategy struct {
	Name    string
	Summary string
	Params  []param.Spec
	New     func() backtest.Strategy
	// Hedge: the strategy names its orders' position side (backtest.Order.PositionSide), so
	// experiments may run it with position_mode: hedge.
	Hedge bool
}

// Catalog is the set of strategies experiments may name, by name. Builtin returns bt's
// reference strategies; Add registers one's own.
type Catalog struct {
	byName map[string]Strategy
	def    string
}

// Builtin returns a new catalog of bt's reference strategies (package strategies), with
// strategies.Default as the default.
func Builtin() *Catalog {
	c := &Catalog{byName: map[string]Strategy{}, def: strategies.Default}
	for _, n := range strategies.Names() {
		info, _ := strategies.Describe(n)
		newS, _ := strategies.Lookup(n)
		c.byName[n] = Strategy{Name: n, Summary: info.Summary, Params: info.Params, New: newS, Hedge: info.Hedge}
	}
	return c
}

// Add registers s, replacing a strategy of the same name. The name must be lower-case letters,
// digits, - and _; New must not be nil.
func (c *Catalog) Add(s Strategy) error {
	if !reMixName.MatchString(s.Name) {
		return fmt.Errorf("strategy name %q: want lower-case letters, digits, - and _", s.Name)
	}
	if s.New == nil {
		return fmt.Errorf("strategy %s: no constructor", s.Name)
	}
	seen := map[string]bool{}
	for _, p := range s.Params {
		if p.Name == "" || seen[p.Name] {
			return fmt.Errorf("strategy %s: empty or duplicate parameter name %q", s.Name, p.Name)
		}
		seen[p.Name] = true
	}
	s.Params = slices.Clone(s.Params)
	c.byName[s.Name] = s
	return nil
}

// SetDefault makes the named strategy the one an experiment without strategy.name runs.
func (c *Catalog) SetDefault(name string) error {
	if _, ok := c.byName[name]; !ok {
		return fmt.Errorf("unknown strategy %q (known: %s)", name, strings.Join(c.Names(), ", "))
	}
	c.def = name
	return nil
}

// Default returns the name of the strategy an experiment without strategy.name runs.
func (c *Catalog) Default() string { return c.def }

// Names returns the names of the catalog's strategies, sorted.
func (c *Catalog) Names() []string { return sortedKeys(c.byName) }

// Lookup returns the named strategy (its Params a copy).
func (c *Catalog) Lookup(name string) (Strategy, bool) {
	s, ok := c.byName[name]
	s.Params = slices.Clone(s.Params)
	return s, ok
}

// Load is the package's Load against this catalog: the experiment may name any of its
// strategies, and Run runs them.
func (c *Catalog) Load(path string, overrides []Override) (*Experiment, error) {
	x, _, err := load(c, path, overrides)
	return x, err
}

// catalog returns the catalog the experiment was loaded with, or the built-in one.
func (x *Experiment) catalog() *Catalog {
	if x.cat == nil {
		x.cat = Builtin()
	}
	return x.cat
}

// unknown is the error for a strategy name the catalog lacks.
func (c *Catalog) unknown(name string) error {
	return &ConfigError{Key: "strategy.name", Msg: fmt.Sprintf("unknown strategy %q (known: %s)", name, strings.Join(c.Names(), ", "))}
}

// resolveParams checks the experiment's strategy parameters against the strategy's declared
// ones and fills in the defaults, so that config.resolved.yaml shows every value that ran.
func (c *Catalog) resolveParams(x *Experiment) error {
	info, ok := c.byName[x.Strategy.Name]
	if !ok {
		return c.unknown(x.Strategy.Name)
	}
	if x.PositionMode == "hedge" && !info.Hedge {
		return &ConfigError{Key: "position_mode", Msg: fmt.Sprintf("hedge: strategy %s trades one position per symbol and names no position side; "+
			"hedge mode runs replay (a trade log with a position_side column) or a strategy of one's own that names LONG or SHORT", info.Name)}
	}
	var known []string
	for _, p := range info.Params {
		known = append(known, p.Name)
	}
	for _, name := range sortedKeys(x.Strategy.Params) {
		if name == "leverage" && !slices.Contains(known, name) {
			return &ConfigError{Key: "strategy.params.leverage", Msg: "leverage belongs to the account, not to the strategy: " +
				"set leverage.default (every symbol) or leverage.symbols.SYMBOL in the experiment, or --leverage"}
		}
		if !slices.Contains(known, name) {
			return &ConfigError{Key: "strategy.params." + name, Msg: fmt.Sprintf("unknown parameter of strategy %s (known: %s)", info.Name, strings.Join(known, ", "))}
		}
	}
	for _, p := range info.Params {
		if _, ok := x.Strategy.Params[p.Name]; !ok && !p.Required {
			x.Strategy.Params[p.Name] = p.Default
		}
		if v := x.Strategy.Params[p.Name]; p.Required && v == "" {
			return &ConfigError{Key: "strategy.params." + p.Name, Msg: fmt.Sprintf("required by strategy %s: %s", info.Name, p.Doc)}
		}
	}
	return nil
}
