#!/bin/sh
# bench-scale.sh: the per-account scaling benchmark of BENCHMARKS.md (issue 15). For each
# account count A it writes a sweep of A/2 configurations of the swing trader (leverage drawn
# from 2–25 and size from 0.01–0.2, seeded; margin.mode isolated and cross: two accounts per
# configuration, all in one pass over the data) and runs `bt sweep` on it as a whole process
# under /usr/bin/time -v, printing one line per run: accounts, wall s, user s, sys s, peak RSS
# MB, and the load average. Feed the lines to `go run ./scripts/benchscale` for the table
# and the plot.
#
#   scripts/bench-scale.sh [-b BIN] [-d DATA] [--start DATE --end DATE] [A ...]
#
# Defaults: BIN=bin/bt, DATA=$HOME/.cache/bt/bench-data (make bench-data: 12 symbols, a year of
# 1m bars), the whole year, A = 2 4 8 16 32.
set -eu
bin=bin/bt
data="${BENCHDIR:-$HOME/.cache/bt/bench-data}"
start="" end=""
while [ $# -gt 0 ]; do
	case "$1" in
	-b) bin=$2; shift 2 ;;
	-d) data=$2; shift 2 ;;
	--start) start=$2; shift 2 ;;
	--end) end=$2; shift 2 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || set -- 2 4 8 16 32
if [ ! -x /usr/bin/time ]; then
	echo "bench-scale: /usr/bin/time is missing (apt-get install time)" >&2
	exit 2
fi
if [ ! -d "$data" ]; then
	echo "bench-scale: no dataset at $data (make bench-data)" >&2
	exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "# accounts wall_s user_s sys_s maxrss_mb load1"
for a in "$@"; do
	n=$((a / 2))
	{
		echo "base:"
		echo "  strategy: {name: swing}"
		echo "  data: {source: $data}"
		if [ -n "$start$end" ]; then echo "  timerange: {start: '$start', end: '$end'}"; fi
		echo "grid:"
		echo "  margin.mode: [isolated, cross]"
		echo "random:"
		echo "  n: $n"
		echo "  seed: 15"
		echo "  space:"
		echo "    leverage.default: {int: [2, 25]}"
		echo "    strategy.params.size: {log: [0.01, 0.2]}"
	} >"$tmp/sweep.yaml"
	rm -rf "$tmp/out"
	/usr/bin/time -v "$bin" sweep -c "$tmp/sweep.yaml" --out "$tmp/out" >"$tmp/stdout" 2>"$tmp/time" ||
		{ cat "$tmp/stdout" "$tmp/time" >&2; exit 1; }
	awk -v a="$a" -v load="$(cut -d' ' -f1 /proc/loadavg)" '
		/Elapsed \(wall clock\)/ { n = split($NF, p, ":"); w = 0; for (k = 1; k <= n; k++) w = w * 60 + p[k] }
		/User time/ { u = $NF } /System time/ { s = $NF } /Maximum resident/ { r = $NF }
		END { printf "%d %.2f %.2f %.2f %.0f %s\n", a, w, u, s, r / 1024, load }' "$tmp/time"
done
