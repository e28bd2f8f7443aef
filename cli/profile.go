package cli

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"

	"github.com/spf13/cobra"
)

// addProfileFlags adds the hidden --cpuprofile, --memprofile and --trace flags to root: they
// write pprof profiles and an execution trace of the whole command (used by the benchmarks in BENCHMARKS.md).
func addProfileFlags(root *cobra.Command) {
	var cpu, mem, tr string
	var cpuFile, trFile *os.File
	fl := root.PersistentFlags()
	fl.StringVar(&cpu, "cpuprofile", "", "write a CPU profile of the command to this file")
	fl.StringVar(&mem, "memprofile", "", "write a heap profile (allocations) at the end of the command to this file")
	_ = fl.MarkHidden("cpuprofile")
	fl.StringVar(&tr, "trace", "", "write an execution trace of the command to this file (go tool trace)")
	_ = fl.MarkHidden("memprofile")
	_ = fl.MarkHidden("trace")
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if tr != "" {
			f, err := os.Create(tr)
			if err != nil {
				return usageErr(fmt.Errorf("--trace: %w", err))
			}
			if err := trace.Start(f); err != nil {
				f.Close()
				return usageErr(fmt.Errorf("--trace: %w", err))
			}
			trFile = f
		}
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
		if trFile != nil {
			trace.Stop()
			if err := trFile.Close(); err != nil {
				return failErr(fmt.Errorf("--trace: %w", err))
			}
		}
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
