#!/bin/sh
# bench-e2e.sh: the end-to-end benchmark of BENCHMARKS.md. Runs `bt run` N times as a whole
# process under /usr/bin/time -v, each run preceded by the bare decode-and-loop over the same
# store (`bt data decode-loop`, the floor issue 15 compares a run with), and prints every run,
# the medians of wall time, user and system CPU time and peak RSS, and the ratio of the run's
# median wall time to the decode-and-loop's.
#
#   scripts/bench-e2e.sh [-n N] [-b BIN] [-d DATA] [-o OUT] [-t NAME] [--] [extra bt run flags...]
#
# Defaults: N=5, BIN=bin/bt, DATA=$BENCHDIR or $HOME/.cache/bt/bench-data-s7 (make bench-data),
# the swing strategy, --mode both, reports included, OUT a temporary directory (removed at the
# end), NAME "both-reports" (the benchmark's name in the Go-format lines).
#
# Besides the readable lines, every run is also printed as a Go benchmark line, so that
# benchstat compares two commits' outputs (`benchstat old.txt new.txt`):
#   BenchmarkE2E/both-reports 1 5900000000 ns/op 7800000000 user-ns/op 650000000 sys-ns/op 271581184 peak-RSS-B
#   BenchmarkDecodeLoop/cmd 1 450000000 ns/op 440000000 cpu-ns/op
set -eu
n=5
bin=bin/bt
data="${BENCHDIR:-$HOME/.cache/bt/bench-data-s7}"
out=""
name=both-reports
while [ $# -gt 0 ]; do
	case "$1" in
	-n) n=$2; shift 2 ;;
	-b) bin=$2; shift 2 ;;
	-d) data=$2; shift 2 ;;
	-o) out=$2; shift 2 ;;
	-t) name=$2; shift 2 ;;
	--) shift; break ;;
	*) break ;;
	esac
done
if [ ! -x /usr/bin/time ]; then
	echo "bench-e2e: /usr/bin/time is missing (apt-get install time)" >&2
	exit 2
fi
if [ ! -d "$data" ]; then
	echo "bench-e2e: no dataset at $data (make bench-data)" >&2
	exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -n "$out" ] || out="$tmp/run"
echo "bench-e2e: $bin run --data $data --strategy swing --mode both $*; load average $(cut -d' ' -f1-3 /proc/loadavg)"
i=0
while [ "$i" -lt "$n" ]; do
	i=$((i + 1))
	# The bare decode-and-loop, in the same session (interleaved with the runs).
	"$bin" data decode-loop --store "$data" >"$tmp/decode" || { cat "$tmp/decode" >&2; exit 1; }
	awk -v run="$i" '{ for (k = 1; k < NF; k++) { if ($k == "wall") w = $(k + 1); if ($k == "cpu") c = $(k + 1) } }
		END { printf "decode-loop %d: wall %.3f s  cpu %.3f s\n", run, w, c
		      printf "BenchmarkDecodeLoop/cmd 1 %.0f ns/op %.0f cpu-ns/op\n", w * 1e9, c * 1e9 > "/dev/stderr" }' \
		"$tmp/decode" 2>>"$tmp/gofmt" | tee -a "$tmp/decodes"
	rm -rf "$out"
	/usr/bin/time -v "$bin" run --data "$data" --strategy swing --mode both --out "$out" "$@" \
		>"$tmp/stdout" 2>"$tmp/time" || { cat "$tmp/stdout" "$tmp/time" >&2; exit 1; }
	awk -v run="$i" -v name="$name" '
		/Elapsed \(wall clock\)/ { n = split($NF, p, ":"); w = 0; for (k = 1; k <= n; k++) w = w * 60 + p[k] }
		/User time/ { u = $NF } /System time/ { s = $NF } /Maximum resident/ { r = $NF }
		END { printf "run %d: wall %.2f s  user %.2f s  sys %.2f s  maxrss %.0f MB\n", run, w, u, s, r / 1024
		      printf "BenchmarkE2E/%s 1 %.0f ns/op %.0f user-ns/op %.0f sys-ns/op %.0f peak-RSS-B\n", name, w * 1e9, u * 1e9, s * 1e9, r * 1024 > "/dev/stderr" }' \
		"$tmp/time" 2>>"$tmp/gofmt" | tee -a "$tmp/runs"
done
sort_median() { sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f", m }'; }
w=$(awk '{ print $4 }' "$tmp/runs" | sort_median)
u=$(awk '{ print $7 }' "$tmp/runs" | sort_median)
s=$(awk '{ print $10 }' "$tmp/runs" | sort_median)
r=$(awk '{ print $13 }' "$tmp/runs" | sort_median)
dw=$(awk '{ print $4 }' "$tmp/decodes" | sort_median)
dc=$(awk '{ print $7 }' "$tmp/decodes" | sort_median)
echo
cat "$tmp/gofmt"
echo
printf 'median of %d: wall %.2f s  user %.2f s  sys %.2f s  maxrss %.0f MB  (load average: %s)\n' "$n" "$w" "$u" "$s" "$r" "$(cut -d' ' -f1-3 /proc/loadavg)"
awk -v w="$w" -v u="$u" -v s="$s" -v dw="$dw" -v dc="$dc" 'BEGIN {
	printf "decode-and-loop (bt data decode-loop, median): wall %.3f s  cpu %.3f s;  run / decode-loop: wall %.1fx  cpu %.1fx (target: 6x wall)\n", dw, dc, w / dw, (u + s) / dc }'
