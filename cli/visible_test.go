package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bt-backtest/bt/reports/metrics"
)

func summaryOf(t *testing.T, dir string) metrics.Summary {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s metrics.Summary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// A trade log of 1000 BTC (60,000,000 USDT of notional on a 10,000 wallet) is refused for
// insufficient margin: no trade, but the refusal is counted in summary.json, printed under the
// summary, warned on stderr and listed in the report; with --strict bt exits 1.
func TestReplayRejectionsVisible(t *testing.T) {
	tmp := t.TempDir()
	store := filepath.Join(tmp, "store")
	makeStore(t, store, 48)
	log := writeFile(t, filepath.Join(tmp, "trades.csv"), "time,symbol,side,type,qty,price,leverage,reduce_only\n"+
		"2025-10-01T05:00:00Z,BTCUSDT,buy,market,1000,,10,false\n")
	args := []string{"run", "--data", store, "--symbols", "BTCUSDT", "--strategy", "replay", "--set", "strategy.params.file=" + log}
	out, errs := mustBT(t, 0, append(args, "--out", filepath.Join(tmp, "a"))...)
	if !strings.Contains(out, "rejected:      isolated 1 (insufficient margin ×1)") || !strings.Contains(out, "fallbacks:     none") {
		t.Errorf("printed summary lacks the rejection:\n%s", out)
	}
	if n := strings.Count(errs, "warning: replay: account "); n != 2 ||
		!strings.Contains(errs, "BTCUSDT buy market 1000 at ") || !strings.Contains(errs, "(replay row 2): insufficient margin") {
		t.Errorf("stderr does not warn once per account of the rejected logged order:\n%s", errs)
	}
	s := summaryOf(t, filepath.Join(tmp, "a"))
	for _, name := range []string{"isolated", "cross"} {
		a := s.Accounts[name]
		if a.Trades != 0 || a.Rejections != 1 || len(a.RejectionsByReason) != 1 || a.RejectionsByReason[0].Code != "insufficient_margin" {
			t.Errorf("summary.json %s: trades %d, rejections %d %+v", name, a.Trades, a.Rejections, a.RejectionsByReason)
		}
	}
	html, err := os.ReadFile(filepath.Join(tmp, "a", "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), "<h3>isolated: 1 rejected</h3>") || !strings.Contains(string(html), "<td>insufficient margin</td><td>replay row 2</td>") {
		t.Error("report.html lacks the rejections table")
	}

	_, errs = mustBT(t, 1, append(args, "--out", filepath.Join(tmp, "b"), "--strict", "--no-report")...)
	if !strings.Contains(errs, "bt: strict condition failed") || !strings.Contains(errs, "account isolated: 1 logged orders or leverage changes rejected (insufficient margin ×1)") {
		t.Errorf("--strict stderr:\n%s", errs)
	}
	if _, err := os.Stat(filepath.Join(tmp, "b", "summary.json")); err != nil {
		t.Errorf("--strict still writes the run directory: %v", err)
	}
	// the experiment key, and a clean run passes under strict
	x := writeFile(t, filepath.Join(tmp, "x.yaml"), "strict: true\nstrategy: {name: hodl}\n")
	out, _ = mustBT(t, 0, "run", "-c", x, "--data", store, "--symbols", "BTCUSDT", "--out", filepath.Join(tmp, "c"), "--no-report", "--json")
	var doc runOutput
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.StrictFailed) != 0 {
		t.Errorf("a clean strict run: %v %+v", err, doc.StrictFailed)
	}
}

// Data without mark prices: the mark falls back to the last price on every bar. summary.json
// and manifest.json name the fallback, the assumptions state it, stderr warns once, and
// strict: true turns it into exit 1.
func TestMarkFallbackVisible(t *testing.T) {
	tmp := t.TempDir()
	store := filepath.Join(tmp, "store")
	makeStore(t, store, 48)
	if err := os.RemoveAll(filepath.Join(store, "kind=mark")); err != nil {
		t.Fatal(err)
	}
	args := []string{"run", "--data", store, "--symbols", "BTCUSDT", "--strategy", "hodl", "--no-report"}
	out, errs := mustBT(t, 0, append(args, "--out", filepath.Join(tmp, "a"))...)
	if n := strings.Count(errs, "warning: fallback mark_from_last: BTCUSDT: no mark-price bar on 48 of 48 bars (100.0%)"); n != 1 {
		t.Errorf("stderr warns %d times of the mark fallback, want once:\n%s", n, errs)
	}
	if !strings.Contains(out, "fallbacks:     mark_from_last BTCUSDT 48") {
		t.Errorf("printed summary lacks the fallback:\n%s", out)
	}
	s := summaryOf(t, filepath.Join(tmp, "a"))
	if len(s.Fallbacks) != 1 || s.Fallbacks[0].Kind != "mark_from_last" || s.Fallbacks[0].Count != 48 {
		t.Errorf("summary.json fallbacks %+v", s.Fallbacks)
	}
	b, err := os.ReadFile(filepath.Join(tmp, "a", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"kind": "mark_from_last"`) || !strings.Contains(string(b), `"key": "mark_fallback"`) &&
		!strings.Contains(string(b), `"Key": "mark_fallback"`) {
		t.Errorf("manifest.json lacks the fallback or its assumption:\n%s", b)
	}
	_, errs = mustBT(t, 1, append(args, "--out", filepath.Join(tmp, "b"), "--set", "strict=true")...)
	if !strings.Contains(errs, "bt: strict condition failed") || !strings.Contains(errs, "fallback mark_from_last: BTCUSDT") {
		t.Errorf("strict stderr:\n%s", errs)
	}
}

// Logged orders timed after the data's last bar are never submitted (the replayer's timing
// rule): bt says how many on stderr with the first row, and --strict fails on them.
func TestReplayLateOrdersVisible(t *testing.T) {
	tmp := t.TempDir()
	store := filepath.Join(tmp, "store")
	makeStore(t, store, 48)
	log := writeFile(t, filepath.Join(tmp, "trades.csv"), "time,symbol,side,type,qty,price,leverage,reduce_only\n"+
		"2025-10-01T05:00:00Z,BTCUSDT,buy,market,0.01,,10,false\n"+
		"2026-01-05T00:00:00Z,BTCUSDT,sell,market,0.01,,,true\n"+
		"2026-01-04T00:00:00Z,BTCUSDT,sell,market,0.01,,,false\n")
	args := []string{"run", "--data", store, "--symbols", "BTCUSDT", "--strategy", "replay", "--set", "strategy.params.file=" + log, "--no-report"}
	_, errs := mustBT(t, 0, append(args, "--out", filepath.Join(tmp, "a"))...)
	if !strings.Contains(errs, "warning: replay: 2 logged orders are timed after the run's last bar") ||
		!strings.Contains(errs, "first: row 4 at 2026-01-04 00:00Z BTCUSDT") {
		t.Errorf("stderr does not tell of the two late orders:\n%s", errs)
	}
	_, errs = mustBT(t, 1, append(args, "--out", filepath.Join(tmp, "b"), "--strict")...)
	if !strings.Contains(errs, "2 logged orders after the run's last bar") {
		t.Errorf("--strict does not fail on the late orders:\n%s", errs)
	}
}

// bt run --position-mode hedge replays a log with position_side in hedge mode: the records
// carry each fill's and trade's leg (position_side column) and config.resolved.yaml says
// position_mode: hedge. A bad value, or hedge mode with a strategy that names no position side,
// is a usage error (exit 2) in a trader's words.
func TestRunHedgeReplay(t *testing.T) {
	tmp := t.TempDir()
	store := filepath.Join(tmp, "store")
	makeStore(t, store, 48)
	log := writeFile(t, filepath.Join(tmp, "trades.csv"), "time,symbol,side,type,qty,price,leverage,reduce_only,position_side\n"+
		"2025-10-01T05:00:00Z,BTCUSDT,buy,market,0.01,,10,false,LONG\n"+
		"2025-10-01T05:00:00Z,BTCUSDT,sell,market,0.005,,,false,SHORT\n"+
		"2025-10-01T10:00:00Z,BTCUSDT,buy,market,0.005,,,false,SHORT\n")
	out := filepath.Join(tmp, "run")
	mustBT(t, 0, "run", "--data", store, "--symbols", "BTCUSDT", "--strategy", "replay", "--set", "strategy.params.file="+log,
		"--position-mode", "hedge", "--no-report", "--out", out)
	for _, acct := range []string{"isolated", "cross"} {
		fills, err := os.ReadFile(filepath.Join(out, acct, "fills.csv"))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(fills)), "\n")
		if len(lines) != 4 || !strings.HasSuffix(lines[0], ",position_side") || !strings.HasSuffix(lines[1], ",LONG") ||
			!strings.HasSuffix(lines[2], ",SHORT") || !strings.HasSuffix(lines[3], ",SHORT") {
			t.Errorf("%s fills.csv:\n%s", acct, fills)
		}
		trades, err := os.ReadFile(filepath.Join(out, acct, "trades.csv"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(trades), ",SHORT\n") {
			t.Errorf("%s trades.csv lacks the SHORT leg's round trip:\n%s", acct, trades)
		}
	}
	if cfg, err := os.ReadFile(filepath.Join(out, "config.resolved.yaml")); err != nil || !strings.Contains(string(cfg), "position_mode: hedge") {
		t.Errorf("config.resolved.yaml: %v\n%s", err, cfg)
	}
	_, errs := mustBT(t, 2, "run", "--data", store, "--position-mode", "dual")
	if !strings.Contains(errs, `position_mode: "dual": want one-way (one position per symbol) or hedge`) {
		t.Errorf("bad --position-mode: %s", errs)
	}
	_, errs = mustBT(t, 2, "run", "--data", store, "--strategy", "swing", "--position-mode", "hedge")
	if !strings.Contains(errs, "strategy swing trades one position per symbol and names no position side") {
		t.Errorf("hedge with swing: %s", errs)
	}
}
