#!/bin/sh
# Builds the disk image of the image suite (tests/test-image.c), or finds it
# in the cache:
#
#   tests/image/make-disk.sh [CACHE_DIR]
#
# CACHE_DIR defaults to ${KRADAR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kradar}/test-disk.
# The image goes to CACHE_DIR/<key>/, where key is the sha256 of this script
# (its content decides the image), and the last line printed is that
# directory. It holds:
#
#   disk.raw          raw, 1 GiB (sparse), an MBR with one ext4 partition
#                     from 1 MiB: root=/dev/sda1, as syzbot's images
#   disk.raw.xz       the same, compressed (xz -1), as syzbot serves images
#   id_ed25519[.pub]  the key of the user "kradar"
#   build.log         debootstrap's output
#
# The guest: a minimal Debian bookworm (debootstrap --variant=minbase) with
# OpenSSH's server, iproute2 and kmod. No systemd: /sbin/init is a shell
# script that mounts the usual file systems, gives eth0 the address QEMU's
# user networking expects (10.0.2.15/24, no DHCP) and starts sshd, so a
# guest is reachable a few seconds after the kernel is up, even under TCG.
# root logs in without a password (empty password, PermitEmptyPasswords);
# the user "kradar" has no usable password and logs in with the key only. The
# SSH host keys are made once, with the image.
#
# No mount and no loop device: mke2fs -d writes the tree into the partition
# at its offset. Needs root (debootstrap), debootstrap, sfdisk (fdisk),
# mke2fs (e2fsprogs), ssh-keygen (openssh-client), xz and the Debian mirror
# that apt uses; ci/install-deps.sh installs the tools. Takes a few
# minutes the first time, nothing afterwards.
set -eu

me=make-disk
script=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cache=${1:-${KRADAR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kradar}/test-disk}
suite=bookworm
size_mib=1024

die() {
	echo "$me: $*" >&2
	exit 1
}
say() {
	echo "$me: $*" >&2
}

key=$(sha256sum "$script" | cut -c1-16)
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
dir="$cache/$key"

# One builder at a time per cache.
if command -v flock >/dev/null 2>&1; then
	exec 9>"$cache/.lock"
	flock 9
fi

if [ -f "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi

[ "$(id -u)" -eq 0 ] || die "debootstrap needs root"
for tool in debootstrap sfdisk mke2fs ssh-keygen xz; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is missing; run ci/install-deps.sh"
done

# The mirror apt uses (deb.debian.org unless apt says otherwise).
mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)\/* *$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
[ -n "$mirror" ] || mirror=$(sed -n 's/^deb  *\(http[^ ]*debian\)\/*  *.*/\1/p' /etc/apt/sources.list 2>/dev/null | head -n 1)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian

work="$dir.tmp"
rm -rf "$work"
mkdir -p "$work"
root="$work/root"
start=$(date +%s)
say "debootstrap $suite from $mirror (a few minutes; log: $work/build.log)"
debootstrap --variant=minbase --include=openssh-server,iproute2,kmod \
	"$suite" "$root" "$mirror" >"$work/build.log" 2>&1 ||
	die "debootstrap failed; the end of $work/build.log: $(tail -n 5 "$work/build.log")"

# Smaller and quicker to write: no package cache, documentation or locales.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
	"$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/locale/* \
	"$root"/usr/share/info/*

cat >"$root/sbin/init" <<'EOF'
#!/bin/sh
# The kradar test disk's init: what SSH needs, nothing else.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -o remount,rw /
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
hostname kradar-guest
ip link set lo up
ip addr add 10.0.2.15/24 dev eth0
ip link set eth0 up
ip route add default via 10.0.2.2
mkdir -p /run/sshd
/usr/sbin/sshd -E /var/log/sshd.log
echo "kradar-test-disk: sshd started" >/dev/console
# init must not exit: the kernel would panic.
while :; do
	sleep 3600
done
EOF
chmod 755 "$root/sbin/init"

cat >"$root/etc/ssh/sshd_config.d/kradar-test.conf" <<'EOF'
# The kradar test disk: root without a password, "kradar" with its key.
PermitRootLogin yes
PermitEmptyPasswords yes
UsePAM no
UseDNS no
EOF
chroot "$root" passwd -d root >/dev/null
chroot "$root" useradd -m -s /bin/sh kradar
# "*": no password works, yet the account is not locked (sshd refuses
# locked accounts even a key login)
chroot "$root" usermod -p '*' kradar
ssh-keygen -q -t ed25519 -N '' -C kradar-test-disk -f "$work/id_ed25519"
mkdir -p "$root/home/kradar/.ssh"
cp "$work/id_ed25519.pub" "$root/home/kradar/.ssh/authorized_keys"
chroot "$root" chown -R kradar:kradar /home/kradar/.ssh
chmod 700 "$root/home/kradar/.ssh"
echo kradar-guest >"$root/etc/hostname"
: >"$root/etc/fstab"

# The partition table first (sfdisk on a plain file), then the file system
# written into the partition at 1 MiB.
truncate -s "${size_mib}M" "$work/disk.raw"
echo 'label: dos
start=2048, type=83' | sfdisk -q "$work/disk.raw" >>"$work/build.log" 2>&1 ||
	die "sfdisk failed; see $work/build.log"
mke2fs -q -F -t ext4 -L kradar-root -E offset=1048576 -d "$root" "$work/disk.raw" \
	"$((size_mib - 1))M" >>"$work/build.log" 2>&1 ||
	die "mke2fs failed; see $work/build.log"
rm -rf "$root"
xz -1 -T2 -c "$work/disk.raw" >"$work/disk.raw.xz"

rm -rf "$dir"
mv "$work" "$dir"
: >"$dir/.complete"
say "built $dir/disk.raw in $(($(date +%s) - start)) s"
echo "$dir"
