// Package sampletest gives the reference strategies' tests a window of the embedded sample
// dataset (package data/sample) as a backtest.Source, for their bttest golden files.
package sampletest
