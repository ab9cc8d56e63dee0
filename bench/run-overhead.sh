#!/bin/sh
# Benchmark (b): wall time of a clean demo run under kradar against the same
# QEMU command (the run's qemu.cmdline) started bare, which runs until the
# guest powers itself off. kradar's figure is the whole `kradar run` process:
# loading the scenario, writing the initramfs, supervising, writing results.
# The scenario is scenarios/demo/demo-clean.json with vm.kvm "off", so that
# the one-time KVM probe (at most KRADAR_KVM_PROBE_TIMEOUT, 5 s) is not in
# the figure; it is printed separately.
#
#   bench/run-overhead.sh [ROUNDS]    (default 5; needs a built kradar)
set -eu
cd "$(dirname "$0")/.."
rounds=${1:-5}
# shellcheck source=bench/lib.sh
. bench/lib.sh
demo_without_kvm demo-clean "$work/s/clean.json"
sub() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a - b}'; }
kr_times=""
bare_times=""
i=0
while [ "$i" -lt "$rounds" ]; do
	i=$((i + 1))
	t0=$(now)
	./build/kradar run --quiet --out "$work/out" "$work/s" >/dev/null
	t1=$(now)
	# the same command line, bare: console to /dev/null, until poweroff
	sh -c "$(cat "$work/out/demo-clean/run-1/qemu.cmdline")" </dev/null >/dev/null 2>&1
	t2=$(now)
	kr_times="$kr_times $(sub "$t1" "$t0")"
	bare_times="$bare_times $(sub "$t2" "$t1")"
done
median() { printf '%s\n' $1 | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
kr=$(median "$kr_times")
bare=$(median "$bare_times")
echo "kradar run (s):  $kr_times"
echo "bare QEMU (s):   $bare_times"
echo "median kradar $kr s, median bare $bare s, ratio $(awk -v a="$kr" -v b="$bare" 'BEGIN {printf "%.3f", a / b}')"
t0=$(now)
sed -e 's/"kvm": "off"/"kvm": "auto"/' "$work/s/clean.json" >"$work/s/auto.json"
rm "$work/s/clean.json"
./build/kradar run --quiet --out "$work/out2" "$work/s" >/dev/null 2>&1 || true
t1=$(now)
echo "the same run with vm.kvm auto (KVM probe included): $(sub "$t1" "$t0") s"
