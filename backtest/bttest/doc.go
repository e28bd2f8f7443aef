// Package bttest pins a strategy's behaviour in a researcher's own `go test`: Run replays a
// strategy on a data source, and compares, per account, the fingerprint of the canonical log
// of fills, liquidations, funding and rejections (backtest.AccountResult.Fingerprint) and key
// metrics (final equity, fills, trades, liquidations, rejections, fees, funding) with a golden
// file.
//
//	func TestMyStrategy(t *testing.T) {
//		bttest.Run(t, bttest.Case{
//			Name:     "mystrategy-june",
//			Strategy: mystrategy.New,
//			Source:   func(t testing.TB) backtest.Source { return mySource(t) },
//			Config:   backtest.Config{DefaultLeverage: 5, Params: map[string]string{"size": "0.1"}},
//		})
//	}
//
// Files, in the test package's testdata directory (Case.Dir):
//
//	<Name>.golden          the fingerprints and metrics of every account (text, one key a line)
//	<Name>.<account>.log   each account's canonical log, kept beside the golden so that a
//	                       failure can show the first lines where the run diverged
//
// Run also replays the case a second time with Config.Parallel flipped and fails when any
// account's fingerprint changes (Case.NoDeterminismCheck skips this).
//
// `go test -update` (the flag Update) rewrites them. On a mismatch the test fails with a diff
// of the golden summary and, for each account whose fingerprint changed, the first differing
// lines of its canonical log.
//
// The flag is registered as "update" when this package is initialized, unless a flag of that
// name already exists; a test package that uses bttest must not define its own -update flag
// (read bttest.Update instead). Setting the environment variable BTTEST_UPDATE=1 also rewrites.
package bttest
