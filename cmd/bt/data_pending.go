package main

import (
	"github.com/spf13/cobra"
)

func pendingCmd(use, short string) *cobra.Command {
	return &cobra.Command{
		Use: use, Short: short,
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return usageErrf("%s: not available in this build yet", cmd.CommandPath())
		}),
	}
}

func newImportCSVCmd(e *env) *cobra.Command {
	return pendingCmd("csv FILE...", "Import generic OHLCV CSV files")
}
func newDownloadBinanceCmd(e *env) *cobra.Command {
	return pendingCmd("binance", "Download data.binance.vision archives")
}
func newSynthCmd(e *env) *cobra.Command {
	return pendingCmd("synth", "Write a seeded synthetic market")
}
func newInspectCmd(e *env) *cobra.Command {
	return pendingCmd("inspect", "Inspect a store: rows, spans, gaps, anomalies")
}
