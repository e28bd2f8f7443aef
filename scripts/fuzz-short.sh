#!/usr/bin/env bash
# fuzz-short.sh: run every fuzz test of the module briefly (make test's fuzzing step).
#
# For each package with fuzz tests, builds its test binary once with fuzzing instrumentation
# (go test -c -fuzz), lists its Fuzz* functions with the binary's -test.list '^Fuzz', and runs
# each alone for FUZZTIME (default 2s) with -test.run '^$', so only the fuzzing engine runs:
# the committed seed corpora (testdata/fuzz/FuzzX/) run as ordinary tests in go test anyway.
# Inputs found interesting go to go test's own fuzz cache. A failure leaves the crashing input
# in the package's testdata/fuzz/FuzzX/ (fix the bug, keep the file as a regression seed);
# the script tries every target, then exits 1.
#
#   scripts/fuzz-short.sh                         # every package
#   FUZZTIME=30s scripts/fuzz-short.sh ./data/... # longer, some packages
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-2s}
pkgs=("$@")
[ ${#pkgs[@]} -gt 0 ] || pkgs=(./...)
cache=$($GO env GOCACHE)/fuzz
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

start=$SECONDS
n=0
flaked=0
failed=()
while read -r pkg dir; do
	# Only packages whose tests define a fuzz function are compiled.
	grep -qs '^func Fuzz' "$dir"/*_test.go || continue
	bin=$tmp/$(basename "$dir").test
	if ! $GO test -c -fuzz '^Fuzz' -o "$bin" "$pkg" >"$tmp/build.log" 2>&1; then
		cat "$tmp/build.log"
		failed+=("$pkg (build)")
		continue
	fi
	for name in $(cd "$dir" && "$bin" -test.list '^Fuzz'); do
		n=$((n + 1))
		before=$(ls "$dir/testdata/fuzz/$name" 2>/dev/null | sort || true)
		if out=$(cd "$dir" && "$bin" -test.run '^$' -test.fuzz "^${name}\$" -test.fuzztime "$FUZZTIME" \
			-test.fuzzcachedir "$cache/$pkg" 2>&1); then
			printf 'ok    %-24s %s\n' "$name" "$pkg"
		elif [ "$(ls "$dir/testdata/fuzz/$name" 2>/dev/null | sort || true)" = "$before" ] &&
			printf '%s' "$out" | grep -q 'context deadline exceeded'; then
			# Go 1.26's fuzz coordinator can report its own -fuzztime deadline as a failure
			# (golang/go#75804, fixed in Go 1.27): no input failed and none was written. Said,
			# not counted; a real failure always leaves its input in testdata/fuzz/.
			printf 'flake %-24s %s (context deadline exceeded at the fuzz time, no failing input: golang/go#75804)\n' "$name" "$pkg"
			flaked=$((flaked + 1))
		else
			printf 'FAIL  %-24s %s\n%s\n' "$name" "$pkg" "$out"
			failed+=("$pkg $name")
		fi
	done
	rm -f "$bin"
done < <($GO list -f '{{.ImportPath}} {{.Dir}}' "${pkgs[@]}")

echo "fuzz-short: $n fuzz tests, $FUZZTIME each, $((SECONDS - start))s; $flaked stopped by Go's deadline race (golang/go#75804)"
if [ "$n" -eq 0 ]; then
	echo "fuzz-short: no fuzz tests found" >&2
	exit 1
fi
if [ ${#failed[@]} -gt 0 ]; then
	printf 'fuzz-short: failed: %s\n' "${failed[@]}" >&2
	exit 1
fi
