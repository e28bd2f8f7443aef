// Package parallel runs a list of independent jobs on up to GOMAXPROCS goroutines and
// reports the first error in job order, so that what a caller sees does not depend on
// scheduling. Package artifact writes a run directory's files with it, package reports draws
// its PNG charts.
package parallel
