//go:build invariants

package margin

// invariants runs Check after every mutating call and panics on a violation (build tag
// invariants: make invariants).
func (a *Account) invariants() {
	if err := a.Check(); err != nil {
		panic(err)
	}
}
