package backtest

import (
	"fmt"
	"reflect"
)

// shareSignals groups the accounts whose strategies name equal signal keys (SignalSharer),
// in setup order: the first strategy of each key makes its Signals, and every strategy of
// the key is handed it. It returns the Signals, in order of their keys' first strategy, for
// the engine to prepare before the accounts step.
func shareSignals(accts []*account) ([]Signals, error) {
	var keys []any
	var sigs []Signals
	for _, a := range accts {
		sh, ok := a.strat.(SignalSharer)
		if !ok {
			continue
		}
		key := sh.SignalKey()
		if key == nil {
			continue
		}
		if !reflect.TypeOf(key).Comparable() {
			return nil, fmt.Errorf("%w: account %s, SignalKey: a key of type %T cannot be compared", ErrStrategyFailed, a.setup.Name, key)
		}
		k := 0
		for k < len(keys) && keys[k] != key {
			k++
		}
		if k == len(keys) {
			s := sh.NewSignals()
			if s == nil {
				return nil, fmt.Errorf("%w: account %s, NewSignals returned nil", ErrStrategyFailed, a.setup.Name)
			}
			keys, sigs = append(keys, key), append(sigs, s)
		}
		sh.UseSignals(sigs[k])
	}
	return sigs, nil
}

// prepare hands bs to every shared Signals before any account steps through them.
func (e *engine) prepare(bs []Batch) {
	for _, s := range e.signals {
		s.Prepare(bs)
	}
}
