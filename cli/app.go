package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/bt-backtest/bt/experiment"
	"github.com/spf13/cobra"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1 // run failure, regression drift, or a strict condition failed
	exitUsage = 2 // usage, config or data error
)

// exitError carries the exit code of a failed command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErr marks err as a usage, config or data error (exit code 2).
func usageErr(err error) error { return withExitCode(exitUsage, err) }

// usageErrf is usageErr(fmt.Errorf(...)).
func usageErrf(format string, args ...any) error { return usageErr(fmt.Errorf(format, args...)) }

// failErr marks err as a run failure (exit code 1).
func failErr(err error) error { return withExitCode(exitFail, err) }

// withExitCode marks err with exit code code, unless it (or an error it wraps) already
// carries one: the innermost decision stands.
func withExitCode(code int, err error) error {
	if err == nil {
		return nil
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	return &exitError{code, err}
}

// env is what every command writes to and reads from: the process's streams, abstracted so
// tests run commands in-process.
type env struct {
	stdout, stderr io.Writer
	// stderrTTY is true when stderr is a terminal (progress bars are drawn only then).
	stderrTTY bool
	// cat holds the strategies bt run and bt strategies know: the built-in ones and those
	// added with the Strategy option.
	cat *experiment.Catalog
}

// Option changes the command line Main and Run build: see Strategy and DefaultStrategy.
type Option func(*experiment.Catalog) error

// Strategy adds a strategy to the command line: bt run --strategy NAME (or strategy.name in
// an experiment) runs it, bt strategies lists it with its parameters, and every other command
// works on its runs as on any. It replaces a built-in strategy of the same name.
func Strategy(s experiment.Strategy) Option {
	return func(c *experiment.Catalog) error { return c.Add(s) }
}

// DefaultStrategy makes the named strategy the one bt run runs when none is given.
func DefaultStrategy(name string) Option {
	return func(c *experiment.Catalog) error { return c.SetDefault(name) }
}

// Main runs the bt command line on os.Args with the strategies the options add, and exits
// with its exit code (0 success, 1 a run failure or drift, 2 bad input or usage). SIGINT and
// SIGTERM cancel the command: bt run stops cleanly and leaves no partial run directory. It is
// the whole of cmd/bt's main, and of a researcher's own build of bt:
//
//	func main() { cli.Main(cli.Strategy(mystrategy.Spec())) }
func Main(opts ...Option) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Run(ctx, os.Args[1:], os.Stdout, os.Stderr, opts...)
	stop()
	os.Exit(code)
}

// Run executes the bt command line args with the strategies the options add, writing to
// stdout and stderr, and returns the exit code; it never exits and never panics (a panic in a
// command, a bug, is reported on stderr with exit code 1). A cancelled ctx stops a running
// command.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer, opts ...Option) int {
	cat := experiment.Builtin()
	for _, o := range opts {
		if err := o(cat); err != nil {
			fmt.Fprintf(stderr, "bt: %v\n", err)
			return exitUsage
		}
	}
	return runWith(ctx, cat, args, stdout, stderr)
}

// run executes the bt command line args and returns the process exit code. It never panics:
// a panic inside a command (a bug) is reported with its stack and exit code 1.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	return runWith(ctx, experiment.Builtin(), args, stdout, stderr)
}

// runWith is run with the strategies of cat.
func runWith(ctx context.Context, cat *experiment.Catalog, args []string, stdout, stderr io.Writer) (code int) {
	e := &env{stdout: stdout, stderr: stderr, stderrTTY: isTerminal(stderr), cat: cat}
	root := newRootCmd(e)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "bt: internal error: %v\n%s", r, debug.Stack())
			code = exitFail
		}
	}()
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != errSilent {
			for _, line := range strings.Split(ee.err.Error(), "\n") {
				fmt.Fprintf(stderr, "bt: %s\n", line)
			}
			if wantsJSON(args) {
				// Scripts asked for one JSON document: they get one, with the error.
				writeJSON(stdout, map[string]any{"error": ee.err.Error(), "exit_code": ee.code})
			}
		}
		return ee.code
	}
	// Errors cobra returns itself (unknown command or flag, wrong argument count) are usage
	// errors; every RunE wraps its own errors in an exitError.
	fmt.Fprintf(stderr, "bt: %v\n", err)
	fmt.Fprintf(stderr, "Run 'bt --help' for usage.\n")
	return exitUsage
}

// wantsJSON reports whether the command line asked for JSON output.
func wantsJSON(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if a == "--json" || a == "--json=true" {
			return true
		}
	}
	return false
}

// errSilent is an exitError cause whose message was already printed.
var errSilent = errors.New("bt: (reported)")

// isTerminal reports whether w is a character device (a terminal), without cgo or x/term.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	return fi.Mode()&os.ModeCharDevice != 0
}

// runE adapts a command body so that an error it returns without a classification counts as a
// run failure (exit 1); bodies classify usage, config and data errors with usageErr.
func runE(f func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		return failErr(f(cmd, args))
	}
}

func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "bt",
		Short: "Backtest Binance USDⓈ-M perpetuals under isolated and cross margin, side by side",
		Long: `bt backtests a strategy on Binance USDⓈ-M perpetual futures data and answers one question:
what would it have done under isolated margin, and what under cross margin? Both run through the
same exact-decimal margin engine in one pass over the data.

Exit codes: 0 success, 1 run failure, regression drift or a strict condition failed (bt run --strict), 2 usage, config or data error.`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	addProfileFlags(root)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErr(fmt.Errorf("%s: %w", c.CommandPath(), err))
	})
	root.AddCommand(
		newRunCmd(e),
		newSweepCmd(e),
		newMCCmd(e),
		newReportCmd(e),
		newCheckCmd(e),
		newCalcCmd(e),
		newDataCmd(e),
		newStrategiesCmd(e),
		newVersionCmd(e),
	)
	return root
}

// exactArgs is cobra.ExactArgs with a usage-classified error.
func argsBetween(min, max int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < min || len(args) > max {
			if min == max {
				return usageErrf("%s: want %d argument(s), got %d", cmd.CommandPath(), min, len(args))
			}
			return usageErrf("%s: want %d to %d arguments, got %d", cmd.CommandPath(), min, max, len(args))
		}
		return nil
	}
}

// buildVersion is set at link time (make build: -ldflags "-X github.com/bt-backtest/bt/cli.buildVersion=...").
var buildVersion string

// version is the bt version: the link-time version, else the build info's (experiment.Version).
func version() string {
	if buildVersion != "" {
		return buildVersion
	}
	return experiment.Version()
}

func newVersionCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the bt version",
		Args:  argsBetween(0, 0),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if asJSON {
				return writeJSON(e.stdout, map[string]string{"version": version(), "go": goVersion()})
			}
			fmt.Fprintf(e.stdout, "bt %s (%s)\n", version(), goVersion())
			return nil
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")
	return cmd
}

func goVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		return bi.GoVersion
	}
	return "unknown"
}
