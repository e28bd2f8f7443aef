package inspect

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/bt-backtest/bt/data"
	"github.com/bt-backtest/bt/data/parquet"
)

// Options bounds the lists a report holds. The zero value is useful.
type Options struct {
	MaxGaps   int // gaps listed per series (all are counted); 0 means 20
	TopMoves  int // largest moves listed per series; 0 means 5
	MaxIssues int // OHLC violations and order problems listed per series; 0 means 10
}

func (o Options) withDefaults() Options {
	if o.MaxGaps == 0 {
		o.MaxGaps = 20
	}
	if o.TopMoves == 0 {
		o.TopMoves = 5
	}
	if o.MaxIssues == 0 {
		o.MaxIssues = 10
	}
	return o
}

// Report is the inspection of a set of series.
type Report struct {
	Series []SeriesReport `json:"series"`
}

// SeriesReport is the inspection of one series.
type SeriesReport struct {
	Symbol   string `json:"symbol"`
	Kind     string `json:"kind"`
	Interval string `json:"interval,omitempty"`
	Source   string `json:"source"`
	Rows     int    `json:"rows"`
	First    int64  `json:"first"` // Unix ms of the first row (0 if none)
	Last     int64  `json:"last"`  // Unix ms of the last row

	GapCount    int   `json:"gap_count"`    // runs of missing bars (klines)
	MissingBars int64 `json:"missing_bars"` // bars missing inside the span
	Gaps        []Gap `json:"gaps"`         // the first Options.MaxGaps gaps

	Duplicates     int     `json:"duplicates"`      // rows whose time equals the previous row's
	OutOfOrder     int     `json:"out_of_order"`    // rows whose time is before the previous row's
	Misaligned     int     `json:"misaligned"`      // kline open times not a multiple of the interval
	OHLCViolations int     `json:"ohlc_violations"` // rows failing data.CheckKline / CheckFunding
	Issues         []Issue `json:"issues"`          // the first Options.MaxIssues problems

	ZeroVolume   int    `json:"zero_volume"` // kline bars with volume 0
	LargestMoves []Move `json:"largest_moves"`

	MarkDivergence *Divergence `json:"mark_divergence,omitempty"` // klines with a mark series

	FundingCadence []Cadence `json:"funding_cadence,omitempty"` // funding: spacing histogram
	MinRate        float64   `json:"min_rate,omitempty"`
	MaxRate        float64   `json:"max_rate,omitempty"`

	Error string `json:"error,omitempty"` // the store could not read the series
}

// Gap is a run of missing bars: open times From, From+interval, ..., To-interval are absent.
type Gap struct {
	From    int64 `json:"from"`
	To      int64 `json:"to"`
	Missing int64 `json:"missing"`
}

// Issue is one bad row.
type Issue struct {
	Row   int    `json:"row"` // 1-based index in the series
	Time  int64  `json:"time"`
	Field string `json:"field"`
	Error string `json:"error"`
}

// Move is one close-to-close return, at the later bar's open time.
type Move struct {
	Time   int64   `json:"time"`
	Return float64 `json:"return"`
}

// Divergence summarizes |mark close - last close| / last close over the common bars.
type Divergence struct {
	Compared int     `json:"compared"` // bars present in both series
	Max      float64 `json:"max"`
	MaxTime  int64   `json:"max_time"`
	Mean     float64 `json:"mean"`
	LastOnly int     `json:"last_only"` // kline bars with no mark bar
}

// Cadence is one bin of the funding spacing histogram.
type Cadence struct {
	Hours float64 `json:"hours"` // time since the previous settlement
	Count int     `json:"count"`
}

func header(sr data.Series, rows int) SeriesReport {
	return SeriesReport{Symbol: sr.Symbol, Kind: string(sr.Kind), Interval: sr.Interval, Source: sr.Source,
		Rows: rows, Gaps: []Gap{}, Issues: []Issue{}, LargestMoves: []Move{}}
}

// issue lists the bad row i (0-based) at time t, if fewer than limit issues are listed.
func (r *SeriesReport) issue(limit, i int, t int64, field string, err error) {
	if len(r.Issues) < limit {
		r.Issues = append(r.Issues, Issue{Row: i + 1, Time: t, Field: field, Error: err.Error()})
	}
}

// Klines inspects kline or mark-kline rows of series sr in the order given.
func Klines(sr data.Series, rows []data.Kline, opt Options) SeriesReport {
	opt = opt.withDefaults()
	r := header(sr, len(rows))
	if len(rows) == 0 {
		return r
	}
	r.First, r.Last = rows[0].OpenTime, rows[len(rows)-1].OpenTime
	iv, _ := data.IntervalMillis(sr.Interval)
	issue := func(i int, field string, err error) { r.issue(opt.MaxIssues, i, rows[i].OpenTime, field, err) }
	prev := &rows[0]
	for i := range rows {
		k := &rows[i]
		if f, err := data.CheckKline(k); err != nil {
			r.OHLCViolations++
			issue(i, f, err)
		}
		if sr.Kind != data.KindMark && k.Volume == 0 {
			r.ZeroVolume++
		}
		if iv > 0 && k.OpenTime%iv != 0 {
			r.Misaligned++
			issue(i, "open_time", data.ErrMisaligned)
		}
		if i == 0 {
			continue
		}
		// Compare with the last row that was in order, so one stray row does not distort
		// the gaps and moves around it.
		switch {
		case k.OpenTime == prev.OpenTime:
			r.Duplicates++
			issue(i, "open_time", data.ErrDuplicate)
			continue
		case k.OpenTime < prev.OpenTime:
			r.OutOfOrder++
			issue(i, "open_time", data.ErrOutOfOrder)
			continue
		}
		if iv > 0 && k.OpenTime-prev.OpenTime > iv {
			g := Gap{From: prev.OpenTime + iv, To: k.OpenTime, Missing: (k.OpenTime-prev.OpenTime)/iv - 1}
			if g.Missing > 0 {
				r.GapCount++
				r.MissingBars += g.Missing
				if len(r.Gaps) < opt.MaxGaps {
					r.Gaps = append(r.Gaps, g)
				}
			}
		}
		if prev.Close > 0 && k.Close > 0 && !math.IsInf(k.Close, 0) && !math.IsInf(prev.Close, 0) {
			addMove(&r.LargestMoves, Move{Time: k.OpenTime, Return: k.Close/prev.Close - 1}, opt.TopMoves)
		}
		prev = k
	}
	return r
}

// addMove keeps the n moves of largest absolute return, largest first; ties keep the earlier.
func addMove(top *[]Move, m Move, n int) {
	t := *top
	if len(t) == n && math.Abs(m.Return) <= math.Abs(t[n-1].Return) {
		return
	}
	i := sort.Search(len(t), func(i int) bool { return math.Abs(t[i].Return) < math.Abs(m.Return) })
	t = slices.Insert(t, i, m)
	if len(t) > n {
		t = t[:n]
	}
	*top = t
}

// Funding inspects funding rows of series sr in the order given.
func Funding(sr data.Series, rows []data.FundingRate, opt Options) SeriesReport {
	opt = opt.withDefaults()
	r := header(sr, len(rows))
	if len(rows) == 0 {
		return r
	}
	r.First, r.Last = rows[0].Time, rows[len(rows)-1].Time
	r.MinRate, r.MaxRate = math.Inf(1), math.Inf(-1)
	bins := map[float64]int{}
	for i := range rows {
		f := &rows[i]
		if fld, err := data.CheckFunding(f); err != nil {
			r.OHLCViolations++
			r.issue(opt.MaxIssues, i, f.Time, fld, err)
		} else {
			r.MinRate, r.MaxRate = math.Min(r.MinRate, f.Rate), math.Max(r.MaxRate, f.Rate)
		}
		if i == 0 {
			continue
		}
		d := f.Time - rows[i-1].Time
		switch {
		case d == 0:
			r.Duplicates++
		case d < 0:
			r.OutOfOrder++
		default:
			bins[math.Round(float64(d)/3.6e6*100)/100]++
		}
	}
	if math.IsInf(r.MinRate, 0) {
		r.MinRate, r.MaxRate = 0, 0
	}
	for h, n := range bins {
		r.FundingCadence = append(r.FundingCadence, Cadence{Hours: h, Count: n})
	}
	slices.SortFunc(r.FundingCadence, func(a, b Cadence) int { return cmp.Compare(a.Hours, b.Hours) })
	return r
}

// MarkDivergence compares last-price klines with mark-price klines of the same symbol, both in
// time order, at the bars present in both.
func MarkDivergence(last, mark []data.Kline) Divergence {
	var d Divergence
	sum := 0.0
	j := 0
	for i := range last {
		t := last[i].OpenTime
		for j < len(mark) && mark[j].OpenTime < t {
			j++
		}
		if j == len(mark) || mark[j].OpenTime != t || !(last[i].Close > 0) {
			d.LastOnly++
			continue
		}
		x := math.Abs(mark[j].Close-last[i].Close) / last[i].Close
		d.Compared++
		sum += x
		if x > d.Max {
			d.Max, d.MaxTime = x, t
		}
	}
	if d.Compared > 0 {
		d.Mean = sum / float64(d.Compared)
	}
	return d
}

// Store inspects every series of st. A series the store cannot read gets its Error set.
func Store(st *parquet.Store, opt Options) (*Report, error) {
	list, err := st.List()
	if err != nil {
		return nil, err
	}
	rep := &Report{Series: []SeriesReport{}}
	for _, sr := range list {
		if sr.Kind == data.KindFunding {
			rows, err := st.ReadFunding(sr, 0, 0)
			r := Funding(sr, rows, opt)
			if err != nil {
				r.Error = err.Error()
			}
			rep.Series = append(rep.Series, r)
			continue
		}
		rows, err := st.ReadKlines(sr, 0, 0)
		r := Klines(sr, rows, opt)
		if err != nil {
			r.Error = err.Error()
		}
		if sr.Kind == data.KindKlines && err == nil {
			msr := sr
			msr.Kind = data.KindMark
			if slices.Contains(list, msr) {
				if mrows, err := st.ReadKlines(msr, 0, 0); err == nil {
					d := MarkDivergence(rows, mrows)
					r.MarkDivergence = &d
				}
			}
		}
		rep.Series = append(rep.Series, r)
	}
	return rep, nil
}

func ts(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04Z")
}

// WriteText prints the report for people: one summary table, then the details of each series
// that has any.
func (r *Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SERIES\tROWS\tFIRST\tLAST\tGAPS\tMISSING\tDUPS\tUNSORTED\tBAD\tZERO-VOL\tMAX MOVE\tMAX MARK DIV")
	for _, s := range r.Series {
		name := s.name()
		move, div := "-", "-"
		if len(s.LargestMoves) > 0 {
			move = fmt.Sprintf("%+.2f%%", 100*s.LargestMoves[0].Return)
		}
		if s.MarkDivergence != nil && s.MarkDivergence.Compared > 0 {
			div = fmt.Sprintf("%.3f%%", 100*s.MarkDivergence.Max)
		}
		first, last := "-", "-"
		if s.Rows > 0 {
			first, last = ts(s.First), ts(s.Last)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", name, s.Rows, first, last,
			s.GapCount, s.MissingBars, s.Duplicates, s.OutOfOrder+s.Misaligned, s.OHLCViolations, s.ZeroVolume, move, div)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, s := range r.Series {
		name := s.name()
		var lines []string
		if s.Error != "" {
			lines = append(lines, "  error: "+s.Error)
		}
		for _, g := range s.Gaps {
			lines = append(lines, fmt.Sprintf("  gap %s .. %s (%d bars missing)", ts(g.From), ts(g.To), g.Missing))
		}
		if more := s.GapCount - len(s.Gaps); more > 0 {
			lines = append(lines, fmt.Sprintf("  ... %d more gaps", more))
		}
		for _, is := range s.Issues {
			lines = append(lines, fmt.Sprintf("  row %d (%s) field %s: %s", is.Row, ts(is.Time), is.Field, is.Error))
		}
		if len(s.LargestMoves) > 0 {
			l := "  largest moves:"
			for _, m := range s.LargestMoves {
				l += fmt.Sprintf(" %s %+.2f%%", ts(m.Time), 100*m.Return)
			}
			lines = append(lines, l)
		}
		if d := s.MarkDivergence; d != nil && d.Compared > 0 {
			lines = append(lines, fmt.Sprintf("  mark/last divergence: max %.4f%% at %s, mean %.4f%% over %d bars, %d bars without mark",
				100*d.Max, ts(d.MaxTime), 100*d.Mean, d.Compared, d.LastOnly))
		}
		if len(s.FundingCadence) > 0 {
			l := "  funding cadence:"
			for _, c := range s.FundingCadence {
				l += fmt.Sprintf(" %gh×%d", c.Hours, c.Count)
			}
			lines = append(lines, l+fmt.Sprintf("; rate %.6f .. %.6f", s.MinRate, s.MaxRate))
		}
		if len(lines) == 0 {
			continue
		}
		if _, err := fmt.Fprintln(w, name); err != nil {
			return err
		}
		for _, l := range lines {
			if _, err := fmt.Fprintln(w, l); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *SeriesReport) name() string {
	return data.Series{Symbol: s.Symbol, Kind: data.Kind(s.Kind), Interval: s.Interval, Source: s.Source}.String()
}
