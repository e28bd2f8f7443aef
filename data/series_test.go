package data

import (
	"errors"
	"math"
	"testing"
)

func TestCheckKline(t *testing.T) {
	good := Kline{OpenTime: 1746057600000, Open: 100, High: 110, Low: 90, Close: 105, Volume: 1}
	for _, tc := range []struct {
		mod   func(*Kline)
		field string
		err   error
	}{
		{func(k *Kline) {}, "", nil},
		{func(k *Kline) { k.OpenTime = -1 }, "open_time", ErrBadTime},
		{func(k *Kline) { k.Open = math.NaN() }, "open", ErrBadPrice},
		{func(k *Kline) { k.High = math.Inf(1) }, "high", ErrBadPrice},
		{func(k *Kline) { k.Low = 0 }, "low", ErrBadPrice},
		{func(k *Kline) { k.Close = -5 }, "close", ErrBadPrice},
		{func(k *Kline) { k.Low = 111 }, "low", ErrLowAboveHigh},
		{func(k *Kline) { k.Open = 89 }, "open", ErrOutsideRange},
		{func(k *Kline) { k.Close = 111 }, "close", ErrOutsideRange},
		{func(k *Kline) { k.Volume = math.NaN() }, "volume", ErrBadVolume},
		{func(k *Kline) { k.Trades = -1 }, "trades", ErrBadVolume},
	} {
		k := good
		tc.mod(&k)
		f, err := CheckKline(&k)
		if f != tc.field || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
			t.Errorf("%+v: got %q %v, want %q %v", k, f, err, tc.field, tc.err)
		}
	}
}

func TestValidate(t *testing.T) {
	h := int64(3600000)
	rows := []Kline{
		{OpenTime: 0, Open: 1, High: 1, Low: 1, Close: 1},
		{OpenTime: h, Open: 1, High: 1, Low: 1, Close: 1},
		{OpenTime: h, Open: 1, High: 1, Low: 1, Close: 1},
	}
	var re *RowError
	if err := ValidateKlines(rows, "f"); !errors.As(err, &re) || re.Row != 3 || re.Field != "open_time" || !errors.Is(err, ErrDuplicate) {
		t.Errorf("duplicate: %v", err)
	}
	rows[2].OpenTime = h / 2
	if err := ValidateKlines(rows, "f"); !errors.Is(err, ErrOutOfOrder) {
		t.Errorf("unsorted: %v", err)
	}
	rows[2].OpenTime = 2*h + 1
	if err := ValidateKlines(rows, "f"); err != nil {
		t.Errorf("valid rows: %v", err)
	}
	if err := ValidateKlinesAligned(rows, h, "f"); !errors.Is(err, ErrMisaligned) || err.Error() != "f: row 3: field open_time: time not aligned to the interval" {
		t.Errorf("misaligned: %v", err)
	}
	f := []FundingRate{{Time: 0, Rate: 1e-4, IntervalHours: 8}, {Time: 1, Rate: math.Inf(-1), IntervalHours: 8}}
	if err := ValidateFunding(f, "g"); !errors.As(err, &re) || re.Field != "rate" || re.Row != 2 {
		t.Errorf("funding: %v", err)
	}
}

func TestIntervalMillis(t *testing.T) {
	for in, want := range map[string]int64{"1s": 1000, "1m": 60000, "5m": 300000, "1h": 3600000, "4h": 14400000, "1d": 86400000, "1w": 604800000} {
		if got, err := IntervalMillis(in); got != want || err != nil {
			t.Errorf("%s: %d %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "h", "0h", "-1h", "1M", "1y", "1.5h", "99999h"} {
		if _, err := IntervalMillis(bad); !errors.Is(err, ErrBadInterval) {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestSeriesValidate(t *testing.T) {
	ok := []Series{
		{Symbol: "BTCUSDT", Kind: KindKlines, Interval: "1h", Source: "binance-um"},
		{Symbol: "BTCUSDT", Kind: KindFunding, Source: "synth"},
	}
	for _, s := range ok {
		if err := s.Validate(); err != nil {
			t.Errorf("%v: %v", s, err)
		}
	}
	bad := []Series{
		{Symbol: "BTC/USDT", Kind: KindKlines, Interval: "1h", Source: "x"},
		{Symbol: "../etc", Kind: KindKlines, Interval: "1h", Source: "x"},
		{Symbol: "BTCUSDT", Kind: KindKlines, Interval: "", Source: "x"},
		{Symbol: "BTCUSDT", Kind: KindFunding, Interval: "8h", Source: "x"},
		{Symbol: "BTCUSDT", Kind: "trades", Interval: "1h", Source: "x"},
		{Symbol: "BTCUSDT", Kind: KindMark, Interval: "1h", Source: ""},
	}
	for _, s := range bad {
		if err := s.Validate(); err == nil {
			t.Errorf("%v accepted", s)
		}
	}
}

func TestRowErrorFormat(t *testing.T) {
	for _, tc := range []struct {
		e    RowError
		want string
	}{
		{RowError{File: "f.csv", Row: 4, Field: "low", Err: ErrLowAboveHigh}, "f.csv: row 4: field low: low above high"},
		{RowError{File: "f.csv", Row: 4, Err: ErrDuplicate}, "f.csv: row 4: duplicate time"},
		{RowError{File: "f.csv", Field: "low", Err: ErrBadTime}, "f.csv: time out of range"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
		if !errors.Is(&tc.e, tc.e.Err) {
			t.Errorf("%v does not unwrap to its cause", &tc.e)
		}
	}
}
