package backtest

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ParseSeries builds consecutive bars of symbol from start (Unix ms) every interval ms from a
// compact notation in the spirit of the promql test language, for tests and examples. The
// spec is a whitespace-separated list of items, each one or more bars:
//
//	100          a bar closing at 100 that opens at the previous close (high and low are
//	             the larger and smaller of the two); the first bar opens at its close
//	100+1x3      bars closing at 100, 101, 102, 103 (also 100-2x3; 100+0x3 repeats)
//	98/101/97/99 an explicit bar: open/high/low/close
//	_            no bar at that time (a halt or a gap in the data); _x3 is four of them
//
// So "100 100+1x2 _ 95/96/80/90" is five timestamps with a halt in the fourth. An expansion
// that would take the series past 1,000,000 bars is refused. Prices must be finite and
// positive, explicit bars must have low <= open, close <= high; errors name the item.
func ParseSeries(symbol string, start, interval int64, spec string) ([]Bar, error) {
	const maxSeriesBars = 1_000_000 // a few expansions of 1000000 would otherwise take gigabytes
	var out []Bar
	k := 0 // timestamp index
	prev := math.NaN()
	add := func(o, h, l, c float64) {
		t := start + int64(k)*interval
		out = append(out, Bar{Symbol: symbol, Time: t, End: t + interval, Open: o, High: h, Low: l, Close: c})
		prev = c
		k++
	}
	closeAt := func(c float64) {
		o := prev
		if math.IsNaN(o) {
			o = c
		}
		add(o, math.Max(o, c), math.Min(o, c), c)
	}
	for n, item := range strings.Fields(spec) {
		bad := func(format string, a ...any) error {
			return fmt.Errorf("%w: series %s item %d %q: %s", ErrBadSource, symbol, n+1, item, fmt.Sprintf(format, a...))
		}
		switch {
		case item == "_" || strings.HasPrefix(item, "_x"):
			reps := 0
			if item != "_" {
				r, err := strconv.Atoi(item[2:])
				if err != nil || r < 0 || r > 1_000_000 {
					return nil, bad("repeat count must be an integer in [0, 1000000]")
				}
				reps = r
			}
			k += reps + 1
		case strings.Contains(item, "/"):
			f := strings.Split(item, "/")
			if len(f) != 4 {
				return nil, bad("an explicit bar is open/high/low/close")
			}
			var v [4]float64
			for j, s := range f {
				x, err := price(s)
				if err != nil {
					return nil, bad("%v", err)
				}
				v[j] = x
			}
			if !(v[2] <= v[0] && v[2] <= v[3] && v[1] >= v[0] && v[1] >= v[3]) {
				return nil, bad("need low <= open, close <= high")
			}
			add(v[0], v[1], v[2], v[3])
		case strings.Contains(item, "x"):
			body, count, _ := strings.Cut(item, "x")
			reps, err := strconv.Atoi(count)
			if err != nil || reps < 0 || reps > 1_000_000 {
				return nil, bad("repeat count must be an integer in [0, 1000000]")
			}
			i := strings.LastIndexAny(body, "+-")
			if i <= 0 {
				return nil, bad("an expansion is a+bxN or a-bxN")
			}
			a, err := price(body[:i])
			if err != nil {
				return nil, bad("%v", err)
			}
			b, err := strconv.ParseFloat(body[i+1:], 64)
			if err != nil || math.IsNaN(b) || math.IsInf(b, 0) {
				return nil, bad("bad step %q", body[i+1:])
			}
			if body[i] == '-' {
				b = -b
			}
			if len(out)+reps+1 > maxSeriesBars {
				return nil, bad("the series would hold more than %d bars", maxSeriesBars)
			}
			for j := 0; j <= reps; j++ {
				c := a + float64(j)*b
				if !(c > 0) || math.IsInf(c, 0) {
					return nil, bad("the expansion reaches %v, not a positive price", c)
				}
				closeAt(c)
			}
		default:
			c, err := price(item)
			if err != nil {
				return nil, bad("%v", err)
			}
			closeAt(c)
		}
	}
	return out, nil
}

// price parses a finite positive price.
func price(s string) (float64, error) {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || !(x > 0) || math.IsInf(x, 0) {
		return 0, fmt.Errorf("%q is not a finite positive price", s)
	}
	return x, nil
}
