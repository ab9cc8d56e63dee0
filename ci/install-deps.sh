#!/bin/sh
# Install every Debian (bookworm) package that kradar's build, tests and demo
# need. Idempotent: packages already present are not fetched again, and the
# package index is refreshed at most once per invocation.
set -eu

PACKAGES="
build-essential
gcc-12
libelf1
pkg-config
meson
ninja-build
libcurl4-openssl-dev
libjansson-dev
libxml2-dev
libxml2-utils
libpcre2-dev
liblzma-dev
git
linux-source-6.1
flex
bison
bc
libelf-dev
libssl-dev
check
qemu-system-x86
busybox-static
cpio
xz-utils
kmod
python3-yaml
ca-certificates
openssh-client
debootstrap
e2fsprogs
fdisk
"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	echo "install-deps: all packages present"
	exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo"
fi

echo "install-deps: installing:$missing"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
