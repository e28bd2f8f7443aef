# bt: backtests of Binance USDⓈ-M perpetuals under isolated and cross margin.
GO       ?= go
BIN      := bin/bt
BENCHDIR ?= $(HOME)/.cache/bt/bench-data-s7
VERSION  ?= $(shell git describe --always --dirty 2>/dev/null || echo devel)
LDFLAGS  := -X github.com/bt-backtest/bt/cli.buildVersion=$(VERSION)

.PHONY: demo test fuzz bench bench-all bench-data bench-scale lint invariants build clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/bt

## demo: run the default strategy on the embedded sample, both margin modes, and write a report
demo: build
	./$(BIN) run --out runs/demo

## test: every test (needs ../shared for the real-data tests, jupyter for the notebooks and
## chromium for the report test; they skip without them unless CI=true), then every fuzz test
## for FUZZTIME (2s) each (scripts/fuzz-short.sh; the seed corpora already ran as tests)
test:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 15m ./...
	GO=$(GO) scripts/fuzz-short.sh

## fuzz: only the fuzzing step; FUZZTIME=1m make fuzz fuzzes longer
fuzz:
	GO=$(GO) scripts/fuzz-short.sh

## invariants: every test with the engine checking the account invariants after every event
invariants:
	$(GO) test -count=1 -tags invariants ./...

## lint: formatting and vet (the repo-root lint tests run with make test)
lint:
	@out="$$(gofmt -l .)"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

## bench: the key package benchmarks (6 counts each, benchstat-readable, into bench.txt) and the
## end-to-end run (bt run --mode both, swing, on the bench dataset, reports included: BENCH_RUNS
## runs, each after the bare decode-and-loop over the same store, with peak RSS, medians and the
## run/decode ratio, appended to bench.txt as readable lines and as BenchmarkE2E/... and
## BenchmarkDecodeLoop/cmd lines), then the per-account benchmarks (BenchmarkAccounts, ns and
## cpu-ns per account and step; a 2- and an 8-account bt sweep). Compare commits with `benchstat old.txt new.txt`
## (golang.org/x/perf/cmd/benchstat; not vendored). About 5 minutes; see BENCHMARKS.md.
BENCH_RUNS ?= 5
bench: build bench-data
	$(GO) test -run '^$$' -bench 'BenchmarkRun$$/(noop|hold)/sym=15/|BenchmarkStep' -benchmem -benchtime 100000x -count 6 -cpu 1,2 ./backtest | tee bench.txt
	$(GO) test -run '^$$' -bench 'BenchmarkDecode|BenchmarkStream15' -benchmem -count 6 ./data/parquet | tee -a bench.txt
	$(GO) test -run '^$$' -bench 'BenchmarkBar' -benchmem -benchtime 100ms -count 6 ./backtest/margin | tee -a bench.txt
	scripts/bench-e2e.sh -n $(BENCH_RUNS) -b $(BIN) -d $(BENCHDIR) | tee -a bench.txt
	$(GO) test -run '^$$' -bench 'BenchmarkAccounts/(noop|hold)/' -benchmem -benchtime 20000x -count 6 -cpu 1 ./backtest | tee -a bench.txt
	scripts/bench-scale.sh -b $(BIN) -d $(BENCHDIR) 2 8 | tee -a bench.txt

## bench-scale: the per-account scaling of bt sweep (issue 15): SCALE_ACCOUNTS accounts of the
## swing trader over the bench dataset, one bt sweep each (scripts/bench-scale.sh), then the
## table on stdout and the plot docs/bench-scale.png (scripts/benchscale). About 15 minutes for
## 2 to 64 accounts on 2 cores; see BENCHMARKS.md.
SCALE_ACCOUNTS ?= 2 4 8 16 32 64
bench-scale: build bench-data
	scripts/bench-scale.sh -b $(BIN) -d $(BENCHDIR) $(SCALE_ACCOUNTS) | tee bench-scale.txt
	$(GO) run ./scripts/benchscale -o docs/bench-scale.png bench-scale.txt

## bench-all: every benchmark of every package, once, into bench-all.txt
bench-all:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 200ms ./... | tee bench-all.txt

## bench-data: a fixed synthetic dataset for the large benchmarks (12 symbols, one year of
## 1m klines, mark klines and funding, seed 7 as issue 15 states it), generated once into $(BENCHDIR)
bench-data: $(BENCHDIR)/.complete

$(BENCHDIR)/.complete: | build
	rm -rf $(BENCHDIR)
	./$(BIN) data synth --store $(BENCHDIR) --seed 7 --interval 1m --start 2025-01-01 --end 2026-01-01
	touch $@

clean:
	rm -rf bin runs
