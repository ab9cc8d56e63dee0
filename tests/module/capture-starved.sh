#!/bin/sh
# Developer tool (not part of kradar): real console logs of runs that
# `kradar run` made, with the console.times it wrote beside them, of guests
# starved on purpose and of genuine stalls to compare them with. Saves
# tests/data/crash-logs/run-NAME.{log,times,expect}.
#
#   tests/module/capture-starved.sh BUILD_DIR [NAME...]
#
# BUILD_DIR holds the built kradar and tests/freeze-vcpu. NAME (all when
# none is given):
#   starved-vcpu      the guest keeps CPU 1 busy, with RCU's grace-period
#                     kthread pinned to it; freeze-vcpu stops QEMU's thread
#                     "CPU 1/TCG" (ptrace) until RCU reports a stall, and 3 s
#                     more. Needs root (or Yama's ptrace_scope 0).
#   stopped-vm        the same busy guest; all of QEMU is stopped (SIGSTOP)
#                     for 12 s.
#   rcu-stall-irqoff  kradar_test's rcu-stall-irqoff on CPU 1, RCU's kthread
#                     on CPU 0: genuine, unstarved.
#   irqoff-kthread    the same with RCU's kthread on CPU 1 too: the kernel
#                     says its kthread starved, genuinely (CPU 1 answers the
#                     NMI at once, so kradar does not take it as evidence).
#   softlockup        kradar_test's softlockup: genuine, unstarved.
# Every scenario expects another bug, so a starved run must come out
# artifact-stall and a genuine one other-crash: a capture that does not is
# not saved. The TITLE written is the one kradar's engine gave at capture
# time (not checked against syzkaller's rules); STARVATION lists the kinds
# of evidence kradar found: the scanner's and the timing ones (clock-lag,
# nmi-unanswered).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
out="$top/tests/data/crash-logs"
[ $# -ge 1 ] || { echo "usage: capture-starved.sh BUILD_DIR [NAME...]" >&2; exit 2; }
build=$(cd "$1" && pwd)
shift
[ $# -gt 0 ] || set -- starved-vcpu stopped-vm rcu-stall-irqoff irqoff-kthread softlockup
kradar=$build/kradar
freeze=$build/tests/freeze-vcpu
if [ ! -x "$kradar" ] || [ ! -x "$freeze" ]; then
	echo "capture-starved: build kradar first (ninja -C $build)" >&2
	exit 1
fi

envfile=$("$top/ci/prepare-debian-kernel.sh" | tail -n 1)
# shellcheck disable=SC1090
. "$envfile"
qemu_version=$(qemu-system-x86_64 --version | sed -n '1s/.*version \([^ ]*\).*/\1/p')

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

# The busy guest of the starvation captures: CPU 1 spins in user space (it
# is never idle, so RCU needs its quiescent state) and hosts the grace-
# period kthread; CPU 0 forks and closes files, which keeps grace periods
# coming. (The $(...) is the guest's.)
# shellcheck disable=SC2016
busy='"taskset -p 2 $(pidof rcu_preempt)",
	"taskset 2 sh -c '"'"'while :; do :; done'"'"' &",
	"taskset 1 sh -c '"'"'while :; do cat /proc/version >/dev/null; done'"'"' &",
	"echo kradar-starve: ready", "sleep 300"'

set_capture() {
	files="" args='"-name", "'$1',debug-threads=on"' verdict=artifact-stall grace=6
	case $1 in
	starved-vcpu | stopped-vm)
		cmdline="rcupdate.rcu_cpu_stall_timeout=3" repro=$busy ;;
	rcu-stall-irqoff | irqoff-kthread)
		cmdline="rcupdate.rcu_cpu_stall_timeout=3"
		# the spin runs on the writer's CPU, 1; the kthread on 0 or 1
		kcpus=1
		[ "$1" = irqoff-kthread ] && kcpus=2
		# shellcheck disable=SC2016 # the $(...) is the guest's
		repro='"taskset -p '$kcpus' $(pidof rcu_preempt)",
			"insmod /kradar_test.ko spin_seconds=10",
			"taskset 2 sh -c '"'"'echo rcu-stall-irqoff > /proc/kradar_test'"'"'", "sleep 300"'
		files='"files": { "'$KRADAR_TEST_MODULE'": "/kradar_test.ko" },'
		verdict=other-crash grace=3 ;;
	softlockup)
		cmdline="watchdog_thresh=2"
		repro='"insmod /kradar_test.ko spin_seconds=10", "echo softlockup > /proc/kradar_test",
			"sleep 300"'
		files='"files": { "'$KRADAR_TEST_MODULE'": "/kradar_test.ko" },'
		verdict=other-crash grace=3 ;;
	*) return 1 ;;
	esac
}

for name in "$@"; do
	set_capture "$name" || { echo "capture-starved: unknown capture '$name'" >&2; exit 2; }
	scen="$work/$name.json"
	cat >"$scen" <<EOF
{ "kradar": 1, "name": "$name", "kernel": { "image": "$KRADAR_DEBIAN_KERNEL" },
  "vm": { "kvm": "off", "smp": 2, "mem_mb": 512, "cmdline": "$cmdline", "args": [ $args ] },
  "repro": { $files "sh": [ $repro ] },
  "timeouts": { "boot": 120, "run": 120, "no_output": 120, "grace": $grace, "tcg_factor": 1 },
  "expect": { "title": "WARNING in kradar_test_warn" } }
EOF
	res="$work/out-$name"
	run="$res/$name/run-1"
	start=$(date +%s)
	"$kradar" run --out "$res" "$scen" >"$work/$name.kradar.log" 2>&1 &
	kpid=$!
	how="the guest as it ran"
	case $name in
	starved-vcpu)
		said=$("$freeze" "$res" "CPU 1/TCG" "$run/console.log.part" "kradar-starve: ready" \
			"detected stall" 3 40)
		how="freeze-vcpu stopped QEMU's thread 'CPU 1/TCG' by ptrace once the guest was busy: $said" ;;
	stopped-vm)
		i=0
		until grep -qs "kradar-starve: ready" "$run/console.log.part"; do
			[ $i -lt 1200 ] || { echo "capture-starved: $name: the guest never got ready" >&2; exit 1; }
			sleep 0.1
			i=$((i + 1))
		done
		qemu=$(pgrep -f "qemu-system.*$res/")
		kill -STOP "$qemu"
		sleep 12
		kill -CONT "$qemu"
		how="QEMU stopped with SIGSTOP for 12 s once the guest was busy" ;;
	esac
	wait "$kpid" || true
	took=$(($(date +%s) - start))
	if ! grep -q "\"verdict\": \"$verdict\"" "$run/result.json"; then
		echo "capture-starved: $name: not $verdict; not saved ($run kept)" >&2
		trap - EXIT INT TERM
		exit 1
	fi
	title=$(sed -n 's/^  "title": "\(.*\)",$/\1/p' "$run/result.json")
	type=$(sed -n 's/^  "crash_type": "\(.*\)",$/\1/p' "$run/result.json")
	kinds=$("$kradar" classify --json "$run/console.log" |
		grep -o '"kind":"[a-z-]*"' | sed 's/"kind":"\(.*\)"/\1/' | sort -u | tr '\n' ' ')
	grep -q '"guest clock lagged' "$run/result.json" && kinds="$kinds clock-lag"
	grep -q '"NMI backtrace request unanswered' "$run/result.json" && kinds="$kinds nmi-unanswered"
	cp "$run/console.log" "$out/run-$name.log"
	cp "$run/console.times" "$out/run-$name.times"
	{
		echo "# how it was made: tests/module/capture-starved.sh BUILD $name: kradar run (verdict $verdict), $how; $KRADAR_DEBIAN_KERNEL_PACKAGE $KRADAR_DEBIAN_KERNEL_DEB_VERSION, qemu-system-x86_64 $qemu_version -accel tcg -smp 2 -m 512, cmdline '$cmdline'; capture took ${took}s"
		echo "# kradar's evidence at capture:"
		sed -n '/^  "evidence": \[$/,/^  \],$/p' "$run/result.json" | sed '1d;$d;s/^ */#   /'
		grep -q '^  "evidence": \[\],$' "$run/result.json" && echo "#   none"
		echo "TITLE: $title"
		echo "TYPE: $type"
		if grep -q '^  "evidence": \[\],$' "$run/result.json"; then
			echo "EVIDENCE: N"
		else
			echo "EVIDENCE: Y"
		fi
		printf 'STARVATION:'
		# shellcheck disable=SC2086 # one kind per word
		printf ' %s' ${kinds:-none}
		echo
	} >"$out/run-$name.expect"
	echo "capture-starved: $name: ${took}s -> $out/run-$name.log"
done
