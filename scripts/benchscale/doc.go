// Command benchscale turns the lines of scripts/bench-scale.sh (accounts, wall s, user s,
// sys s, peak RSS MB, load average; '#' lines are comments) into the scaling table of
// BENCHMARKS.md (Markdown, on stdout) and a PNG plot of CPU time, wall time and peak RSS
// against the number of accounts, with the issue-15 target line (0.15 s and 8 MB per account).
//
//	scripts/bench-scale.sh 2 4 8 16 32 64 | tee scale.txt
//	go run ./scripts/benchscale -o docs/bench-scale.png scale.txt
package main
