#!/bin/sh
# bench-e2e.sh: the end-to-end benchmark of BENCHMARKS.md. Runs `bt run` N times as a whole
# process under /usr/bin/time -v and prints every run and the medians of wall time, user and
# system CPU time and peak RSS.
#
#   scripts/bench-e2e.sh [-n N] [-b BIN] [-d DATA] [-o OUT] [--] [extra bt run flags...]
#
# Defaults: N=5, BIN=bin/bt, DATA=$HOME/.cache/bt/bench-data (make bench-data), the swing
# strategy, --mode both, reports included, OUT a temporary directory (removed at the end).
set -eu
n=5
bin=bin/bt
data="${BENCHDIR:-$HOME/.cache/bt/bench-data}"
out=""
while [ $# -gt 0 ]; do
	case "$1" in
	-n) n=$2; shift 2 ;;
	-b) bin=$2; shift 2 ;;
	-d) data=$2; shift 2 ;;
	-o) out=$2; shift 2 ;;
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
i=0
while [ "$i" -lt "$n" ]; do
	i=$((i + 1))
	rm -rf "$out"
	/usr/bin/time -v "$bin" run --data "$data" --strategy swing --mode both --out "$out" "$@" \
		>"$tmp/stdout" 2>"$tmp/time" || { cat "$tmp/stdout" "$tmp/time" >&2; exit 1; }
	awk -v run="$i" '
		/Elapsed \(wall clock\)/ { n = split($NF, p, ":"); w = 0; for (k = 1; k <= n; k++) w = w * 60 + p[k] }
		/User time/ { u = $NF } /System time/ { s = $NF } /Maximum resident/ { r = $NF }
		END { printf "run %d: wall %.2f s  user %.2f s  sys %.2f s  maxrss %.0f MB\n", run, w, u, s, r / 1024 }' "$tmp/time" | tee -a "$tmp/runs"
done
sort_median() { sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f", m }'; }
w=$(awk '{ print $4 }' "$tmp/runs" | sort_median)
u=$(awk '{ print $7 }' "$tmp/runs" | sort_median)
s=$(awk '{ print $10 }' "$tmp/runs" | sort_median)
r=$(awk '{ print $13 }' "$tmp/runs" | sort_median)
echo "median of $n: wall $w s  user $u s  sys $s s  maxrss $r MB  (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
