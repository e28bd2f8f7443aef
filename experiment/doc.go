// Package experiment is bt's pipeline from an experiment to a run directory: it loads,
// validates and resolves an experiment (the YAML file, then flags, then --set overrides, each
// overriding the one before), opens its market data, runs it through the engine (package
// backtest) and writes the run directory (package reports/artifact) with its report.
//
// The command line (cmd/bt) is a thin shell over it: flags become Overrides, Load returns the
// Experiment, Run returns an Outcome whose WriteText is what bt run prints, and errors map to
// exit codes with IsInput (2: the input is wrong) — any other error is a failure of the run.
// A Go program or a sweep runs experiments the same way, without the command line:
//
//	x, err := experiment.Load("experiments/swing.yaml", []experiment.Override{
//		{Path: "margin.mode", Value: "cross", Origin: "sweep"},
//	})
//	...
//	out, err := experiment.Run(ctx, x, experiment.Options{NoReport: true})
//
// The defaults of every setting are set in one place, Experiment.Resolve (fillDefaults);
// config.resolved.yaml in a run directory is the Experiment with all of them filled in, and
// loading it reproduces the run byte for byte.
//
// Strategies are named from a Catalog: Builtin holds bt's reference strategies; a researcher's
// own strategy is added with Catalog.Add and loaded with Catalog.Load.
package experiment
