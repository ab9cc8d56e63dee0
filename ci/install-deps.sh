#!/bin/sh
# Install every Debian (bookworm) package that kradar's build, tests and demo
# need, or with --run only those that building and running kradar need.
# Idempotent: packages already present are not fetched again, and the
# package index is refreshed at most once per invocation.
set -eu

# What building and running kradar needs (a user's CI job: `--run`). The
# names are the same on Debian bookworm and Ubuntu 22.04/24.04.
RUN_PACKAGES="
build-essential
pkg-config
meson
ninja-build
libcurl4-openssl-dev
libjansson-dev
libxml2-dev
libpcre2-dev
liblzma-dev
qemu-system-x86
busybox-static
openssh-client
xz-utils
ca-certificates
git
flex
bison
bc
libelf-dev
libssl-dev
libdw-dev
"

# What kradar's own tests and demo need on top (Debian bookworm): the check
# framework, xmllint, Debian's kernel sources and the compiler its kernel
# was built with (for the test module), debootstrap for the test disk, man
# and zsh to check the installed man pages and completion, shellcheck and
# rsync for the templates suite (its node tools: ci/install-template-tools.sh).
TEST_PACKAGES="
check
libxml2-utils
gcc-12
libelf1
linux-source-6.1
cpio
kmod
python3-yaml
debootstrap
e2fsprogs
fdisk
man-db
zsh
shellcheck
rsync
ccache
"

case "${1:-}" in
--run) PACKAGES=$RUN_PACKAGES ;;
"") PACKAGES="$RUN_PACKAGES $TEST_PACKAGES" ;;
*)
	echo "usage: $0 [--run]" >&2
	echo "  --run  only what building and running kradar needs (no tests, no demo)" >&2
	exit 2
	;;
esac

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
