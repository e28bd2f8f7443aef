package bt_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The margin rules are documented in the repository (docs/margin.md), and code and docs cite its
// numbered sections as "docs/margin.md §n" (or "§n, §m", "§n and §m"). A fresh clone has no
// ../shared directory, so nothing may cite the shared reference document.

var (
	// citeRe matches a citation of docs/margin.md with its section list.
	citeRe = regexp.MustCompile(`docs/margin\.md §\d+(?:(?:, | and )§\d+)*`)
	// sectionRe matches a numbered section heading of docs/margin.md.
	sectionRe = regexp.MustCompile(`(?m)^## (\d+)\. `)
	// staleRe matches citations of the shared reference that a clone does not have.
	staleRe = regexp.MustCompile(`reference §\d|shared/reference/binance-usdm-margin`)
)

// marginSections returns the section numbers of docs/margin.md.
func marginSections(t *testing.T) map[int]bool {
	t.Helper()
	data, err := os.ReadFile("docs/margin.md")
	if err != nil {
		t.Fatal(err)
	}
	secs := map[int]bool{}
	for _, m := range sectionRe.FindAllStringSubmatch(string(data), -1) {
		n, _ := strconv.Atoi(m[1])
		secs[n] = true
	}
	return secs
}

// citationProblems lists the stale citations and the citations of missing sections in text.
func citationProblems(name, text string, secs map[int]bool) []string {
	var out []string
	for i, line := range strings.Split(text, "\n") {
		if staleRe.MatchString(line) {
			out = append(out, fmt.Sprintf("%s:%d: cites the shared reference (not in a clone); cite docs/margin.md §n", name, i+1))
		}
		for _, c := range citeRe.FindAllString(line, -1) {
			for _, num := range regexp.MustCompile(`§(\d+)`).FindAllStringSubmatch(c, -1) {
				if n, _ := strconv.Atoi(num[1]); !secs[n] {
					out = append(out, fmt.Sprintf("%s:%d: cites docs/margin.md §%d, which does not exist", name, i+1, n))
				}
			}
		}
	}
	return out
}

// TestMarginCitations: every "docs/margin.md §n" in Go and Markdown files names a section that
// exists, and nothing cites the shared reference document.
func TestMarginCitations(t *testing.T) {
	secs := marginSections(t)
	if len(secs) < 10 {
		t.Fatalf("docs/margin.md has %d numbered sections (## n. Title), want at least 10", len(secs))
	}
	for n := 1; n <= len(secs); n++ {
		if !secs[n] {
			t.Errorf("docs/margin.md: sections are not numbered 1..%d: §%d is missing", len(secs), n)
		}
	}
	cites := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, ".md") || name == "citations_test.go" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		cites += len(citeRe.FindAllIndex(data, -1))
		for _, p := range citationProblems(filepath.ToSlash(path), string(data), secs) {
			t.Error(p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if cites < 10 {
		t.Errorf("found %d citations of docs/margin.md, want the code to cite it", cites)
	}
}

// TestMarginCitationsCatch shows the check finds what it is for.
func TestMarginCitationsCatch(t *testing.T) {
	secs := map[int]bool{1: true, 2: true}
	text := "ok docs/margin.md §1 and §2\n// (reference §4)\nsee docs/margin.md §2, §7\n../shared/reference/binance-usdm-margin.md\n"
	got := citationProblems("x.go", text, secs)
	want := []string{"x.go:2: cites the shared", "x.go:3: cites docs/margin.md §7", "x.go:4: cites the shared"}
	if len(got) != len(want) {
		t.Fatalf("problems %q, want %d", got, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w) {
			t.Errorf("problem %d = %q, want prefix %q", i, got[i], w)
		}
	}
}
