#!/bin/sh
# Developer tool (not part of kradar): real crash reports of kinds that
# Debian's kernel and kradar_test.ko cannot give (KASAN, UBSAN, lockdep,
# list debugging, hardened usercopy, FORTIFY_SOURCE, stack protector,
# refcount, guard pages), from the kernel's own LKDTM. Builds a tinyconfig
# kernel of linux-source-6.1 with a fragment of scenarios/fragments/ (kradar
# build, cached), runs one guest per LKDTM crash type with kradar run, and
# saves each console log as OUTDIR/PREFIX-TYPE.log with a NAME.expect that
# says how it was made. The TITLE lines are NOT written here: they are
# written by hand after reading each log against syzbot's conventions
# (tests/data/lkdtm/README.md); a log whose title is in doubt stays out.
#
#   tests/module/capture-lkdtm.sh FRAGMENT PREFIX OUTDIR TYPE...
#
# e.g. capture-lkdtm.sh scenarios/fragments/lkdtm-kasan.config kasan
#      /tmp/lkdtm WARNING SLAB_LINEAR_OVERFLOW
# Needs a built kradar (build/kradar) and /usr/src/linux-source-6.1.tar.xz.
set -eu

[ $# -ge 4 ] || { echo "usage: capture-lkdtm.sh FRAGMENT PREFIX OUTDIR TYPE..." >&2; exit 2; }
top=$(cd "$(dirname "$0")/../.." && pwd)
fragment=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
prefix=$2
out=$3
shift 3
kradar=${KRADAR:-$top/build/kradar}
source=${KRADAR_KERNEL_TREE:-/usr/src/linux-source-6.1.tar.xz}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$work/s" "$out"

for type in "$@"; do
	name=$prefix-$(echo "$type" | tr 'A-Z_' 'a-z-')
	# LKDTM's direct entry in debugfs; a short hung task timeout for
	# HUNG_TASK; the sleep keeps the writer's shell for late reports.
	cat >"$work/s/$name.json" <<EOF
{
  "kradar": 1,
  "name": "$name",
  "kernel": { "source": "$source", "config": "tinyconfig", "fragment": "$fragment",
              "label": "lkdtm-$prefix" },
  "repro": { "sh": ["mount -t debugfs none /sys/kernel/debug 2>/dev/null; echo 5 > /proc/sys/kernel/hung_task_timeout_secs; echo $type > /sys/kernel/debug/provoke-crash/DIRECT; sleep 5"] },
  "vm": { "kvm": "off", "smp": 2, "mem_mb": 1024 },
  "timeouts": { "boot": 120, "run": 90, "no_output": 60 },
  "expect": { "verdict": "clean" }
}
EOF
done

"$kradar" run -j 2 --out "$work/out" "$work/s" || true
qemu_version=$(qemu-system-x86_64 --version | sed -n '1s/.*version \([^ ]*\).*/\1/p')
for type in "$@"; do
	name=$prefix-$(echo "$type" | tr 'A-Z_' 'a-z-')
	log=$work/out/$name/run-1/console.log
	[ -s "$log" ] || { echo "capture-lkdtm: $name: no console log" >&2; continue; }
	cp "$log" "$out/$name.log"
	printf '# how it was made: tests/module/capture-lkdtm.sh %s %s OUT %s; %s, tinyconfig + that fragment, qemu-system-x86_64 %s -accel tcg -smp 2 -m 1G\n' \
		"scenarios/fragments/$(basename "$fragment")" "$prefix" "$type" \
		"$(sed -n '1s/.*\] Linux version \([^ ]*\).*/Linux \1/p' "$log")" "$qemu_version" \
		>"$out/$name.expect"
done
