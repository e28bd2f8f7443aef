package cli

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/spf13/cobra"
)

// addProfileFlags adds the hidden --cpuprofile and --memprofile flags to root: they write
// pprof profiles of the whole command (used by the benchmarks in BENCHMARKS.md).
func addProfileFlags(root *cobra.Command) {
	var cpu, mem string
	var cpuFile *os.File
	fl := root.PersistentFlags()
	fl.StringVar(&cpu, "cpuprofile", "", "write a CPU profile of the command to this file")
	fl.StringVar(&mem, "memprofile", "", "write a heap profile (allocations) at the end of the command to this file")
	_ = fl.MarkHidden("cpuprofile")
	_ = fl.MarkHidden("memprofile")
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if cpu == "" {
			return nil
		}
		f, err := os.Create(cpu)
		if err != nil {
			return usageErr(fmt.Errorf("--cpuprofile: %w", err))
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return usageErr(fmt.Errorf("--cpuprofile: %w", err))
		}
		cpuFile = f
		return nil
	}
	root.PersistentPostRunE = func(cmd *cobra.Command, args []string) error {
		if cpuFile != nil {
			pprof.StopCPUProfile()
			if err := cpuFile.Close(); err != nil {
				return failErr(fmt.Errorf("--cpuprofile: %w", err))
			}
		}
		if mem != "" {
			f, err := os.Create(mem)
			if err != nil {
				return failErr(fmt.Errorf("--memprofile: %w", err))
			}
			runtime.GC()
			err = pprof.Lookup("allocs").WriteTo(f, 0)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return failErr(fmt.Errorf("--memprofile: %w", err))
			}
		}
		return nil
	}
}
