//go:build !invariants

package margin

// invariants is a no-op without the invariants build tag.
func (a *Account) invariants() {}
