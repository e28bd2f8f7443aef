// Package sampletest gives tests a window of the embedded sample dataset (package data/sample)
// as a backtest.Source, e.g. for the reference strategies' bttest golden files.
//
// It lives outside strategies/ because it opens data: strategies import no data package, not
// even in their tests (the import rules in imports_test.go at the repository root). Only test
// files may import it.
package sampletest
