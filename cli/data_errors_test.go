package cli

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// TestDownloadNoNetwork: bt data download against a server that does not listen stops after
// three connection failures with one message saying the server cannot be reached, instead of
// one failure per archive (6 years × 2 kinds here; 214 in the report).
func TestDownloadNoNetwork(t *testing.T) {
	hs := httptest.NewServer(http.NotFoundHandler())
	url := hs.URL
	hs.Close()
	dir := t.TempDir()
	code, out, errs := bt(t, "data", "download", "binance", "--base-url", url, "--dir", filepath.Join(dir, "dl"), "--store", filepath.Join(dir, "store"),
		"--symbols", "BTCUSDT", "--kinds", "klines,markPriceKlines", "--start", "2019-01-01", "--now", "2025-01-15T00:00:00Z")
	if code != 1 {
		t.Fatalf("exit %d, want 1\nstdout %s\nstderr %s", code, out, errs)
	}
	if n := strings.Count(errs, "failed "); n != 3 {
		t.Errorf("%d archives reported failed, want 3:\n%s", n, errs)
	}
	if strings.Count(errs, "bt: ") != 1 || !strings.Contains(errs, "cannot reach the download server (is the network up?)") || !strings.Contains(errs, url) {
		t.Errorf("want one message that the server cannot be reached:\n%s", errs)
	}
	if !strings.Contains(out, "failed 3") {
		t.Errorf("summary: %s", out)
	}
}

// TestRunDataErrorsForPeople: the run's data selection errors list what the store has.
func TestRunDataErrorsForPeople(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--symbols", "BTCUSDT,FOOUSDT"}, []string{"no 1h klines of FOOUSDT from binance-um", "the store has klines of ADAUSDT, ", "BTCUSDT"}},
		{[]string{"--symbols", "BTCUSDT", "--start", "2030-01-01"}, []string{"no 1h klines of BTCUSDT", "in the time range from 2030-01-01T00:00Z",
			"the store holds BTCUSDT from 2025-05-01T00:00Z to 2026-02-19T00:00Z"}},
		{[]string{"--interval", "5m"}, []string{"no klines at interval 5m", "at 1h from binance-um"}},
	} {
		args := append([]string{"run", "--strategy", "hodl", "--out", filepath.Join(dir, "run"), "--no-report"}, tc.args...)
		code, _, errs := bt(t, args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2: %s", tc.args, code, errs)
		}
		for _, w := range tc.want {
			if !strings.Contains(errs, w) {
				t.Errorf("%v: stderr lacks %q:\n%s", tc.args, w, errs)
			}
		}
	}
}
