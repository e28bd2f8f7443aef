package strategies

import (
	"slices"
	"strings"
	"testing"
)

func TestRegistry(t *testing.T) {
	names := Names()
	if !slices.IsSorted(names) || len(names) == 0 {
		t.Fatalf("Names() = %v, want sorted and non-empty", names)
	}
	if !slices.Contains(names, Default) {
		t.Errorf("Default %q not registered", Default)
	}
	for _, n := range names {
		newS, ok := Lookup(n)
		if !ok || newS == nil {
			t.Fatalf("Lookup(%q) failed", n)
		}
		a, b := newS(), newS()
		if a == nil || a == b {
			t.Errorf("%s: constructor must return a fresh instance per call", n)
		}
		info, ok := Describe(n)
		if !ok || info.Name != n || info.Summary == "" || strings.Contains(info.Summary, "\n") {
			t.Errorf("Describe(%q) = %+v", n, info)
		}
		seen := map[string]bool{}
		for _, p := range info.Params {
			if p.Name == "" || p.Doc == "" || seen[p.Name] {
				t.Errorf("%s: bad or duplicate parameter %+v", n, p)
			}
			seen[p.Name] = true
		}
	}
	if _, ok := Lookup("nope"); ok {
		t.Error("Lookup(nope) succeeded")
	}
	if _, ok := Describe("nope"); ok {
		t.Error("Describe(nope) succeeded")
	}
	// Describe returns a copy: callers cannot edit the registry.
	info, _ := Describe(Default)
	info.Params[0].Default = "changed"
	again, _ := Describe(Default)
	if again.Params[0].Default == "changed" {
		t.Error("Describe leaks the registry's slice")
	}
}
