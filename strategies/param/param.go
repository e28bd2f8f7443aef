package param

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Errors of this package.
var (
	// ErrInvalid is wrapped by every parameter error: a value that does not parse, is out of
	// range, or a required parameter that is missing.
	ErrInvalid = errors.New("param: invalid parameter")
)

// Spec describes one strategy parameter.
type Spec struct {
	Name     string
	Default  string // used when the parameter is unset or empty
	Doc      string // one line
	Required bool   // no default: unset is an error
}

// String formats s as `name=default  doc`.
func (s Spec) String() string {
	d := s.Default
	if s.Required {
		d = "(required)"
	} else if d == "" {
		d = `""`
	}
	return s.Name + "=" + d + "  " + s.Doc
}

// Error is one invalid parameter.
type Error struct {
	Strategy string
	Name     string
	Value    string
	Reason   string
}

// Error formats the error as `strategy: parameter name="value": reason`.
func (e *Error) Error() string {
	return fmt.Sprintf("%s: parameter %s=%q: %s", e.Strategy, e.Name, e.Value, e.Reason)
}

// Unwrap returns ErrInvalid.
func (e *Error) Unwrap() error { return ErrInvalid }

// Reader reads parameters of one strategy. Its zero value is not usable; use NewReader.
type Reader struct {
	strategy string
	get      func(string) (string, bool)
	errs     []error
}

// NewReader returns a Reader for the named strategy (used in error messages) over get, which
// is normally Broker.Param. A nil get reads every parameter as unset.
func NewReader(strategy string, get func(name string) (string, bool)) *Reader {
	return &Reader{strategy: strategy, get: get}
}

// Err returns nil when every parameter read was valid, else an error naming each invalid one.
func (r *Reader) Err() error { return errors.Join(r.errs...) }

func (r *Reader) fail(s Spec, v, format string, args ...any) {
	r.errs = append(r.errs, &Error{Strategy: r.strategy, Name: s.Name, Value: v, Reason: fmt.Sprintf(format, args...)})
}

// raw returns the parameter's text and whether it is usable.
func (r *Reader) raw(s Spec) (string, bool) {
	var v string
	if r.get != nil {
		v, _ = r.get(s.Name)
	}
	v = strings.TrimSpace(v)
	if v == "" {
		if s.Required {
			r.fail(s, "", "required")
			return "", false
		}
		v = s.Default
	}
	return v, true
}

// String returns the parameter's text (its default when unset).
func (r *Reader) String(s Spec) string {
	v, _ := r.raw(s)
	return v
}

// Int returns the parameter as an integer in [min, max].
func (r *Reader) Int(s Spec, min, max int) int {
	v, ok := r.raw(s)
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(v)
	switch {
	case err != nil:
		r.fail(s, v, "not an integer")
	case n < min || n > max:
		r.fail(s, v, "out of range [%d, %d]", min, max)
	}
	return n
}

// Float returns the parameter as a finite number in [min, max].
func (r *Reader) Float(s Spec, min, max float64) float64 {
	v, ok := r.raw(s)
	if !ok {
		return 0
	}
	f, err := strconv.ParseFloat(v, 64)
	switch {
	case err != nil || math.IsNaN(f) || math.IsInf(f, 0):
		r.fail(s, v, "not a finite number")
	case f < min || f > max:
		r.fail(s, v, "out of range [%g, %g]", min, max)
	}
	return f
}

// Bool returns the parameter as a boolean (true/false, 1/0, yes/no, on/off).
func (r *Reader) Bool(s Spec) bool {
	v, ok := r.raw(s)
	if !ok {
		return false
	}
	switch strings.ToLower(v) {
	case "true", "1", "yes", "on":
		return true
	case "false", "0", "no", "off":
		return false
	}
	r.fail(s, v, "not a boolean (true/false)")
	return false
}

// List returns the parameter split at commas, each element trimmed, empty elements dropped.
func (r *Reader) List(s Spec) []string {
	v, _ := r.raw(s)
	var out []string
	for _, f := range strings.Split(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// Check records an error for s with value v when cond is false (cross-parameter validation,
// e.g. fast < slow).
func (r *Reader) Check(cond bool, s Spec, v, reason string) {
	if !cond {
		r.fail(s, v, "%s", reason)
	}
}
