package testenv

import (
	"bytes"
	"context"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Chromium returns the path of a headless-capable Chromium, or ends the test through Missing.
func Chromium(t testing.TB) string {
	t.Helper()
	return Program(t, "install Debian's chromium package to run the browser test",
		"chromium", "chromium-browser", "google-chrome", "chrome")
}

// RunChromium runs the browser bin headless with a fresh profile directory and args (e.g.
// "--dump-dom", "file:///…/page.html"), giving scripts 5 s of virtual time, and returns its
// stdout and stderr (where console messages are logged). The process is started here and
// waited for (killed after 90 s), so the test stops only what it started.
func RunChromium(t testing.TB, bin, profile string, args ...string) (stdout, stderr []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000"}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\nstderr:\n%s", args, err, e.String())
	}
	return o.Bytes(), e.Bytes()
}

// ConsoleErrors returns the console errors (uncaught exceptions, console.error) Chromium
// logged on stderr.
func ConsoleErrors(stderr []byte) []string {
	var out []string
	for _, line := range strings.Split(string(stderr), "\n") {
		if strings.Contains(line, "CONSOLE") && (strings.Contains(line, "Uncaught") || strings.Contains(line, "ERROR")) {
			out = append(out, line)
		}
	}
	return out
}

// Probe returns the text of the <pre id="probe"> element a test script appended to a page
// wrote into the dumped DOM, and whether there was one.
func Probe(dom []byte) (string, bool) {
	m := reProbe.FindSubmatch(dom)
	if m == nil {
		return "", false
	}
	return string(m[1]), true
}

var reProbe = regexp.MustCompile(`<pre id="probe">([^<]*)</pre>`)
