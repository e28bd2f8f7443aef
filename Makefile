# bt: backtests of Binance USDⓈ-M perpetuals under isolated and cross margin.
GO      ?= go
BIN     := bin/bt
BENCHDIR ?= $(HOME)/.cache/bt/bench-data

.PHONY: demo test bench bench-data lint invariants build clean

build:
	$(GO) build -o $(BIN) ./cmd/bt

## demo: run the default strategy on the embedded sample, both margin modes, and write a report
demo: build
	./$(BIN) run --out runs/demo
	@echo "report: runs/demo/report.html"

## test: every test (needs ../shared for the real-data tests; they skip without it)
test:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 15m ./...

invariants:
	$(GO) test -count=1 -tags invariants ./...

lint:
	gofmt -l . | tee /dev/stderr | (! read)
	$(GO) vet ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 6 ./... | tee bench.txt

clean:
	rm -rf bin runs
