#!/bin/sh
# Developer tool (not part of kradar): boot Debian's kernel under QEMU TCG
# with a busybox initramfs, load kradar_test.ko, trigger one action and
# save the raw serial console as tests/data/crash-logs/NAME.log, with
# NAME.expect holding the title syzbot's rules give the log.
#
#   tests/module/capture-logs.sh [-o OUTDIR] [ACTION...]
#
# ACTION is one of the module's actions, or "boot" (a plain boot without
# the module). Without ACTIONs, all of them are captured in turn. Needs
# root only for the /dev/console node in the initramfs (without it the
# kernel prints "Warning: unable to open an initial console.").
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
out="$top/tests/data/crash-logs"
if [ "${1:-}" = "-o" ]; then
	out=$2
	shift 2
fi
all="boot warn bug null deadlock deadlock-fixed rcu-stall softlockup sleep-atomic hang panic"
# shellcheck disable=SC2086 # word splitting wanted
[ $# -gt 0 ] || set -- $all

# Every capture boots with these; each action adds the detector settings
# it needs (set_action). See README.md for why.
base_cmdline="console=ttyS0 panic=-1"
hung_settings="sysctl.kernel.hung_task_timeout_secs=10 sysctl.kernel.hung_task_check_interval_secs=2"
spin_seconds=10
qemu_limit=240 # seconds, per capture

envfile=$("$top/ci/prepare-debian-kernel.sh" | tail -n 1)
# shellcheck disable=SC1090
. "$envfile"

busybox=$(command -v busybox) || { echo "capture-logs: busybox missing (apt-get install busybox-static)" >&2; exit 1; }
qemu=$(command -v qemu-system-x86_64) || { echo "capture-logs: qemu-system-x86_64 missing" >&2; exit 1; }
qemu_version=$("$qemu" --version | sed -n '1s/.*version \([^ ]*\).*/\1/p')

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

# For ACTION: the extra kernel command line it needs; the title, type and
# corruption flag that syzbot's rules (syzkaller
# pkg/report/linux.go, types as in its report test data) give the first
# report of such a log ("" for a clean log); and a pattern for the report's
# header line: a capture whose log lacks it is not saved. The titles were
# derived by hand from captured logs; check a new capture before committing.
set_action() {
	extra="" title="" type="" corrupted="" header=""
	case $1 in
	boot) ;;
	warn)
		title="WARNING in kradar_test_warn" type=WARNING
		header="WARNING: CPU: .* kradar_test_warn+" ;;
	bug)
		title="kernel BUG in kradar_test_bug" type=BUG
		header="kernel BUG at kradar_test.c:" ;;
	null)
		title="BUG: unable to handle kernel NULL pointer dereference in kradar_test_null_deref"
		type=NULL-POINTER-DEREFERENCE header="BUG: kernel NULL pointer dereference" ;;
	deadlock)
		extra=$hung_settings
		title="INFO: task hung in kradar_test_deadlock_worker_a" type=HANG
		header="INFO: task kradar_dl_a:[0-9]* blocked for more than" ;;
	deadlock-fixed)
		extra=$hung_settings ;;
	rcu-stall)
		extra="rcupdate.rcu_cpu_stall_timeout=5"
		# 6.1 dumps the stalled CPU with show_regs(): no apic_timer_interrupt
		# frame, which syzkaller's rule needs before the RIP line.
		title="INFO: rcu detected stall in corrupted" type=HANG corrupted=Y
		header="rcu: INFO: rcu_preempt .*detected stall" ;;
	softlockup)
		extra="watchdog_thresh=2"
		title="BUG: soft lockup in kradar_test_softlockup_spin" type=HANG
		header="BUG: soft lockup - CPU#[0-9]* stuck for .* \\[kradar_softlock" ;;
	sleep-atomic)
		title="BUG: scheduling while atomic in kradar_test_sleep_atomic" type=ATOMIC_SLEEP
		header="BUG: scheduling while atomic" ;;
	hang)
		extra=$hung_settings
		title="INFO: task hung in kradar_test_hang" type=HANG
		header="INFO: task sh:[0-9]* blocked for more than" ;;
	panic)
		title="kernel panic: kradar_test: panic requested" type=DoS
		header="Kernel panic - not syncing: kradar_test: panic requested" ;;
	*) return 1 ;;
	esac
	cmdline="$base_cmdline${extra:+ $extra}"
}

make_initramfs() { # ACTION OUTFILE
	root="$work/root-$1"
	rm -rf "$root"
	mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
	cp "$busybox" "$root/bin/busybox"
	cp "$KRADAR_TEST_MODULE" "$root/kradar_test.ko"
	[ "$(id -u)" -ne 0 ] || mknod "$root/dev/console" c 5 1
	cat >"$root/init" <<EOF
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
/bin/busybox --install -s /bin
action=$1
echo "kradar-init: userspace up at \$(cut -d' ' -f1 /proc/uptime)s uptime"
if [ "\$action" != boot ]; then
	insmod /kradar_test.ko spin_seconds=$spin_seconds
	echo "kradar-init: writing \$action to /proc/kradar_test"
	# A child of its own (comm "sh"): an oops kills it, not init.
	sh -c "echo \$action >/proc/kradar_test; echo kradar-init: write returned \\\$?" &
	writer=\$!
	# Until the writer ends (or is killed by an oops) or a hung-task report
	# is out; bounded.
	i=0
	while [ \$i -lt 120 ] && kill -0 \$writer 2>/dev/null; do
		if dmesg | grep -q 'blocked for more than'; then
			sleep 3
			break
		fi
		sleep 1
		i=\$((i + 1))
	done
	sleep 2
fi
echo "kradar-init: powering off at \$(cut -d' ' -f1 /proc/uptime)s uptime"
poweroff -f
EOF
	chmod +x "$root/init"
	(cd "$root" && find . | cpio -o -H newc --quiet) >"$2"
}

mkdir -p "$out"
for action in "$@"; do
	set_action "$action" || { echo "capture-logs: unknown action '$action'" >&2; exit 2; }
	make_initramfs "$action" "$work/initrd-$action.cpio"
	log="$work/$action.log"
	start=$(date +%s)
	status=0
	timeout "$qemu_limit" "$qemu" -accel tcg -nographic -no-reboot -m 1G -smp 2 \
		-kernel "$KRADAR_DEBIAN_KERNEL" -initrd "$work/initrd-$action.cpio" \
		-append "$cmdline" -serial "file:$log" -monitor none </dev/null >/dev/null || status=$?
	took=$(($(date +%s) - start))
	if [ "$status" -ne 0 ]; then
		echo "capture-logs: $action: qemu exited with $status after ${took}s" >&2
		exit 1
	fi
	if [ -n "$header" ] && ! grep -q -- "$header" "$log"; then
		echo "capture-logs: $action: no line matching '$header' in the log; not saved ($log kept)" >&2
		trap - EXIT INT TERM
		exit 1
	fi
	up=$(sed -n 's/.*kradar-init: userspace up at \([0-9.]*\)s.*/\1/p' "$log")
	cp "$log" "$out/$action.log"
	{
		echo "# how it was made: tests/module/capture-logs.sh $action; $KRADAR_DEBIAN_KERNEL_PACKAGE $KRADAR_DEBIAN_KERNEL_DEB_VERSION, qemu-system-x86_64 $qemu_version -accel tcg -smp 2 -m 1G, cmdline '$cmdline'; userspace at ${up}s guest uptime, capture took ${took}s"
		if [ -n "$title" ]; then
			echo "TITLE: $title"
			echo "TYPE: $type"
			[ -z "$corrupted" ] || echo "CORRUPTED: $corrupted"
		fi
	} >"$out/$action.expect"
	echo "capture-logs: $action: ${took}s (userspace at ${up}s) -> $out/$action.log"
done
