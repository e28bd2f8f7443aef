package binance

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// DefaultBaseURL is where data.binance.vision serves its archives.
const DefaultBaseURL = "https://data.binance.vision"

// Downloader fetches data.binance.vision archives and their CHECKSUM files into Dir,
// mirroring the URL layout (Dir/data/futures/um/monthly/klines/BTCUSDT/1h/
// BTCUSDT-1h-2024-10.zip), so that ReadFile infers market and kind from the paths.
// Archives are fetched one after the other.
//
// An archive already present whose SHA-256 matches the published CHECKSUM is skipped,
// so an interrupted run resumes where it stopped. A new archive is written to
// <name>.part, verified, and renamed; a mismatch deletes the .part and is an error. An
// archive or CHECKSUM answered with 404 is listed in Result.Missing and is not an error
// (symbols have listing dates; recent archives appear a day or so late).
type Downloader struct {
	BaseURL string       // "" means DefaultBaseURL
	Client  *http.Client // nil means http.DefaultClient
	Dir     string       // destination directory
	// Log, if not nil, is called once per archive after it is handled, with its local
	// path and one of "downloaded", "skipped", "missing" or "failed".
	Log func(path, status string)
	// MaxNetworkFailures is how many archives in a row may fail to reach the server
	// (connection refused, DNS failure, timeout, a connection cut mid-transfer: not an HTTP
	// status) before Download gives up with ErrUnreachable instead of trying the rest.
	// 0 means 3.
	MaxNetworkFailures int
}

// Request says what to download.
type Request struct {
	Market   Market   // "" means MarketUM
	Kinds    []Kind   // nil means {Klines}; spot only has Klines
	Symbols  []string // e.g. {"BTCUSDT"}
	Interval string   // kline interval, e.g. "1h"; unused for FundingRate alone
	// Start and End bound the wanted data: [Start, End). A zero End means Now.
	Start, End time.Time
	// Now decides which months are complete: months before Now's month come as monthly
	// archives, Now's month as daily archives for the days before Now's day (the current
	// day is not published yet). fundingRate has monthly archives only, so the current
	// month's funding is not requested. If the previous month's monthly archive is
	// missing (it appears a few days into the month), its daily archives are fetched
	// instead. Now is required: the package never reads the clock.
	Now time.Time
}

// Archive is one file to fetch.
type Archive struct {
	URLPath string // e.g. /data/futures/um/monthly/klines/BTCUSDT/1h/BTCUSDT-1h-2024-10.zip
	Path    string // local path under Dir
	// Fallback lists the daily archives to fetch instead if this monthly one is missing.
	Fallback []Archive
}

// Result lists what Download did, local paths in request order.
type Result struct {
	Downloaded []string
	Skipped    []string // already present with a valid checksum
	Missing    []string // URL paths that answered 404
	Failed     []string // local paths of archives that failed (see the returned error)
}

// Archives returns the archives req covers, in order of kind, symbol and time.
func (d *Downloader) Archives(req Request) ([]Archive, error) {
	market := req.Market
	if market == "" {
		market = MarketUM
	}
	kinds := req.Kinds
	if kinds == nil {
		kinds = []Kind{Klines}
	}
	if req.Now.IsZero() {
		return nil, fmt.Errorf("download: Now is required")
	}
	end := req.End
	if end.IsZero() || end.After(req.Now) {
		end = req.Now
	}
	start, end := req.Start.UTC(), end.UTC()
	if !start.Before(end) {
		return nil, fmt.Errorf("download: empty range %s to %s", start.Format(time.RFC3339), end.Format(time.RFC3339))
	}
	if len(req.Symbols) == 0 {
		return nil, fmt.Errorf("download: no symbols")
	}
	var root string
	switch market {
	case MarketUM:
		root = "/data/futures/um"
	case MarketSpot:
		root = "/data/spot"
	default:
		return nil, fmt.Errorf("download: unknown market %q", market)
	}
	now := req.Now.UTC()
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	var out []Archive
	for _, kind := range kinds {
		switch {
		case kind != Klines && kind != MarkPriceKlines && kind != FundingRate:
			return nil, fmt.Errorf("download: unknown kind %q", kind)
		case market == MarketSpot && kind != Klines:
			return nil, fmt.Errorf("download: spot has no %s", kind)
		case kind != FundingRate && IntervalMillis(req.Interval) == 0 && req.Interval != "1mo":
			return nil, fmt.Errorf("download: bad interval %q", req.Interval)
		}
		for _, sym := range req.Symbols {
			if sym == "" || strings.ContainsAny(sym, "/\\.") {
				return nil, fmt.Errorf("download: bad symbol %q", sym)
			}
			dir := root + "/%s/" + string(kind) + "/" + sym
			name := sym + "-" + req.Interval + "-"
			if kind == FundingRate {
				name = sym + "-fundingRate-"
			} else {
				dir += "/" + req.Interval
			}
			archive := func(period, label string) Archive {
				u := fmt.Sprintf(dir, period) + "/" + name + label + ".zip"
				return Archive{URLPath: u, Path: filepath.Join(d.Dir, filepath.FromSlash(u))}
			}
			days := func(from, to time.Time) []Archive { // daily archives of [from, to)
				var a []Archive
				for t := from; t.Before(to); t = t.AddDate(0, 0, 1) {
					a = append(a, archive("daily", t.Format("2006-01-02")))
				}
				return a
			}
			for m := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC); m.Before(end); m = m.AddDate(0, 1, 0) {
				if m.Before(thisMonth) {
					a := archive("monthly", m.Format("2006-01"))
					if kind != FundingRate && m.AddDate(0, 1, 0).Equal(thisMonth) {
						a.Fallback = days(later(m, dayOf(start)), earlier(thisMonth, dayCeil(end)))
					}
					out = append(out, a)
				} else if kind != FundingRate {
					out = append(out, days(later(m, dayOf(start)), earlier(today, dayCeil(end)))...)
				}
			}
		}
	}
	return out, nil
}

func dayOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func dayCeil(t time.Time) time.Time {
	d := dayOf(t)
	if d.Before(t) {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Download fetches every archive of req (see Archives and the Downloader doc). It goes
// on after a failed archive and returns the failures joined; missing archives are only
// listed. It stops at once when ctx is done, and after MaxNetworkFailures archives in a row
// could not reach the server, with one error wrapping ErrUnreachable.
func (d *Downloader) Download(ctx context.Context, req Request) (*Result, error) {
	archives, err := d.Archives(req)
	if err != nil {
		return nil, err
	}
	run := &download{d: d, res: &Result{}, max: d.MaxNetworkFailures}
	if run.max <= 0 {
		run.max = 3
	}
	var errs []error
	for _, a := range archives {
		if err := run.one(ctx, a, true); err != nil {
			if ctx.Err() != nil {
				return run.res, ctx.Err()
			}
			if errors.Is(err, ErrUnreachable) {
				return run.res, err
			}
			errs = append(errs, err)
		}
	}
	return run.res, errors.Join(errs...)
}

var errNotFound = errors.New("not found")

// networkError is a request that did not reach the server or lost it mid-transfer.
type networkError struct{ err error }

func (e *networkError) Error() string { return e.err.Error() }
func (e *networkError) Unwrap() error { return e.err }

// download is the state of one Download call.
type download struct {
	d        *Downloader
	res      *Result
	max      int
	failures int // archives in a row that failed with a networkError
}

func (r *download) one(ctx context.Context, a Archive, fallback bool) error {
	d, res := r.d, r.res
	status, err := d.fetch(ctx, a)
	if errors.Is(err, errNotFound) && fallback && len(a.Fallback) > 0 {
		var errs []error
		for _, f := range a.Fallback {
			if err := r.one(ctx, f, false); err != nil {
				if errors.Is(err, ErrUnreachable) || ctx.Err() != nil {
					return err
				}
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}
	var netErr *networkError
	if errors.As(err, &netErr) && ctx.Err() == nil {
		r.failures++
	} else {
		r.failures = 0
	}
	switch {
	case errors.Is(err, errNotFound):
		status, err = "missing", nil
		res.Missing = append(res.Missing, a.URLPath)
	case err != nil:
		status = "failed"
		res.Failed = append(res.Failed, a.Path)
	case status == "skipped":
		res.Skipped = append(res.Skipped, a.Path)
	default:
		res.Downloaded = append(res.Downloaded, a.Path)
	}
	if d.Log != nil {
		d.Log(a.Path, status)
	}
	if netErr != nil && r.failures >= r.max {
		base := d.BaseURL
		if base == "" {
			base = DefaultBaseURL
		}
		return fmt.Errorf("%w: %s: %d archives in a row could not reach it, so the rest were not tried; the last error: %v",
			ErrUnreachable, base, r.failures, netErr.err)
	}
	return err
}

// fetch handles one archive: "skipped" or "downloaded", errNotFound, or an error.
func (d *Downloader) fetch(ctx context.Context, a Archive) (string, error) {
	var sumFile strings.Builder
	if err := d.get(ctx, a.URLPath+".CHECKSUM", &sumFile, 1<<10); err != nil {
		return "", err
	}
	want, err := parseChecksum(a.URLPath+".CHECKSUM", []byte(sumFile.String()))
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(a.Path), 0o755); err != nil {
		return "", err
	}
	if got, err := fileSHA256(a.Path); err == nil && got == want {
		return "skipped", writeAtomic(a.Path+".CHECKSUM", []byte(sumFile.String()))
	}
	part := a.Path + ".part"
	f, err := os.Create(part)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	err = d.get(ctx, a.URLPath, io.MultiWriter(f, h), 4<<30)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		if got := hex.EncodeToString(h.Sum(nil)); got != want {
			err = fmt.Errorf("%s: %w: sha256 %s, CHECKSUM says %s", a.URLPath, ErrChecksum, got, want)
		}
	}
	if err != nil {
		os.Remove(part)
		return "", err
	}
	if err := writeAtomic(a.Path+".CHECKSUM", []byte(sumFile.String())); err != nil {
		return "", err
	}
	return "downloaded", os.Rename(part, a.Path)
}

// get copies the body of BaseURL+urlPath to w, at most limit bytes.
func (d *Downloader) get(ctx context.Context, urlPath string, w io.Writer, limit int64) error {
	base := d.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(base, "/")+path.Clean(urlPath), nil)
	if err != nil {
		return err
	}
	client := d.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return &networkError{err}
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return errNotFound
	default:
		return fmt.Errorf("%s: %w: %s", urlPath, ErrHTTP, resp.Status)
	}
	var werr error // a local write failure is not a network failure
	n, err := io.Copy(writerFunc(func(p []byte) (int, error) {
		n, err := w.Write(p)
		werr = err
		return n, err
	}), io.LimitReader(resp.Body, limit+1))
	if err != nil {
		if werr != nil {
			return fmt.Errorf("%s: %w", urlPath, werr)
		}
		return &networkError{fmt.Errorf("%s: %w", urlPath, err)}
	}
	if n > limit {
		err = fmt.Errorf("%s: %w: larger than %d bytes", urlPath, ErrHTTP, limit)
	}
	if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
		err = fmt.Errorf("%s: %w: got %d of %d bytes", urlPath, ErrHTTP, n, resp.ContentLength)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", urlPath, err)
	}
	return nil
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func fileSHA256(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// writeAtomic writes b to p through a temporary file and a rename.
func writeAtomic(p string, b []byte) error {
	tmp := p + ".part"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}
