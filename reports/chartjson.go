package reports

import (
	"encoding/json"
	"math"
	"strconv"
)

// ChartDigits is the number of significant digits chart values keep in the page's JSON (enough
// for any price or balance drawn; the tables and the run files keep every digit).
const ChartDigits = 8

// The page's data block is compact, since a year of 1m bars on a dozen symbols must stay a few
// MB: a panel's times are written as "dx", the first time then the differences to the previous
// one; a marker, liquidation-price ("lp") or near-miss series, mostly empty, is written sparse
// as "at" (the indices of its points, the first then differences) and "v" (their values); a
// band (a constant reference line) as "v" alone, its one value; other series as "y", one value
// per time (null for a gap). Values keep ChartDigits significant digits. report.js expands
// them back (p.x and s.y) before drawing; Panel's UnmarshalJSON does the same in Go.

type panelJSON struct {
	ID     string       `json:"id"`
	Title  string       `json:"title"`
	Unit   string       `json:"unit"`
	Step   int64        `json:"step,omitempty"`
	DX     []int64      `json:"dx"`
	Series []seriesJSON `json:"series"`
}

type seriesJSON struct {
	Label string  `json:"label"`
	Color string  `json:"color"`
	Kind  string  `json:"kind"`
	Shape string  `json:"shape,omitempty"`
	Y     *Values `json:"y,omitempty"`
	At    []int   `json:"at,omitempty"`
	V     Values  `json:"v,omitempty"`
}

// sparseKind tells the series written as indices and values.
func sparseKind(kind string) bool {
	switch kind {
	case "line", "risk", "open", "high", "low", "close", "band":
		return false
	}
	return true
}

// MarshalJSON writes the compact form described above.
func (p Panel) MarshalJSON() ([]byte, error) {
	j := panelJSON{ID: p.ID, Title: p.Title, Unit: p.Unit, Step: p.Step, DX: make([]int64, len(p.X)), Series: make([]seriesJSON, len(p.Series))}
	for i, x := range p.X {
		j.DX[i] = x
		if i > 0 {
			j.DX[i] = x - p.X[i-1]
		}
	}
	for k, s := range p.Series {
		sj := seriesJSON{Label: s.Label, Color: s.Color, Kind: s.Kind, Shape: s.Shape}
		switch {
		case s.Kind == "band":
			if len(s.Values) > 0 {
				sj.V = Values{s.Values[0]}
			}
		case sparseKind(s.Kind):
			sj.At, sj.V = []int{}, Values{}
			prev := 0
			for i, v := range s.Values {
				if !math.IsNaN(v) {
					sj.At = append(sj.At, i-prev)
					sj.V = append(sj.V, v)
					prev = i
				}
			}
		default:
			y := s.Values
			sj.Y = &y
		}
		j.Series[k] = sj
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes, expanded: X the times, every series one value
// per time (NaN where it has none).
func (p *Panel) UnmarshalJSON(b []byte) error {
	var j panelJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*p = Panel{ID: j.ID, Title: j.Title, Unit: j.Unit, Step: j.Step, X: make([]int64, len(j.DX))}
	var c int64
	for i, d := range j.DX {
		c += d
		p.X[i] = c
	}
	for _, sj := range j.Series {
		s := Series{Label: sj.Label, Color: sj.Color, Kind: sj.Kind, Shape: sj.Shape}
		switch {
		case sj.Y != nil:
			s.Values = *sj.Y
		default:
			s.Values = make(Values, len(p.X))
			for i := range s.Values {
				s.Values[i] = math.NaN()
				if sj.Kind == "band" && len(sj.V) > 0 {
					s.Values[i] = sj.V[0]
				}
			}
			at := 0
			for k, d := range sj.At {
				at += d
				if at < len(s.Values) && k < len(sj.V) {
					s.Values[at] = sj.V[k]
				}
			}
		}
		p.Series = append(p.Series, s)
	}
	return nil
}

// UnmarshalJSON reads numbers and null (NaN).
func (v *Values) UnmarshalJSON(b []byte) error {
	var raw []*float64
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*v = make(Values, len(raw))
	for i, x := range raw {
		(*v)[i] = math.NaN()
		if x != nil {
			(*v)[i] = *x
		}
	}
	return nil
}

// appendChart appends x with ChartDigits significant digits, in its shortest form.
func appendChart(b []byte, x float64) []byte {
	r, err := strconv.ParseFloat(strconv.FormatFloat(x, 'g', ChartDigits, 64), 64)
	if err != nil {
		r = x
	}
	return strconv.AppendFloat(b, r, 'g', -1, 64)
}
