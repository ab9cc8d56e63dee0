#!/bin/sh
# Benchmark (a): from the crash line reaching kradar to the guest gone and
# the run's result.json written, beyond the grace period. Two kinds of hit:
# a `watch` pattern on a line the reproducer prints, and a real hung-task
# report from the kradar_test module's AB/BA deadlock (QEMU keeps running
# after it, so kradar has to stop it). kradar reports the figures itself at
# debug level ("timing: ..."); this prints them per run.
#
#   bench/stop-latency.sh [RUNS]      (default 3; needs a built kradar)
set -eu
cd "$(dirname "$0")/.."
runs=${1:-3}
# shellcheck source=bench/lib.sh
. bench/lib.sh
cat >"$work/s/watch.json" <<JSON
{"kradar": 1, "name": "watch", "kernel": {"image": "$KRADAR_DEBIAN_KERNEL"},
 "repro": {"sh": ["echo KRADAR-BENCH-HIT", "sleep 600"]},
 "watch": ["^KRADAR-BENCH-HIT"], "runs": $runs, "stop_on_hit": false,
 "vm": {"kvm": "off", "smp": 1, "mem_mb": 512},
 "timeouts": {"boot": 300, "run": 600, "no_output": 600, "grace": 1, "tcg_factor": 1}}
JSON
cat >"$work/s/deadlock.json" <<JSON
{"kradar": 1, "name": "deadlock", "kernel": {"image": "$KRADAR_DEBIAN_KERNEL"},
 "repro": {"sh": ["insmod /kradar_test.ko", "echo deadlock > /proc/kradar_test"],
           "files": {"$KRADAR_TEST_MODULE": "/kradar_test.ko"}},
 "sysctl": {"kernel.hung_task_timeout_secs": 5}, "runs": $runs, "stop_on_hit": false,
 "vm": {"kvm": "off", "smp": 2, "mem_mb": 512},
 "timeouts": {"boot": 300, "run": 600, "no_output": 600, "grace": 2, "tcg_factor": 1}}
JSON
KRADAR_LOG=debug ./build/kradar run --quiet --out "$work/out" "$work/s" 2>&1 |
	sed -n 's/^kradar: debug: //p' | grep 'timing:' || true
