package param

import (
	"errors"
	"strings"
	"testing"
)

func getter(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaultsAndValues(t *testing.T) {
	lev := Spec{Name: "leverage", Default: "5"}
	size := Spec{Name: "size", Default: "0.1"}
	short := Spec{Name: "short", Default: "true"}
	syms := Spec{Name: "symbols", Default: ""}
	r := NewReader("swing", getter(map[string]string{"size": " 0.25 ", "symbols": "BTCUSDT, ,ETHUSDT", "short": "off"}))
	if got := r.Int(lev, 1, 125); got != 5 {
		t.Errorf("leverage = %d, want default 5", got)
	}
	if got := r.Float(size, 0, 1); got != 0.25 {
		t.Errorf("size = %v, want 0.25", got)
	}
	if got := r.Bool(short); got {
		t.Errorf("short = true, want false")
	}
	if got := r.List(syms); len(got) != 2 || got[0] != "BTCUSDT" || got[1] != "ETHUSDT" {
		t.Errorf("symbols = %q", got)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
}

func TestErrors(t *testing.T) {
	r := NewReader("swing", getter(map[string]string{
		"leverage": "abc", "size": "2", "x": "NaN", "short": "maybe",
	}))
	r.Int(Spec{Name: "leverage", Default: "5"}, 1, 125)
	r.Float(Spec{Name: "size", Default: "0.1"}, 0, 1)
	r.Float(Spec{Name: "x", Default: "1"}, -10, 10)
	r.Bool(Spec{Name: "short", Default: "true"})
	r.String(Spec{Name: "file", Required: true})
	r.Check(false, Spec{Name: "fast"}, "30", "must be below slow")
	err := r.Err()
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
	for _, want := range []string{
		`swing: parameter leverage="abc": not an integer`,
		`swing: parameter size="2": out of range [0, 1]`,
		`swing: parameter x="NaN": not a finite number`,
		`swing: parameter short="maybe": not a boolean`,
		`swing: parameter file="": required`,
		`swing: parameter fast="30": must be below slow`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	var pe *Error
	if !errors.As(err, &pe) || pe.Name != "leverage" {
		t.Errorf("errors.As: %+v", pe)
	}
}

func TestSpecString(t *testing.T) {
	for _, c := range []struct {
		s    Spec
		want string
	}{
		{Spec{Name: "leverage", Default: "5", Doc: "leverage"}, "leverage=5  leverage"},
		{Spec{Name: "symbols", Doc: "all"}, `symbols=""  all`},
		{Spec{Name: "file", Required: true, Doc: "CSV"}, "file=(required)  CSV"},
	} {
		if got := c.s.String(); got != c.want {
			t.Errorf("%q, want %q", got, c.want)
		}
	}
}
