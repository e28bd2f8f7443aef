package sweep

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/bt-backtest/bt/data/parquet"
)

// progress reports a shard's progress: on a terminal a line redrawn in place (percentage,
// configurations per second, ETA), in logs one line per tenth of a pass's data (a pass may
// hold a whole sweep: DefaultPassAccounts), one per pass and one at the end. The wall
// clock only paces and labels the drawing; it never reaches a result.
type progress struct {
	w      io.Writer // nil: silent
	tty    bool
	label  string
	total  int // configurations of the shard
	passes int

	passN      int     // passes started
	done       float64 // configurations finished in earlier passes
	began      time.Time
	passBegan  time.Time
	lastDraw   time.Time
	curConfigs int
	curHint    int
	curSteps   int
	nextTenth  int // in logs: the timestamp count of the pass's next tenth to report
}

func newProgress(w io.Writer, tty bool, sh Shard, total, passes int) *progress {
	p := &progress{w: w, tty: tty, label: "shard " + sh.String(), total: total, passes: passes, began: time.Now()}
	if sh == All {
		p.label = "sweep"
	}
	if w != nil && !tty {
		fmt.Fprintf(w, "%s: %d configurations in %d %s over the data\n", p.label, total, passes, plural(passes, "pass", "passes"))
	}
	return p
}

// tapped counts the timestamps a pass reads. Embedding *parquet.Stream keeps the stream's
// optional methods visible to the engine.
type tapped struct {
	*parquet.Stream
	p *progress
}

// Next advances the stream and redraws the progress line at most ten times a second.
func (t *tapped) Next() bool {
	if !t.Stream.Next() {
		return false
	}
	p := t.p
	p.curSteps++
	if !p.tty && p.w != nil && p.nextTenth > 0 && p.curSteps >= p.nextTenth {
		tenth := p.curSteps * 10 / p.curHint
		p.nextTenth = (tenth + 1) * p.curHint / 10
		if tenth >= 10 {
			p.nextTenth = 0 // past the hint: passDone reports the end
		} else {
			fmt.Fprintf(p.w, "%s: pass %d/%d: %d%% of the data (%d configurations, %.1f s)\n", p.label, p.passN, p.passes,
				tenth*10, p.curConfigs, time.Since(p.passBegan).Seconds())
		}
	}
	if p.tty && p.curSteps&255 == 0 {
		if now := time.Now(); now.Sub(p.lastDraw) >= 100*time.Millisecond {
			p.lastDraw = now
			p.draw(now)
		}
	}
	return true
}

// pass starts a pass of n configurations over st (about hint timestamps).
func (p *progress) pass(st *parquet.Stream, n, hint int) *tapped {
	p.passN++
	p.curConfigs, p.curHint, p.curSteps = n, hint, 0
	p.nextTenth = 0
	if hint >= 10 {
		p.nextTenth = hint / 10
	}
	p.passBegan = time.Now()
	return &tapped{Stream: st, p: p}
}

// fraction is the share of the shard done.
func (p *progress) fraction() float64 {
	if p.total == 0 {
		return 1
	}
	cur := 0.0
	if p.curHint > 0 {
		cur = min(float64(p.curSteps)/float64(p.curHint), 1) * float64(p.curConfigs)
	}
	return min((p.done+cur)/float64(p.total), 1)
}

func (p *progress) draw(now time.Time) {
	f := p.fraction()
	el := now.Sub(p.began).Seconds()
	const width = 30
	bar := strings.Repeat("#", int(f*width)) + strings.Repeat(".", width-int(f*width))
	line := fmt.Sprintf("\r%s [%s] %3.0f%%", p.label, bar, f*100)
	if el > 0 && f > 0 {
		rate := f * float64(p.total) / el
		eta := time.Duration((1 - f) / f * el * float64(time.Second)).Round(time.Second)
		line += fmt.Sprintf("  %.2f configurations/s  ETA %s", rate, eta)
	}
	if p.passes > 1 {
		line += fmt.Sprintf("  pass %d/%d", p.passN, p.passes)
	}
	fmt.Fprint(p.w, line+"  ")
}

// passDone records the end of the current pass.
func (p *progress) passDone(n int) {
	p.done += float64(n)
	p.curConfigs, p.curSteps = 0, 0
	if p.w == nil {
		return
	}
	if p.tty {
		p.draw(time.Now())
		return
	}
	fmt.Fprintf(p.w, "%s: pass %d/%d: %d configurations in %.1f s (%d/%d done)\n", p.label, p.passN, p.passes, n,
		time.Since(p.passBegan).Seconds(), int(p.done), p.total)
}

// finish ends the progress output.
func (p *progress) finish() {
	if p.w == nil {
		return
	}
	el := time.Since(p.began).Seconds()
	if p.tty {
		fmt.Fprint(p.w, "\r"+strings.Repeat(" ", 100)+"\r")
	}
	rate := 0.0
	if el > 0 {
		rate = float64(p.total) / el
	}
	fmt.Fprintf(p.w, "%s: %d configurations done in %.1f s (%.2f/s)\n", p.label, p.total, el, rate)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
