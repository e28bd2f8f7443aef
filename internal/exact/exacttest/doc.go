// Package exacttest generates the decimals the agreement tests of the exact fast paths (in
// package exact and in their callers) check them on: random lengths and exponents, values at
// the int64 limits, fills' quantities and prices.
package exacttest
