package binance

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// server serves archives in data.binance.vision's URL layout and counts requests.
type server struct {
	mu    sync.Mutex
	files map[string][]byte
	hits  map[string]int
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits[r.URL.Path]++
	b, ok := s.files[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Write(b)
}

// add serves a zipped kline CSV of the given hours of 2024 (from hour h0 of 2024-09-01)
// at urlPath, with a CHECKSUM (wrong if badSum).
func (s *server) add(t *testing.T, urlPath, body string, badSum bool) {
	name := urlPath[strings.LastIndex(urlPath, "/")+1:]
	z := zipBytes(t, strings.TrimSuffix(name, ".zip")+".csv", body)
	s.files[urlPath] = z
	sum := checksumLine(z, name)
	if badSum {
		sum = checksumLine(append(z, 0), name)
	}
	s.files[urlPath+".CHECKSUM"] = []byte(sum)
}

// klineCSV returns n 1h rows starting at t.
func klineCSV(t time.Time, n int) string {
	var b strings.Builder
	b.WriteString(header)
	for i := range n {
		ms := t.Add(time.Duration(i) * time.Hour).UnixMilli()
		b.WriteString(itoa(ms) + ",10,11,9,10,1.5," + itoa(ms+3599_999) + ",100,7,0.5,50,0\n")
	}
	return b.String()
}

func TestArchives(t *testing.T) {
	d := &Downloader{Dir: "/dl"}
	now := time.Date(2024, 11, 3, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		req  Request
		want []string
	}{
		{"um klines", Request{Symbols: []string{"BTCUSDT"}, Interval: "1h", Start: time.Date(2024, 9, 15, 0, 0, 0, 0, time.UTC), Now: now}, []string{
			"/data/futures/um/monthly/klines/BTCUSDT/1h/BTCUSDT-1h-2024-09.zip",
			"/data/futures/um/monthly/klines/BTCUSDT/1h/BTCUSDT-1h-2024-10.zip",
			"/data/futures/um/daily/klines/BTCUSDT/1h/BTCUSDT-1h-2024-11-01.zip",
			"/data/futures/um/daily/klines/BTCUSDT/1h/BTCUSDT-1h-2024-11-02.zip",
		}},
		{"mark and funding", Request{Kinds: []Kind{MarkPriceKlines, FundingRate}, Symbols: []string{"ETHUSDT"}, Interval: "15m",
			Start: time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2024, 11, 2, 0, 0, 0, 0, time.UTC), Now: now}, []string{
			"/data/futures/um/monthly/markPriceKlines/ETHUSDT/15m/ETHUSDT-15m-2024-10.zip",
			"/data/futures/um/daily/markPriceKlines/ETHUSDT/15m/ETHUSDT-15m-2024-11-01.zip",
			"/data/futures/um/monthly/fundingRate/ETHUSDT/ETHUSDT-fundingRate-2024-10.zip",
		}},
		{"spot", Request{Market: MarketSpot, Symbols: []string{"BTCUSDT", "ETHUSDT"}, Interval: "1d",
			Start: time.Date(2024, 8, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC), Now: now}, []string{
			"/data/spot/monthly/klines/BTCUSDT/1d/BTCUSDT-1d-2024-08.zip",
			"/data/spot/monthly/klines/ETHUSDT/1d/ETHUSDT-1d-2024-08.zip",
		}},
	}
	for _, tt := range tests {
		as, err := d.Archives(tt.req)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var got []string
		for _, a := range as {
			got = append(got, a.URLPath)
			if a.Path != filepath.Join("/dl", filepath.FromSlash(a.URLPath)) {
				t.Errorf("%s: local path %s", tt.name, a.Path)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
	// October is the month before Now: its dailies are the fallback.
	as, _ := d.Archives(tests[0].req)
	if fb := as[1].Fallback; len(fb) != 31 || !strings.HasSuffix(fb[30].URLPath, "BTCUSDT-1h-2024-10-31.zip") || as[0].Fallback != nil {
		t.Errorf("fallback of October: %d archives", len(fb))
	}
	for name, req := range map[string]Request{
		"no now":     {Symbols: []string{"BTCUSDT"}, Interval: "1h", Start: now.AddDate(0, -1, 0)},
		"no symbols": {Interval: "1h", Start: now.AddDate(0, -1, 0), Now: now},
		"empty":      {Symbols: []string{"BTCUSDT"}, Interval: "1h", Start: now, Now: now},
		"interval":   {Symbols: []string{"BTCUSDT"}, Interval: "7x", Start: now.AddDate(0, -1, 0), Now: now},
		"spot mark":  {Market: MarketSpot, Kinds: []Kind{MarkPriceKlines}, Symbols: []string{"BTCUSDT"}, Interval: "1h", Start: now.AddDate(0, -1, 0), Now: now},
		"symbol":     {Symbols: []string{"../x"}, Interval: "1h", Start: now.AddDate(0, -1, 0), Now: now},
	} {
		if _, err := d.Archives(req); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// Against a local server: good archives, a bad checksum, a 404, the previous month
// falling back to dailies, and a resumed run that fetches only what is not valid.
func TestDownload(t *testing.T) {
	srv := &server{files: map[string][]byte{}, hits: map[string]int{}}
	sep := time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC)
	const um = "/data/futures/um/"
	srv.add(t, um+"monthly/klines/BTCUSDT/1h/BTCUSDT-1h-2024-09.zip", klineCSV(sep, 30*24), false)
	// October's monthly archive is not published yet: its dailies are.
	for d := 1; d <= 31; d++ {
		day := time.Date(2024, 10, d, 0, 0, 0, 0, time.UTC)
		srv.add(t, um+"daily/klines/BTCUSDT/1h/BTCUSDT-1h-"+day.Format("2006-01-02")+".zip", klineCSV(day, 24), false)
	}
	srv.add(t, um+"daily/klines/BTCUSDT/1h/BTCUSDT-1h-2024-11-01.zip", klineCSV(time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC), 24), false)
	srv.add(t, um+"daily/klines/BTCUSDT/1h/BTCUSDT-1h-2024-11-02.zip", klineCSV(time.Date(2024, 11, 2, 0, 0, 0, 0, time.UTC), 24), true)
	srv.add(t, um+"monthly/fundingRate/BTCUSDT/BTCUSDT-fundingRate-2024-09.zip", "calc_time,funding_interval_hours,last_funding_rate\n1725148800000,8,0.0001\n", false)
	// October funding: 404.
	hs := httptest.NewServer(srv)
	defer hs.Close()

	dir := t.TempDir()
	var log []string
	d := &Downloader{BaseURL: hs.URL, Client: hs.Client(), Dir: dir, Log: func(p, status string) {
		log = append(log, filepath.Base(p)+" "+status)
	}}
	req := Request{Kinds: []Kind{Klines, FundingRate}, Symbols: []string{"BTCUSDT"}, Interval: "1h", Start: sep, Now: time.Date(2024, 11, 3, 10, 0, 0, 0, time.UTC)}
	res, err := d.Download(context.Background(), req)
	if !errors.Is(err, ErrChecksum) || !strings.Contains(err.Error(), "BTCUSDT-1h-2024-11-02.zip") {
		t.Errorf("err = %v, want ErrChecksum for 2024-11-02", err)
	}
	if len(res.Downloaded) != 1+31+1+1 || len(res.Skipped) != 0 || len(res.Failed) != 1 {
		t.Errorf("first run: %d downloaded, %d skipped, %d failed; log %v", len(res.Downloaded), len(res.Skipped), len(res.Failed), log)
	}
	wantMissing := []string{um + "monthly/fundingRate/BTCUSDT/BTCUSDT-fundingRate-2024-10.zip"}
	if !slices.Equal(res.Missing, wantMissing) {
		t.Errorf("missing = %v, want %v", res.Missing, wantMissing)
	}
	bad := filepath.Join(dir, filepath.FromSlash(um+"daily/klines/BTCUSDT/1h/BTCUSDT-1h-2024-11-02.zip"))
	for _, p := range []string{bad, bad + ".part"} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s exists after a checksum mismatch", p)
		}
	}
	// What was downloaded reads back, checksum verified, kind and market from the path.
	sepPath := filepath.Join(dir, filepath.FromSlash(um+"monthly/klines/BTCUSDT/1h/BTCUSDT-1h-2024-09.zip"))
	f, err := ReadFile(sepPath, Options{})
	if err != nil || !f.Checksum || len(f.Klines) != 720 || f.Info.Market != MarketUM {
		t.Fatalf("read back: %v, %+v", err, f)
	}
	fr, err := ReadFile(filepath.Join(dir, filepath.FromSlash(um+"monthly/fundingRate/BTCUSDT/BTCUSDT-fundingRate-2024-09.zip")), Options{})
	if err != nil || fr.Info.Kind != FundingRate || len(fr.Funding) != 1 {
		t.Fatalf("funding read back: %v", err)
	}

	// Resume: the server now has a good 11-02; one October daily was damaged locally and
	// a stale .part lies around. Only those two archives are fetched again.
	srv.add(t, um+"daily/klines/BTCUSDT/1h/BTCUSDT-1h-2024-11-02.zip", klineCSV(time.Date(2024, 11, 2, 0, 0, 0, 0, time.UTC), 24), false)
	oct5 := filepath.Join(dir, filepath.FromSlash(um+"daily/klines/BTCUSDT/1h/BTCUSDT-1h-2024-10-05.zip"))
	writeFile(t, oct5, []byte("damaged"))
	writeFile(t, bad+".part", []byte("stale"))
	srv.hits = map[string]int{}
	res, err = d.Download(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Downloaded) != 2 || len(res.Skipped) != 33 || len(res.Missing) != 1 {
		t.Errorf("resumed run: downloaded %v, %d skipped, missing %v", res.Downloaded, len(res.Skipped), res.Missing)
	}
	for p, n := range srv.hits {
		if strings.HasSuffix(p, ".zip") && !strings.HasSuffix(p, "2024-10-05.zip") && !strings.HasSuffix(p, "2024-11-02.zip") && !strings.Contains(p, "fundingRate-2024-10") && !strings.HasSuffix(p, "BTCUSDT-1h-2024-10.zip") {
			t.Errorf("resumed run fetched %s %d times", p, n)
		}
	}
	if f, err := ReadFile(oct5, Options{}); err != nil || len(f.Klines) != 24 {
		t.Errorf("repaired archive: %v", err)
	}
	if _, err := os.Stat(bad + ".part"); err == nil {
		t.Error("stale .part left behind")
	}

	// A server error is reported, not skipped.
	hs.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) })
	if _, err := d.Download(context.Background(), req); !errors.Is(err, ErrHTTP) {
		t.Errorf("500: err = %v, want ErrHTTP", err)
	}
	// A cancelled context stops at once.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := d.Download(ctx, req); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}

// TestDownloadUnreachable: with no server listening, Download gives up after three archives
// in a row fail to connect (not after every one of the 36 months × 2 kinds) with one error
// that says the server cannot be reached; 404s do not count as network failures.
func TestDownloadUnreachable(t *testing.T) {
	hs := httptest.NewServer(http.NotFoundHandler())
	url := hs.URL
	hs.Close() // nothing listens there now: connection refused
	var log []string
	d := &Downloader{BaseURL: url, Dir: t.TempDir(), Log: func(p, status string) { log = append(log, status) }}
	req := Request{Kinds: []Kind{Klines, MarkPriceKlines}, Symbols: []string{"BTCUSDT"}, Interval: "1h",
		Start: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), Now: time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC)}
	if as, _ := d.Archives(req); len(as) < 70 {
		t.Fatalf("%d archives: the test wants many", len(as))
	}
	res, err := d.Download(context.Background(), req)
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), url) || !strings.Contains(err.Error(), "3 archives in a row") {
		t.Fatalf("err = %v, want ErrUnreachable naming %s", err, url)
	}
	if strings.Count(err.Error(), "\n") != 0 {
		t.Errorf("the error is not one message: %q", err)
	}
	if len(res.Failed) != 3 || len(log) != 3 {
		t.Errorf("failed %d, logged %v: want 3 tries", len(res.Failed), log)
	}

	// All 404s: every archive is tried and listed missing, no error.
	srv := &server{files: map[string][]byte{}, hits: map[string]int{}}
	hs = httptest.NewServer(srv)
	defer hs.Close()
	d = &Downloader{BaseURL: hs.URL, Client: hs.Client(), Dir: t.TempDir()}
	res, err = d.Download(context.Background(), req)
	if err != nil || len(res.Missing) < 70 {
		t.Errorf("all missing: err %v, %d missing", err, len(res.Missing))
	}
	// A failure between network failures resets the count: the server comes and goes.
	var n int
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n++
		if n%2 == 0 { // cut every other connection
			hj, _ := w.(http.Hijacker)
			c, _, _ := hj.Hijack()
			c.Close()
			return
		}
		http.NotFound(w, r)
	}))
	defer flaky.Close()
	d = &Downloader{BaseURL: flaky.URL, Client: flaky.Client(), Dir: t.TempDir()}
	if _, err := d.Download(context.Background(), req); errors.Is(err, ErrUnreachable) || err == nil {
		t.Errorf("alternating 404 and cut connections: err = %v, want the failures joined, not ErrUnreachable", err)
	}
}
