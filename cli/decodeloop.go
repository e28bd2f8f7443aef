package cli

import (
	"fmt"
	"time"

	"github.com/bt-backtest/bt/data/parquet"
	"github.com/spf13/cobra"
)

// newDecodeLoopCmd is the hidden bt data decode-loop: the bare decode-and-loop of
// BENCHMARKS.md (parquet.Store.DecodeLoop), timed, so that scripts/bench-e2e.sh measures it in
// the same session as the end-to-end run it is compared with.
func newDecodeLoopCmd(e *env) *cobra.Command {
	var store string
	cmd := &cobra.Command{
		Use:    "decode-loop --store DIR",
		Short:  "Decode every bar of a store once and time it (the bare decode-and-loop benchmark)",
		Hidden: true,
		Args:   argsBetween(0, 0),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			ds, err := openData(store)
			if err != nil {
				return usageErr(err)
			}
			cpu0, t0 := cpuNow(), time.Now()
			d, err := ds.store.DecodeLoop(parquet.StreamOptions{})
			if err != nil {
				return usageErr(fmt.Errorf("data %s: %w", store, err))
			}
			wall, cpu := time.Since(t0), cpuNow()-cpu0
			cpuText := "n/a"
			if cpu0 >= 0 {
				cpuText = fmt.Sprintf("%.3f s", cpu.Seconds())
			}
			fmt.Fprintf(e.stdout, "decode-loop: %d bars (%d klines, %d mark), %d funding, sum %.6g: wall %.3f s, cpu %s\n",
				d.Bars(), d.Klines, d.Marks, d.Funding, d.Sum, wall.Seconds(), cpuText)
			return nil
		}),
	}
	cmd.Flags().StringVar(&store, "store", "", "the store directory")
	return cmd
}
