#!/bin/sh
# Prepare Debian's current bookworm kernel and kradar's test module for the
# qemu tests and the demo, without installing anything into the host:
#
#   ci/prepare-debian-kernel.sh [CACHE_DIR]
#
# CACHE_DIR defaults to ${KRADAR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kradar}/debian-kernel.
#
# 1. Asks apt-cache which kernel package linux-image-amd64 depends on.
# 2. apt-get downloads that image, its linux-headers-* packages and the
#    linux-kbuild-* package they need, and unpacks them with dpkg-deb -x into
#    CACHE_DIR/RELEASE_DEBVERSION/root. Debian's header packages point at
#    /usr/src and /usr/lib/linux-kbuild-* by absolute paths; those are
#    rewritten to point into the cache, so nothing is written to /usr.
# 3. Builds tests/module (kradar_test.ko) against the unpacked headers, in a
#    directory keyed by the sha256 of the module's sources, and checks that
#    its vermagic equals that of the kernel's own modules; and a second
#    build with the deadlock fixed (KRADAR_TEST_MODULE_FIXED).
# 4. Writes CACHE_DIR/env (KEY=value lines, no quotes, shell-sourceable,
#    '#' comments) and prints its path as the last line on stdout.
#
# Idempotent: each step is skipped when its result is already in the cache,
# so a cached run takes well under a second. apt-get update runs only when
# apt has no index that knows the packages. Needs apt-get, dpkg-deb, make,
# the gcc version Debian built the kernel with, and modinfo
# (ci/install-deps.sh installs them).
set -eu

me=prepare-debian-kernel
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${1:-${KRADAR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kradar}/debian-kernel}

die() {
	echo "$me: $*" >&2
	exit 1
}
say() {
	echo "$me: $*" >&2
}

case $cache in
*[!A-Za-z0-9_./+-]*)
	die "cache directory '$cache' has characters the env file cannot hold unquoted (use letters, digits and _./+-)" ;;
esac
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

# One preparer at a time per cache directory.
if command -v flock >/dev/null 2>&1; then
	exec 9>"$cache/.lock"
	flock 9
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
apt_updated=0
apt_update() {
	[ "$apt_updated" -eq 0 ] || return 1
	apt_updated=1
	say "refreshing the apt package index (apt-get update)"
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
}

# Field FIELD of the candidate version of package PKG ("" when unknown).
apt_field() {
	apt-cache show --no-all-versions "$1" 2>/dev/null |
		sed -n "s/^$2: //p" | head -n 1
}

# --- 1. which kernel ----------------------------------------------------------

# The newest already prepared kernel, used when apt knows nothing (no index,
# no network): "DIR" of the most recently completed one.
newest_prepared() {
	# shellcheck disable=SC2012 # names are ours: RELEASE_DEBVERSION
	ls -1td "$cache"/*/.complete 2>/dev/null | head -n 1 | sed 's#/\.complete$##'
}

depends=$(apt_field linux-image-amd64 Depends)
if [ -z "$depends" ] && [ -z "$(newest_prepared)" ]; then
	apt_update || true
	depends=$(apt_field linux-image-amd64 Depends)
fi

if [ -n "$depends" ]; then
	# "linux-image-6.1.0-56-amd64 (= 6.1.192-2)", maybe "-unsigned"
	dep=$(echo "$depends" | tr ',' '\n' | grep -m 1 '^ *linux-image-' || true)
	image_pkg=$(echo "$dep" | sed -n 's/^ *\(linux-image-[^ ]*\).*/\1/p')
	[ -n "$image_pkg" ] || die "cannot find the kernel package in linux-image-amd64's Depends: $depends"
	debver=$(echo "$dep" | sed -n 's/.*(= *\([^ )]*\)).*/\1/p')
	[ -n "$debver" ] || debver=$(apt_field "$image_pkg" Version)
	[ -n "$debver" ] || die "apt-cache knows no version of $image_pkg"
	release=${image_pkg#linux-image-}
	release=${release%-unsigned}
	kdir="$cache/${release}_$debver"
else
	kdir=$(newest_prepared)
	[ -n "$kdir" ] || die "apt-cache knows no linux-image-amd64 (is this Debian with a deb.debian.org source?)"
	say "apt-cache knows no linux-image-amd64; using the prepared $(basename "$kdir")"
	release=$(sed -n 's/^KRADAR_DEBIAN_KERNEL_VERSION=//p' "$kdir/kernel.env")
	image_pkg=$(sed -n 's/^KRADAR_DEBIAN_KERNEL_PACKAGE=//p' "$kdir/kernel.env")
	debver=$(sed -n 's/^KRADAR_DEBIAN_KERNEL_DEB_VERSION=//p' "$kdir/kernel.env")
fi
root="$kdir/root"
headers="$root/usr/src/linux-headers-$release"

# --- 2. download and unpack ---------------------------------------------------

download() {
	# shellcheck disable=SC2086
	(cd "$1" && shift && apt-get download -q $apt_sandbox "$@") >&2
}

if [ ! -f "$kdir/.complete" ]; then
	headers_pkg="linux-headers-$release"
	hdeps=$(apt_field "$headers_pkg" Depends)
	[ -n "$hdeps" ] || die "apt-cache knows no $headers_pkg"
	# The common headers (= version) and kbuild (>= version) packages.
	extra=$(echo "$hdeps" | tr ',' '\n' |
		sed -n 's/^ *\(linux-headers-[^ ]*-common[^ ]*\).*/\1/p; s/^ *\(linux-kbuild-[^ ]*\).*/\1/p')
	pkgs="$image_pkg=$debver $headers_pkg=$debver"
	for p in $extra; do
		# Same Debian version as the image when apt has it, else the candidate.
		if apt-cache show "$p=$debver" >/dev/null 2>&1; then
			pkgs="$pkgs $p=$debver"
		else
			pkgs="$pkgs $p"
		fi
	done

	apt_sandbox=""
	[ "$(id -u)" -ne 0 ] || apt_sandbox="-o APT::Sandbox::User=root"
	rm -rf "$kdir.tmp"
	mkdir -p "$kdir.tmp/debs"
	say "downloading $pkgs"
	# shellcheck disable=SC2086
	if ! download "$kdir.tmp/debs" $pkgs; then
		apt_update || die "apt-get download failed"
		# shellcheck disable=SC2086
		download "$kdir.tmp/debs" $pkgs || die "apt-get download failed after apt-get update"
	fi
	for deb in "$kdir.tmp/debs"/*.deb; do
		dpkg-deb -x "$deb" "$kdir.tmp/root"
	done
	rm -rf "$kdir.tmp/debs"

	# Absolute symlinks (lib/modules/RELEASE/build, source) point into the cache.
	find "$kdir.tmp/root" -type l | while IFS= read -r link; do
		target=$(readlink "$link")
		case $target in
		/*) ln -sfn "$root$target" "$link" ;;
		esac
	done
	# The arch headers' Makefile includes the common one by absolute path.
	for mk in "$kdir.tmp/root"/usr/src/linux-headers-*/Makefile; do
		sed -i "s#^include /usr/#include $root/usr/#" "$mk"
	done

	tmpheaders="$kdir.tmp/root/usr/src/linux-headers-$release"
	[ -f "$kdir.tmp/root/boot/vmlinuz-$release" ] || die "$image_pkg holds no boot/vmlinuz-$release"
	[ -f "$tmpheaders/.config" ] || die "$headers_pkg holds no .config"
	cat >"$kdir.tmp/kernel.env" <<EOF
KRADAR_DEBIAN_KERNEL_VERSION=$release
KRADAR_DEBIAN_KERNEL_PACKAGE=$image_pkg
KRADAR_DEBIAN_KERNEL_DEB_VERSION=$debver
EOF
	rm -rf "$kdir"
	mv "$kdir.tmp" "$kdir"
	: >"$kdir/.complete"
	say "unpacked $image_pkg $debver into $kdir"
fi

vmlinuz="$root/boot/vmlinuz-$release"
config="$root/boot/config-$release"
modules="$root/lib/modules/$release"

# The version string in the bzImage header (offset 0x20e + 0x200) must name
# the release, or the image is not the kernel we think it is.
off=$(od -An -tu2 -j526 -N2 "$vmlinuz" | tr -d ' ')
bzversion=$(tail -c +$((off + 512 + 1)) "$vmlinuz" | head -c 256 | tr '\0' '\n' | head -n 1)
case $bzversion in
"$release "*) ;;
*) die "$vmlinuz says it is '$bzversion', not $release" ;;
esac

# --- 3. the test module -----------------------------------------------------

src="$top/tests/module"
compiler=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\) .*/\1/p' "$headers/.config")
cc=$(sed -n 's/^CC = .*)\(gcc-[0-9]*\)$/\1/p' "$headers/.kernelvariables" 2>/dev/null || true)
[ -n "$cc" ] || cc=gcc
command -v "$cc" >/dev/null 2>&1 ||
	die "$cc (the compiler Debian built $release with: $compiler) is missing; run ci/install-deps.sh"
command -v modinfo >/dev/null 2>&1 || die "modinfo is missing; run ci/install-deps.sh"

srchash=$(cd "$src" && cat kradar_test.c Kbuild | sha256sum | cut -c1-16)
mdir="$kdir/module-$srchash"
ko="$mdir/kradar_test.ko"
if [ ! -f "$mdir/.complete" ]; then
	# Built where it stays, so that __FILE__ in its messages names a path
	# that exists.
	rm -rf "$mdir"
	mkdir -p "$mdir"
	cp "$src/kradar_test.c" "$src/Kbuild" "$mdir/"
	say "building kradar_test.ko against $release"
	make -s -C "$headers" M="$mdir" modules >&2 ||
		die "building the test module failed (see above)"
	[ -f "$ko" ] || die "the build made no $ko"
	: >"$mdir/.complete"
fi

# The same module with the deadlock fixed (KRADAR_TEST_FIXED_DEADLOCK): the
# "fixed" build for kradar verify-fix's tests and examples.
fdir="$kdir/module-fixed-$srchash"
fko="$fdir/kradar_test.ko"
if [ ! -f "$fdir/.complete" ]; then
	rm -rf "$fdir"
	mkdir -p "$fdir"
	cp "$src/kradar_test.c" "$src/Kbuild" "$fdir/"
	say "building kradar_test.ko with the deadlock fixed against $release"
	make -s -C "$headers" M="$fdir" KCFLAGS=-DKRADAR_TEST_FIXED_DEADLOCK modules >&2 ||
		die "building the fixed test module failed (see above)"
	[ -f "$fko" ] || die "the build made no $fko"
	: >"$fdir/.complete"
fi

# vermagic must equal that of the kernel's own modules.
refko=$(find "$modules/kernel" -name '*.ko*' | head -n 1)
[ -n "$refko" ] || die "no module in $modules to compare vermagic with"
want=$(modinfo -F vermagic "$refko")
got=$(modinfo -F vermagic "$ko")
[ "$want" = "$got" ] || die "kradar_test.ko has vermagic '$got', the kernel's modules '$want'"
fgot=$(modinfo -F vermagic "$fko")
[ "$want" = "$fgot" ] || die "the fixed kradar_test.ko has vermagic '$fgot', the kernel's modules '$want'"

# --- 4. the env file --------------------------------------------------------

cfg() {
	v=$(sed -n "s/^$1=//p" "$config")
	if [ -n "$v" ]; then
		echo "$1=$v"
	else
		echo "$1 is not set"
	fi
}

envtmp="$cache/env.tmp"
{
	echo "# Written by ci/prepare-debian-kernel.sh; KEY=value, no quotes."
	echo "KRADAR_DEBIAN_KERNEL=$vmlinuz"
	echo "KRADAR_DEBIAN_KERNEL_VERSION=$release"
	echo "KRADAR_DEBIAN_KERNEL_PACKAGE=$image_pkg"
	echo "KRADAR_DEBIAN_KERNEL_DEB_VERSION=$debver"
	echo "KRADAR_DEBIAN_KERNEL_CONFIG=$config"
	echo "KRADAR_DEBIAN_SYSTEM_MAP=$root/boot/System.map-$release"
	echo "KRADAR_DEBIAN_MODULES_DIR=$modules"
	echo "KRADAR_DEBIAN_HEADERS=$headers"
	echo "KRADAR_TEST_MODULE=$ko"
	echo "KRADAR_TEST_MODULE_FIXED=$fko"
	echo "# bzImage version: $bzversion"
	echo "# vermagic (kernel modules and kradar_test.ko): $got"
	echo "# Kernel config facts, read from $config:"
	for opt in CONFIG_DETECT_HUNG_TASK CONFIG_DEFAULT_HUNG_TASK_TIMEOUT \
		CONFIG_BOOTPARAM_HUNG_TASK_PANIC CONFIG_SOFTLOCKUP_DETECTOR \
		CONFIG_BOOTPARAM_SOFTLOCKUP_PANIC CONFIG_HARDLOCKUP_DETECTOR \
		CONFIG_RCU_CPU_STALL_TIMEOUT CONFIG_PREEMPT_RCU CONFIG_PREEMPT_DYNAMIC \
		CONFIG_PREEMPT_VOLUNTARY CONFIG_DEBUG_ATOMIC_SLEEP CONFIG_PROVE_LOCKING \
		CONFIG_KASAN CONFIG_PANIC_ON_OOPS CONFIG_PANIC_TIMEOUT \
		CONFIG_SERIAL_8250 CONFIG_SERIAL_8250_CONSOLE CONFIG_BLK_DEV_INITRD \
		CONFIG_RD_GZIP CONFIG_RD_XZ CONFIG_RD_ZSTD CONFIG_DEVTMPFS \
		CONFIG_VIRTIO_PCI CONFIG_VIRTIO_BLK CONFIG_EXT4_FS \
		CONFIG_MODULE_SIG CONFIG_MODULE_SIG_FORCE CONFIG_LOCK_DOWN_KERNEL_FORCE_NONE \
		CONFIG_UNWINDER_ORC CONFIG_KALLSYMS_ALL; do
		echo "#   $(cfg "$opt")"
	done
	echo "# CONFIG_BLK_DEV_INITRD=y: an uncompressed newc cpio initramfs is always"
	echo "# accepted (the RD_* options only add compressed formats)."
	echo "# CONFIG_MODULE_SIG=y without MODULE_SIG_FORCE: the unsigned kradar_test.ko"
	echo "# loads and taints the kernel (E), printing 'module verification failed'."
} >"$envtmp"
mv "$envtmp" "$cache/env"
echo "$cache/env"
