package cli

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/bt-backtest/bt/reports"
	"github.com/bt-backtest/bt/reports/artifact"
	"github.com/spf13/cobra"
)

// maxReportRuns is the most runs bt report compares in one page.
const maxReportRuns = 8

func newReportCmd(e *env) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "report RUN_DIR [RUN_DIR2 ...]",
		Short: "Render the report of a run, or compare runs, from their artifacts (no re-run)",
		Long: `Reads the artifacts of a run directory and writes report.html and the PNG charts. With one run
the report goes into the run directory; with two or more it compares them and goes into
RUN_DIR/compare-<names of the other runs, joined by "-"> (or --out), and the metrics of every
run with their differences from the first (RUN_DIR2 − RUN_DIR, ...; percentage-point
differences in pp) are printed here too.`,
		Args: argsBetween(1, maxReportRuns),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			runs := make([]*artifact.Run, 0, len(args))
			for _, dir := range args {
				r, err := artifact.Read(dir)
				if err != nil {
					return usageErr(fmt.Errorf("%s: %w", dir, err))
				}
				runs = append(runs, r)
			}
			dir := out
			if dir == "" {
				dir = args[0]
				if len(args) > 1 {
					names := make([]string, 0, len(args)-1)
					for _, a := range args[1:] {
						names = append(names, filepath.Base(filepath.Clean(a)))
					}
					dir = filepath.Join(args[0], "compare-"+strings.Join(names, "-"))
				}
			}
			if err := reports.Render(dir, runs...); err != nil {
				return failErr(fmt.Errorf("rendering report: %w", err))
			}
			if len(runs) > 1 {
				if err := reports.WriteComparisonText(e.stdout, runs...); err != nil {
					return failErr(fmt.Errorf("comparing runs: %w", err))
				}
			}
			fmt.Fprintf(e.stdout, "report: %s\n", filepath.Join(dir, "report.html"))
			return nil
		}),
	}
	cmd.Flags().StringVar(&out, "out", "", "directory to write the report into")
	return cmd
}
