package bttest

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/backtest"
	"github.com/shopspring/decimal"
)

// Update is the -update test flag: when true, Run rewrites golden files and logs instead of
// comparing. It is nil when a flag named "update" was registered before this package's
// initialization; Run then reads that flag.
var Update = registerUpdate()

func registerUpdate() *bool {
	if flag.Lookup("update") != nil {
		return nil
	}
	return flag.Bool("update", false, "rewrite bttest golden files")
}

// updating reports whether golden files are to be rewritten.
func updating() bool {
	if os.Getenv("BTTEST_UPDATE") == "1" {
		return true
	}
	if f := flag.Lookup("update"); f != nil {
		if g, ok := f.Value.(flag.Getter); ok {
			b, _ := g.Get().(bool)
			return b
		}
	}
	return false
}

// Case is one regression test.
type Case struct {
	// Name names the golden files: <Dir>/<Name>.golden and <Dir>/<Name>.<account>.log. It must
	// be a valid file name.
	Name string
	// Strategy returns a fresh strategy (one per account).
	Strategy func() backtest.Strategy
	// Source returns the data to replay; it may call t.Fatal, and register t.Cleanup to close it.
	Source func(t testing.TB) backtest.Source
	// Config configures the run.
	Config backtest.Config
	// Dir holds the golden files; "" means "testdata".
	Dir string
	// NoDeterminismCheck skips the second run. By default Run replays the case twice, once
	// with Config.Parallel as given and once with it flipped, and fails when any account's
	// fingerprint differs between the two (accounts on goroutines must not change a byte).
	NoDeterminismCheck bool
}

// maxDiffLines bounds the lines of log diff shown per account.
const maxDiffLines = 12

// Run runs c and compares it with its golden files (or rewrites them with -update). It
// returns the result for further checks.
func Run(t testing.TB, c Case) *backtest.Result {
	t.Helper()
	if c.Name == "" || strings.ContainsAny(c.Name, `/\`) {
		t.Fatalf("bttest: invalid case name %q", c.Name)
	}
	if c.Strategy == nil || c.Source == nil {
		t.Fatalf("bttest: case %s: Strategy and Source are required", c.Name)
	}
	src := c.Source(t)
	res, err := backtest.Run(context.Background(), c.Config, c.Strategy, src)
	if err != nil {
		t.Fatalf("bttest: case %s: %v", c.Name, err)
	}
	if !c.NoDeterminismCheck {
		cfg := c.Config
		cfg.Parallel = !cfg.Parallel
		again, err := backtest.Run(context.Background(), cfg, c.Strategy, c.Source(t))
		if err != nil {
			t.Fatalf("bttest: case %s (Parallel=%t): %v", c.Name, cfg.Parallel, err)
		}
		if len(again.Accounts) != len(res.Accounts) {
			t.Fatalf("bttest: case %s: %d accounts with Parallel=%t, %d without", c.Name, len(again.Accounts), cfg.Parallel, len(res.Accounts))
		}
		for k := range res.Accounts {
			if a, b := res.Accounts[k].Fingerprint(), again.Accounts[k].Fingerprint(); a != b {
				t.Errorf("bttest: case %s: account %s is not deterministic: fingerprint %s with Parallel=%t, %s with Parallel=%t",
					c.Name, res.Accounts[k].Name, a, c.Config.Parallel, b, cfg.Parallel)
			}
		}
	}
	dir := c.Dir
	if dir == "" {
		dir = "testdata"
	}
	golden := filepath.Join(dir, c.Name+".golden")
	got := Summary(c.Name, res)
	logs := make(map[string][]byte, len(res.Accounts))
	for k := range res.Accounts {
		var b bytes.Buffer
		if err := res.Accounts[k].CanonicalLog(&b); err != nil {
			t.Fatalf("bttest: case %s: canonical log of %s: %v", c.Name, res.Accounts[k].Name, err)
		}
		logs[res.Accounts[k].Name] = b.Bytes()
	}
	logPath := func(account string) string { return filepath.Join(dir, c.Name+"."+account+".log") }

	if updating() {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatalf("bttest: %v", err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatalf("bttest: %v", err)
		}
		for name, l := range logs {
			if err := os.WriteFile(logPath(name), l, 0o644); err != nil {
				t.Fatalf("bttest: %v", err)
			}
		}
		t.Logf("bttest: wrote %s and %d logs", golden, len(logs))
		return res
	}

	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("bttest: case %s: %v (run `go test -update` to create it)", c.Name, err)
	}
	if bytes.Equal(want, got) {
		return res
	}
	var msg strings.Builder
	fmt.Fprintf(&msg, "bttest: case %s differs from %s (run `go test -update` to accept):\n", c.Name, golden)
	msg.WriteString(Diff("golden", want, "got", got, 40))
	for _, acc := range res.Accounts {
		if bytes.Contains(want, []byte("fingerprint "+acc.Fingerprint()+"\n")) {
			continue
		}
		old, err := os.ReadFile(logPath(acc.Name))
		if err != nil {
			fmt.Fprintf(&msg, "\naccount %s: no stored log to compare (%v)\n", acc.Name, err)
			continue
		}
		fmt.Fprintf(&msg, "\naccount %s canonical log, first differences:\n", acc.Name)
		msg.WriteString(Diff(logPath(acc.Name), old, "got", logs[acc.Name], maxDiffLines))
	}
	t.Error(msg.String())
	return res
}

// Summary is the golden text of res: per account its fingerprint and key metrics, with
// decimals printed exactly.
func Summary(name string, res *backtest.Result) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# bttest %s: fingerprints and metrics per account; regenerate with go test -update\n", name)
	fmt.Fprintf(&b, "symbols %s\n", strings.Join(res.Symbols, ","))
	fmt.Fprintf(&b, "span %d %d\n", res.Start, res.End)
	for k := range res.Accounts {
		a := &res.Accounts[k]
		fees, funding := decimal.Zero, decimal.Zero
		for _, f := range a.Fills {
			fees = fees.Add(f.Fee)
		}
		for _, p := range a.Funding {
			funding = funding.Add(p.Amount)
		}
		fmt.Fprintf(&b, "account %s\n", a.Name)
		fmt.Fprintf(&b, "  fingerprint %s\n", a.Fingerprint())
		fmt.Fprintf(&b, "  final_equity %s\n", a.Final.MarginBalance.String())
		fmt.Fprintf(&b, "  final_wallet %s\n", a.Final.Wallet.Add(a.Final.IsolatedWallets).String())
		fmt.Fprintf(&b, "  fills %d\n", len(a.Fills))
		fmt.Fprintf(&b, "  trades %d\n", len(a.Trades))
		fmt.Fprintf(&b, "  liquidations %d\n", len(a.Liquidations))
		fmt.Fprintf(&b, "  rejects %d\n", len(a.Rejects))
		fmt.Fprintf(&b, "  fees %s\n", fees.String())
		fmt.Fprintf(&b, "  funding %s\n", funding.String())
		fmt.Fprintf(&b, "  ruined %t\n", a.Ruined)
	}
	return b.Bytes()
}

// Diff returns a readable report of where b differs from a, line by line: the first
// differing line with up to two lines of context before it, then up to n lines of each side
// from there (fewer when the two sides agree again sooner). It returns "" when a and b are
// equal.
func Diff(nameA string, a []byte, nameB string, b []byte, n int) string {
	if bytes.Equal(a, b) {
		return ""
	}
	la := strings.Split(string(a), "\n")
	lb := strings.Split(string(b), "\n")
	i := 0
	for i < len(la) && i < len(lb) && la[i] == lb[i] {
		i++
	}
	var s strings.Builder
	fmt.Fprintf(&s, "first difference at line %d (%s: %d lines, %s: %d lines)\n", i+1, nameA, len(la), nameB, len(lb))
	for k := max(0, i-2); k < i; k++ {
		fmt.Fprintf(&s, "    %5d  %s\n", k+1, la[k])
	}
	// Re-synchronize on the next common line, if any, to show a compact hunk.
	endA, endB := min(len(la), i+n), min(len(lb), i+n)
	if ja, jb, ok := resync(la, lb, i, n); ok {
		endA, endB = min(ja, endA), min(jb, endB)
	}
	for k := i; k < endA; k++ {
		fmt.Fprintf(&s, "  - %5d  %s\n", k+1, la[k])
	}
	for k := i; k < endB; k++ {
		fmt.Fprintf(&s, "  + %5d  %s\n", k+1, lb[k])
	}
	return s.String()
}

// resync finds the first pair (ja, jb), ja, jb >= i and within window lines, at which a and b
// agree again on a non-empty line.
func resync(a, b []string, i, window int) (int, int, bool) {
	for d := 1; d <= 2*window; d++ {
		for ja := i; ja <= i+d && ja < len(a); ja++ {
			jb := i + d - (ja - i)
			if jb < len(b) && jb >= i && a[ja] != "" && a[ja] == b[jb] {
				return ja, jb, true
			}
		}
	}
	return 0, 0, false
}
