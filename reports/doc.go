// Package reports turns run directories into what a researcher reads: PNG charts drawn with
// gonum/plot and one self-contained, offline HTML report with interactive uPlot charts
// (embedded with its licence and checksum), the summary and liquidation tables side by side
// (isolated | cross | Δ), monthly-returns heatmaps and the run's assumptions. Several runs
// render as one comparison, their accounts prefixed by the run name.
//
// The few names: Summarize (the metrics of package reports/metrics), Charts (the data behind
// every chart, after downsampling), Render (report.html and the PNGs into a directory),
// WriteHTML and WritePNG.
//
// Conventions: chart times are Unix seconds UTC; money is USDT; drawdown is drawn as a
// negative fraction of the running peak; metrics use daily UTC returns, 365-day
// annualization and a zero risk-free rate, as every report says. Long curves are
// downsampled for drawing only (Downsample keeps each bucket's minimum and maximum); the run
// files keep full resolution.
package reports
