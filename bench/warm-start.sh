#!/bin/sh
# Benchmark for warm start (issue 15): wall time of N runs of the same
# scenario booted (cold) and restored from a snapshot (--warm-start),
# the latter twice: with an empty snapshot cache (the snapshot is made
# first: one boot to the ready point and the save) and with the snapshot
# cached by the run before. The scenario is scenarios/demo/demo-warning.json
# (Debian's kernel, the kradar_test module's WARNING) with vm.kvm "off"; the
# verdicts of the three runs are printed to compare.
#
#   bench/warm-start.sh [N]    (default 8; needs a built kradar)
set -eu
cd "$(dirname "$0")/.."
runs=${1:-8}
# shellcheck source=bench/lib.sh
. bench/lib.sh
demo_without_kvm demo-warning "$work/s/warning.json"
sub() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", a - b}'; }
# kradar run, timed: NAME [OPTIONS]; prints the seconds
timed() {
	name=$1
	shift
	t0=$(now)
	./build/kradar run --quiet --runs "$runs" --cache "$work/cache" --out "$work/$name" \
		"$@" "$work/s" >"$work/$name.table" 2>"$work/$name.log" || true
	sub "$(now)" "$t0"
}
verdicts() {
	grep -o '"verdict": "[a-z-]*"' "$work/$1/results.json" | sort | uniq -c | tr -s ' ' |
		tr '\n' ';'
}
restored() {
	grep -c '"start": "restored"' "$work/$1/results.json" || true
}
cold=$(timed cold)
warm_new=$(timed warm-new --warm-start)
warm_cached=$(timed warm-cached --warm-start)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo "$runs runs of demo-warning under TCG, $(nproc) CPUs"
echo "cold (every run boots):          $cold s   verdicts:$(verdicts cold)"
echo "warm, snapshot made first:       $warm_new s   ($(ratio "$warm_new" "$cold")x cold; restored runs $(restored warm-new))   verdicts:$(verdicts warm-new)"
echo "warm, snapshot cached:           $warm_cached s   ($(ratio "$warm_cached" "$cold")x cold; restored runs $(restored warm-cached))   verdicts:$(verdicts warm-cached)"
