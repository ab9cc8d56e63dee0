#!/bin/sh
# The README's main command: install what is needed, build kradar, prepare
# Debian's kernel and the crashing test module (cached), then run every demo
# scenario and print the table of verdicts. Results go to
# ${KRADAR_DEMO_OUT:-demo-results}/. Exit status: kradar run's.
set -eu
cd "$(dirname "$0")/.."
./ci/install-deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null
env_file=$(./ci/prepare-debian-kernel.sh | tail -n 1)
set -a
# shellcheck disable=SC1090
. "$env_file"
set +a
out=${KRADAR_DEMO_OUT:-demo-results}
echo "demo: kernel $KRADAR_DEBIAN_KERNEL"
echo "demo: module $KRADAR_TEST_MODULE"
exec ./build/kradar run --out "$out" scenarios/demo/
