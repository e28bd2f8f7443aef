package backtest

import (
	"fmt"
	"reflect"
)

// sigGroup is the Signals of one signal key and, when it is an IdleSignals, whether its
// strategies are idle at each batch of its last Prepare.
type sigGroup struct {
	sig   Signals
	idler IdleSignals
	idle  []bool // by batch of the last Prepare; nil without idler
}

// shareSignals groups the accounts whose strategies name equal signal keys (SignalSharer),
// in setup order: the first strategy of each key makes its Signals, and every strategy of
// the key is handed it (and, when it is an IdleSignals, its account the group, to skip the
// strategy at idle batches). It returns the groups, in order of their keys' first strategy,
// for the engine to prepare before the accounts step.
func shareSignals(accts []*account) ([]*sigGroup, error) {
	var keys []any
	var sigs []*sigGroup
	for _, a := range accts {
		sh, ok := a.strat.(SignalSharer)
		if !ok {
			continue
		}
		key := sh.SignalKey()
		if key == nil {
			continue
		}
		if !reflect.ValueOf(key).Comparable() { // also an interface field holding a slice
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
			g := &sigGroup{sig: s}
			g.idler, _ = s.(IdleSignals)
			keys, sigs = append(keys, key), append(sigs, g)
		}
		sh.UseSignals(sigs[k].sig)
		if sigs[k].idler != nil {
			a.sg = sigs[k]
		}
	}
	return sigs, nil
}

// prepare hands bs to every shared Signals before any account steps through them, and asks
// each IdleSignals at which of them its strategies are idle.
func (e *engine) prepare(bs []Batch) {
	for _, g := range e.signals {
		g.sig.Prepare(bs)
		if g.idler != nil {
			g.idle = g.idle[:0]
			for j := range bs {
				g.idle = append(g.idle, g.idler.Idle(j))
			}
		}
	}
}
